"""What a worker process imports is its start-up, and "processes pay for start-up" is a lesson:
conctui's own share of it stays small (bench/scale.py measures it against plain multiprocessing)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conctui import runner
from conctui.runner import schema
from fixtures.command import conctui
from fixtures.pythons import one_per_version

BOOT = f"{runner.__path__[0]}/boot.py"

# a spawned worker: boot.py re-run as __mp_main__ (it names the package), then its target's module
WORKER = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("__mp_main__", {BOOT!r})
spec.loader.exec_module(importlib.util.module_from_spec(spec))
import _conctui_runner.in_child
print(" ".join(sorted(sys.modules)))
"""


# a user's workload that says which modules its worker process has imported by the time it is called
SEEN = """import sys


def work(*, path):
    with open(path, "w") as out:
        out.write(" ".join(sorted(sys.modules)))
"""
# what a worker does not use, each with what pulled it in before: dataclasses and inspect (schema.py's
# events, loader.py's reading of the signature: ~38 M instructions), multiprocessing.connection
# (unpickling its pipes' Connections: tempfile, shutil, lzma..., ~13 M), sysconfig (~6 M), ctypes, traceback
NOT_IN_A_WORKER = {"dataclasses", "inspect", "multiprocessing.connection", "tempfile", "ctypes", "traceback",
                   "_conctui_runner.run_events",  # the run's own events: the runner's, not a worker's
                   *(["sysconfig"] if sys.version_info < (3, 13) else [])}  # no free-threaded build to ask about


@pytest.mark.process
def test_a_spawned_worker_has_imported_only_what_it_uses_when_its_workload_is_called(tmp_path) -> None:
    task, seen = tmp_path / "seen.py", tmp_path / "modules.txt"
    task.write_text(SEEN)
    result = conctui("run", f"{task}:work", "--mode", "processes", "--workers", "1", "--start-method", "spawn",
                     "--param", f"path={seen}", "--json")
    assert result.code == 0, result.err
    loaded = set(seen.read_text().split())
    assert "_conctui_runner.work" in loaded and "multiprocessing" in loaded  # it read a worker's own modules
    assert not NOT_IN_A_WORKER & loaded, sorted(NOT_IN_A_WORKER & loaded)


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


FREE_THREADED = f"""
import importlib.util, sysconfig
spec = importlib.util.spec_from_file_location("gil_constants", {runner.__path__[0] + "/gil_constants.py"!r})
constants = importlib.util.module_from_spec(spec)
spec.loader.exec_module(constants)
print(constants.free_threaded_build(), bool(sysconfig.get_config_var("Py_GIL_DISABLED")))
"""


@pytest.mark.process
@pytest.mark.parametrize("python", one_per_version(), ids=lambda found: found.label)
def test_a_free_threaded_build_is_told_apart_without_sysconfig_before_3_13(python) -> None:
    """free_threaded_build() skips sysconfig where no free-threaded build exists: it must still
    answer what sysconfig would, under every Python found here (3.13t included, where built)."""
    done = subprocess.run([python.path, "-c", FREE_THREADED], capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "sysconfig" in done.stderr:  # a build still being installed
        pytest.skip(f"{python.path} cannot import its own stdlib")
    assert done.returncode == 0, done.stderr
    ours, sysconfig_says = done.stdout.split()
    assert ours == sysconfig_says
    assert (ours == "True") is python.free_threaded


# a user's workload that says what its worker process has: its modules, its path, its PYTHONPATH
HAS = """import json, os, sys


def work(*, path):
    with open(path, "w") as out:
        json.dump({"modules": sorted(sys.modules), "path": sys.path, "env": os.environ.get("PYTHONPATH")}, out)
"""


@pytest.mark.process
@pytest.mark.parametrize("python", one_per_version(), ids=lambda found: found.label)
def test_a_forkserver_worker_has_the_runners_modules_preloaded_on_every_python(python, tmp_path, monkeypatch) -> None:
    """Before CPython's gh-126631 fix (3.13.x) a forkserver skipped the preload of the runner's modules, and
    each worker imported them itself: runner/preload/_conctui_preload.py, found through PYTHONPATH while the
    forkserver starts, names the package there first. The worker inherits neither that folder on its path
    nor in its environment: the user's own PYTHONPATH is as they set it."""
    theirs = str(tmp_path / "theirs")
    monkeypatch.setenv("PYTHONPATH", theirs)
    task, seen = tmp_path / "has.py", tmp_path / "has.json"
    task.write_text(HAS)
    result = conctui("run", f"{task}:work", "--mode", "processes", "--workers", "1", "--start-method", "forkserver",
                     "--python", python.path, "--param", f"path={seen}", "--json")
    assert result.code == 0, result.err
    has = json.loads(seen.read_text())
    assert {"_conctui_preload", "_conctui_runner.in_child"} <= set(has["modules"]), "the preload did not run"
    assert has["env"] == theirs
    assert theirs in has["path"] and not [entry for entry in has["path"] if Path(entry).name == "preload"]
