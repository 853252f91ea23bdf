"""What the live controller describes before a run starts: a picked workload and Python, and
the runs of the case that measures one of the tutorial's claims, each under a Python that can
run it. Each may start a runner under another Python (or import user code in one) and wait for
its answer, so the controller (live.py) hands these to the app's worker threads. No Textual;
runs in the conctui process.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from conctui.engine.modes import unavailable
from conctui.engine.pythons import FoundPython, parse_choice
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, UsageError, parse_params, parse_workload
from conctui.runner.request import RunnerInfo

if TYPE_CHECKING:
    from conctui.engine.claims import Case

Found = Callable[[], "list[FoundPython]"]  # the Pythons found on this machine, asked for only when needed


def describe_choice(spec: RunSpec, workload: str, python: str) -> tuple[RunSpec, RunnerInfo]:
    """`spec` with a picker's workload and Python (a path, perhaps with PYTHON_GIL), and a
    runner's description of them. Raises UsageError when either is wrong."""
    ref = parse_workload(workload)
    params = parse_params(ref, []) if ref != spec.workload else spec.params
    path, python_gil = parse_choice(python)
    return (replace(spec, workload=ref, params=params, python=path, python_gil=python_gil),
            describe(path, ref, params, python_gil=python_gil))


def claim_runs(spec: RunSpec, info: RunnerInfo, key: str, found: Found) -> list[tuple[RunSpec, RunnerInfo]]:
    """The runs of the case that measures claim `key`, each described under its Python.
    Raises UsageError when this machine cannot run the case, saying why."""
    from conctui.engine.claims import CLAIMS  # loaded with the claims screen, not before the first frame

    claim = next(c for c in CLAIMS if c.key == key)
    usable = info.python.usable_cores
    runs = []
    for case in claim.cases:
        python, described = case_python(spec, info, case, found)
        ref = parse_workload(case.workload)
        runs += [(RunSpec(ref, mode, case.worker_count(usable), parse_params(ref, []), python,
                          spec.start_method), described) for mode in case.modes]
    return runs


def case_python(spec: RunSpec, info: RunnerInfo, case: Case, found: Found) -> tuple[str, RunnerInfo]:
    """The first Python that can run a case, with its runner's description: the current
    choice's, or for a case about another build, each found in turn (a PATH entry may be a
    pyenv shim that runs nothing, so each is asked)."""
    from conctui.engine.claims import CURRENT, FREE_THREADED

    if case.python == CURRENT:
        candidates = [spec.python]
    elif case.python == FREE_THREADED:
        candidates = [p.path for p in found() if p.free_threaded and p.unavailable is None]
    else:  # sub-interpreters: the current Python, then any 3.13 or later found
        candidates = [spec.python] + [p.path for p in found() if p.version and p.version >= (3, 13)
                                      and not p.free_threaded and not p.unavailable]
    ref = parse_workload(case.workload)
    why = f"no {case.python} Python found" + (
        ": scripts/build-freethreaded.sh builds one, or give one with --python" if case.python == FREE_THREADED
        else "")
    for python in dict.fromkeys(candidates):
        try:
            described = describe(python, ref, parse_params(ref, []))
        except UsageError as exc:
            why = str(exc)
            continue
        reasons = [r for mode in case.modes if (r := unavailable(mode, described))]
        if case.python == FREE_THREADED and not described.python.free_threaded:
            reasons.append(f"{python} is not a free-threaded build")
        if not reasons:
            return python, described
        why = f"{python}: {reasons[0]}"
    raise UsageError(f"{case.describe(info.python.usable_cores)}: {why}")
