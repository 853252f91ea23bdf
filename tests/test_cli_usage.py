"""Every user mistake is one line on stderr and exit code 2: no traceback, nothing on stdout."""
from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.command import conctui, task

pytestmark = pytest.mark.process

BAD_INPUTS = {
    "missing file": (["run", "no/such/tasks.py:work"], "no such file"),
    "no such function": (["run", task("nowhere")], "has no function 'nowhere'"),
    "not callable": (["run", task("NOT_CALLABLE")], "is not callable"),
    "needs more than the index": (["run", task("two_required")], "it needs 2 positional arguments (index, other)"),
    "no such module": (["run", "no_such_package.jobs:crunch"], "no module named"),
    "unknown workload": (["run", "bitcoin"], "unknown workload 'bitcoin'"),
    "unknown mode": (["run", "download", "--mode", "fibers"], "invalid choice: 'fibers'"),
    "unknown compare mode": (["compare", "download", "--modes", "threads,fibers"], "unknown mode fibers"),
    "no workers": (["run", "download", "--workers", "0"], "workers must be between 1 and"),
    "absurdly many workers": (["run", "download", "--workers", "1000000"], "workers must be between 1 and"),
    "workers not a number": (["run", "download", "--workers", "three"], "invalid int value"),
    "param without value": (["run", "download", "--param", "seconds"], "--param wants NAME=VALUE"),
    "param without name": (["run", "download", "--param", "=2"], "--param wants NAME=VALUE"),
    "unknown param": (["run", "download", "--param", "colour=red"], "has no parameter 'colour'"),
    "bad param type": (["run", "download", "--param", "seconds=soon"], "seconds wants a number, got 'soon'"),
    "param not an integer": (["run", "cpu", "--param", "n=x"], "cpu: n wants an integer, got 'x'"),
    "param not positive": (["run", "download", "--param", "seconds=-1"], "must be more than 0"),
    "unknown user param": (["run", task("with_param"), "--param", "size=1", "--param", "colour=2"],
                           "unexpected keyword argument 'colour'"),
    "asyncio on a plain function": (["run", task("simulate_download"), "--mode", "asyncio"],
                                    "asyncio cannot run simulate_download"),
    "negative timeout": (["run", "download", "--timeout", "-1"], "--timeout"),
    "timeout not a number": (["run", "download", "--timeout", "nan"], "--timeout"),
    "repeat zero": (["compare", "download", "--repeat", "0"], "--repeat must be between"),
    "compare with nothing runnable": (["compare", task("simulate_download"), "--modes", "asyncio"],
                                      "asyncio cannot run simulate_download"),
}


def _assert_one_line_usage_error(args: list[str], says: str) -> None:
    result = conctui(*args)
    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err
    assert says in result.err


@pytest.mark.parametrize(("args", "says"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    _assert_one_line_usage_error(args, says)


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def work(index):\n    return (\n")
    _assert_one_line_usage_error(["run", f"{broken}:work"], f"syntax error in {broken} line 2")


def test_a_module_that_raises_on_import_is_a_usage_error(tmp_path: Path) -> None:
    angry = tmp_path / "angry.py"
    angry.write_text("raise RuntimeError('not today')\ndef work(index):\n    pass\n")
    _assert_one_line_usage_error(["run", f"{angry}:work"], "raised RuntimeError: not today")
