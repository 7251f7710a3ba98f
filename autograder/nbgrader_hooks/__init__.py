"""nbgrader's hooks for this course, one preprocessor per file (as nbgrader keeps its own).

nbgrader_config.py loads each file by its path, never as part of this package: `autograder`
stays off sys.path in the process that runs nbgrader (a Jupyter server, for Formgrader's
Autograde button), so the reference and the checks never enter it. So every module here imports
only the standard library, nbgrader, nbconvert, nbformat and traitlets, never `autograder`.

    grading_execute.py   GradingExecute   nbgrader's Execute, the kernel started with BPTT_GRADING=1
    bound_outputs.py     BoundOutputs     each cell's outputs cut past a size, with a note
    judge_verdicts.py    StartJudge       before the kernel: the student's judge starts (runs alongside it)
                         JudgeVerdicts    after the kernel: every unit's test cell gets the judge's verdict
    package_guard.py     GuardPackage     the package as it was before the first kernel: restored, copied for the judge
    mark_read_only.py    MarkReadOnly     a visible "read-only" first line in locked cells (release)
"""
