"""The Gradescope bundle: built by the real command, unpacked into a temporary
AUTOGRADER_ROOT, and its run_autograder run on the sample class uploaded the ways
students upload (loose, zipped, renamed, in folders, incomplete). Every unit's score
and diagnosis must equal `python -m autograder grade` on the same student.
"""
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from adversarial import hostview

from autograder import units
from autograder.gradescope.bundle import GRADER_PACKAGES
from autograder.gradescope.run import stage_upload
from examples.make_examples import EXPECTED as EXAMPLE_TOTALS

pytestmark = pytest.mark.slow   # builds and runs the Gradescope bundle in a venv

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "submissions"
STEMS = ("01_mlp_backprop", "02_rnn_bptt", "03_two_layer_rnn", "04_long_histories")


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """(zip path, folder it is unpacked in), built with `python -m autograder gradescope`."""
    tmp = tmp_path_factory.mktemp("bundle")
    out = tmp / "autograder.zip"
    run([sys.executable, "-m", "autograder", "gradescope", "--out", str(out)], cwd=ROOT)
    source = tmp / "source"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(source)
        for info in zf.infolist():   # extractall drops the mode bits
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    return out, source


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """Per-student results.json of the grading command on the sample class."""
    out = tmp_path_factory.mktemp("reference-grades")
    run([sys.executable, "-m", "autograder", "grade", str(SAMPLE), "--out", str(out), "--force", "--quiet"], cwd=ROOT)
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def run_autograder(bundle, tmp_path, upload, **extra_env):
    """Put `upload` ({relative name: bytes}) in ROOT/submission, run run_autograder, return results.json."""
    _, source = bundle
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    for name, data in upload.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    shutil.copy2(source / "run_autograder", root / "run_autograder")   # as Gradescope does
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_SOURCE=str(source), AUTOGRADER_PYTHON=sys.executable,
               **extra_env)
    view = hostview.prefix(tmp_path) if extra_env.get("BPTT_ISOLATION") == "process" else []
    proc = subprocess.run(view + [str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads((root / "results" / "results.json").read_text()), proc.stdout


def notebook(student, stem):
    return (SAMPLE / student / "bptt" / f"{stem}.ipynb").read_bytes()


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def present(student):
    return [s for s in STEMS if (SAMPLE / student / "bptt" / f"{s}.ipynb").exists()]


# How each sample student uploads: the ways Gradescope receives notebooks.
UPLOADS = {
    "ada": lambda: {f"{s}.ipynb": notebook("ada", s) for s in STEMS},                       # loose, as released
    "ben": lambda: {"bptt.zip": zipped({**{f"bptt/{s}.ipynb": notebook("ben", s) for s in STEMS},
                                        "__MACOSX/bptt/._01_mlp_backprop.ipynb": b"\0\5junk"})},
    "cai": lambda: {"Copy of mlp.ipynb": notebook("cai", STEMS[0]), "cai-rnn (1).ipynb": notebook("cai", STEMS[1]),
                    "hw_two_layer.ipynb": notebook("cai", STEMS[2]), "long.IPYNB": notebook("cai", STEMS[3])},
    "dee": lambda: {"work.zip": zipped({"a/first.ipynb": notebook("dee", STEMS[0]), "a/b/second.ipynb": notebook("dee", STEMS[1]),
                                        "inner.zip": zipped({"third.ipynb": notebook("dee", STEMS[2])})}),
                    "fourth.ipynb": notebook("dee", STEMS[3]), "notes.txt": b"my notes"},
    "eli": lambda: {f"repo/notebooks/{s}.ipynb": notebook("eli", s) for s in STEMS},        # GitHub upload
    "fay": lambda: {f"{s}.ipynb": notebook("fay", s) for s in present("fay")},              # 04 missing
}


@pytest.mark.parametrize("student", list(UPLOADS))
def test_run_autograder_grades_every_unit_like_the_grading_command(bundle, expected, tmp_path, student):
    got, _ = run_autograder(bundle, tmp_path, UPLOADS[student]())
    want = expected[student]
    assert [t["name"] for t in got["tests"]] == [t["name"] for t in want["tests"]]
    for g, w in zip(got["tests"], want["tests"], strict=True):
        assert (g["name"], g.get("score"), g.get("max_score"), g["output"]) == \
            (w["name"], w.get("score"), w.get("max_score"), w["output"])
        assert g["visibility"] == "visible"
        # A written answer no grader has scored yet has no score, so Gradescope shows it ungraded.
        assert g.get("status") in (("passed", "failed") if "score" in g else (None,)), g
    assert [t["name"] for t in got["tests"] if "score" not in t] == \
        [f"{q.name} (written answer, graded by hand)" for q in units.QUESTIONS]
    assert got["score"] == want["score"] == sum(t.get("score", 0) for t in want["tests"])
    assert got["stdout_visibility"] == "hidden" and got["visibility"] == "visible"
    # The output starts with which file was graded for each notebook.
    for stem in STEMS:
        line = next(ln for ln in got["output"].splitlines() if ln.startswith(f"- {stem}.ipynb: "))
        assert ("MISSING" in line) == (stem not in present(student))


@pytest.mark.parametrize("policy, used", [("bwrap-or-process", "bwrap"), ("process", "process")])
def test_the_isolation_is_chosen_by_policy_and_recorded(bundle, expected, tmp_path, policy, used):
    # Gradescope's containers often cannot start bubblewrap; the bundle then grades in
    # process isolation, and results.json says which one graded the upload.
    ok, reason = hostview.can_run_process_mode()
    if used == "process" and not ok:
        pytest.skip(reason)
    got, _ = run_autograder(bundle, tmp_path, UPLOADS["cai"](), BPTT_ISOLATION=policy)
    assert got["isolation"] == used
    assert [(t["name"], t.get("score")) for t in got["tests"]] == \
        [(t["name"], t.get("score")) for t in expected["cai"]["tests"]]


def test_the_sample_class_scores(expected):
    # The comparison above is only as strong as the spread of these scores.
    assert {s: r["score"] for s, r in expected.items()} == EXAMPLE_TOTALS
    assert len(set(EXAMPLE_TOTALS.values())) == len(EXAMPLE_TOTALS)


def test_missing_notebooks_are_reported_per_unit(bundle, expected, tmp_path):
    upload = {"mlp.ipynb": notebook("ada", STEMS[0]), "sub/04_long_histories.ipynb": notebook("ada", STEMS[3])}
    got, _ = run_autograder(bundle, tmp_path, upload)
    want = {t["name"]: t for t in expected["ada"]["tests"]}
    graded_units = {t["name"]: t for t in got["tests"]}
    missing_02 = [n for n, t in graded_units.items() if t["output"] == "notebook 02_rnn_bptt.ipynb is missing from the submission"]
    missing_03 = [n for n, t in graded_units.items() if t["output"] == "notebook 03_two_layer_rnn.ipynb is missing from the submission"]
    assert missing_02 == [u.name for u in units.UNITS if u.notebook == "02_rnn_bptt"]
    assert missing_03 == [u.name for u in units.UNITS if u.notebook == "03_two_layer_rnn"]
    assert all(graded_units[n]["score"] == 0 for n in missing_02 + missing_03)
    graded = [n for n in graded_units if n not in missing_02 + missing_03 and n in units.BY_NAME]
    assert all(graded_units[n]["score"] == want[n]["score"] == want[n]["max_score"] for n in graded)
    assert got["score"] == units.total_points() - units.notebook_points()["02_rnn_bptt"] \
        - units.notebook_points()["03_two_layer_rnn"]
    assert "- 01_mlp_backprop.ipynb: graded mlp.ipynb" in got["output"]
    assert "- 02_rnn_bptt.ipynb: MISSING from your upload (its units score 0)" in got["output"]


def test_an_upload_without_notebooks_gets_every_unit_at_zero_with_the_reason(bundle, tmp_path):
    got, stdout = run_autograder(bundle, tmp_path, {"answers.pdf": b"%PDF-1.4", "hw.zip": b"PK\3\4 not a zip"})
    assert got["score"] == 0 and len(got["tests"]) == len(units.UNITS)
    assert all(t["score"] == 0 for t in got["tests"])
    first = got["tests"][0]["output"]
    assert first == ("notebook 01_mlp_backprop.ipynb is missing from the submission "
                     "(no Jupyter notebook found in the upload: answers.pdf, hw.zip)")
    assert "hw.zip: not a readable zip archive" in got["output"]
    assert "uploaded: answers.pdf, hw.zip" in stdout


def test_zip_members_cannot_escape_the_staging_folder(tmp_path):
    sub, stage = tmp_path / "submission", tmp_path / "stage"
    sub.mkdir()
    (sub / "evil.zip").write_bytes(zipped({"../../escaped.ipynb": b"{}", "/abs/escaped.ipynb": b"{}",
                                           "ok/01.ipynb": b"{}", "big.txt": b"x" * 10}))
    uploaded, notes = stage_upload(sub, stage)
    assert uploaded == ["evil.zip"] and notes == []
    found = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    assert found == ["student/evil.zip.d/abs/escaped.ipynb", "student/evil.zip.d/ok/01.ipynb"]
    assert [p for p in tmp_path.rglob("escaped.ipynb") if stage not in p.parents] == []


def test_the_bundle_layout(bundle):
    out, source = bundle
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) for i in zf.infolist()}
        requirements = zf.read("requirements.txt").decode()
    for name in ("setup.sh", "run_autograder"):
        assert modes[name] & stat.S_IXUSR, f"{name} is not executable"
    assert {"constraints.txt", "autograder/reference/rnn.py", "autograder/checks/__init__.py",
            "autograder/sandbox/runner.py", "autograder/gradescope/run.py",
            "release/bptt/charrnn.py"} <= set(names)
    assert sorted(n for n in names if n.startswith("source/bptt/") and n.endswith(".ipynb")) == \
        [f"source/bptt/{s}.ipynb" for s in STEMS]
    assert not [n for n in names if n.startswith("release/") and n.endswith(".ipynb")]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith(("tests/", "examples/"))]
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M))
    assert re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", requirements, re.M) == [(p, pins[p]) for p in GRADER_PACKAGES]
    assert "torch" not in requirements
    # The same course gives the same bytes.
    again = out.with_name("again.zip")
    run([sys.executable, "-m", "autograder", "gradescope", "--out", str(again)], cwd=ROOT)
    assert again.read_bytes() == out.read_bytes()
    again.unlink()


def test_setup_sh_installs_a_self_contained_grader_in_a_fresh_venv(bundle, expected, tmp_path):
    """setup.sh for real (apt-get skipped): a new venv with only the bundle's requirements,
    the sandbox user created (in a private copy of /etc where we may), then run_autograder
    with that venv grades a student exactly like the grading command."""
    _, source = bundle
    venv = tmp_path / "venv"
    env = dict(os.environ, AUTOGRADER_ROOT=str(tmp_path / "autograder"), AUTOGRADER_VENV=str(venv),
               AUTOGRADER_SKIP_APT="1", AUTOGRADER_SANDBOX_USER="bptt-setup-probe")
    env.pop("PYTHONPATH", None)
    script = f"bash {source / 'setup.sh'} && getent passwd bptt-setup-probe"
    private_etc = os.geteuid() == 0 and shutil.which("unshare")
    if private_etc:
        # useradd runs for real, on a copy of /etc that only this command sees.
        shutil.copytree("/etc", tmp_path / "etc", symlinks=True, ignore_dangling_symlinks=True)
        cmd = ["unshare", "--mount", "--propagation", "private", "bash", "-c",
               f"mount --bind {tmp_path / 'etc'} /etc && {script}"]
    else:
        env["AUTOGRADER_SANDBOX_USER"] = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        cmd = ["bash", "-c", f"bash {source / 'setup.sh'}"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"setup.sh: the grader reads the plan: bptt, {len(units.UNITS)} units, {units.total_points()} points" \
        in proc.stdout
    if private_etc:
        assert "setup.sh: created the system user bptt-setup-probe (no home" in proc.stdout
        entry = proc.stdout.strip().splitlines()[-1].split(":")
        assert entry[0] == "bptt-setup-probe" and entry[5] == "/nonexistent" and entry[6].endswith("nologin")
        assert subprocess.run(["id", "bptt-setup-probe"], capture_output=True).returncode != 0   # host untouched
    # Only the bundle's pins are in the venv: no nbgrader, no Jupyter, no torch.
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True).stdout.lower()
    assert "numpy==" in listed and "nbgrader" not in listed and "torch" not in listed
    upload = {f"{s}.ipynb": notebook("cai", s) for s in STEMS}
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    for name, data in upload.items():
        (root / "submission" / name).write_bytes(data)
    shutil.copy2(source / "run_autograder", root / "run_autograder")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_SOURCE=str(source), AUTOGRADER_VENV=str(venv))
    env.pop("AUTOGRADER_PYTHON", None)
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"running: {venv}/bin/python -m autograder grade" in proc.stdout
    got = json.loads((root / "results" / "results.json").read_text())
    assert [(t["name"], t.get("score"), t["output"]) for t in got["tests"]] == \
        [(t["name"], t.get("score"), t["output"]) for t in expected["cai"]["tests"]]


def test_a_file_and_a_folder_of_the_same_name_in_an_upload_zip(bundle, tmp_path):
    """x.ipynb and x.ipynb/y.ipynb in one zip: the first is graded, the second is named in a note."""
    from autograder.plan import read_plan

    upload = {"hw.zip": zipped({"x.ipynb": notebook("ada", STEMS[0]), "x.ipynb/y.ipynb": notebook("ada", STEMS[1])})}
    got, _ = run_autograder(bundle, tmp_path, upload)
    first = sum(u.points for u in read_plan(ROOT).units if u.notebook == STEMS[0])
    assert got["score"] == first
    assert "- 01_mlp_backprop.ipynb: graded x.ipynb" in got["output"]
    assert ("hw.zip: x.ipynb/y.ipynb not extracted: a file and a folder of the upload share its name "
            "(or a part of it)") in got["output"]
