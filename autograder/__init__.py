"""Reference implementation, hidden checks and grading command for the BPTT assignment.

Layout:
    reference/   the mathematics (MLP, one- and two-layer RNN, truncation), float64 NumPy
    checks/      one check per graded unit: seeded inputs, comparison, diagnoses
    the grading pipeline modules beside them (read, sandbox, grade, report)

Nothing in this package is ever copied into the student release.
"""
