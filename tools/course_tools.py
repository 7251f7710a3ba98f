"""nbgrader course helpers for the tests, the examples and the benchmarks (not the product).

    make_course_copy(tmpdir)          a throw-away course with source/ and the config
    autograde(root, student=None)     nbgrader autograde bptt --force [--student ID]
    export_grades(root)               nbgrader export -> CSV path
    read_export(csv_path)             {student: (score, max_score)}
    gradebook_scores(root)            {student: {notebook stem: score}} from gradebook.db
    source_points(root)               {notebook stem: {grade_id: points}} from source/
    grade_class(tmp, write_class)     the grading command on a written class -> grades.json's entries
    autograde_class(tmp, write_class) a course copy, released, with the class autograded -> its root
    hidden_test_errors(root, stems)   {(student, unit): (ename, evalue)} of the failed test cells

The instructor's own operations (release) are autograder/course.py; these run the same real
nbgrader command line (autograder.course.run_nbgrader).
"""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.course import ASSIGNMENT, REPO_ROOT, run_nbgrader


def make_course_copy(tmpdir, source_root=REPO_ROOT, release=False):
    """Make a throw-away nbgrader course in `tmpdir`/course; return its Path.

    Copies nbgrader_config.py and source/ (and release/ when release=True),
    never a gradebook or submissions. The autograder package is not copied:
    autograde(...) points BPTT_AUTOGRADER_ROOT at the repository instead.
    """
    course = Path(tmpdir) / "course"
    course.mkdir(parents=True)
    source_root = Path(source_root)
    shutil.copy2(source_root / "nbgrader_config.py", course / "nbgrader_config.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(source_root / "source", course / "source", ignore=ignore)
    if release:
        shutil.copytree(source_root / "release", course / "release", ignore=ignore)
    return course


def autograde(course_root, student=None, autograder_root=REPO_ROOT, timeout=1800):
    """Run `nbgrader autograde bptt --force` on submitted/<student>/bptt/.

    student: one student id, or None for every student under submitted/ in ONE
    nbgrader command (nbgrader's start-up costs ~2 s per command, so batch).
    autograder_root: the directory that contains the autograder package; the
    course's nbgrader_config.py puts it on the kernels' PYTHONPATH.
    The assignment must be in the gradebook (generate_release first).
    Returns the CompletedProcess.
    """
    args = ["autograde", ASSIGNMENT, "--force"]
    if student:
        args.append(f"--student={student}")
    return run_nbgrader(args, course_root, env={"BPTT_AUTOGRADER_ROOT": str(autograder_root)}, timeout=timeout)


def export_grades(course_root, out_name="grades.csv"):
    """Run `nbgrader export` and return the Path of the CSV it wrote in the course root."""
    course_root = Path(course_root)
    run_nbgrader(["export", f"--to={out_name}"], course_root)
    return course_root / out_name


def read_export(csv_path):
    """{student_id: (score, max_score)} from the CSV of `nbgrader export` (assignment bptt)."""
    with open(csv_path, newline="") as f:
        return {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT}


def gradebook_scores(course_root, cells=False):
    """Scores in the course's gradebook.db.

    Returns {student: {notebook stem: score}}, or with cells=True
    {student: {notebook stem: {grade_id: score}}} (grade cells only).
    """
    from nbgrader.api import Gradebook  # imported late: nbgrader takes ~1 s to import

    url = "sqlite:///" + str(Path(course_root).resolve() / "gradebook.db")
    out = {}
    with Gradebook(url) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        for student in gb.students:
            try:
                submission = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # MissingEntry: this student did not submit
                continue
            per_nb = {}
            for nb in assignment.notebooks:
                snb = gb.find_submission_notebook(nb.name, ASSIGNMENT, student.id)
                if cells:    # the autograded ones: the written answers (markdown) are graded by hand
                    per_nb[nb.name] = {g.name: g.score for g in snb.grades if g.cell.cell_type == "code"}
                else:
                    per_nb[nb.name] = snb.score
            out[student.id] = per_nb
            del submission
    return out


def source_points(course_root=REPO_ROOT, manual=False):
    """{notebook stem: {grade_id: points}} of every autograded test cell in source/bptt/*.ipynb
    (with manual=True: of every written answer, the markdown grade cells graded by hand).

    Read as plain JSON: this is the instructor's own statement of the points.
    """
    points = {}
    for path in sorted((Path(course_root) / "source" / ASSIGNMENT).glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        graded = [(c["cell_type"], c.get("metadata", {}).get("nbgrader", {})) for c in cells]
        points[path.stem] = {m["grade_id"]: float(m.get("points", 0)) for kind, m in graded
                             if m.get("grade") and (kind == "markdown") == manual}
    return points


def grade_class(tmp, write_class):
    """write_class(tmp/submitted), then `python -m autograder grade` on it: grades.json's submission entries."""
    tmp = Path(tmp)
    write_class(tmp / "submitted")
    out = tmp / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp / "submitted"), "--out", str(out),
                          "--quiet"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return json.loads((out / "grades.json").read_text())["submissions"]


def autograde_class(tmp, write_class):
    """A course copy in `tmp`, released, with write_class(root/submitted) autograded by nbgrader; its root."""
    from autograder import course

    root = make_course_copy(tmp)
    course.generate_release(root)
    write_class(root / "submitted")
    autograde(root)
    return root


def hidden_test_errors(course_root, stems):
    """{(student, unit): (ename, evalue)} of every test_<unit> cell that raised in the autograded
    notebooks; stems: {student: the notebook stem they submitted}."""
    errors = {}
    for student, stem in stems.items():
        nb = json.loads((Path(course_root) / "autograded" / student / ASSIGNMENT / f"{stem}.ipynb").read_text())
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
            raised = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if gid.startswith("test_") and raised:
                errors[(student, gid[len("test_"):])] = (raised[0]["ename"], raised[0]["evalue"])
    return errors
