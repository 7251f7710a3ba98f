"""The experiments of 04_long_histories.ipynb (given code, no points).

Every experiment receives the notebook's forward pass and your functions
(bptt_truncated, bptt_randomized, clip_gradients) as arguments; nothing here
computes a parameter gradient itself (boundary_hidden only adds up what your
bptt_truncated returns for each chunk). Training runs with one BLAS thread and
shows a progress bar (charrnn.one_blas_thread, charrnn.progress_bar). Three experiments:

1. compare_strategies: a character-level RNN (charrnn.py) trained with full,
   regular-truncated and randomized-truncated gradients, same seed and budget.
2. lag_sweep: a synthetic task whose answer is the symbol seen L steps ago;
   accuracy against the truncation length k, randomized truncation, and
   k = L with the chunk's boundary state hidden from its gradient.
3. gradient_norms: ||dL/dh_{T-j}|| against the lag j for ReLU and tanh and a
   few spectral radii of W_hh.
"""
import numpy as np

import charrnn
from charrnn import one_blas_thread, progress_bar

# ---- 1. character-level RNN, three gradient strategies ---------------------------------


def compare_strategies(text, forward, bptt_truncated, bptt_randomized, clip_gradients, *, k=8, pi=0.5,
                       steps=1000, H=128, N=32, T=32, lr=5e-3, max_norm=5.0, seed=0, sample_len=300):
    """Train one model per strategy from the same initialization, data order and budget.

    Inputs: text (str); forward = the notebook's rnn_forward; your three
    functions; k the regular-truncation chunk, pi the randomized keep
    probability; steps updates of N streams x T characters.
    Returns (vocab, results): results[name] = dict(losses, norms, seconds,
    chars, valid (held-out nats/char), sample (generated text)).
    Shows one progress bar per strategy.
    """
    vocab = charrnn.Vocab(text)
    train_ids, valid_ids = charrnn.split_ids(vocab.encode(text))
    results = {}
    for name, backward in charrnn.strategies(bptt_truncated, bptt_randomized, k, pi).items():
        run = charrnn.train(train_ids, len(vocab), forward, backward, clip_gradients, H=H, N=N, T=T,
                            steps=steps, lr=lr, max_norm=max_norm, seed=seed, progress=name)
        run["valid"] = charrnn.evaluate(valid_ids, len(vocab), run["params"], forward)
        run["sample"] = charrnn.sample(run["params"], vocab, forward, "MACBETH.\n", sample_len,
                                       np.random.default_rng(seed))
        results[name] = run
    return vocab, results


def plot_training(results, max_norm=5.0, smoothing=0.95):
    """Two panels per strategy: the training loss, and the gradient norm before clipping.

    Inputs: results from compare_strategies; max_norm the clipping threshold
    (drawn as a line: every update above it was scaled down to it).
    """
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_norm) = plt.subplots(1, 2, figsize=(11, 4))
    for name, run in results.items():
        ax_loss.plot(charrnn.smooth(run["losses"], smoothing), label=name)
        ax_norm.semilogy(run["norms"], lw=0.6, alpha=0.8, label=name)
    ax_loss.set_xlabel("update")
    ax_loss.set_ylabel("training loss (nats/char, smoothed)")
    ax_loss.set_title("Character-level RNN on Macbeth: same seed, same budget")
    ax_loss.legend()
    ax_norm.axhline(max_norm, color="k", ls="--", lw=1, label=f"max_norm = {max_norm:g} (clipped above)")
    ax_norm.set_xlabel("update")
    ax_norm.set_ylabel("global gradient norm before clipping")
    ax_norm.set_title("What clip_gradients receives")
    ax_norm.legend(fontsize="small")
    fig.tight_layout()
    plt.show()


# ---- 2. a dependency at a known lag -------------------------------------------------


def lag_batch(rng, V, T, N, L):
    """Random symbols; the target at step t is the symbol seen L steps earlier.

    Returns X (T, N, V) one-hot inputs and Y (T, N) targets; for t < L, where
    there is no symbol L steps back, the target is the current symbol.
    """
    s = rng.integers(0, V, (T, N))
    Y = s.copy()
    Y[L:] = s[:-L]
    return np.eye(V)[s], Y


def train_lag(forward, backward, clip, L, *, V=4, T=16, N=32, H=32, steps=1000, lr=1e-2,
              max_norm=5.0, seed=0, activation="tanh"):
    """Train on the lag-L task; return the accuracy on fresh sequences at steps t >= L.

    backward(Y, params, cache, rng) -> dict of gradients, as in charrnn.train.
    """
    rng = np.random.default_rng(seed)
    params = charrnn.init_params(V, H, rng)
    opt = charrnn.Adam(params, lr)
    with one_blas_thread():
        for _ in range(steps):
            X, Y = lag_batch(rng, V, T, N, L)
            _, cache = forward(X, params, None, activation)
            grads = backward(Y, params, cache, rng)
            grads, _ = clip({k: grads[k] for k in charrnn.PARAM_KEYS}, max_norm)
            opt.step(params, grads)
        X, Y = lag_batch(np.random.default_rng(seed + 12345), V, T, 512, L)
        P, _ = forward(X, params, None, activation)
    return float(np.mean(P.argmax(axis=-1)[L:] == Y[L:]))


CACHE_KEYS = ("X", "h_netIn", "h", "o", "p")


def boundary_hidden(bptt_truncated, k, activation="tanh"):
    """backward(Y, params, cache, rng): regular truncation with chunks of k whose gradient cannot read
    the boundary state.

    The forward pass is unchanged (the state is carried across chunk boundaries).
    Each chunk [c, c+k) is differentiated by your bptt_truncated on its own slice
    of the cache, with its start state replaced by zeros (the first chunk keeps the
    real h0, which is not a boundary): the only place the frozen
    state h_{c-1} enters the gradient of regular truncation is the W_hh term of
    step c (h_{c-1} times the gradient at h_netIn_c), and that term is now zero;
    everything else is the same. A chunk's mean loss is over its own steps, so its
    gradient is weighted by (its length) / T to give the mean over the window.
    """
    def backward(Y, params, cache, rng):
        T = Y.shape[0]
        total = {key: 0.0 for key in charrnn.PARAM_KEYS}
        for c in range(0, T, k):
            chunk = {key: cache[key][c:c + k] for key in CACHE_KEYS}
            chunk["h0"] = cache["h0"] if c == 0 else np.zeros_like(cache["h0"])
            grads = bptt_truncated(Y[c:c + k], params, chunk, k, activation)
            weight = len(chunk["h"]) / T
            total = {key: total[key] + weight * np.asarray(grads[key]) for key in charrnn.PARAM_KEYS}
        return total
    return backward


def lag_sweep(forward, bptt_truncated, bptt_randomized, clip_gradients, *, L=6, T=16, ks=None,
              pis=(0.5, 0.25), steps=1000, seed=0):
    """Accuracy on the lag-L task: regular truncation for each chunk length k, randomized truncation
    for each keep probability pi, and k = L with the boundary state hidden from the gradient.

    k = T is the full computation. Randomized truncation cuts at step t when
    xi_t = 0, which happens with probability 1 - pi, so the mean distance between
    cuts is 1 / (1 - pi) (2 for pi = 0.5, 4/3 for pi = 0.25); it is plotted there.
    Returns dict with L, T, "regular": {k: accuracy}, "randomized": {pi: accuracy},
    "boundary_hidden": accuracy at k = L with boundary_hidden(bptt_truncated, L).
    Shows a progress bar over the training runs.
    """
    ks = list(range(1, L + 3)) + [T] if ks is None else ks
    runs = [("regular", k) for k in ks] + [("randomized", pi) for pi in pis] + [("boundary_hidden", L)]
    out = dict(L=L, T=T, regular={}, randomized={}, boundary_hidden=None)
    bar = progress_bar(len(runs), "lag sweep")
    for kind, value in runs:
        if kind == "regular":
            back = lambda Y, p, c, rng, k=value: bptt_truncated(Y, p, c, k, "tanh")  # noqa: E731
        elif kind == "randomized":
            back = lambda Y, p, c, rng, pi=value: bptt_randomized(  # noqa: E731
                Y, p, c, charrnn.sample_xi(Y.shape[0], pi, rng), "tanh")
        else:
            back = boundary_hidden(bptt_truncated, value)
        bar.set_postfix_str(f"{kind} {value:g}")
        acc = train_lag(forward, back, clip_gradients, L, T=T, steps=steps, seed=seed)
        if kind == "boundary_hidden":
            out[kind] = acc
        else:
            out[kind][value] = acc
        bar.update()
    bar.close()
    return out


def plot_lag_sweep(sweep, V=4):
    """Accuracy against the chunk length k, with randomized truncation at its mean distance between cuts."""
    import matplotlib.pyplot as plt

    L = sweep["L"]
    fig, ax = plt.subplots(figsize=(12, 4.5))
    ks = sorted(sweep["regular"])
    ax.plot(ks, [sweep["regular"][k] for k in ks], "o-", label="regular truncation, chunks of k")
    pis = sorted(sweep["randomized"], reverse=True)
    ax.plot([1 / (1 - p) for p in pis], [sweep["randomized"][p] for p in pis], "s", markersize=9,
            label=r"randomized truncation, at $k = 1/(1-\pi)$ (mean distance between cuts)")
    for p in pis:
        ax.annotate(rf"$\pi = {p:g}$", (1 / (1 - p), sweep["randomized"][p]), xytext=(6, -4),
                    textcoords="offset points")
    if sweep.get("boundary_hidden") is not None:
        ax.plot([L], [sweep["boundary_hidden"]], "X", color="C3", markersize=10,
                label=f"k = L = {L}, boundary state hidden from the gradient")
    ax.axvline(L - 0.5, color="gray", ls=":", label=f"k >= L = {L}: can read the symbol from the boundary state")
    ax.axvline(L + 0.5, color="gray", ls="-.", label=f"k >= L+1 = {L + 1}: the symbol is inside the chunk")
    ax.axhline(1 / V, color="k", lw=0.8, ls="--", label=f"chance (1/{V})")
    ax.set_xlabel(f"k (k = T = {sweep['T']} is full BPTT)")
    ax.set_ylabel(f"accuracy at t >= L (L = {L})")
    ax.set_ylim(0, 1.05)
    ax.set_title("Recall the symbol seen L steps ago")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")
    fig.tight_layout()
    plt.show()


# ---- 3. vanishing and exploding ------------------------------------------------------


def gradient_problem(forward, activation, rho, *, H=64, T=60, N=16, D=8, seed=0):
    """Experiment 1's network and run: W_hh (H, H) random Gaussian rescaled to spectral radius rho,
    random inputs, and the forward cache of that run. Returns (W_hh, cache, rng) (rng: the draws go on)."""
    rng = np.random.default_rng(seed)
    W_hh = rng.standard_normal((H, H))
    W_hh *= rho / np.max(np.abs(np.linalg.eigvals(W_hh)))
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=W_hh, b_h=np.zeros(H),
                  W_hq=np.zeros((H, 2)), b_q=np.zeros(2))
    _, cache = forward(rng.standard_normal((T, N, D)), params, None, activation)
    return W_hh, cache, rng


def gradient_norms(forward, activation, rho, *, H=64, T=60, N=16, D=8, seed=0):
    """Mean ||dL/dh_{T-1-j}|| for j = 0..T-1, starting from a unit gradient at the last state.

    W_hh and the run are gradient_problem's. One step back contracts the gradient with the
    Jacobian of one forward step, J[n, i, j] = d h_t[n, j] / d h_{t-1}[n, i] = W_hh[i, j] phi'(h_netIn_t[n, j]),
    summing over j (the chain rule), for each sequence n of the batch.
    """
    W_hh, cache, rng = gradient_problem(forward, activation, rho, H=H, T=T, N=N, D=D, seed=seed)
    dphi = (cache["h_netIn"] > 0).astype(float) if activation == "relu" else 1.0 - cache["h"] ** 2
    g = rng.standard_normal((N, H))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    norms = [1.0]
    for t in range(T - 1, 0, -1):
        jacobian = W_hh[None, :, :] * dphi[t][:, None, :]      # (N, H, H): [n, i, j]
        g = np.einsum("nij,nj->ni", jacobian, g)
        norms.append(float(np.linalg.norm(g, axis=1).mean()))
    return np.array(norms)


def plot_gradient_norms(forward, rhos=(0.5, 1.0, 1.5, 2.0), T=60):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    table = {}
    for ax, activation in zip(axes, ("relu", "tanh")):
        for rho in rhos:
            norms = gradient_norms(forward, activation, rho, T=T)
            table[activation, rho] = norms
            ax.semilogy(norms, label=f"spectral radius {rho:g}")
        ax.set_title(activation)
        ax.set_xlabel("lag j")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(r"$\|\partial L / \partial h_{T-1-j}\|$ (starts at 1)")
    axes[0].legend()
    plt.show()
    return table
