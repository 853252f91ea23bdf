"""Scratch folders for py-spy's output files: the app's process (the GIL sampler and watch
sampler threads).

A folder is named for the conctui process that made it (`conctui-gil-4242-…`). A conctui that
is SIGKILLed cannot remove its own, so each new one removes those whose process is gone.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile

OWNED = re.compile(r"^conctui-(?:gil|watch)-(\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: no signal is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def sweep(folder: str | None = None) -> list[str]:
    """Remove the scratch folders whose conctui process is gone; return their paths."""
    folder = folder or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        owner = OWNED.match(name)
        path = os.path.join(folder, name)
        if owner and int(owner[1]) != os.getpid() and not _alive(int(owner[1])) and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def scratch(kind: str) -> tempfile.TemporaryDirectory:
    """A new scratch folder for `kind` ("gil" or "watch"), after removing those left by dead processes."""
    sweep()
    return tempfile.TemporaryDirectory(prefix=f"conctui-{kind}-{os.getpid()}-")
