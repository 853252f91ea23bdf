"""How a process of the runner's ended, in words: said by the runner of its worker children
and by conctui of a runner, so it imports nothing of either side's machinery."""
from __future__ import annotations

import signal
from typing import Any

ORPHAN_EXIT = 70  # a worker child that exits because its runner is gone


def exit_reason(exitcode: Any) -> str:
    """`exited with code 3` or `killed by SIGSEGV`, from a multiprocessing exit code."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return "killed by %s" % signal.Signals(-exitcode).name
        except ValueError:
            return "killed by signal %d" % -exitcode
    if exitcode == ORPHAN_EXIT:
        return "exited: its parent was gone"
    return "exited with code %d" % exitcode
