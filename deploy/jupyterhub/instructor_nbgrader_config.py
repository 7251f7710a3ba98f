"""The instructor's ~/.jupyter/nbgrader_config.py (hub.sh fills in the course root).

As nbgrader's documentation for JupyterHub says: the instructor's account points nbgrader
(and Formgrader) at the course directory. The course's own nbgrader_config.py (course id,
gradebook, the grading kernel that gets the hidden checks) is loaded from there.
"""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.root = "@COURSE_ROOT@"
load_subconfig("@COURSE_ROOT@/nbgrader_config.py")  # noqa: F821
