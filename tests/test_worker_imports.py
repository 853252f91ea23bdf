"""What a worker process imports is its start-up, and "processes pay for start-up" is a lesson:
conctui's own share of it stays small (bench/scale.py measures it against plain multiprocessing)."""
from __future__ import annotations

import subprocess
import sys

import pytest
from conctui import runner
from conctui.runner import schema

BOOT = f"{runner.__path__[0]}/boot.py"

# a spawned worker: boot.py re-run as __mp_main__ (it names the package), then its target's module
WORKER = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("__mp_main__", {BOOT!r})
spec.loader.exec_module(importlib.util.module_from_spec(spec))
import _conctui_runner.in_child
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.process
def test_a_worker_process_imports_no_ctypes_and_no_traceback() -> None:
    """ctypes (~2 ms) is for cancelling threads and for Yama's ptrace rule, traceback for failures:
    a worker that needs neither does not pay for them."""
    done = subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(done.stdout.split())
    assert "_conctui_runner.work" in loaded  # the probe imported what a worker runs
    assert not {"ctypes", "traceback"} & loaded, sorted({"ctypes", "traceback"} & loaded)


def test_events_and_records_share_one_constructor_nothing_compiled_per_class() -> None:
    """dataclass(frozen=True) compiles __init__, __setattr__ and __delattr__ for every class when
    schema.py is imported, in every worker process (~11 ms on 3.11); these are written once."""
    declared = [*schema.TYPES.values(), *schema.RECORDS.values()]
    assert len(declared) > 10
    for cls in declared:
        for method in ("__init__", "__setattr__", "__delattr__", "__eq__", "__hash__", "__repr__"):
            assert getattr(cls, method) is getattr(schema._Compared, method), (cls.__name__, method)
