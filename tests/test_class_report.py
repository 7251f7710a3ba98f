"""The class report counts each diagnosis exactly, on a class graded by the real command.

The class is generated with known mistake frequencies (tools/factory.py's catalogue),
graded with `python -m autograder grade`, and the counts are asserted in
class_report.json and in the HTML page; the report is then rebuilt with
`python -m autograder report` and must be the same.
"""
import base64
import json
import math
import re
from collections import Counter
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import units
from autograder.checks import UNITS
from autograder.checks.base import with_case
from autograder.class_report import diagnosis_key
from tools.factory import MISTAKES, write_release_as_is, write_submission

REPO = Path(__file__).resolve().parent.parent
# An exception message is student-provided text that reaches the page: it must come out escaped.
HOSTILE = ("dz_b", 'def dz_b(dz_netIn):\n    raise ValueError("<img src=x onerror=alert(1)> & co")\n')

# student -> the catalogue mistakes in their submission; "release" = the untouched release
CLASS = {
    "s01": [], "s02": ["dh_t_missing_future"], "s03": ["dh_t_missing_future"], "s04": ["dh_t_missing_future"],
    "s05": ["dh_t_missing_future", "dz_b_averaged"], "s06": ["dW_hh_transposed"],
    "s07": ["dW_hh_transposed", "dh_t_missing_future"], "s08": "release", "s09": "release",
    "s10": ["hostile"],
}
MISTAKES = dict(MISTAKES, hostile=HOSTILE)
TOTAL = units.total_points()            # the course's facts, never typed in here
N_UNITS = len(units.UNITS)


def run(*args):
    proc = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    for student, mistakes in CLASS.items():
        if mistakes == "release":
            write_release_as_is(root / "submitted", student)
        else:
            write_submission(root / "submitted", student, dict(MISTAKES[m] for m in mistakes))
    out = root / "grades"
    run("grade", root / "submitted", "--out", out, "--quiet")
    return out


def unit(report, name):
    return next(u for u in report["units"] if u["name"] == name)


def test_counts_per_unit_are_exact(graded):
    report = json.loads((graded / "class_report.json").read_text())
    assert report["students"] == 10
    dh_t = unit(report, "dh_t")
    assert (dh_t["full_marks"], dh_t["unfinished"]) == (3, 2)
    assert [(d["count"], d["share"], d["students"]) for d in dh_t["diagnoses"]] == \
        [(5, 0.5, ["s02", "s03", "s04", "s05", "s07"])]
    dw_hh = unit(report, "dW_hh")
    assert (dw_hh["full_marks"], dw_hh["full_marks_share"], dw_hh["unfinished"]) == (6, 0.6, 2)
    assert [(d["count"], d["students"]) for d in dw_hh["diagnoses"]] == [(2, ["s06", "s07"])]
    dz_b = unit(report, "dz_b")
    assert sorted((d["count"], d["share"], d["students"]) for d in dz_b["diagnoses"]) == [(1, 0.1, ["s05"]),
                                                                                          (1, 0.1, ["s10"])]
    # Every other unit: everyone but the two untouched releases has full marks, no diagnosis.
    others = [u for u in report["units"] if u["name"] not in ("dh_t", "dW_hh", "dz_b")]
    assert {(u["full_marks"], u["unfinished"], len(u["diagnoses"])) for u in others} == {(8, 2, 0)}
    assert {(u["count"], u["share"]) for u in report["unfinished"]} == {(2, 0.2)}
    assert len(report["unfinished"]) == len(report["units"])
    scores = {s["student"]: s["score"] for s in report["submissions"]}
    points = {u["name"]: u["max_score"] for u in report["units"]}
    assert scores == {s: (0 if m == "release" else TOTAL - sum(points[MISTAKES[x][0]] for x in m))
                      for s, m in CLASS.items()}
    # At most ten bins of one whole width; the last bin holds full marks. The two untouched
    # releases sit in the first bin, everyone else in the bins of their scores.
    width = math.ceil(TOTAL / 10)
    edges, counts = report["histogram"]["edges"], report["histogram"]["counts"]
    assert edges == [i * width for i in range(len(counts) + 1)] and edges[-2] <= TOTAL <= edges[-1]
    per_bin = Counter(min(len(counts) - 1, int(s // width)) for s in scores.values())
    assert counts == [per_bin[i] for i in range(len(counts))] and counts[0] == 2 and sum(counts) == len(CLASS)
    assert report["submissions"][-1]["feedback"] == "s10/feedback.html"


def test_page_shows_the_counts_and_escapes_student_text(graded):
    page = (graded / "class_report.html").read_text()
    rows = {re.search(r"<code>(\w+)</code>", r).group(1): r
            for r in re.findall(r"<tr><td>0\d_\w+</td>.*?</tr>", page.split('id="units"')[1].split("</table>")[0], re.S)}
    assert len(rows) == N_UNITS
    assert '<td class="full">3 (30 %)</td><td class="unfinished">2</td>' in rows["dh_t"]
    assert re.findall(r'<span class="count">([^<]*)</span>', rows["dh_t"]) == ["5 (50 %)"]
    assert "future" in rows["dh_t"]        # the diagnosis shown is the check's own message
    assert re.findall(r'<span class="count">([^<]*)</span>', rows["dW_hh"]) == ["2 (20 %)"]
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in rows["dz_b"]
    lost = units.BY_NAME["dz_b"].points
    assert (f'<td><a href="s10/feedback.html">s10</a></td><td>{TOTAL - lost} / {TOTAL}</td>'
            f'<td class="manual">0 / {units.manual_points()}, {len(units.QUESTIONS)} to be graded by hand</td>'
            '<td>dz_b</td>') in page
    svg = base64.b64decode(re.search(r'<img id="histogram" alt="[^"]+" src="data:image/svg\+xml;base64,([^"]+)"', page)
                           .group(1)).decode()
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill="#4a78b0"', svg)
    assert len(bars) == sum(c > 0 for c in json.loads((graded / "class_report.json").read_text())["histogram"]["counts"])
    unfinished = re.search(r'<ul id="unfinished">(.*?)</ul>', page, re.S).group(1)
    assert unfinished.count("<li>") == 1 and unfinished.startswith("<li><strong>2 of 10 (20 %)</strong>: <code>dz_netAct</code>, ")
    assert unfinished.count("<code>") == N_UNITS


def test_report_command_rebuilds_the_same_figures(graded):
    before = (graded / "class_report.json").read_text()
    (graded / "class_report.json").unlink()
    proc = run("report", graded)
    assert "class_report.html" in proc.stdout
    assert (graded / "class_report.json").read_text() == before


def test_same_mistake_in_different_cases_is_one_diagnosis():
    """The real check's verdicts for one wrong function, found in two different cases (other sizes,
    other activation), group together; a different mistake does not."""
    check = UNITS["dhraw_t"]
    cases = [c for c in check.cases() if c.raises is None]   # the cases that return an answer
    doubled = [with_case(check.judge(c, np.asarray(c.expected) * 2), i, len(cases), c) for i, c in enumerate(cases, 1)]
    assert doubled[0] != doubled[1] and diagnosis_key(doubled[0]) == diagnosis_key(doubled[1])
    negated = with_case(check.judge(cases[0], -np.asarray(cases[0].expected)), 1, len(cases), cases[0])
    assert diagnosis_key(negated) != diagnosis_key(doubled[0])


def test_digits_inside_names_are_kept_and_numbers_are_masked():
    key = diagnosis_key("dh1_t output: is missing dhraw1_next @ W_hh1.T, max error 2.5e-03 (case 2 of 3: T=5, N=4).")
    assert key == "dh1_t output: is missing dhraw1_next @ W_hh1.T, max error # (case # of #: T=#, N=#)."
    assert diagnosis_key("layer 1 is missing W_hh2") != diagnosis_key("layer 1 is missing W_hh1")
