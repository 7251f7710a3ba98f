"""Every subcommand reports a broken course the same way: one line on stderr, exit status 2."""
import os
import pwd
import re
import shutil
import subprocess
import sys

import pytest

from autograder import units
from tools import course_tools
from tools.factory import REPO_ROOT


def run(*args, cwd=REPO_ROOT, timeout=600):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """{"notebook": a course whose notebook 02 was cut off (invalid JSON),
        "region": a course whose README names no generator}."""
    root = course_tools.make_course_copy(tmp_path_factory.mktemp("broken"))
    nb02 = root / "source" / "bptt" / "02_rnn_bptt.ipynb"
    nb02.write_bytes(nb02.read_bytes()[:4000])
    region = course_tools.make_course_copy(tmp_path_factory.mktemp("region"))
    (region / "README.md").write_text("# course\n\n<!-- generated: no-such-table -->\n<!-- end generated -->\n")
    return {"notebook": root, "region": region}


@pytest.mark.parametrize("command, args, which, names", [
    ("grade", ["{root}/source/bptt", "--out", "{root}/out"], "notebook", "02_rnn_bptt.ipynb: not valid JSON"),
    ("gradescope", ["--out", "{root}/bundle.zip"], "notebook", "02_rnn_bptt.ipynb: not valid JSON"),
    pytest.param("release", [], "notebook", "nbgrader generate_assignment failed (exit 1) on 02_rnn_bptt.ipynb: ",
                 marks=pytest.mark.slow),
    pytest.param("demo", [], "notebook", "nbgrader generate_assignment failed (exit 1) on 02_rnn_bptt.ipynb: ",
                 marks=pytest.mark.slow),
    ("sync", [], "region", "README.md, line 3: no generator named 'no-such-table'"),
    ("release", [], "region", "README.md, line 3: no generator named 'no-such-table'"),
])
def test_a_broken_course_is_one_line_and_exit_2(broken, command, args, which, names):
    root = broken[which]
    proc = run(command, *[a.format(root=root) for a in args], "--course", root)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"python -m autograder {command}: error: "), proc.stderr
    assert names in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.slow   # a real nbgrader release
def test_verbose_adds_the_tools_output(broken):
    proc = run("release", "--course", broken["notebook"], "-v")
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m autograder release: error: nbgrader generate_assignment")
    assert len(proc.stderr.strip().splitlines()) > 1      # nbgrader's own log follows


def test_sync_check_names_a_stale_file(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "README.md").write_text("Worth <!-- generated: assignment-points -->1<!-- end generated --> points.\n")
    proc = run("sync", "--check", "--course", root)
    assert (proc.returncode, proc.stderr) == (1, "out of date: README.md (run `python -m autograder sync`)\n")
    assert run("sync", "--course", root, "-q").returncode == 0
    assert (root / "README.md").read_text() == \
        f"Worth <!-- generated: assignment-points -->{units.total_points()}<!-- end generated --> points.\n"
    assert run("sync", "--check", "--course", root).returncode == 0


# ---- the README's first command on a machine without the sandbox user --------------------------

@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader needs (and can create) the sandbox user")
def test_demo_as_root_creates_a_missing_sandbox_user(tmp_path):
    # A throwaway name: the shared user bptt-student stays as it is. The code path is the one
    # `python -m autograder demo` takes for bptt-student on a bare machine (.ci/run proves that one).
    user = f"bptt-probe-{os.getpid()}"
    if shutil.which("userdel") is None:
        pytest.skip("no userdel to clean up with")
    root = course_tools.make_course_copy(tmp_path)
    try:
        proc = run("demo", "--course", root, "--sandbox-user", user, timeout=900)
        assert proc.returncode == 0, proc.stderr
        created = [line for line in proc.stderr.splitlines() if line.startswith("created the sandbox user")]
        assert created == [f"created the sandbox user '{user}' (useradd --system --no-create-home --shell "
                           f"/usr/sbin/nologin {user}): student code runs as it"]
        assert pwd.getpwnam(user).pw_uid != 0
        total = units.total_points()
        assert re.search(rf"^ada +{total}/{total} ", proc.stdout, re.M), proc.stdout
        # The second run finds the user and says nothing about it.
        again = run("demo", "--course", root, "--sandbox-user", user, "-q", timeout=900)
        assert again.returncode == 0 and "created" not in again.stderr, again.stderr
    finally:
        subprocess.run(["userdel", user], capture_output=True)


# ---- only the command's own errors are one line --------------------------------------------

def failing(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


def test_a_grader_bug_keeps_its_traceback(monkeypatch, tmp_path):
    """A RuntimeError from inside the grader is a bug, not a configuration problem: main() lets it through."""
    from autograder import __main__ as cli
    from autograder import class_report

    monkeypatch.setattr(class_report, "write_report", failing(RuntimeError("a bug in the class report")))
    with pytest.raises(RuntimeError, match="a bug in the class report"):
        cli.main(["report", str(tmp_path)])


def test_the_sandboxs_isolation_error_is_one_line_with_its_fix(monkeypatch, tmp_path, capsys):
    from autograder import __main__ as cli
    from autograder import class_report
    from autograder.sandbox.isolation import IsolationError

    monkeypatch.setattr(class_report, "write_report", failing(IsolationError("no bwrap here", "install bubblewrap")))
    assert cli.main(["report", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("python -m autograder report: error: cannot isolate student code: "
                                       "no bwrap here; fix: install bubblewrap\n")
