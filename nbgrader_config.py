"""nbgrader configuration of the BPTT course (the repository root is the course root).

nbgrader executes this file two or three times per command (and Formgrader once when
the Jupyter server starts), so everything here is idempotent and changes nothing
outside the configuration object: no os.environ, no sys.path.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "bptt-course"
# Gradebook: nbgrader's default, sqlite:///<course root>/gradebook.db. It holds the
# hidden tests, so it stays private (git-ignored).
# Per cell. The notebooks' test cells take well under a second; experiment cells
# shorten themselves when BPTT_GRADING=1 (set in the grading kernel, below).
c.Execute.timeout = 60

# The hidden tests run `from autograder.checks import check` in the kernel that
# autograde starts. The package is never installed, and nothing else may import it,
# so only that one kernel gets it: GradingExecute replaces nbgrader's Execute step in
# Autograde and starts the kernel with PYTHONPATH=<the folder holding autograder/> and
# BPTT_GRADING=1 in the kernel's own environment. This holds wherever Autograde runs:
# `nbgrader autograde` on the command line, and Formgrader's Autograde button, which
# runs Autograde inside the Jupyter server (whose own environment and every other
# kernel it starts are left untouched). Temporary course copies point
# BPTT_AUTOGRADER_ROOT at the repository.
_root = os.path.abspath(os.environ.get("BPTT_AUTOGRADER_ROOT") or os.path.dirname(os.path.abspath(__file__)))


def _snapshot(root):
    """{relative path: bytes} of the autograder package's .py files, read once when autograde starts."""
    package = os.path.join(root, "autograder")
    files = {}
    for folder, dirs, names in os.walk(package):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, root)] = f.read()
    return files


def _grading_execute(root):
    import shutil
    import tempfile

    from nbgrader.preprocessors import Execute

    class GradingExecute(Execute):
        """nbgrader's Execute, with the hidden checks importable in the kernel it starts.

        Each notebook's kernel imports the checks from a fresh, read-only copy written from
        the snapshot taken at this autograde run's first notebook (kept on the exporter, which
        lives as long as the run), never from the course's own files: a solution cell that
        rewrites the checks it imported changes only its own copy, and the next notebook (the
        next student's) gets the checks the instructor wrote. The course's package is compared
        with the snapshot after every notebook and put back if a kernel changed it. This guards
        the checks only: the kernel still runs with the grader's own permissions (see
        docs/isolation.md).
        """

        checks_root = root

        def _snapshot(self):
            holder = self.parent if self.parent is not None else GradingExecute
            if getattr(holder, "_bptt_checks", None) is None:
                found = os.path.isdir(os.path.join(root, "autograder"))
                holder._bptt_checks = _snapshot(root) if found else {}
            return holder._bptt_checks

        def preprocess(self, nb, resources=None, km=None):
            snapshot = self._snapshot()
            if not snapshot:
                return super().preprocess(nb, resources, km)
            copy = tempfile.mkdtemp(prefix="bptt-checks-")
            try:
                for rel, data in snapshot.items():
                    path = os.path.join(copy, rel)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(data)
                if os.path.isdir(os.path.join(root, "source")):
                    # The checks find the given code in <package's parent>/source (checks/given.py).
                    os.symlink(os.path.join(root, "source"), os.path.join(copy, "source"))
                for folder, _dirs, names in os.walk(copy, topdown=False):
                    for name in names:
                        os.chmod(os.path.join(folder, name), 0o444)
                    os.chmod(folder, 0o555)
                self.checks_root = copy
                return super().preprocess(nb, resources, km)
            finally:
                self.checks_root = root
                for folder, _dirs, _names in os.walk(copy):
                    os.chmod(folder, 0o755)
                shutil.rmtree(copy, ignore_errors=True)
                self._restore_course(snapshot)

        def _restore_course(self, snapshot):
            for rel, data in snapshot.items():
                path = os.path.join(root, rel)
                try:
                    with open(path, "rb") as f:
                        same = f.read() == data
                except OSError:
                    same = False
                if not same:
                    self.log.warning("a graded notebook changed %s; restored it", path)
                    with open(path, "wb") as f:
                        f.write(data)

        def _grading_env(self, env):
            env = dict(env or os.environ)
            paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
            env["PYTHONPATH"] = os.pathsep.join([self.checks_root] + paths)
            env["BPTT_GRADING"] = "1"  # experiment cells skip or shorten themselves
            return env

        # nbclient has a sync and an async entry point (the sync one does not call the
        # async method through self), so both pass the grading environment on.
        def start_new_kernel(self, **kwargs):
            return super().start_new_kernel(env=self._grading_env(kwargs.pop("env", None)), **kwargs)

        async def async_start_new_kernel(self, **kwargs):
            return await super().async_start_new_kernel(env=self._grading_env(kwargs.pop("env", None)), **kwargs)

    return GradingExecute


def _autograde_preprocessors(root):
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    if Execute not in steps:  # another nbgrader version: fail loudly rather than grade 0 silently
        raise RuntimeError(f"nbgrader_config.py: no Execute step in Autograde's preprocessors {steps}")
    return [_grading_execute(root) if step is Execute else step for step in steps]


def _hidden_tests_first(root):
    """autograder/checks/nbgrader_order.py's HiddenTestsFirst, loaded by file path, or None.

    Each test cell then runs its hidden check before its visible asserts, so autograde's
    feedback names the mistake as the grading command does. The package is looked up where
    the grading kernel will look (root, then PYTHONPATH), and the one file is loaded by path,
    which keeps `autograder` off sys.path in this process (a Jupyter server for Formgrader).
    """
    import importlib.machinery
    import importlib.util

    paths = [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    package = importlib.machinery.PathFinder.find_spec("autograder", paths)
    if package is None or not package.submodule_search_locations:
        return None  # a course copy that only releases; autograde then fails in the hidden tests' import
    path = os.path.join(list(package.submodule_search_locations)[0], "checks", "nbgrader_order.py")
    spec = importlib.util.spec_from_file_location("bptt_nbgrader_order", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HiddenTestsFirst


_first = _hidden_tests_first(_root)
c.Autograde.autograde_preprocessors = ([_first] if _first else []) + _autograde_preprocessors(_root)


# Locked cells are read-only in the release (nbgrader sets editable: false), but Jupyter shows
# no lock. MarkReadOnly puts a visible first line into every locked code cell of the release,
# before nbgrader records the cells and their checksums, so autograde sees the same text.
READ_ONLY_LINE = "# read-only cell: given by the course; edits are undone when it is graded"


def _mark_read_only():
    from nbgrader.preprocessors import NbGraderPreprocessor

    class MarkReadOnly(NbGraderPreprocessor):
        """First line READ_ONLY_LINE in every locked code cell that is not a solution."""

        def preprocess_cell(self, cell, resources, index):
            meta = cell.metadata.get("nbgrader", {})
            first = cell.source.split("\n", 1)[0]
            # The notebooks' own given cells already open with a "read-only" line.
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution") \
                    and "read-only" not in first:
                cell.source = READ_ONLY_LINE + "\n" + cell.source
            return cell, resources

    return MarkReadOnly


def _generate_preprocessors():
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import LockCells

    steps = GenerateAssignment.class_traits()["preprocessors"].default()
    if LockCells not in steps:
        raise RuntimeError(f"nbgrader_config.py: no LockCells step in GenerateAssignment's preprocessors {steps}")
    at = steps.index(LockCells) + 1
    return steps[:at] + [_mark_read_only()] + steps[at:]


c.GenerateAssignment.preprocessors = _generate_preprocessors()


# What students hand in is untrusted on its way to the instructor too (docs/isolation.md, the
# threat-model table). Collect (command line and Formgrader's button) refuses a submission made
# in another student's name or holding links, FIFOs, devices or others' files, and copies without
# following links: autograder/exchange.py. Formgrader and generated feedback render a student's
# markdown and HTML outputs without script: autograder/student_html.py. Both modules are loaded
# by file path, like HiddenTestsFirst above, so `autograder` stays off this process's sys.path.
def _course_module(root, name):
    import importlib.machinery
    import importlib.util

    paths = [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    package = importlib.machinery.PathFinder.find_spec("autograder", paths)
    if package is None or not package.submodule_search_locations:
        return None  # a course copy that only releases: it neither collects nor renders submissions
    path = os.path.join(list(package.submodule_search_locations)[0], f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"bptt_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_exchange = _course_module(_root, "exchange")
_student_html = _course_module(_root, "student_html")
if _exchange is not None:
    c.ExchangeFactory.collect = _exchange.SafeCollect
if _student_html is not None:
    c.HTMLExporter.sanitize_html = True
    c.HTMLExporter.embed_images = False
    c.HTMLExporter.filters = {"markdown2html": _student_html.markdown2html, "clean_html": _student_html.clean_html}
