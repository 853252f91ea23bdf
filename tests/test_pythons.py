"""--python: the workers run under another real interpreter; what is not a usable Python is
one line and exit 2; finding the Pythons on the box starts no process."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conctui.engine.pythons import find_pythons, probe
from conctui.engine.spec import UsageError
from fixtures.command import conctui
from fixtures.pythons import PYENV, pyenv_python

FAST = ["--param", "seconds=0.1", "--param", "steps=2"]


@pytest.mark.parametrize("make_path", [
    lambda tmp: "/bin/true",
    lambda tmp: str(tmp / "no-such-python"),
    lambda tmp: pyenv_python("2.7"),
    lambda tmp: _dies_at_start(tmp),
], ids=["not-a-python", "missing", "python2.7", "dies-at-start"])
@pytest.mark.process
def test_an_unusable_python_is_one_line_and_exit_2(make_path, tmp_path) -> None:
    python = make_path(tmp_path)
    result = conctui("run", "download", "--python", python, *FAST)
    assert result.code == 2, (result.out, result.err)
    assert result.err.count("\n") == 1 and python in result.err and "Traceback" not in result.err, result.err


def _dies_at_start(tmp) -> str:
    """A Python whose start-up fails: its interpreter exits before running anything."""
    script = tmp / "python3.99"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import sys; sys.exit(\"broken stdlib\")'\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.process
@pytest.mark.parametrize("version", ["3.9", "3.12", "3.13"])
def test_the_workers_run_under_the_python_given(version: str) -> None:
    python = pyenv_python(version)
    result = conctui("run", "download", "--workers", "2", "--python", python, *FAST, "--json")
    assert result.code == 0, result.err
    document = result.json()
    for info in (document["header"], result.run()["python"]):
        assert info["version"].startswith(version + ".")
        assert os.path.realpath(info["executable"]) == os.path.realpath(python)
        assert info["free_threaded"] is False and info["gil_enabled"] is True
    assert {w["status"] for w in result.run()["per_worker"]} == {"done"}


@pytest.mark.process
def test_compare_prints_a_row_per_interpreter_and_mode() -> None:
    old, new = pyenv_python("3.12"), pyenv_python("3.13")
    result = conctui("compare", "download", "--workers", "2", "--modes", "sequential,threads,interpreters",
                     "--python", old, "--python", new, *FAST, "--json")
    assert result.code == 0, result.err
    document = result.json()
    rows = {(row["python_version"][:4], row["mode"]) for row in document["summary"]}
    assert rows == {("3.12", "sequential"), ("3.12", "threads"),
                    ("3.13", "sequential"), ("3.13", "threads"), ("3.13", "interpreters")}
    assert old in document["unavailable"]["interpreters"] and new not in document["unavailable"]["interpreters"]
    assert [p["version"][:4] for p in document["pythons"]] == ["3.12", "3.13"]
    table = conctui("compare", "download", "--workers", "2", "--modes", "sequential", "--python", old,
                    "--python", new, *FAST)
    # each Python's label heads its rows (a column of it would pass 80 columns)
    lines = table.out.splitlines()
    rows = [number for number, line in enumerate(lines) if line.startswith("  sequential ") and line.endswith("1/1")]
    assert table.code == 0 and [lines[number - 1][:4] for number in rows] == ["3.12", "3.13"], table.out
    assert max(len(line) for line in lines) <= 80, table.out


@pytest.mark.process
def test_run_takes_one_python() -> None:
    result = conctui("run", "download", "--python", sys.executable, "--python", sys.executable)
    assert result.code == 2 and "compare takes several" in result.err


@pytest.mark.process
def test_finding_the_pythons_starts_no_process() -> None:
    code = ("import sys\n"
            "started = []\n"
            "sys.addaudithook(lambda event, args: event in ('subprocess.Popen', 'os.posix_spawn', 'os.exec', "
            "'os.fork') and started.append(event))\n"
            "from conctui.engine.pythons import find_pythons\n"
            "found = find_pythons(['/bin/true'])\n"
            "assert not started, started\n"
            "print(len(found))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 2  # this Python and the one given, at least


def test_found_pythons_include_pyenvs_and_say_what_their_names_tell() -> None:
    if not PYENV.is_dir():
        pytest.skip(f"no pyenv versions under {PYENV}")
    found = {os.path.realpath(p.path): p for p in find_pythons()}
    old = found.get(os.path.realpath(pyenv_python("2.7")))
    assert old is not None and old.version == (2, 7) and "below" in old.unavailable
    new = found[os.path.realpath(pyenv_python("3.13"))]
    assert new.version == (3, 13) and new.unavailable is None and new.label == "3.13"
    # each real file once, a free-threaded one once with the GIL off and once with it on
    assert len({(os.path.realpath(p.path), p.python_gil) for p in find_pythons()}) == len(find_pythons())
    assert len(found) == len({os.path.realpath(p.path) for p in find_pythons()})


@pytest.mark.process
def test_probe_says_what_a_python_can_do() -> None:
    info = probe(pyenv_python("3.13"))
    assert info.version.startswith("3.13.") and info.interpreters.api == "_interpreters"
    assert probe(pyenv_python("3.12")).interpreters.api is None
    with pytest.raises(UsageError):
        probe("/bin/true")
