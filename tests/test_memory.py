"""Threads share memory, processes do not, and crossing between them costs: on real runs.

The `shared` lesson in every mode that fixes the values (exact parent and worker figures),
the free-threaded build's lost updates (only bounded, never asserted to happen), what crossing
costs (`transfer`), and the ways a value cannot cross.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conctui.engine.pythons import find_pythons
from fixtures.command import conctui
from fixtures.pythons import freethreaded_python

pytestmark = pytest.mark.process

TASKS = Path(__file__).parent / "fixtures" / "memory_tasks.py"
ROUNDS, WORKERS = 3000, 2
SHARED = ["shared", "--workers", str(WORKERS), "--param", f"rounds={ROUNDS}", "--param", "work=5", "--json"]


def python313() -> str:
    """A plain (GIL) CPython 3.13 as conctui's finder sees it: the sub-interpreters' Python."""
    for found in find_pythons():
        if found.version == (3, 13) and not found.free_threaded:
            probe = conctui("run", "download", "--param", "seconds=0.01", "--python", found.path, "--json")
            if probe.code == 0:
                return found.path
    pytest.skip("no working CPython 3.13 among the Pythons conctui finds")


def _names(run: dict) -> dict:
    return run["memory"]["names"]


def _parent(run: dict, name: str) -> list:
    return _names(run)[name]["parent"]


@pytest.mark.parametrize("mode", ["sequential", "threads"])
def test_workers_in_the_parents_memory_leave_every_bump_in_the_parent(mode: str) -> None:
    result = conctui("run", *SHARED, "--mode", mode)
    assert result.code == 0, result.err
    run = result.run()
    assert run["python"]["gil_enabled"]  # with the GIL, `counter += 1` is not cut between its load and store
    assert _parent(run, "counter") == [0, WORKERS * ROUNDS]
    assert _parent(run, "items") == [["len", 0], ["len", WORKERS * ROUNDS]]
    assert run["memory"]["shared"] is True and _names(run)["counter"]["workers"] is None
    assert run["memory"]["lines"][0] == f"counter: parent 0 → {WORKERS * ROUNDS}"


def _own_copies(run: dict) -> None:
    assert run["status"] == "done", run
    assert run["memory"]["shared"] is False
    assert _parent(run, "counter") == [0, 0]
    assert _names(run)["counter"]["workers"] == [[0, ROUNDS]] * WORKERS
    assert _names(run)["items"]["workers"] == [[["len", 0], ["len", ROUNDS]]] * WORKERS
    assert run["memory"]["lines"] == [f"counter: parent 0 → 0; each worker 0 → {ROUNDS}",
                                      f"len(items): parent 0 → 0; each worker 0 → {ROUNDS}"]


def test_each_process_changes_its_own_copy_and_the_parent_keeps_0() -> None:
    result = conctui("run", *SHARED, "--mode", "processes")
    assert result.code == 0, result.err
    _own_copies(result.run())


def test_each_subinterpreter_changes_its_own_copy_too() -> None:
    result = conctui("run", *SHARED, "--mode", "interpreters", "--python", python313(), timeout=120)
    assert result.code == 0, result.err
    _own_copies(result.run())


def test_each_dask_worker_process_changes_its_own_copy() -> None:
    pytest.importorskip("distributed", reason="distributed is not installed: pip install 'conctui[dask]'")
    result = conctui("run", *SHARED, "--mode", "dask", timeout=120)
    assert result.code == 0, result.err
    _own_copies(result.run())  # a fresh LocalCluster: one new worker process per task


def test_a_users_plain_function_shows_the_same_lesson() -> None:
    result = conctui("compare", f"{TASKS}:bump", "--workers", "2", "--modes", "threads,processes", "--json")
    assert result.code == 0, result.err
    threads, processes = result.json()["runs"]
    assert threads["memory"]["lines"] == ["len(seen): parent 0 → 2000", "total: parent 0 → 2000"]
    assert processes["memory"]["lines"] == ["len(seen): parent 0 → 0; each worker 0 → 1000",
                                            "total: parent 0 → 0; each worker 0 → 1000"]


def test_free_threaded_threads_may_lose_updates_and_never_gain_any() -> None:
    rounds = 100_000
    result = conctui("run", "shared", "--mode", "threads", "--workers", "2", "--param", f"rounds={rounds}",
                     "--param", "work=5", "--python", freethreaded_python(), "--json", timeout=120)
    assert result.code == 0, result.err
    run = result.run()
    assert run["python"]["gil_enabled"] is False
    start, end = _parent(run, "counter")
    counter = _names(run)["counter"]
    assert start == 0 and end <= 2 * rounds
    assert counter["expected"] == 2 * rounds and counter["lost"] == 2 * rounds - end
    print(f"free-threaded counter: {end} of {2 * rounds}, shortfall {counter['lost']}: {counter['line']}")


def _ipc(*params: str, mode: str) -> dict:
    result = conctui("run", "transfer", "--mode", mode, "--workers", "2", *params, "--json", timeout=120)
    assert result.code == 0, result.err
    return result.run()


def test_processes_pay_per_megabyte_threads_copy_nothing() -> None:
    threads = _ipc("--param", "mb=4", "--param", "rounds=3", mode="threads")
    assert threads["ipc"]["in_bytes"] == threads["ipc"]["out_bytes"] == 0
    assert all(w["ipc"]["in_s"] == w["ipc"]["out_s"] == 0 for w in threads["per_worker"])
    small = _ipc("--param", "mb=1", "--param", "rounds=3", mode="processes")
    large = _ipc("--param", "mb=16", "--param", "rounds=3", mode="processes")
    for run, mb in ((small, 1), (large, 16)):  # each call: the payload out and back, pickled
        assert run["ipc"]["in_bytes"] >= 2 * 3 * mb * 1024 * 1024
        assert run["ipc"]["out_bytes"] >= 2 * 3 * mb * 1024 * 1024
    # 16 times the bytes: at least twice the seconds, however busy the machine
    assert large["ipc"]["ipc_s"] > 2 * small["ipc"]["ipc_s"], (small["ipc"], large["ipc"])
    assert large["ipc"]["carrier_mb_s"] > 0 and large["ipc"]["mb_s"] > 0


def test_only_sizes_and_times_leave_the_runner_never_the_values(tmp_path: Path) -> None:
    """8 MB crossed each way per worker; the recording (all the app got) holds figures, not bytes."""
    recording = tmp_path / "transfer.jsonl"
    result = conctui("run", "transfer", "--mode", "processes", "--workers", "2", "--param", "mb=4",
                     "--param", "rounds=2", "--record", str(recording), "--json", timeout=120)
    assert result.code == 0, result.err
    assert result.run()["ipc"]["in_bytes"] >= 2 * 2 * 4 * 1024 * 1024
    text = recording.read_text()
    assert len(text) < 200_000 and "\\u0000" not in text and "\\x80" not in text


def test_an_unpicklable_return_value_fails_its_worker_with_the_reason_the_others_finish() -> None:
    result = conctui("run", f"{TASKS}:lock_for_one", "--mode", "processes", "--workers", "2", "--json")
    assert result.code == 1
    failed, done = result.run()["per_worker"]
    assert failed["status"] == "failed" and "cannot pickle '_thread.lock' object" in failed["error"]
    assert "return value" in failed["error"]
    assert done["status"] == "done" and done["ipc"]["out_bytes"] > 0


def test_a_value_over_the_limit_is_refused_with_the_reason() -> None:
    result = conctui("run", f"{TASKS}:megabytes", "--mode", "processes", "--workers", "1",
                     "--param", "mb=8", "--ipc-limit", "4", "--json")
    assert result.code == 1
    (worker,) = result.run()["per_worker"]
    assert worker["status"] == "failed" and "passes the 4 MiB limit" in worker["error"], worker
    arguments = conctui("run", "transfer", "--mode", "processes", "--workers", "1", "--param", "mb=8",
                        "--param", "rounds=1", "--ipc-limit", "4", "--json")
    (worker,) = arguments.run()["per_worker"]
    assert worker["status"] == "failed" and "its arguments cannot be sent" in worker["error"], worker


def test_a_param_is_data_a_lambda_arrives_as_its_text() -> None:
    """--param values are JSON literals or text: no code can reach a worker through them."""
    for value, shown in (("lambda: 1", "received str 'lambda: 1'"), ("[1, 2]", "received list [1, 2]"),
                         ('{"a": null}', "received dict {'a': None}")):
        result = conctui("run", f"{TASKS}:kind_of", "--mode", "processes", "--workers", "1",
                         "--param", f"value={value}", "--json")
        assert result.code == 0, result.err
        assert result.run()["per_worker"][0]["output"] == [shown]


def _svg_text(path: Path) -> str:
    return html.unescape("".join(re.findall(r">([^<]*)</text>", path.read_text()))).replace("\xa0", " ")


def test_a_recorded_shared_compare_replays_with_the_same_memory_lines(tmp_path: Path) -> None:
    recording = tmp_path / "shared.jsonl"
    live = conctui("compare", *SHARED, "--modes", "threads,processes", "--record", str(recording))
    assert live.code == 0, live.err
    replayed = conctui("replay", str(recording), "--json")
    assert replayed.code == 0, replayed.err
    lines = [run["memory"]["lines"] for run in live.json()["runs"]]
    assert [run["memory"]["lines"] for run in replayed.json()["runs"]] == lines
    assert lines[1][0] == f"counter: parent 0 → 0; each worker 0 → {ROUNDS}"
    frame = tmp_path / "end.svg"
    exported = conctui("export", str(recording), "--svg", str(frame), "--size", "80x24")
    assert exported.code == 0, exported.err
    assert f"counter: parent 0 → 0; each worker 0 → {ROUNDS}" in _svg_text(frame)


def test_the_two_builtins_are_listed_with_kind_and_description() -> None:
    listing = {item["name"]: item for item in conctui("workloads", "--json").json()}
    assert listing["shared"]["kind"] == "memory" and "global" in listing["shared"]["description"]
    assert listing["transfer"]["kind"] == "data" and listing["transfer"]["params"] == {"mb": 8, "rounds": 10}
