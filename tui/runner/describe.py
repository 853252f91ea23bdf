"""What a runner says before any run: its Python, whether it can load the workload, its size.

Answered in a runner process (main.py), or in conctui's own process for a built-in under
conctui's own Python (engine/runner_process.describe), which is why this module imports no
mode: the TUI asks it before its first frame, and the modes' code is not needed until a run.
"""
from __future__ import annotations

import sys

from .info import python_info
from .loader import LoadError, workload_facts
from .request import DescribeRequest, RunnerInfo, WorkloadFacts


def _peak_rss_bytes() -> int | None:
    """This process's peak resident size: near what a worker child that loads the same workload costs."""
    try:
        import resource
    except ImportError:  # not a Unix
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def answer_describe(request: DescribeRequest) -> RunnerInfo:
    python = python_info()
    workload, error, cluster = WorkloadFacts(), None, None
    if request.ref:
        try:
            workload = WorkloadFacts(**workload_facts(dict(request.ref)))
        except LoadError as exc:
            error = str(exc)
    peak = _peak_rss_bytes()  # with the workload loaded: capacity.py costs children by it
    if request.scheduler and python.dask and error is None:
        from .dask_mode import check_scheduler
        from .modes import ModeError

        try:
            cluster = check_scheduler(request.scheduler, request.connect_timeout)
        except ModeError as exc:
            error = str(exc)
    return RunnerInfo(python, workload, peak, cluster, error)
