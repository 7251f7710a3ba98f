"""Generated text: the nbgrader path's output limits, stated in docs/isolation.md from the hook's constants."""
from __future__ import annotations

from .generated import Where, generator
from .nbgrader_hooks.bound_outputs import MAX_CELL_BYTES, MAX_NOTEBOOK_BYTES


def size_text(n: int) -> str:
    """A byte count as people read it: '256 KiB', '4 MiB'."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n:,} bytes"


@generator("cell-output-limit")
def cell_output_limit(args: list[str], where: Where) -> str:
    return size_text(MAX_CELL_BYTES)


@generator("notebook-output-limit")
def notebook_output_limit(args: list[str], where: Where) -> str:
    return size_text(MAX_NOTEBOOK_BYTES)
