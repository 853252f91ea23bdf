"""What the CLI prints: one JSON document and nothing else, with the README's fields and types.

The tutorial's own functions run unchanged; what they print lands in their worker's
`output`, never on stdout. Floods of prints or of report() calls neither hang nor bloat it.
"""
from __future__ import annotations

import pytest
from fixtures.command import TESTS, conctui, task

pytestmark = pytest.mark.process

NUMBER = (int, float)
MAYBE_NUMBER = (int, float, type(None))
MAYBE_TEXT = (str, type(None))
MAYBE_INT = (int, type(None))

PYTHON = {"executable": str, "version": str, "implementation": str, "free_threaded": bool,
          "gil_enabled": bool, "logical_cores": int, "usable_cores": int, "platform": str,
          "start_methods": list, "hostname": str}
HEADER = {**PYTHON, "start_method": str}
RUN = {"mode": str, "workload": str, "params": dict, "workers": int, "python": dict, "start_method": str,
       "status": str, "error": MAYBE_TEXT, "wall_s": NUMBER, "cpu_s": NUMBER, "parallelism": NUMBER,
       "per_worker": list, "cluster": (dict, type(None))}
WORKER = {"index": int, "pid": int, "tid": int, "host": str, "status": str, "wall_s": NUMBER,
          "cpu_s": NUMBER, "error": MAYBE_TEXT, "exitcode": MAYBE_INT, "output": list, "dropped_lines": int}
SUMMARY = {"executable": str, "python_version": str, "gil_enabled": bool, "workload": str, "workers": int,
           "mode": str, "runs": int, "ok_runs": int, "wall_s": NUMBER, "wall_min": NUMBER, "wall_max": NUMBER,
           "cpu_s": NUMBER, "parallelism": NUMBER, "usable_cores": int, "speedup": NUMBER,
           "efficiency": NUMBER}
WORKLOAD = {"name": str, "kind": str, "description": str, "params": dict, "async": bool}


def _assert_fields(document: dict, schema: dict) -> None:
    missing = set(schema) - set(document)
    assert not missing, f"missing fields {sorted(missing)}"
    wrong = {name: type(document[name]).__name__ for name, kind in schema.items()
             if not isinstance(document[name], kind) or (kind is not bool and isinstance(document[name], bool))}
    assert not wrong, f"fields of the wrong type: {wrong}"


def _assert_run(run: dict, mode: str, workers: int) -> None:
    _assert_fields(run, RUN)
    _assert_fields(run["python"], PYTHON)
    assert (run["mode"], run["workers"], run["status"]) == (mode, workers, "done")
    assert run["parallelism"] == pytest.approx(run["cpu_s"] / run["wall_s"], rel=0.05, abs=0.002)
    assert [w["index"] for w in run["per_worker"]] == list(range(workers))
    for worker in run["per_worker"]:
        _assert_fields(worker, WORKER)
        assert worker["status"] == "done"
        assert all(isinstance(line, str) for line in worker["output"])
    pids = {w["pid"] for w in run["per_worker"]}
    assert len(pids) == (workers if mode == "processes" else 1)


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_the_tutorials_download_runs_unchanged_and_its_prints_are_captured(mode: str) -> None:
    result = conctui("run", task("simulate_download"), "--mode", mode, "--workers", "3", "--json")
    assert result.code == 0, result.err
    document = result.json()  # stdout is exactly one JSON document: no stray print reached it
    _assert_fields(document["header"], HEADER)
    run = result.run()
    _assert_run(run, mode, 3)
    assert run["workload"] == "simulate_download"
    for worker in run["per_worker"]:
        i = worker["index"]
        assert worker["output"] == [f"Thread {i}: Starting download", f"Thread {i}: Download complete"]
        assert worker["dropped_lines"] == 0


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_a_workload_named_by_module_is_imported_from_the_current_folder(mode: str) -> None:
    result = conctui("run", "fixtures.user_tasks:simulate_download", "--mode", mode, "--workers", "2", "--json",
                     cwd=TESTS)
    assert result.code == 0, result.err
    assert [w["output"][0] for w in result.run()["per_worker"]] == [
        "Thread 0: Starting download", "Thread 1: Starting download"]


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_the_tutorials_calculation_runs_unchanged(mode: str) -> None:
    result = conctui("run", task("calculate"), "--mode", mode, "--workers", "2", "--json")
    assert result.code == 0, result.err
    run = result.run()
    _assert_run(run, mode, 2)
    expected = sum(i * i for i in range(200_000))
    for worker in run["per_worker"]:
        assert worker["output"][-1] == f"Process {worker['index']}: Result is {expected}"
        assert worker["cpu_s"] > 0


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_raw_writes_to_fd_1_and_2_never_reach_the_terminal(mode: str) -> None:
    result = conctui("run", task("raw_write"), "--mode", mode, "--workers", "2", "--json")
    assert result.code == 0, result.err
    assert "raw bytes" not in result.out and "raw bytes" not in result.err
    assert [w["output"] for w in result.run()["per_worker"]] == [["printed 0"], ["printed 1"]]


def test_a_million_printed_lines_keep_the_cap_and_count_the_rest() -> None:
    lines = 1_000_000
    result = conctui("run", task("flood"), "--mode", "threads", "--workers", "1", "--json", timeout=60)
    assert result.code == 0, result.err
    (worker,) = result.run()["per_worker"]
    kept = len(worker["output"])
    assert 0 < kept <= 100
    assert worker["output"][:3] == ["0", "1", "2"]
    assert kept + worker["dropped_lines"] == lines
    assert len(result.out) < 100_000


def _slowest_wall(function: str, mode: str, workers: int) -> float:
    result = conctui("run", task(function), "--mode", mode, "--workers", str(workers), "--json", timeout=120)
    assert result.code == 0, result.err
    per_worker = result.run()["per_worker"]
    assert {w["status"] for w in per_worker} == {"done"}
    return max(w["wall_s"] for w in per_worker)


# Floods handled badly cost minutes: a send per report() is ~10 us a call (10 s a million), a
# growing line kept whole is quadratic. Handled well, a million report() calls cost ~2x the bare
# loop and 200,000 captured writes ~20x a plain Python stream's (its line discipline). The
# reference runs just before, on the same machine, so load falls on both.
FLOOD_MARGIN = 50.0


def test_a_million_report_calls_do_not_flood_the_pipe() -> None:
    reference = _slowest_wall("counting", "processes", 2)
    assert _slowest_wall("chatter", "processes", 2) < FLOOD_MARGIN * reference + 0.5


def test_compare_json_has_medians_speedup_and_efficiency() -> None:
    result = conctui("compare", "download", "--workers", "2", "--modes", "sequential,threads,asyncio",
                     "--repeat", "2", "--param", "seconds=0.5", "--param", "steps=2", "--json")
    assert result.code == 0, result.err
    document = result.json()
    _assert_fields(document["header"], HEADER)
    assert document["unavailable"] == {}
    assert [(r["mode"], r["status"]) for r in document["runs"]] == [
        (mode, "done") for mode in ("sequential", "threads", "asyncio") for _ in range(2)]
    for run in document["runs"]:
        _assert_run(run, run["mode"], 2)
    rows = {row["mode"]: row for row in document["summary"]}
    assert list(rows) == ["sequential", "threads", "asyncio"]
    for row in rows.values():
        _assert_fields(row, SUMMARY)
        assert (row["runs"], row["ok_runs"]) == (2, 2)
        assert row["wall_min"] <= row["wall_s"] <= row["wall_max"]
        assert row["efficiency"] == pytest.approx(row["speedup"] / min(2, row["usable_cores"]), abs=0.002)
    assert rows["sequential"]["speedup"] == 1.0
    assert rows["threads"]["speedup"] > 1.3 and rows["asyncio"]["speedup"] > 1.3  # two sleeps overlap


def test_compare_lists_an_unavailable_mode_with_its_reason() -> None:
    result = conctui("compare", task("simulate_download"), "--workers", "1", "--modes", "threads,asyncio", "--json")
    assert result.code == 0, result.err
    document = result.json()
    assert [row["mode"] for row in document["summary"]] == ["threads"]
    assert "plain function" in document["unavailable"]["asyncio"]


def test_workloads_json_lists_every_builtin() -> None:
    result = conctui("workloads", "--json")
    assert result.code == 0, result.err
    listing = result.json()
    assert [item["name"] for item in listing] == ["download", "http", "disk", "cpu", "hashlib", "shared",
                                                   "transfer"]
    for item in listing:
        _assert_fields(item, WORKLOAD)
        assert item["params"], item["name"]
    assert {item["name"] for item in listing if item["async"]} == {"download", "http"}


@pytest.mark.parametrize(("function", "lines"), [
    ("progress_bar", [" 99% |################### |", "done"]),  # what a terminal would show
    ("endless_line", ["x" * 1000]),  # cut, like every line
])
@pytest.mark.timing
def test_an_unfinished_line_written_in_pieces_costs_no_more_than_printing(function: str, lines: list[str]) -> None:
    reference = _slowest_wall("writing", "threads", 1)
    result = conctui("run", task(function), "--mode", "threads", "--workers", "1", "--json", timeout=120)
    assert result.code == 0, result.err
    (worker,) = result.run()["per_worker"]
    assert worker["output"] == lines
    assert worker["wall_s"] < FLOOD_MARGIN * reference + 3.0  # keeping the whole growing line took minutes
