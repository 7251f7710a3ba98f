"""Gradescope: the autograder bundle a course uploads, and what runs inside it.

    bundle.py        build_bundle(): `python -m autograder gradescope --out autograder.zip`
    run.py           what run_autograder runs for one student's upload (AUTOGRADER_ROOT)
    setup.sh         copied into the bundle: installs the pinned grader on Gradescope's image
    run_autograder   copied into the bundle: starts run.py with setup.sh's Python
"""
