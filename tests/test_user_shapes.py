"""A user's function as it is: called with the worker's index where it can take a positional
argument, else with none; dotted names reach methods; what cannot be called says why in a line."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conctui.runner.loader import LoadError, load
from fixtures.command import conctui

SHAPES = Path(__file__).parent / "fixtures" / "user_shapes.py"


def _load(func: str, **params: object):
    return load({"path": str(SHAPES), "func": func, "params": params})


def _noop(fraction: float | None = None) -> None:
    """report(), which none of these take."""


CALLED = {  # function -> (called with the index?, what worker 2 prints)
    "work": (False, "work()"),
    "awork": (False, "awork()"),
    "sized": (False, "sized(n=3)"),
    "numbered": (True, "numbered(2)"),
    "anything": (True, "anything(2,)"),
    "Job.run": (False, "Job.run()"),
    "Job.start": (True, "Job.start(2)"),
    "Job.step": (True, "numbered(2)"),
    "counter.add": (True, "add(2)"),
}


@pytest.mark.parametrize(("func", "index_and_line"), CALLED.items(), ids=CALLED.keys())
def test_each_shape_is_called_as_written(func: str, index_and_line: tuple[bool, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    takes_index, line = index_and_line
    workload = _load(func)
    assert workload.takes_index is takes_index
    workload.call(2, _noop)
    assert capsys.readouterr().out == line + "\n"


def test_params_go_by_name_with_or_without_the_index(capsys: pytest.CaptureFixture[str]) -> None:
    _load("sized", n=5).call(0, _noop)
    _load("anything", size=1).call(4, _noop)
    assert capsys.readouterr().out.splitlines() == ["sized(n=5)", "anything(4,)"]


def test_an_async_def_without_arguments_runs_in_the_asyncio_loop(capsys: pytest.CaptureFixture[str]) -> None:
    workload = _load("awork")
    asyncio.run(workload.coroutine(0, _noop))
    assert capsys.readouterr().out == "awork()\n"


CANNOT = {
    "two positional": ("pair", {}, "user_shapes.py:pair(left, right) cannot be called: it needs 2 positional "
                                   "arguments (left, right), and a workload gets at most one"),
    "keyword without its param": ("needs_size", {}, "needs_size(*, size) cannot be called: it needs "
                                                    "--param size=VALUE"),
    "unknown param": ("work", {"size": 1}, "work() cannot be called with --param size alone: "
                                           "got an unexpected keyword argument 'size'"),
    "unknown param beside the index": ("numbered", {"size": 1}, "numbered(number) cannot be called with the "
                                       "worker's index and --param size: got an unexpected keyword argument"),
    "instance method": ("Job.method", {}, "user_shapes.py:Job.method is a method that needs an instance of Job"),
    "no such method": ("Job.walk", {}, "has no function 'Job.walk' (Job has no attribute 'walk')"),
    "no such object": ("nobody.walk", {}, "has no function 'nobody.walk'"),
}


@pytest.mark.parametrize(("func", "params", "says"), CANNOT.values(), ids=CANNOT.keys())
def test_what_cannot_be_called_says_what_shape_it_needs(func: str, params: dict, says: str) -> None:
    with pytest.raises(LoadError) as raised:
        _load(func, **params)
    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


RUNS = {  # through the CLI, as a user types it: (function, mode, extra arguments, each worker's output)
    "no arguments, threads": ("work", "threads", [], [["work()"], ["work()"]]),
    "async def, asyncio": ("awork", "asyncio", [], [["awork()"], ["awork()"]]),
    "keyword only, a param": ("sized", "sequential", ["--param", "n=7"], [["sized(n=7)"], ["sized(n=7)"]]),
    "static method, processes": ("Job.run", "processes", [], [["Job.run()"], ["Job.run()"]]),
    "an object's method, threads": ("counter.add", "threads", [], [["add(0)"], ["add(1)"]]),
}


@pytest.mark.process
@pytest.mark.parametrize(("func", "mode", "extra", "outputs"), RUNS.values(), ids=RUNS.keys())
def test_the_cli_runs_each_shape(func: str, mode: str, extra: list[str], outputs: list[list[str]]) -> None:
    result = conctui("run", f"{SHAPES}:{func}", "--mode", mode, "--workers", "2", *extra, "--json")
    assert result.code == 0, result.err
    run = result.run()
    assert run["status"] == "done"
    assert [worker["output"] for worker in run["per_worker"]] == outputs


@pytest.mark.process
def test_the_cli_says_in_one_line_what_shape_a_workload_needs() -> None:
    result = conctui("run", f"{SHAPES}:pair", "--mode", "threads")
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and "needs 2 positional arguments (left, right)" in result.err, result.err
