"""What this interpreter is and can do, as plain data for the header and every JSON run."""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import platform
import sys
import sysconfig
from typing import Any


def usable_cores() -> int:
    """Cores this process may run on (affinity, cgroup-pinned containers), not just installed."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def python_info() -> dict[str, Any]:
    gil_check = getattr(sys, "_is_gil_enabled", None)
    return {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": bool(gil_check()) if gil_check else True,
        "logical_cores": os.cpu_count() or 1,
        "usable_cores": usable_cores(),
        "platform": platform.platform(),
        "start_methods": multiprocessing.get_all_start_methods(),
        "hostname": platform.node(),
        # found, not imported: importing distributed costs a second and most runs never need it
        "dask": importlib.util.find_spec("distributed") is not None,
    }
