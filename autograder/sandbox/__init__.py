"""Running untrusted student code in a separate, confined process.

enter.py, runner.py, relay.py and wire.py are standalone (NumPy and the standard library only):
they are the only code of this package the sandboxed process can see. isolation.py
chooses how it is confined (bwrap or process), allowlist.py builds bwrap's file system,
protect.py secures the host's for process isolation, cgroups.py limits its processes,
jail.py starts it, talks to it and kills it.
"""
