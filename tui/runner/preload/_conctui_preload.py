"""A forkserver's preload (runner/in_child.py `context`), imported by this plain name: the runner
puts this folder on the forkserver's PYTHONPATH and on the path it hands it while it starts the
forkserver (in_child._start_forkserver), and nothing else lies here.

CPython's forkserver runs its parent's main module (boot.py, which names the runner's package)
before its preload only since gh-126631's fix (3.13.x, 3.14); before it the preload of the
runner's modules failed silently, and every worker imported them again itself (~45 M
instructions each). This module names the package as boot.py does, so the forkserver imports
the worker's modules once, before it forks any worker; it first takes this folder off the
forkserver's path and environment, which the workers inherit.
"""
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != _here]
_given = os.environ.get("PYTHONPATH", "")
if _given == _here:
    del os.environ["PYTHONPATH"]  # the runner had none
elif _given.startswith(_here + os.pathsep):
    os.environ["PYTHONPATH"] = _given[len(_here) + 1:]  # the runner's own, as it was
_boot = importlib.util.spec_from_file_location("_conctui_boot", os.path.join(os.path.dirname(_here), "boot.py"))
_boot.loader.exec_module(importlib.util.module_from_spec(_boot))  # registers _conctui_runner, if not yet
