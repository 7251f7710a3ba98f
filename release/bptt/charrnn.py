"""A mini-batched character-level RNN: data, optimizer, training loop, sampling.

Given code for 04_long_histories.ipynb. It contains no gradient code: the
training loop receives the forward pass, a backward function (built from your
bptt_truncated / bptt_randomized) and your clip_gradients as arguments.

Shapes use the lecture's names, time-major as everywhere in the assignment:
T window length, N streams in the mini-batch, V vocabulary size (= D = Q),
H hidden units.

How the text is fed (as in Karpathy's min-char-rnn, but N streams at once):
the text is cut into N equal contiguous streams; each update reads the next
window of T characters of every stream, predicts each next character, and
starts from the hidden state the previous window ended in. That state is a
constant for the backward pass, so no gradient crosses a window boundary.

Speed: the matrices here are small (N x H by H x H), so BLAS threads only
fight each other and the other programs on a busy machine (measured 3x and
more slower with the default threads on two shared cores). The training and
evaluation loops therefore run with one BLAS thread (`one_blas_thread`), and
`train` shows a progress bar when given a `progress` label.
"""
import time
from contextlib import contextmanager

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


@contextmanager
def one_blas_thread():
    """Run the block with a single BLAS thread (restored afterwards): faster for small matrices."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def progress_bar(total, label):
    """A progress bar over `total` updates (a widget in Jupyter, text elsewhere); None if label is None."""
    if label is None:
        return None
    return tqdm(total=total, desc=label, unit="update", leave=True, mininterval=0.5)


# ---- text ------------------------------------------------------------------------

class Vocab:
    """The characters of a text, in sorted order, and the maps to and from ids."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """str -> (len,) int array of ids."""
        return np.array([self.index[c] for c in text], dtype=np.int64)

    def decode(self, ids):
        return "".join(self.chars[int(i)] for i in ids)


def load_text(path):
    with open(path, encoding="ascii") as f:
        return f.read()


def split_ids(ids, valid_fraction=0.1):
    """Training ids, then the last `valid_fraction` held out for validation."""
    cut = int(len(ids) * (1.0 - valid_fraction))
    return ids[:cut], ids[cut:]


def make_streams(ids, N):
    """(len,) ids -> (N, L) array: N contiguous pieces of the text, one per row."""
    L = len(ids) // N
    if L < 2:
        raise ValueError(f"make_streams: {len(ids)} characters are too few for N={N} streams")
    return ids[: N * L].reshape(N, L)


def one_hot_ids(ids, V):
    """(T, N) int ids -> (T, N, V) float64 one-hot inputs."""
    return np.eye(V)[ids]


# ---- parameters and optimizers ------------------------------------------------------

def init_params(V, H, rng, scale=None):
    """Small random weights, zero biases: W_xh (V, H), W_hh (H, H), b_h (H,), W_hq (H, V), b_q (V,).

    W_hh starts with spectral radius near `scale` (default 0.9): close to 1
    keeps the signal alive over many steps without starting to explode.
    """
    scale = 0.9 if scale is None else scale
    W_hh = rng.standard_normal((H, H)) * scale / np.sqrt(H)
    return {
        "W_xh": rng.standard_normal((V, H)) * 0.1,
        "W_hh": W_hh,
        "b_h": np.zeros(H),
        "W_hq": rng.standard_normal((H, V)) * 0.1,
        "b_q": np.zeros(V),
    }


class Adam:
    """Adam (Kingma & Ba, 2015) on a dict of arrays, updated in place."""

    def __init__(self, params, lr=3e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        c1, c2 = 1.0 - self.b1 ** self.t, 1.0 - self.b2 ** self.t
        for k in params:
            g = grads[k]
            self.m[k] *= self.b1
            self.m[k] += (1.0 - self.b1) * g
            self.v[k] *= self.b2
            self.v[k] += (1.0 - self.b2) * g * g
            params[k] -= self.lr * (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)


class Adagrad:
    """Adagrad as in min-char-rnn: per-entry step lr / sqrt(sum of squared gradients)."""

    def __init__(self, params, lr=0.1, eps=1e-8):
        self.lr, self.eps = lr, eps
        self.mem = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        for k in params:
            self.mem[k] += grads[k] * grads[k]
            params[k] -= self.lr * grads[k] / np.sqrt(self.mem[k] + self.eps)


# ---- the gradient strategies --------------------------------------------------------

def sample_xi(T, pi, rng):
    """(T,) randomized-truncation multipliers: 1/pi with probability pi, else 0."""
    return np.where(rng.random(T) < pi, 1.0 / pi, 0.0)


def strategies(bptt_truncated, bptt_randomized, k, pi, activation="tanh"):
    """The three ways of computing the gradient of a window, as backward(Y, params, cache, rng).

    Full: regular truncation with k = T (one chunk). Regular: chunks of k steps.
    Randomized: a fresh xi per window (the rng is the training run's).
    """
    return {
        "full": lambda Y, params, cache, rng: bptt_truncated(Y, params, cache, Y.shape[0], activation),
        f"regular k={k}": lambda Y, params, cache, rng: bptt_truncated(Y, params, cache, k, activation),
        f"randomized pi={pi:g}": lambda Y, params, cache, rng: bptt_randomized(
            Y, params, cache, sample_xi(Y.shape[0], pi, rng), activation),
    }


# ---- training ----------------------------------------------------------------------

def mean_nll(P, Y):
    """Mean negative log-likelihood (nats per character) of targets Y (T, N) under P (T, N, V)."""
    picked = np.take_along_axis(P, Y[..., None], axis=-1)
    return float(-np.mean(np.log(np.maximum(picked, 1e-300))))


def train(ids, V, forward, backward, clip, *, H=128, N=32, T=32, steps=300, lr=3e-3,
          max_norm=5.0, seed=0, activation="tanh", optimizer="adam", params=None, progress=None):
    """Train a character-level RNN on `ids` with the given gradient strategy.

    Inputs:
    - ids: (len,) int training text; V: vocabulary size
    - forward: rnn_forward(X (T, N, V), params, h0 (N, H), activation) -> (P, cache)
    - backward: backward(Y (T, N), params, cache, rng) -> dict of gradients
    - clip: clip_gradients(grads, max_norm) -> (clipped grads, norm before)
    - H hidden units, N streams, T window length, steps updates, Adam (or
      "adagrad") with learning rate lr, global-norm clipping at max_norm
    - params: start from these (copied) instead of a fresh initialization
    - progress: a label to show a progress bar under, or None for no bar

    Returns dict: params, losses (per update, nats/char), norms (gradient norm
    before clipping, per update), seconds (wall time of the loop), chars
    (characters processed).
    """
    rng = np.random.default_rng(seed)
    params = init_params(V, H, rng) if params is None else {k: v.copy() for k, v in params.items()}
    H = params["W_hh"].shape[0]
    opt = Adam(params, lr) if optimizer == "adam" else Adagrad(params, lr)
    streams = make_streams(ids, N)
    eye = np.eye(V)
    h = np.zeros((N, H))
    pos = 0
    losses, norms = [], []
    bar = progress_bar(steps, progress)
    start = time.perf_counter()
    with one_blas_thread():
        for _ in range(steps):
            if pos + T + 1 > streams.shape[1]:      # end of the text: start again from a fresh state
                pos, h = 0, np.zeros((N, H))
            X = eye[streams[:, pos:pos + T].T]      # (T, N, V)
            Y = streams[:, pos + 1:pos + T + 1].T   # (T, N)
            P, cache = forward(X, params, h, activation)
            losses.append(mean_nll(P, Y))
            grads = backward(Y, params, cache, rng)
            grads, norm = clip({k: grads[k] for k in PARAM_KEYS}, max_norm)
            norms.append(float(norm))
            opt.step(params, grads)
            h = cache["h"][-1]                      # carry the state forward, not its gradient
            pos += T
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - start
    return dict(params=params, losses=np.array(losses), norms=np.array(norms),
                seconds=seconds, chars=steps * N * T)


def evaluate(ids, V, params, forward, *, N=16, T=100, activation="tanh"):
    """Mean nats/char on held-out `ids`, reading N streams in windows of T with the state carried."""
    streams = make_streams(ids, N)
    eye = np.eye(V)
    h = np.zeros((N, params["W_hh"].shape[0]))
    total, count = 0.0, 0
    with one_blas_thread():
        for pos in range(0, streams.shape[1] - 1, T):
            stop = min(pos + T, streams.shape[1] - 1)
            P, cache = forward(eye[streams[:, pos:stop].T], params, h, activation)
            Y = streams[:, pos + 1:stop + 1].T
            total += mean_nll(P, Y) * Y.size
            count += Y.size
            h = cache["h"][-1]
    return total / count


def smooth(values, weight=0.9):
    """Exponential moving average, for plotting noisy per-update losses."""
    out, avg = np.empty(len(values)), values[0]
    for i, v in enumerate(values):
        avg = weight * avg + (1.0 - weight) * v
        out[i] = avg
    return out


def sample(params, vocab, forward, prime, length, rng, temperature=0.8, activation="tanh"):
    """Generate `length` characters after the text `prime`, one step of the forward pass at a time."""
    V = len(vocab)
    eye = np.eye(V)
    ids = vocab.encode(prime)
    _, cache = forward(eye[ids][:, None, :], params, None, activation)   # read the prime: (T, 1, V)
    h, logits = cache["h"][-1], cache["o"][-1, 0]
    out = []
    for _ in range(length):
        z = logits / temperature
        p = np.exp(z - z.max())
        nxt = rng.choice(V, p=p / p.sum())
        out.append(nxt)
        _, cache = forward(eye[[nxt]][None], params, h, activation)
        h, logits = cache["h"][-1], cache["o"][-1, 0]
    return prime + vocab.decode(out)
