"""What a runner says before any run: its Python, whether it can load the workload, its size.

Answered in a runner process (main.py), or in conctui's own process for a built-in under
conctui's own Python (engine/runner_process.describe), which is why this module imports no
mode: the TUI asks it before its first frame, and the modes' code is not needed until a run.
"""
from __future__ import annotations

import sys
from typing import Any

from .info import python_info
from .loader import LoadError, workload_facts


def _peak_rss_bytes() -> int | None:
    """This process's peak resident size: near what a worker child that loads the same workload costs."""
    try:
        import resource
    except ImportError:  # not a Unix
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def answer_describe(request: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {"python": python_info().as_dict()}
    if request.get("ref"):
        try:
            reply["workload"] = workload_facts(request["ref"])
        except LoadError as exc:
            reply["error"] = str(exc)
    reply["peak_rss_bytes"] = _peak_rss_bytes()  # with the workload loaded: capacity.py costs children by it
    if request.get("scheduler") and reply["python"]["dask"] and "error" not in reply:
        from .dask_mode import check_scheduler
        from .modes import ModeError

        try:
            reply["cluster"] = check_scheduler(request["scheduler"], request["connect_timeout"])
        except ModeError as exc:
            reply["error"] = str(exc)
    return reply
