"""Worst relative error per derivative across the finite-difference tests.

    python tests/fd_report.py

Runs exactly the comparisons of tests/test_reference_{mlp,rnn,rnn2}.py (every
shape, both activations) and the chunk-by-chunk check of regular truncation in
tests/test_reference_truncation.py, and prints, per derivative, the worst relative error
(tests/fd.py: max|a - b| / max(max|a|, max|b|)) and the configuration where it
occurred, then the overall worst against the tests' threshold fd.RTOL.
"""
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import fd  # noqa: E402
from tests import test_reference_mlp as mlp  # noqa: E402
from tests import test_reference_rnn as rnn  # noqa: E402
from tests import test_reference_rnn2 as rnn2  # noqa: E402
from tests import test_reference_truncation as trunc  # noqa: E402
from autograder import reference as R  # noqa: E402


def runs():
    """(model, configuration, comparisons) for every configuration the tests use."""
    for shape in fd.MLP_SHAPES:
        yield "mlp", shape, mlp.comparisons(shape)[0]
    for shape in fd.RNN_SHAPES:
        for act in fd.ACTIVATIONS:
            yield "rnn", f"{shape} {act}", rnn.comparisons(shape, act)[0]
    for shape in fd.RNN2_SHAPES:
        for act in fd.ACTIVATIONS:
            yield "rnn2", f"{shape} {act}", rnn2.comparisons(shape, act)[0]
    for act in fd.ACTIVATIONS:
        X, Y, params, h0, cache = trunc.problem(activation=act)
        for k in (1, 2, 3, 7):
            mine = R.bptt_truncated(Y, params, cache, k, act)
            chunks = trunc.chunked_gradient(X, Y, params, h0, cache, k, act)
            yield "trunc", f"T7 k={k} {act}", {f"bptt_truncated[{key}]": (mine[key], chunks[key]) for key in trunc.KEYS}


def main():
    start = time.perf_counter()
    worst = {}
    for model, config, found in runs():
        for name, (analytic, numerical) in found.items():
            err = fd.rel_error(analytic, numerical)
            key = (model, name)
            if key not in worst or err > worst[key][0]:
                worst[key] = (err, config)
    width = max(len(n) for _, n in worst) + 2
    print(f"{'model':6}{'derivative':{width}}{'worst rel. error':>18}  configuration")
    for (model, name), (err, config) in worst.items():
        print(f"{model:6}{name:{width}}{err:18.2e}  {config}")
    (model, name), (err, config) = max(worst.items(), key=lambda kv: kv[1][0])
    print(f"\nworst overall: {err:.2e} ({model} {name}, {config}); threshold {fd.RTOL:g}; "
          f"eps {fd.EPS:g}; {len(worst)} derivatives; {time.perf_counter() - start:.1f} s")
    return 0 if err < fd.RTOL else 1


if __name__ == "__main__":
    sys.exit(main())
