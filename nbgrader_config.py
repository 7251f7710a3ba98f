"""nbgrader configuration of the BPTT course (the repository root is the course root).

nbgrader executes this file two or three times per command (and Formgrader once when
the Jupyter server starts), so everything here is idempotent and changes nothing
outside the configuration object: no os.environ, no sys.path.

The hooks are autograder/nbgrader_hooks/*.py (one preprocessor per file), each loaded by its
file path: the autograder package never goes on sys.path of the process running nbgrader (a
Jupyter server, for Formgrader's Autograde button), so the reference never enters it.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "bptt-course"
# Gradebook: nbgrader's default, sqlite:///<course root>/gradebook.db. It holds the
# hidden tests, so it stays private (git-ignored).
# Per cell. The notebooks' test cells take well under a second; experiment cells
# shorten themselves when BPTT_GRADING=1 (set in the grading kernel: GradingExecute).
c.Execute.timeout = 60
# Seconds nbclient waits for a cell's last outputs after the cell finished. nbclient's 4 s is too
# short for a cell that printed hundreds of MB (its outputs are cut afterwards: BoundOutputs), and
# nbgrader then fails the student's whole submission.
c.Execute.iopub_timeout = 60

# The folder holding the autograder package: this file's, or BPTT_AUTOGRADER_ROOT (temporary
# course copies point it at the repository).
_root = os.path.abspath(os.environ.get("BPTT_AUTOGRADER_ROOT") or os.path.dirname(os.path.abspath(__file__)))
_hooks = os.path.join(_root, "autograder", "nbgrader_hooks")


_loaded = {}


def _hook(module, name):
    """Class `name` of autograder/nbgrader_hooks/<module>.py, loaded by file path (not as a package),
    each file once per reading of this configuration."""
    import importlib.util

    if module in _loaded:
        return getattr(_loaded[module], name)
    spec = importlib.util.spec_from_file_location(f"bptt_nbgrader_hooks_{module}", os.path.join(_hooks, module + ".py"))
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    _loaded[module] = loaded
    return getattr(loaded, name)


def _missing_package(step, needs):
    """In place of `step`: a step that stops the command (autograde must never record scores without
    the judge), so that commands which need no hook (export, db) still run without the package."""
    class MissingPackage(step):
        def preprocess(self, nb, resources):
            raise RuntimeError(f"nbgrader_config.py: no autograder package at {_root} (set BPTT_AUTOGRADER_ROOT "
                               f"to the folder that holds it): {needs}")
    return MissingPackage


def _autograde_preprocessors():
    """nbgrader's own steps, with the course's Execute between the package's guard (its snapshot, or
    its files put back, before each kernel) and the judge's start (it runs while the kernel does),
    and the bounded outputs and the judge's verdicts."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = Autograde.class_traits()["autograde_preprocessors"].default()
    if Execute not in steps:  # another nbgrader version: fail loudly rather than grade 0 silently
        raise RuntimeError(f"nbgrader_config.py: no Execute step in Autograde's preprocessors {steps}")
    at = steps.index(Execute)
    if not os.path.isdir(_hooks):
        return steps[:at] + [_missing_package(Execute, "the scores need its judge")] + steps[at + 1:]
    ours = [_hook("package_guard", "GuardPackage"), _hook("judge_verdicts", "StartJudge"),
            _hook("grading_execute", "GradingExecute"), _hook("bound_outputs", "BoundOutputs"),
            _hook("judge_verdicts", "JudgeVerdicts")]
    return steps[:at] + ours + steps[at + 1:]


c.Autograde.autograde_preprocessors = _autograde_preprocessors()
c.JudgeVerdicts.autograder_root = c.GuardPackage.autograder_root = _root


def _generate_preprocessors():
    """nbgrader's own steps, with MarkReadOnly right after LockCells (before the checksums are taken)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import LockCells

    steps = GenerateAssignment.class_traits()["preprocessors"].default()
    if LockCells not in steps:
        raise RuntimeError(f"nbgrader_config.py: no LockCells step in GenerateAssignment's preprocessors {steps}")
    at = steps.index(LockCells) + 1
    if not os.path.isdir(_hooks):
        return steps[:at - 1] + [_missing_package(LockCells, "the release needs its MarkReadOnly")] + steps[at:]
    return steps[:at] + [_hook("mark_read_only", "MarkReadOnly")] + steps[at:]


c.GenerateAssignment.preprocessors = _generate_preprocessors()


# Generate Feedback (and so the hub's Fetch Feedback): a graded test cell's verdict is a note with
# the unit's formula, the maths is typeset as MathML by the grader (no MathJax from the network),
# long outputs are cut (autograder/nbgrader_feedback.py). That module imports its neighbours
# (math_doc, maths), so the package is loaded under a private name, by file path, never on
# sys.path; nothing of checks/ or reference/ is imported.
def _feedback_module(root):
    import importlib
    import importlib.util
    import sys

    init = os.path.join(root, "autograder", "__init__.py")
    if not os.path.isfile(init):
        return None   # a course copy without the package: stock nbgrader feedback
    name = "_bptt_autograder_feedback"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, init,
                                                      submodule_search_locations=[os.path.dirname(init)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return importlib.import_module(name + ".nbgrader_feedback")


def _feedback_preprocessors(module):
    from nbgrader.converters import GenerateFeedback

    return [module.CutLongOutputs] + GenerateFeedback.class_traits()["preprocessors"].default()


_feedback = _feedback_module(_root)
if _feedback is not None:
    c.GenerateFeedback.exporter_class = _feedback.FeedbackExporter
    c.GenerateFeedback.preprocessors = _feedback_preprocessors(_feedback)


# What students hand in is untrusted on its way to the instructor too (docs/isolation.md, the
# threat-model table). Collect (command line and Formgrader's button) refuses a submission made
# in another student's name or holding links, FIFOs, devices or others' files, and copies without
# following links: autograder/exchange.py. Formgrader and generated feedback render a student's
# markdown and HTML outputs without script: autograder/student_html.py. Both modules are loaded
# by file path, so `autograder` stays off this process's sys.path.
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
