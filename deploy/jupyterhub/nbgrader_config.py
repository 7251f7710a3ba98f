"""nbgrader settings every account of the hub shares (installed as <venv>/etc/jupyter/nbgrader_config.py).

The exchange is nbgrader's usual shared folder; hub.sh fills in the course id from the
course's own nbgrader_config.py (the repository root's), so it is stated in one place.
"""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.Exchange.root = "/srv/nbgrader/exchange"
c.CourseDirectory.course_id = "@COURSE_ID@"
