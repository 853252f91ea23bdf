"""`conctui watch --json` on programs written the way users write them: the kinds of waiting,
the GIL and the roles order as they should (wide margins), bad targets get one line and exit
2, and a watch never leaves a launched program behind nor touches an attached one."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psutil
import pytest
from conctui.engine.recording import read_recording
from conctui.engine.watch.model import WatchModel
from fixtures.watching import WATCH, fixture, mean, program, running_with, threads_named, watch, watch_json

pytestmark = pytest.mark.process


def test_pure_python_threads_wait_for_the_gil_and_hashlib_threads_do_not() -> None:
    with program("threads", "30", threads=5) as pid:
        crunching = watch_json(str(pid))
    with program("hashlib", "30", threads=3) as pid:
        hashing = watch_json(str(pid))
    crunchers, hashers = threads_named(crunching, "cruncher_"), threads_named(hashing, "hasher_")
    assert len(crunchers) == 4 and len(hashers) == 2
    assert crunching["target"]["python"].startswith("CPython 3.") and crunching["target"]["launched"] is False
    assert mean([t["gil_wait"] for t in crunchers]) > 0.15 + 3 * mean([t["gil_wait"] for t in hashers])
    assert mean([t["gil_held"] for t in hashers]) < 0.5 * mean([t["gil_held"] for t in crunchers])
    assert all(t["top"].startswith("crunch (watch_threads.py:") for t in crunchers)
    assert "gil_bound" in [line["reason"] for line in crunching["verdict"]]


def test_threads_contending_for_one_lock_mostly_wait_on_it() -> None:
    with program("lock", "30", threads=5) as pid:
        document = watch_json(str(pid))
    lockers = threads_named(document, "locker_")
    assert len(lockers) == 4
    for kind in ("running", "gil_wait", "io_wait", "sleep", "other"):
        assert mean([t["states"]["lock_wait"] for t in lockers]) > 1.5 * mean([t["states"][kind] for t in lockers])


class Quiet(ThreadingHTTPServer):
    request_queue_size = 128  # 16 connections at once: the default backlog of 5 would delay them by SYN retries

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed mid-response when the test ends its program


class Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        time.sleep(0.05)
        body = b"x" * 1000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_an_io_fan_out_waits_on_io() -> None:
    server = Quiet(("127.0.0.1", 0), Slow)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with program("fetch", url, "30", threads=9) as pid:
            document = watch_json(str(pid))
    finally:
        server.shutdown()
        server.server_close()
    fetchers = threads_named(document, "fetcher_")
    assert len(fetchers) == 8
    io, gil = (mean([t["states"][kind] for t in fetchers]) for kind in ("io_wait", "gil_wait"))
    assert io > 2 * gil and io > 0.3, [t["states"] for t in fetchers]


def test_a_pool_shows_its_worker_processes() -> None:
    with program("pool", "30", "2", threads=4) as pid:
        document = watch_json(str(pid))
    roles = sorted(p["role"] for p in document["processes"])
    assert roles.count("main") == 1 and roles.count("worker") == 2, roles
    workers = [p for p in document["processes"] if p["role"] == "worker"]
    main = next(p for p in document["processes"] if p["role"] == "main")
    assert all(p["ppid"] == pid and p["python"] == main["python"] for p in workers)
    assert sum(p["cpu"] for p in workers) > 5 * main["cpu"]
    assert all(t["top"] and "crunch (watch_pool.py:" in t["top"] for p in workers for t in p["threads"][:1])


def test_hostile_names_and_output_stay_exact_in_json_and_harmless_in_text(tmp_path) -> None:
    document = watch_json("--", sys.executable, fixture("hostile"), "3", duration=10)
    (evil,) = threads_named(document, "evil")
    assert evil["name"] == "evil\x1b[2J\x1b[H\x1b]0;owned\x07[bold red]boom[/]"  # exact: JSON escapes it
    text = watch("--duration", "10", "--", sys.executable, fixture("hostile"), "3")
    assert text.returncode == 0
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    assert "evil␛[2J␛[H" in text.stdout  # the name, cut to its column, shown and not obeyed


@pytest.mark.parametrize(("args", "said"), [
    (["999999999"], "no process with pid 999999999"),
    (["--"], "nothing to run after --"),
    (["--", "no-such-command-here"], "command not found: no-such-command-here"),
    (["--", "sleep", "30"], "sleep is not Python"),
    (["12x"], "not a pid: 12x"),
])
def test_bad_targets_get_one_line_and_exit_2(args: list[str], said: str) -> None:
    done = watch("--json", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and said in done.stderr, done.stderr
    assert not running_with("no-such-command-here")


def test_a_program_that_is_not_python_a_zombie_and_conctui_itself_are_refused() -> None:
    sleeper = subprocess.Popen(["sleep", "30"])
    zombie = subprocess.Popen(["true"])
    try:
        while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE:
            time.sleep(0.01)
        for pid, said in ((sleeper.pid, "(sleep) is not Python"), (zombie.pid, "is a zombie")):
            done = watch(str(pid))
            assert done.returncode == 2 and said in done.stderr, done.stderr
        itself = subprocess.run(["sh", "-c", 'exec "$0" -m conctui watch $$', sys.executable],
                                capture_output=True, text=True, timeout=60)
        assert itself.returncode == 2 and "is conctui itself" in itself.stderr
    finally:
        sleeper.kill()
        sleeper.wait()
        zombie.wait()


def test_a_launched_program_that_exits_mid_watch_is_reported_with_its_code() -> None:
    began = time.monotonic()
    document = watch_json("--", sys.executable, fixture("threads"), "1.5", duration=30)
    assert time.monotonic() - began < 20
    assert document["target"]["launched"] is True
    assert document["target"]["ended"]["code"] == 0 and document["target"]["ended"]["t"] < 10
    assert threads_named(document, "cruncher_")  # the figures are kept


def test_an_attached_program_runs_on_after_the_watch() -> None:
    with program("threads", "30", threads=5) as pid:
        document = watch_json(str(pid), duration=2)
        assert document["target"]["ended"] is None
        assert psutil.Process(pid).status() != psutil.STATUS_ZOMBIE


def test_a_launched_pool_leaves_nothing_behind() -> None:
    document = watch_json("--", sys.executable, fixture("pool"), "60", "2", duration=3)
    assert len([p for p in document["processes"] if p["role"] == "worker"]) == 2
    left = [p for p in running_with(fixture("pool")) if p.pid in {q["pid"] for q in document["processes"]}]
    assert not left  # its own processes: another test (run beside it by xdist) may be running the fixture too


def test_the_replay_of_a_recorded_watch_equals_the_live_one(tmp_path) -> None:
    path = tmp_path / "watch.jsonl"
    with program("threads", "30", threads=5) as pid:
        live = watch_json(str(pid), "--record", str(path), duration=3)
    model = WatchModel()
    model.fold(read_recording(path).events)
    assert json.loads(json.dumps(model.document(), ensure_ascii=False)) == live
    replayed = subprocess.run([*WATCH[:-1], "replay", str(path), "--json"], capture_output=True, text=True, timeout=60)
    assert replayed.returncode == 0 and json.loads(replayed.stdout) == live
    exported = subprocess.run([*WATCH[:-1], "export", str(path), "--svg", str(tmp_path / "x.svg")],
                              capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    assert "cruncher_3" in (tmp_path / "x.svg").read_text() and "under" in (tmp_path / "x.svg").read_text()


def test_a_launched_program_dies_with_conctui_even_by_sigkill() -> None:
    watching = subprocess.Popen([*WATCH, "--json", "--duration", "60", "--", sys.executable, fixture("pool"), "60",
                                 "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def pool() -> list:  # the program and its forked workers: `python watch_pool.py ...`, not the
            # conctui watch and the launch shim, whose argv also name the program
            return [p for p in running_with(fixture("pool")) if p.info["cmdline"][1:2] == [fixture("pool")]]

        deadline = time.monotonic() + 30
        while len(pool()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(pool()) == 3  # the program and its 2 workers
    finally:
        watching.kill()
        watching.wait()
    deadline = time.monotonic() + 5
    while running_with(fixture("pool")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running_with(fixture("pool"))
