"""The reference's rnn_backward against PyTorch's nn.RNN forward+backward, side by side.

Shape (T, N, D, H, Q) = (50, 32, 65, 128, 65), float64, tanh, one thread for both
(BLAS pools pinned by environment variables set before NumPy is imported, and
torch.set_num_threads(1)). Both sides compute the same gradients: the script checks
that they agree before timing.

Timed:
- reference: autograder.reference.rnn_backward on a cache from rnn_forward (the
  backward pass alone, as the checks use it), and rnn_forward + rnn_backward;
- torch: nn.RNN + nn.Linear forward, mean cross-entropy, backward (autograd).

Rounds alternate between the sides and the fastest round of each is kept, so load
from other processes on a shared machine skews neither. Target: rnn_backward at most
1.0x torch's forward+backward.

torch is a bench-only dependency (not in requirements.txt); without it the script
says so and exits 0. Run from the repository root:

    python bench/bench_reference.py [--rounds 7] [--reps 20]
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"   # before NumPy (and torch) start their thread pools

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder import reference as R  # noqa: E402

SHAPE = dict(T=50, N=32, D=65, H=128, Q=65)


def problem(seed=0):
    T, N, D, H, Q = (SHAPE[k] for k in "TNDHQ")
    rng = np.random.default_rng(seed)
    params = dict(W_xh=rng.standard_normal((D, H)) / np.sqrt(D), W_hh=rng.standard_normal((H, H)) / np.sqrt(H),
                  b_h=rng.standard_normal(H) * 0.1, W_hq=rng.standard_normal((H, Q)) / np.sqrt(H),
                  b_q=rng.standard_normal(Q) * 0.1)
    X = rng.standard_normal((T, N, D))
    Y = rng.integers(0, Q, (T, N))
    h0 = rng.standard_normal((N, H)) * 0.1
    return X, Y, params, h0


def best_time(fn, reps):
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - start) / reps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--reps", type=int, default=20, help="calls per round")
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("torch is not installed: skipping the comparison (torch is a bench-only dependency;\n"
              "install it with `pip install torch==2.13.0` to run this bench).")
        return 0
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass

    X, Y, params, h0 = problem()
    _, cache = R.rnn_forward(X, params, h0, "tanh")

    T, N, D, H, Q = (SHAPE[k] for k in "TNDHQ")
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", dtype=torch.float64)
    out = torch.nn.Linear(H, Q, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"].T.copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"].T.copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
        rnn.bias_hh_l0.zero_()
        out.weight.copy_(torch.from_numpy(params["W_hq"].T.copy()))
        out.bias.copy_(torch.from_numpy(params["b_q"]))
    tX, tY = torch.from_numpy(X), torch.from_numpy(Y).reshape(-1)
    th0 = torch.from_numpy(h0)[None].clone().requires_grad_(True)
    modules = [rnn, out]

    def torch_step():
        for m in modules:
            m.zero_grad(set_to_none=True)
        th0.grad = None
        hs, _ = rnn(tX, th0)
        loss = torch.nn.functional.cross_entropy(out(hs).reshape(T * N, Q), tY)
        loss.backward()

    def ref_backward():
        return R.rnn_backward(Y, params, cache, "tanh")

    def ref_both():
        _, c = R.rnn_forward(X, params, h0, "tanh")
        return R.rnn_backward(Y, params, c, "tanh")

    # Same gradients on both sides before anything is timed.
    torch_step()
    g = ref_backward()
    pairs = {"W_xh": rnn.weight_ih_l0.grad.T, "W_hh": rnn.weight_hh_l0.grad.T, "b_h": rnn.bias_ih_l0.grad,
             "W_hq": out.weight.grad.T, "b_q": out.bias.grad, "h0": th0.grad[0]}
    worst = max(float(np.max(np.abs(g[k] - v.numpy())) / np.max(np.abs(v.numpy()))) for k, v in pairs.items())
    assert worst < 1e-12, f"reference and torch disagree: max relative error {worst:.2e}"

    times = {"torch": [], "backward": [], "both": []}
    for _ in range(args.rounds):
        times["torch"].append(best_time(torch_step, args.reps))
        times["backward"].append(best_time(ref_backward, args.reps))
        times["both"].append(best_time(ref_both, args.reps))
    t_torch, t_back, t_both = (min(times[k]) for k in ("torch", "backward", "both"))
    print(f"rnn_backward at (T, N, D, H, Q) = ({T}, {N}, {D}, {H}, {Q}), float64, tanh, 1 thread; "
          f"torch {torch.__version__}, numpy {np.__version__}")
    print(f"gradients agree with torch autograd: max relative error {worst:.1e}")
    print(f"best of {args.rounds} rounds x {args.reps} calls:")
    print(f"  torch nn.RNN forward+backward        {t_torch * 1e3:8.2f} ms")
    print(f"  reference rnn_backward               {t_back * 1e3:8.2f} ms")
    print(f"  reference rnn_forward + rnn_backward {t_both * 1e3:8.2f} ms")
    print(f"ratio rnn_backward / torch forward+backward: {t_back / t_torch:.2f}x (target <= 1.0x)")
    print(f"ratio reference forward+backward / torch forward+backward: {t_both / t_torch:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
