"""How well the grader's feedback names the cause of mistakes it has never seen (bench/heldout/).

    python bench/bench_diagnosis.py [--only UNIT] [--json out.json] [--path nbgrader] [--keep DIR]

Builds every entry of the held-out set into its own copy of the perfect sample submission
(bench/heldout/build.py), grades them all with the real command
`python -m autograder grade <folder> --out <out> --jobs 2 --force`, and reads <out>/grades.json.

For a wrong entry:
  caught exactly   only the unit at fault loses points, and it does lose points;
  named            one of the entry's cause_words appears in that unit's feedback (case-insensitive;
                   the "(case i of n: sizes)" suffix is removed first, so sizes never match);
  generic          the feedback says no more than "wrong values" (after the unit's and the
                   parameters' names are removed, only words of GENERIC_WORDS are left);
  other            a specific message that does not match the cause: printed in full, for a
                   human to judge whether it is a wrong explanation.
For a correct rewrite: whether the whole submission kept full marks.

--path nbgrader also grades the same submissions (each with only its own notebook) with stock
`nbgrader autograde` in a temporary course copy, compares every unit score of that notebook
with the command's, and classifies the hidden test cell's error text the same way.
Exits 0; the figures are the result.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench" / "heldout"))

import build  # noqa: E402  (bench/heldout/build.py)
from autograder.units import BY_NAME  # noqa: E402

CASE_SUFFIX = re.compile(r"\s*\(case \d+ of \d+[^)]*\)")
# Words a message may consist of and still say nothing about the cause.
GENERIC_WORDS = set("""
a an the and or of in on for its their this that these
output outputs has have had is are was were be each every all some one two three
wrong incorrect differ differs different from expected reference value values entry entries
gradient gradients result results answer returned returns return not correct does do match
unit function your clipped norm
""".split())
IDENTIFIER = re.compile(r"\b\w*_\w*\b")        # W_xh, b_h1, y_wts, dz_netIn: names of outputs and units


def clean(message, unit):
    """The feedback without the case suffix and without a leading '<unit>'."""
    text = CASE_SUFFIX.sub("", message or "").strip()
    if text.startswith(unit):
        text = text[len(unit):]
    text = re.sub(r"^\s*output\b:?", "", text)      # "<unit> output: ..." / "<unit> output has ..."
    return text.strip(" :.")


def is_generic(text):
    words = re.findall(r"[A-Za-z]+", IDENTIFIER.sub(" ", text))
    return all(w.lower() in GENERIC_WORDS for w in words)


def segment_kind(entry, text):
    if any(re.search(w, text, re.IGNORECASE) for w in entry.cause_words):
        return "named"
    return "generic" if is_generic(text) else "other"


def feedback_kind(entry, message):
    """(kind of the whole message, whether a part of it is specific but not the cause).

    A message may hold one part per output ("<unit> output: W_xh ... . <unit> output: W_hh ...");
    it names the cause when any part does, and a part that is specific but names something
    else is reported beside it, since it may be a wrong explanation.
    """
    parts = [clean(p, entry.unit) for p in re.split(rf"(?:^|\s)(?={re.escape(entry.unit)} output\b)", message or "")]
    kinds = [segment_kind(entry, p) for p in parts if p] or ["generic"]
    kind = "named" if "named" in kinds else ("other" if "other" in kinds else "generic")
    return kind, kind == "named" and "other" in kinds


def grade_command(folder, out):
    """Run the grading command on `folder`; {student: {unit: (score, max, output)}} and its seconds."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out), "--jobs", "2",
           "--force", "--quiet"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not (Path(out) / "grades.json").exists():
        raise RuntimeError(f"grading failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    doc = json.loads((Path(out) / "grades.json").read_text())
    return {s["student"]: {t["name"]: (float(t["score"]), float(t["max_score"]), t.get("output") or "")
                           for t in s["tests"]} for s in doc["submissions"]}, seconds


def judge(entry, tests):
    """One row of the table for `entry`, from its submission's {unit: (score, max, output)}."""
    lost = sorted(u for u, (score, top, _) in tests.items() if score < top)
    score, top, message = tests.get(entry.unit, (None, None, "(unit missing from grades.json)"))
    row = dict(id=entry.id, unit=entry.unit, kind=entry.kind, cause=entry.cause, lost=lost,
               unit_score=score, unit_max=top, message=message)
    if entry.kind == "correct":
        row["kept_full_marks"] = not lost
        return row
    row["caught_exactly"] = lost == [entry.unit]
    row["caught"] = entry.unit in lost
    row["feedback"], row["also_other"] = feedback_kind(entry, message) if row["caught"] else ("missed", False)
    return row


def nbgrader_outputs(course_root, student, stem, unit):
    """The text of the hidden test cell test_<unit> in the autograded notebook (errors and prints)."""
    path = Path(course_root) / "autograded" / student / "bptt" / f"{stem}.ipynb"
    if not path.exists():
        return ""
    for cell in json.loads(path.read_text())["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"test_{unit}":
            parts = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":     # a failed check is an AssertionError with the feedback
                    ename, evalue = out.get("ename"), out.get("evalue") or ""
                    parts.append(evalue if ename == "AssertionError" else f"{ename}: {evalue}")
                elif out.get("output_type") == "stream":
                    text = out.get("text")
                    parts.append(text if isinstance(text, str) else "".join(text))
            return " ".join(p.strip() for p in parts if p.strip())
    return ""


def grade_nbgrader(entries, workdir):
    """Stock nbgrader autograde of every entry (its own notebook only): {id: {unit: score}}, outputs, seconds."""
    from autograder import course
    from tools import course_tools

    root = course_tools.make_course_copy(workdir)
    course.generate_release(root)
    build.build_all(entries, root / "submitted", only_own_notebook=True)
    start = time.perf_counter()
    course_tools.autograde(root)
    seconds = time.perf_counter() - start
    cells = course_tools.gradebook_scores(root, cells=True)
    scores = {student: {gid[len("test_"):]: float(s) for per in nbs.values() for gid, s in per.items()
                        if gid.startswith("test_")} for student, nbs in cells.items()}
    outputs = {e.id: nbgrader_outputs(root, e.id, e.notebook, e.unit) for e in entries}
    return scores, outputs, seconds


def short(text, n=100):
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"


def print_report(rows):
    wrong = [r for r in rows if r["kind"] == "wrong"]
    correct = [r for r in rows if r["kind"] == "correct"]
    print(f"{'entry':46s} {'result':10s} {'feedback':8s} message")
    for r in wrong:
        result = "exact" if r["caught_exactly"] else ("MISSED" if not r["caught"] else "+" + ",".join(
            u for u in r["lost"] if u != r["unit"]))
        print(f"{r['id']:46s} {short(result, 10):10s} {r['feedback']:8s} {short(clean(r['message'], r['unit']), 90)}")
    for r in correct:
        result = "full" if r["kept_full_marks"] else "LOST " + ",".join(r["lost"])
        print(f"{r['id']:46s} {short(result, 10):10s} {'':8s} "
              f"{'' if r['kept_full_marks'] else short(r['message'], 90)}")
    others = [r for r in wrong if r["feedback"] == "other"]
    if others:
        print("\n'other' messages (specific, but not the cause; judge whether each is a wrong explanation):")
        for r in others:
            print(f"- {r['id']}\n    true cause: {r['cause']}\n    feedback:   {clean(r['message'], r['unit'])}")
    mixed = [r for r in wrong if r.get("also_other")]
    if mixed:
        print("\nnamed, but another part of the message explains something else (judge these too):")
        for r in mixed:
            print(f"- {r['id']}\n    true cause: {r['cause']}\n    feedback:   {clean(r['message'], r['unit'])}")
    lost_rewrites = [r for r in correct if not r["kept_full_marks"]]
    if lost_rewrites:
        print("\ncorrect rewrites that lost points:")
        for r in lost_rewrites:
            print(f"- {r['id']} ({', '.join(r['lost'])}): {r['message']}")
    def count(key, value):
        return sum(r.get(key) == value for r in wrong)

    m = len(wrong)
    print("\nTotals (python -m autograder grade):")
    print(f"  caught exactly          {count('caught_exactly', True):3d}/{m}")
    print(f"  named by cause          {count('feedback', 'named'):3d}/{m}"
          f"   ({count('also_other', True)} of them with another, specific part)")
    print(f"  generic                 {count('feedback', 'generic'):3d}/{m}")
    print(f"  other                   {count('feedback', 'other'):3d}/{m}")
    print(f"  missed (no points lost) {count('feedback', 'missed'):3d}/{m}")
    print(f"  rewrites kept full marks {sum(r['kept_full_marks'] for r in correct):2d}/{len(correct)}")


def compare_paths(entries, rows, scores, outputs):
    """Add the nbgrader path's unit scores and feedback kinds to `rows`; print what differs."""
    by_id = {r["id"]: r for r in rows}
    diffs = []
    for e in entries:
        r = by_id[e.id]
        ours = {u: s for u, (s, _, _) in r["_tests"].items() if BY_NAME[u].notebook == e.notebook}
        theirs = scores.get(e.id, {})
        r["nbgrader_scores_agree"] = all(theirs.get(u) == s for u, s in ours.items())
        if not r["nbgrader_scores_agree"]:
            diffs.append((e.id, {u: (s, theirs.get(u)) for u, s in ours.items() if theirs.get(u) != s}))
        r["nbgrader_message"] = outputs.get(e.id, "")
        if e.kind == "wrong":
            caught = theirs.get(e.unit, 0) < BY_NAME[e.unit].points
            r["nbgrader_feedback"] = feedback_kind(e, r["nbgrader_message"])[0] if caught else "missed"
    print("\nnbgrader autograde (each submission's own notebook):")
    print(f"  unit scores agree with the command for {len(entries) - len(diffs)}/{len(entries)} submissions")
    for entry_id, d in diffs:
        print(f"  DIFFERS {entry_id}: " + ", ".join(f"{u}: command {a}, nbgrader {b}" for u, (a, b) in d.items()))
    wrong = [r for r in rows if r["kind"] == "wrong"]
    for kind in ("named", "generic", "other", "missed"):
        print(f"  {kind:8s} {sum(r.get('nbgrader_feedback') == kind for r in wrong):3d}/{len(wrong)}")
    for r in wrong:
        if r.get("nbgrader_feedback") == "other":
            print(f"  other: {r['id']}: {short(r['nbgrader_message'], 200)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", metavar="UNIT", help="only the entries of this unit")
    ap.add_argument("--json", metavar="OUT", type=Path, help="write every row as JSON here")
    ap.add_argument("--path", choices=("command", "nbgrader"), default="command",
                    help="nbgrader: also grade with stock nbgrader autograde and compare")
    ap.add_argument("--keep", metavar="DIR", type=Path, help="build and grade here, and keep it")
    ap.add_argument("--set", metavar="DIR", type=Path, default=None,
                    help="only the set in this folder (default: every set, bench/heldout/ and its blind_* folders)")
    args = ap.parse_args(argv)
    if args.only and args.only not in BY_NAME:
        ap.error(f"--only: unknown unit {args.only!r}")
    entries = build.load_entries(args.only, args.set)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-diagnosis-"))
    try:
        build.build_all(entries, work / "submitted")
        tests, seconds = grade_command(work / "submitted", work / "out")
        rows = []
        for e in entries:
            row = judge(e, tests.get(e.id, {}))
            row["_tests"] = tests.get(e.id, {})
            rows.append(row)
        print(f"{len(entries)} submissions graded by python -m autograder grade in {seconds:.1f} s\n")
        print_report(rows)
        if args.path == "nbgrader":
            scores, outputs, nb_seconds = grade_nbgrader(entries, work / "nbgrader")
            print(f"\n(nbgrader autograde took {nb_seconds:.1f} s)")
            compare_paths(entries, rows, scores, outputs)
        if args.json:
            for r in rows:
                r.pop("_tests", None)
            args.json.write_text(json.dumps(rows, indent=1) + "\n")
            print(f"\nrows written to {args.json}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
