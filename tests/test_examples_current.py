"""examples/submissions/ stay current: made from the committed release (python examples/make_examples.py).

Every cell nbgrader tracks keeps the release's source and metadata (checksums included)
except the solution cells the student fills; ada's solutions are the instructor's.
Formgrader's autograde of the class, with no checksum warning, is in tests/test_formgrader.py.
"""
import json
from pathlib import Path

import pytest

from examples.make_examples import DEST, EXPECTED, class_plan
from tools import factory

RELEASE = Path(__file__).resolve().parents[1] / "release" / "bptt"


def tracked(path):
    """{grade_id: (cell_type, source, nbgrader metadata)} of the cells nbgrader tracks."""
    cells = json.loads(Path(path).read_text())["cells"]
    src = lambda c: "".join(c["source"]) if isinstance(c["source"], list) else c["source"]  # noqa: E731
    return {c["metadata"]["nbgrader"]["grade_id"]: (c["cell_type"], src(c), c["metadata"]["nbgrader"])
            for c in cells if "nbgrader" in c["metadata"]}


def test_the_class_is_the_documented_one():
    assert sorted(p.name for p in DEST.iterdir()) == sorted(EXPECTED) == sorted(class_plan())


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_example_notebooks_match_the_current_release(student):
    _, stems = class_plan()[student]
    handed_in = sorted(p.stem for p in (DEST / student / "bptt").glob("*.ipynb"))
    assert handed_in == sorted(stems), "stale examples: run python examples/make_examples.py"
    for stem in stems:
        if (student, stem) == ("eli", "02_rnn_bptt"):
            continue                                             # truncated on purpose
        release, example = tracked(RELEASE / f"{stem}.ipynb"), tracked(DEST / student / "bptt" / f"{stem}.ipynb")
        assert sorted(example) == sorted(release), f"{student}/{stem}: run python examples/make_examples.py"
        for grade_id, (kind, source, meta) in release.items():
            if meta.get("solution") and student != "ben":
                continue
            assert example[grade_id] == (kind, source, meta), \
                f"{student}/{stem}: cell {grade_id} differs from the release; run python examples/make_examples.py"


def test_ada_hands_in_the_instructors_solutions():
    for stem in factory.notebook_stems():
        want = {g: v for g, v in tracked_dict(factory.student_notebook(stem)).items()}
        got = tracked(DEST / "ada" / "bptt" / f"{stem}.ipynb")
        for grade_id, (_, source, meta) in got.items():
            if meta.get("solution"):
                assert source == want[grade_id], f"ada/{stem}: {grade_id}; run python examples/make_examples.py"


def tracked_dict(nb):
    return {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in nb["cells"] if "nbgrader" in c["metadata"]}
