"""Regenerate examples/submissions/: a small class for `python -m autograder demo`.

    python examples/make_examples.py

Students (expected totals out of 41 are asserted in tests/test_grade_examples.py):
    ada    everything right                                                  41
    ben    hands in the untouched release                                     0
    cai    two typical slips: dh_t without the future term, dz_b averaged   38
    dee    rnn_backward without the future term, dy_t without 1/T,
           the tanh derivative on the wrong quantity                        34
    eli    broken: 02 is truncated (invalid JSON), a cell of 01 raises,
           dz_wts raises inside                                             26
    fay    never submitted notebook 04, renamed dh1_t                        31

Built with tests/factory.py from the source notebooks; only the notebooks are
kept (students hand in notebooks, not the data).
"""
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests import factory  # noqa: E402

DEST = HERE / "submissions"
EXPECTED = {"ada": 41, "ben": 0, "cai": 38, "dee": 34, "eli": 26, "fay": 31}

RAISING_DZ_WTS = '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg):
    """Gradient with respect to the output weights."""
    return y_netAct @ dz_netIn + reg * z_wts      # (N, H) @ (N, C): shapes do not line up
'''

RENAMED_DH1 = '''
def dh1_t_step(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    """Gradient arriving at layer 1's state h1_t (renamed by the student)."""
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T
'''


def main():
    shutil.rmtree(DEST, ignore_errors=True)
    release = HERE.parent / "release" / "bptt"
    M = factory.MISTAKES
    factory.write_submission(DEST, "ada")
    factory.write_release_as_is(DEST, "ben", release_dir=release)
    factory.write_submission(DEST, "cai", {"dh_t": M["dh_t_missing_future"][1], "dz_b": M["dz_b_averaged"][1]})
    factory.write_submission(DEST, "dee", {"rnn_backward": M["rnn_backward_missing_future"][1],
                                           "dy_t": M["dy_t_missing_1_over_T"][1],
                                           "dhraw_t": M["dhraw_t_tanh_on_input"][1]})
    eli = factory.write_submission(DEST, "eli", {"dz_wts": RAISING_DZ_WTS})
    nb02 = eli / "02_rnn_bptt.ipynb"
    nb02.write_bytes(nb02.read_bytes()[:5000])            # the upload was cut off
    nb01 = eli / "01_mlp_backprop.ipynb"
    text = nb01.read_text()
    # A scratch cell that fails (NameError); later cells still run, as under nbgrader.
    marker = '"cell_type": "code",'
    at = text.index(marker)
    start = text.rindex("{", 0, at)
    cell = ('{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], '
            '"source": "print(undefined_variable)"},\n  ')
    nb01.write_text(text[:start] + cell + text[start:])
    factory.write_submission(DEST, "fay", {"dh1_t": RENAMED_DH1},
                             stems=[s for s in factory.notebook_stems() if s != "04_long_histories"])
    for student in DEST.iterdir():
        for path in (student / "bptt").iterdir():
            if path.suffix != ".ipynb":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    print(f"wrote {', '.join(sorted(p.name for p in DEST.iterdir()))} into {DEST}")


if __name__ == "__main__":
    main()
