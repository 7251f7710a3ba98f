"""Running untrusted student code in a separate, confined process.

wire.py and runner.py are standalone (NumPy and the standard library only):
they are the only code of this package the sandboxed process can see.
"""
