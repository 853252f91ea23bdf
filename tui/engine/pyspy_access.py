"""Finding py-spy, and saying why it may not read a process: for both of conctui's py-spy
samplers, the lab's GIL sampler (engine/gil_sampler.py) and the watch's (engine/watch/pyspy.py).
Runs in the app's process, in whichever thread starts py-spy."""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

GRANT = ("run conctui as root, or give py-spy the right (sudo setcap cap_sys_ptrace+ep PATH-OF-py-spy), "
         "or let a user's processes read each other (sudo sysctl kernel.yama.ptrace_scope=0)")
YAMA = {"0": "a user's processes may read each other", "1": "only an ancestor or a declared tracer may read",
        "2": "only CAP_SYS_PTRACE may read", "3": "no process may read another"}


class PtraceRefused(Exception):
    """The sampler may not read the process: its message is the reason shown instead of figures."""


def find_py_spy() -> str | None:
    """py-spy's binary: $CONCTUI_PY_SPY, else where pip put it for this Python, else on PATH."""
    given = os.environ.get("CONCTUI_PY_SPY")
    if given:
        return given
    for folder in (sysconfig.get_path("scripts"), os.path.join(sys.base_prefix, "bin")):
        path = os.path.join(folder, "py-spy")
        if os.access(path, os.X_OK):
            return path  # before PATH: a pyenv shim there costs 0.4 s a start
    return shutil.which("py-spy")


def _has_cap_sys_ptrace() -> bool:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> 19 & 1)  # CAP_SYS_PTRACE is bit 19
    except (OSError, ValueError, IndexError):
        pass
    return False


def ptrace_context() -> str:
    """Who conctui's sampler runs as, and what Yama allows: the why behind a refusal."""
    parts = [f"uid {os.geteuid()}", "with CAP_SYS_PTRACE" if _has_cap_sys_ptrace() else "without CAP_SYS_PTRACE"]
    try:
        scope = Path("/proc/sys/kernel/yama/ptrace_scope").read_text().strip()
        parts.append(f"Yama ptrace_scope {scope}: {YAMA.get(scope, 'unknown')}")
    except OSError:
        pass
    return ", ".join(parts)


def ptrace_refused(said: str) -> PtraceRefused:
    return PtraceRefused(f"ptrace refused ({said.strip()[:160]}; sampler as {ptrace_context()}): to grant it, {GRANT}")
