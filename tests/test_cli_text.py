"""What the headless commands print, read as a person reads it: every table within 80 columns,
figures written one way (engine/text.py), a live line only where a person watches, and the
command line's guesses (`conctui cpu`, `--version`). No process starts here: the figures are
the real ones of recorded sessions, read back."""
from __future__ import annotations

import argparse
import io
import os
import re
from collections.abc import Callable
from copy import deepcopy
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from conctui.cli import main
from conctui.cli.args import with_command
from conctui.cli.checks import modes_and_repeat
from conctui.cli.commands import COMMANDS
from conctui.cli.documents import replay_figures
from conctui.cli.progress import CLEAR, LiveProgress, progress_line
from conctui.cli.report import print_compare, print_run, print_sweep, print_workloads, prose, table
from conctui.engine.claims import measured
from conctui.engine.events import WorkerFinished
from conctui.engine.figures import summarize
from conctui.engine.modes import MODES, runnable
from conctui.engine.recording import read_recording
from conctui.engine.spec import UsageError
from conctui.engine.state import SessionState, apply
from conctui.engine.sweep import fits
from conctui.engine.text import (
    BY_REFERENCE,
    byte_size,
    figure,
    ipc_cell,
    memory_lines,
    percent,
    python_label,
    run_ipc_cell,
    short_note,
    worker_ipc,
)
from conctui.runner.request import RunnerInfo, WorkloadFacts
from fixtures import demo

RECORDINGS = Path(__file__).resolve().parent.parent / "screenshots"
COMPARES = ["cpu-compare", "memory", "compare-download", "dask-two-hosts"]
WIDTH = 80


@pytest.fixture(scope="module")
def documents() -> dict[str, dict]:
    return {name: replay_figures(str(RECORDINGS / f"{name}.jsonl"))[0] for name in [*COMPARES, "sweep"]}


def _printed(capsys: pytest.CaptureFixture, show: Callable[..., None], *args: Any) -> list[str]:
    show(*args)
    out = capsys.readouterr().out
    assert out.strip(), "nothing printed"
    return out.splitlines()


def _assert_fits(lines: list[str]) -> None:
    wide = [line for line in lines if len(line) > WIDTH]
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("name", COMPARES)
def test_the_compare_and_run_reports_fit_80_columns(name: str, documents: dict, capsys: pytest.CaptureFixture) -> None:
    document = documents[name]
    _assert_fits(_printed(capsys, print_compare, name, document["summary"], document["runs"], [], False))
    for run in document["runs"]:
        _assert_fits(_printed(capsys, print_run, run, summarize([run])))


def test_under_several_pythons_each_pythons_rows_sit_under_its_name(documents: dict,
                                                                   capsys: pytest.CaptureFixture) -> None:
    rows = documents["cpu-compare"]["summary"]
    free = [dict(row, python_version="3.13.5", free_threaded=True, python_gil="0") for row in rows]
    python = documents["cpu-compare"]["runs"][0]["python"]
    left_out = [(dict(python, version="3.13.5", free_threaded=True, python_gil="0"), "dask", "no distributed here")]
    lines = _printed(capsys, print_compare, "cpu", rows + free, documents["cpu-compare"]["runs"], left_out, True)
    _assert_fits(lines)
    heads = [number for number, line in enumerate(lines) if line in (python_label(python["version"], False),
                                                                      "3.13.5t GIL off")]
    assert len(heads) == 3  # the table's two, then the memory lines' one (only the first Python's runs ran)
    assert [lines[heads[1] + 1 + n].split()[0] for n in range(len(rows))] == [row["mode"] for row in rows]
    assert any(line.startswith("3.13.5t GIL off dask left out: no distributed here") for line in lines)


def test_the_worker_table_fits_with_its_widest_cells(documents: dict, capsys: pytest.CaptureFixture) -> None:
    run = deepcopy(documents["memory"]["runs"][-1])
    for worker in run["per_worker"]:
        worker.update(status="cancelled", pid=4194304, tid=4194305, wall_s=1234.5678, cpu_s=1234.5678,
                      gil_held=1.0, gil_wait=1.0, gil_off_cpu=1.0, error="ValueError: " + "x" * 200,
                      ipc={"in_s": 12.3, "out_s": 1.0, "in_bytes": 600_000_000, "out_bytes": 71_000_000})
    lines = _printed(capsys, print_run, run, summarize([run]))
    _assert_fits([line for line in lines if "error:" not in line])  # an error is a line of its own, as long as it is
    assert any(line.startswith("[0] error: ValueError: xxx") for line in lines)


def test_the_sweep_and_the_workloads_fit_80_columns(documents: dict, capsys: pytest.CaptureFixture) -> None:
    _assert_fits(_printed(capsys, print_sweep, documents["sweep"]["sweep"]))
    listing = [{"name": "cpu", "kind": "cpu", "description": "a description " * 12, "params": {"n": 1},
                "async": True}]
    _assert_fits(_printed(capsys, print_workloads, listing))


def test_a_figure_and_its_unit_are_never_split_by_wrapping(capsys: pytest.CaptureFixture) -> None:
    lines = _printed(capsys, prose, "x" * 74 + " 0.30 s against 296 ms", "")
    assert lines == ["x" * 74, "0.30 s against 296 ms"]


def test_figures_are_written_one_way() -> None:
    assert (figure(None), figure(0.0, " s"), figure(1.2849, "x"), figure(2.5, " s", 1)) == ("-", "0.00 s", "1.28x",
                                                                                           "2.5 s")
    assert (percent(None), percent(0.456), percent(0.0)) == ("-", "46%", "0%")
    assert [byte_size(n) for n in (98, 4_200, 671_000_000, 3.2e9)] == ["98 B", "4.2 kB", "671 MB", "3.2 GB"]
    assert (ipc_cell(None, False), ipc_cell(0.0, True), ipc_cell(0.38, False)) == ("-", BY_REFERENCE, "38%")
    nothing_moved = {"share": 0.0, "in_bytes": 0, "out_bytes": 0, "in_s": 0.0, "out_s": 0.0}
    assert run_ipc_cell(nothing_moved) == worker_ipc(nothing_moved) == BY_REFERENCE == "ref"  # the TUI's and the CLI's
    assert worker_ipc({"in_s": 0.4, "out_s": 0.02, "in_bytes": 16_000_000, "out_bytes": 800_000}) == "0.42 s 16.8 MB"
    assert python_label("3.13.5", True, "0") == "3.13.5t GIL off" and python_label("3.11.7", False, "0") == "3.11.7"
    assert short_note("own GIL in each worker process") == "own GIL" and short_note(None) == "-"


def test_memory_lines_pass_the_boundary() -> None:
    figures = {"memory": {"lines": ["counter: parent 0 \x1b[2J→ 2"]}, "ipc": {"line": "IPC 0 s"}}
    assert memory_lines(figures) == ["counter: parent 0 ␛[2J→ 2", "IPC 0 s"]


def test_compare_runs_by_default_every_mode_that_can_run_and_names_the_rest() -> None:
    assert modes_and_repeat(argparse.Namespace(modes=None, repeat=1)) == list(MODES)
    info = RunnerInfo(demo.PYTHON, WorkloadFacts("crunch"))
    modes, left_out = runnable(info)
    assert modes == ["sequential", "threads", "processes"]  # the demo Python has neither dask nor sub-interpreters
    assert set(left_out) == {"asyncio", "interpreters", "dask"}
    assert "plain function" in left_out["asyncio"] and "distributed" in left_out["dask"]


def _events(name: str) -> list:
    return read_recording(str(RECORDINGS / f"{name}.jsonl")).events


def test_the_live_line_counts_runs_workers_done_and_elapsed_seconds() -> None:
    state, stream = SessionState(), io.StringIO()
    progress = LiveProgress("compare", state, planned=3, stream=stream)
    for event in _events("cpu-compare"):
        apply(state, event)
        progress([event])
        if isinstance(event, WorkerFinished):
            break
    line = progress_line("compare", state, planned=3)
    assert line is not None and re.fullmatch(r"compare: 1/3 runs · sequential x2 · 1/2 workers done · \d+\.\d s", line)
    assert stream.getvalue().startswith(CLEAR + "compare: 1/3 runs")
    progress.close()
    assert stream.getvalue().endswith(CLEAR)  # erased: the report starts on a clean line


def test_no_live_line_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert LiveProgress.wanted("run", SessionState(), 1) is None


@pytest.mark.parametrize(("argv", "parsed"), [
    ([], ["tui"]),
    (["cpu"], ["tui", "cpu"]),
    (["--workers", "4"], ["tui", "--workers", "4"]),
    (["tasks.py:work", "--start"], ["tui", "tasks.py:work", "--start"]),
    (["run", "cpu"], ["run", "cpu"]),
    (["--version"], ["--version"]),
])
def test_a_bare_workload_or_option_opens_the_tui(argv: list[str], parsed: list[str]) -> None:
    assert with_command(argv, COMMANDS) == parsed


def test_a_mistyped_command_is_named(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(UsageError, match="did you mean `conctui sweep`"):
        with_command(["sweeep", "cpu"], COMMANDS)
    with pytest.raises(UsageError, match="did you mean `conctui replay talk.jsonl`"):
        with_command(["talk.jsonl"], COMMANDS)
    assert main(["comprae", "cpu"]) == 2
    assert capsys.readouterr().err == ("conctui: unknown command 'comprae': did you mean `conctui compare`? "
                                       "(see conctui --help)\n")


def test_help_as_a_command_is_the_help_of_conctui_or_of_the_command_named(capsys: pytest.CaptureFixture) -> None:
    for argv, usage in ((["help"], "usage: conctui [-h]"), (["help", "watch"], "usage: conctui watch [-h]")):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0 and capsys.readouterr().out.startswith(usage), argv
    assert main(["help", "wtach"]) == 2
    assert capsys.readouterr().err.startswith("conctui: no command 'wtach' to help with: one of run, ")


@pytest.mark.parametrize("argv, instead", [
    (["cpu"], "`conctui run` and `conctui compare` print the figures without one"),
    (["replay", str(RECORDINGS / "memory.jsonl")], "--json` prints its figures without one"),
    (["watch"], "`conctui watch --json` lists the Python processes without one"),
])
def test_the_tui_without_a_terminal_says_so_in_one_line(argv: list[str], instead: str,
                                                        capsys: pytest.CaptureFixture) -> None:
    """Under pytest, stdout is captured: no terminal, as in a cron job or a pipe."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("conctui: the TUI needs a terminal") and err.count("\n") == 1 and instead in err, err


def test_version_is_the_installed_packages(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"conctui {version('conctui')}\n"


def test_export_says_what_it_wrote_and_its_size(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "frame.svg"
    assert main(["export", str(RECORDINGS / "memory.jsonl"), "--svg", str(out), "--size", "80x24", "--at", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed == f"wrote {out}: {byte_size(os.path.getsize(out))}, the frame at 1.0 s of " \
                      f"{printed.split(' of ')[1].split(',')[0]}, 80x24\n"
    assert os.path.getsize(out) > 1000


def test_a_claim_without_a_start_up_figure_leaves_it_out_rather_than_reading_0() -> None:
    python = {"free_threaded": False, "gil_enabled": True}
    runs = [{"workload": "download", "mode": mode, "workers": 3, "status": "done", "wall_s": wall, "python": python,
             "startup_s": None, "ipc": None} for mode, wall in (("processes", 2.31), ("threads", 2.01))]
    (_, figure_said), = [(c, f) for c, f in measured(runs, 2) if c.key == "5"]
    assert figure_said == "processes took 2.31 s against threads' 2.01 s."
    runs[0]["startup_s"] = 0.25
    assert [f for c, f in measured(runs, 2) if c.key == "5"] == [
        "processes took 2.31 s against threads' 2.01 s; their workers began 0.25 s after launch."]


def test_a_sweep_of_one_count_beyond_one_is_not_called_a_fit(documents: dict, capsys: pytest.CaptureFixture) -> None:
    sweep = deepcopy(documents["sweep"]["sweep"])
    sweep["points"] = [p for p in sweep["points"] if p["workers"] <= 2]
    sweep["fits"] = fits(sweep["points"])
    text = "\n".join(_printed(capsys, print_sweep, sweep))
    assert "fit good" not in text and "over 1 " not in text
    assert re.search(r"^threads: serial fraction \d\.\d\d: from one worker count beyond 1, so not a fit", text,
                     re.MULTILINE), text


def test_a_table_too_wide_leaves_out_its_optional_columns_and_says_so(documents: dict,
                                                                     capsys: pytest.CaptureFixture) -> None:
    rows = deepcopy(documents["cpu-compare"]["summary"])
    for row in rows:  # reasons in both GIL cells and a two-digit wall: 81 columns with every column
        row.update(wall_s=11.36, gil_wait=None, gil_note="not sampled: too short", gil_held=None)
    lines = _printed(capsys, print_compare, "cpu", rows, [], [], False)
    _assert_fits(lines)
    assert lines[1].split()[:3] == ["mode", "wall", "parallel"]  # cpu went first
    assert "(cpu left out to fit 80 columns; --json has every figure)" in lines
    columns, left_out = table((("a", "<"), ("b", "<")), [("x" * 50, "y" * 50)], optional=("b",))
    assert left_out == ["b"] and columns == ["a", "x" * 50]
