"""Training throughput of notebook 04's mini-batched char-RNN vs a min-char-rnn-style loop.

Both train a one-layer tanh RNN with 100 hidden units on source/bptt/data/macbeth.txt
for the same number of characters, in one run, and are evaluated on the same
held-out 10% of the text with the same forward pass:

- notebook: source/bptt/charrnn.train with the solution cells of
  04_long_histories.ipynb (rnn_forward, bptt_truncated with k = T, i.e. full BPTT of
  each window, clip_gradients), N streams x T characters per update, Adam,
  global-norm clipping at 5;
- min-char-rnn style (written for this bench after Karpathy's min-char-rnn):
  column vectors, one sequence (batch 1) of 25 characters per update, a Python
  loop over steps with dicts of per-step vectors, Adagrad (lr 0.1), every
  gradient entry clipped to [-5, 5] with np.clip.

Run from the repository root:

    python bench/bench_charrnn.py                             # 400,000 characters, best of 3
    python bench/bench_charrnn.py --chars 100000 --repeats 1  # quicker

Prints characters per second of each, their ratio (target >= 10x), and the
held-out loss (nats/char) each reached (target: the notebook's equal or better).
Both trainers are deterministic, so every repeat reaches the same loss; the
repeats alternate between the two trainers and the fastest time of each is
kept, so that load from other processes on this shared 2-core machine skews
neither side.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "source" / "bptt"
sys.path.insert(0, str(ASSIGNMENT))

import charrnn  # noqa: E402


def notebook_functions(path=ASSIGNMENT / "04_long_histories.ipynb"):
    """Execute the notebook's given and solution code cells (not tests, not experiments)."""
    nb = json.loads(path.read_text())
    namespace = {}
    for cell in nb["cells"]:
        meta = cell["metadata"]
        if cell["cell_type"] != "code" or "experiment" in meta.get("tags", ()) or meta["nbgrader"]["grade"]:
            continue
        exec(compile("".join(cell["source"]), f"{path.name}:{meta['nbgrader']['grade_id']}", "exec"), namespace)
    return namespace


# ---- min-char-rnn style: one sequence at a time, column vectors ----------------------------

def minchar_loss_and_grads(inputs, targets, hprev, p):
    """Loss (sum over the sequence) and gradients of one sequence, step by step."""
    Wxh, Whh, Why, bh, by = p["Wxh"], p["Whh"], p["Why"], p["bh"], p["by"]
    V = Wxh.shape[1]
    xs, hs, ps = {}, {-1: hprev}, {}
    loss = 0.0
    for t, (i, y) in enumerate(zip(inputs, targets)):
        xs[t] = np.zeros((V, 1))
        xs[t][i] = 1.0
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        o = Why @ hs[t] + by
        e = np.exp(o - o.max())
        ps[t] = e / e.sum()
        loss -= np.log(ps[t][y, 0])
    d = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros_like(hprev)
    for t in reversed(range(len(inputs))):
        do = ps[t].copy()
        do[targets[t]] -= 1.0
        d["Why"] += do @ hs[t].T
        d["by"] += do
        dh = Why.T @ do + dh_next
        draw = (1.0 - hs[t] ** 2) * dh
        d["bh"] += draw
        d["Wxh"] += draw @ xs[t].T
        d["Whh"] += draw @ hs[t - 1].T
        dh_next = Whh.T @ draw
    for g in d.values():
        np.clip(g, -5.0, 5.0, out=g)
    return loss, d, hs[len(inputs) - 1]


def train_minchar(ids, V, chars, H=100, T=25, lr=0.1, seed=0):
    rng = np.random.default_rng(seed)
    p = {"Wxh": rng.standard_normal((H, V)) * 0.01, "Whh": rng.standard_normal((H, H)) * 0.01,
         "Why": rng.standard_normal((V, H)) * 0.01, "bh": np.zeros((H, 1)), "by": np.zeros((V, 1))}
    mem = {k: np.zeros_like(v) for k, v in p.items()}
    hprev = np.zeros((H, 1))
    pos, done, losses = 0, 0, []
    start = time.perf_counter()
    while done < chars:
        if pos + T + 1 > len(ids):
            pos, hprev = 0, np.zeros((H, 1))
        inputs, targets = ids[pos:pos + T], ids[pos + 1:pos + T + 1]
        loss, d, hprev = minchar_loss_and_grads(inputs, targets, hprev, p)
        for k in p:                                   # Adagrad
            mem[k] += d[k] * d[k]
            p[k] -= lr * d[k] / np.sqrt(mem[k] + 1e-8)
        losses.append(loss / T)
        pos += T
        done += T
    seconds = time.perf_counter() - start
    # The same parameters in the notebook's row-vector layout, for the shared evaluation.
    params = {"W_xh": p["Wxh"].T.copy(), "W_hh": p["Whh"].T.copy(), "b_h": p["bh"][:, 0].copy(),
              "W_hq": p["Why"].T.copy(), "b_q": p["by"][:, 0].copy()}
    return dict(params=params, losses=np.array(losses), seconds=seconds, chars=done)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=400_000, help="characters processed by each trainer")
    ap.add_argument("--repeats", type=int, default=3, help="alternating runs of each trainer; fastest kept")
    ap.add_argument("--batch", type=int, default=32, help="streams per update of the notebook's trainer")
    ap.add_argument("--seq", type=int, default=25, help="window length T of both trainers")
    ap.add_argument("--lr", type=float, default=5e-3, help="Adam learning rate of the notebook's trainer")
    args = ap.parse_args(argv)

    nb = notebook_functions()
    text = charrnn.load_text(ASSIGNMENT / "data" / "macbeth.txt")
    vocab = charrnn.Vocab(text)
    train_ids, valid_ids = charrnn.split_ids(vocab.encode(text))
    V, H, T = len(vocab), 100, args.seq
    steps = max(1, args.chars // (args.batch * T))

    def full_bptt(Y, params, cache, rng):
        return nb["bptt_truncated"](Y, params, cache, Y.shape[0], "tanh")

    batched = single = None
    for _ in range(args.repeats):
        run = charrnn.train(train_ids, V, nb["rnn_forward"], full_bptt, nb["clip_gradients"], H=H,
                            N=args.batch, T=T, steps=steps, lr=args.lr, max_norm=5.0, seed=0)
        batched = run if batched is None or run["seconds"] < batched["seconds"] else batched
        run = train_minchar(train_ids, V, batched["chars"], H=H, T=T)
        single = run if single is None or run["seconds"] < single["seconds"] else single

    rows = []
    for name, run in (("notebook, mini-batched", batched), ("min-char-rnn style", single)):
        valid = charrnn.evaluate(valid_ids, V, run["params"], nb["rnn_forward"])
        rate = run["chars"] / run["seconds"]
        rows.append((name, run, valid, rate))
    print(f"Macbeth, {len(train_ids):,} training characters, V={V}, H={H}, T={T}; "
          f"each trainer processes {batched['chars']:,} characters; fastest of {args.repeats} alternating runs")
    print(f"{'trainer':24s} {'batch':>5s} {'updates':>8s} {'seconds':>8s} {'chars/s':>10s} "
          f"{'train loss':>10s} {'valid loss':>10s}")
    for (name, run, valid, rate), batch in zip(rows, (args.batch, 1)):
        print(f"{name:24s} {batch:5d} {len(run['losses']):8d} {run['seconds']:8.2f} {rate:10,.0f} "
              f"{run['losses'][-100:].mean():10.4f} {valid:10.4f}")
    ratio = rows[0][3] / rows[1][3]
    print(f"throughput ratio (notebook / min-char-rnn style): {ratio:.1f}x (target >= 10x)")
    print(f"held-out loss difference (notebook - min-char-rnn style): {rows[0][2] - rows[1][2]:+.4f} nats/char "
          f"(target <= 0)")


if __name__ == "__main__":
    main()
