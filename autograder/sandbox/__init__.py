"""Running untrusted student code in a separate, confined process.

enter.py, runner.py, relay.py, wire.py and kernel_start.py are standalone (NumPy, or ipykernel,
and the standard library only): they are the only code of this package the sandboxed process can
see. isolation.py chooses how it is confined (bwrap or process), allowlist.py builds bwrap's file
system, protect.py secures the host's for process isolation, identity.py gives each
process-isolation run a uid of its own, cgroups.py and memcg.py limit processes and memory,
confine.py is the one way in (start, kill, clean up) and reaper.py ends process-mode sandboxes;
jail.py runs the grading worker through it, kernel.py a Jupyter kernel for nbgrader.
"""
