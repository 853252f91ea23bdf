"""The live session's controller, without a terminal: what each key does and when it refuses."""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace

import pytest
from conctui.engine.modes import MODES
from conctui.engine.recording import Recorder
from conctui.engine.session import Sink
from conctui.engine.spec import RunSpec, UsageError, parse_params, parse_workload
from conctui.engine.state import SessionState
from conctui.live import LiveController
from conctui.live_plans import case_python, claim_runs, describe_choice
from conctui.runner.request import RunnerInfo, WorkloadFacts
from fixtures import demo


class FakeRun:
    """What FakeSession.start returns: its end is said by the test (Harness.end_run)."""

    def wait(self, timeout: float | None = None) -> bool:
        return True


class FakeSession:
    """Session-shaped: records what it is asked; a run is live until the test says it ended."""

    def __init__(self, sinks: list[Sink], sample_period: float) -> None:
        self.sinks = sinks
        self.period = sample_period
        self.started: list[RunSpec] = []
        self.busy = False
        self.refuse: str | None = None
        self.closed = False
        self.emitted: list = []

    def emit(self, events: list) -> None:
        self.emitted.extend(events)

    def now(self) -> float:
        return 12.5

    def start_sampling(self) -> FakeSession:
        return self

    def sample_every(self, seconds: float) -> None:
        self.period = seconds

    def start(self, spec: RunSpec) -> FakeRun:
        if self.refuse:
            raise UsageError(self.refuse)
        self.started.append(spec)
        self.busy = True
        return FakeRun()

    def cancel(self) -> None:
        self.busy = False

    def close(self) -> None:
        self.busy, self.closed = False, True


class FakeHost:
    """The app's side (source.Host): says into a list; work meant for a worker thread runs at
    once, except waiting for a run's end, which waits for the test's `end_run`."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.changes = 0
        self.reaped: list[Callable[[object], None]] = []  # a started run's end, once its runner is reaped
        self.checks: list[Callable[[], None]] = []  # held checks (Harness.hold_checks), released by the test
        self.hold = False
        self.figures: list[dict] = []

    def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None:
        self.said.append((message, severity))

    def recheck_keys(self) -> None:
        self.changes += 1

    def off_thread(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        if isinstance(getattr(job, "__self__", None), FakeRun):
            self.reaped.append(done)
            return

        def finish() -> None:
            try:
                result: object = job()
            except UsageError as exc:
                result = exc
            done(result)

        if self.hold:
            self.checks.append(finish)
        else:
            finish()

    def ended_figures(self) -> list[dict]:
        return self.figures


class Harness:
    def __init__(self, workload: str = "download", mode: str = "threads") -> None:
        ref = parse_workload(workload)
        info = RunnerInfo(demo.PYTHON, WorkloadFacts(workload, has_async=workload == "download"))
        self.control = LiveController(RunSpec(ref, mode, 2, parse_params(ref, [])), info,
                                      recorder=Recorder(), tick_s=1.0, open_session=FakeSession)
        self.host = FakeHost()
        self.control.attach(self.host)
        self.session: FakeSession = self.control.session  # type: ignore[assignment]
        self.said = self.host.said

    def end_run(self) -> None:
        """The live run's runner is reaped: the app posts it to the UI thread."""
        self.session.busy = False
        self.host.reaped.pop(0)(True)


def test_run_starts_the_choice_and_speeds_up_the_sampler() -> None:
    h = Harness()
    assert h.session.period == 2.0  # idle: the cores move every 2 s
    h.control.run()
    assert [spec.mode for spec in h.session.started] == ["threads"]
    assert h.session.period == 1.0
    h.host.figures = [{"mode": "threads", "status": "done", "wall_s": 0.5}]
    h.end_run()
    assert h.session.period == 2.0
    assert h.said[-1] == ("threads: done, wall 0.50 s", "information")


def test_run_keys_are_refused_mid_run_and_cancel_between_runs() -> None:
    h = Harness()
    for action in ("run", "compare", "pick_workload", "pick_python"):
        assert h.control.refusal(action) is None
    assert h.control.refusal("cancel").reason == "no run is live"
    h.control.run()
    for action in ("run", "compare", "sweep", "pick_workload", "pick_python"):
        refusal = h.control.refusal(action)
        assert refusal is not None and not refusal.greyed and "x cancels" in refusal.reason
    assert h.control.refusal("cancel") is None
    assert h.control.refusal("workers", (1,)) is None  # the next run's choice may change mid-run


def test_an_unavailable_mode_is_greyed_with_its_reason_and_never_started() -> None:
    h = Harness("cpu")
    refusal = h.control.refusal("mode", ("asyncio",))
    assert refusal is not None and refusal.greyed and refusal.reason.startswith("asyncio: cpu is a plain function")
    assert h.control.refusal("mode", ("processes",)) is None
    h.control.runs.start_run(h.control.spec.with_mode("asyncio"), h.control.info)
    assert h.session.started == [] and h.said[-1][1] == "warning"


def test_compare_walks_every_available_mode_one_run_at_a_time() -> None:
    h = Harness()
    expected = [mode for mode in MODES if not h.control.unavailable(mode)]
    h.control.compare()
    for count in range(1, len(expected) + 1):
        assert [spec.mode for spec in h.session.started] == expected[:count]  # the next starts when one is reaped
        assert [spec.mode for spec, _ in h.control.runs.queue] == expected[count:]
        h.end_run()
    assert h.control.runs.queue == [] and not h.control.running


def test_cancel_empties_the_queue() -> None:
    h = Harness()
    h.control.compare()
    h.control.cancel()
    assert not h.session.busy and h.control.runs.queue == []
    h.end_run()
    assert len(h.session.started) == 1


def test_a_run_that_cannot_start_says_why_and_ends_the_compare() -> None:
    h = Harness()
    h.control.compare()
    h.session.refuse = "/gone/python: no such file"
    h.end_run()
    assert h.said[-1] == ("/gone/python: no such file", "error")
    assert h.control.runs.queue == [] and len(h.session.started) == 1


def test_a_check_under_way_says_so_and_a_cancel_drops_it() -> None:
    """The capacity check runs off the UI thread: meanwhile the header says so, run keys wait,
    x drops it (what it finds is moot), and the run starts only once it passed."""
    h = Harness()
    h.host.hold = True
    h.control.run()
    assert h.session.started == [] and h.control.running
    assert h.control.header(SessionState()).note.startswith("checking threads x2")
    assert "check" in h.control.refusal("run").reason
    h.control.cancel()
    h.host.checks.pop()()
    assert h.session.started == [] and not h.control.running
    h.control.run()
    h.host.checks.pop()()
    assert [spec.mode for spec in h.session.started] == ["threads"]


def test_compare_says_which_modes_it_left_out() -> None:
    h = Harness()  # the demo Python has neither dask nor sub-interpreters
    h.control.compare()
    assert h.said[-1][0] == ("comparing sequential, threads, processes, asyncio; "
                             "left out: interpreters, dask (? says why)")


def test_mode_workers_and_switch_interval_change_only_the_next_run() -> None:
    h = Harness()
    h.control.run()
    h.control.choose_mode("processes")
    assert h.control.spec.mode == "processes" and h.session.started[0].mode == "threads"
    assert "the live run goes on" in h.said[-1][0]
    for delta, workers in ((1, 3), (-5, 1), (2000, 1024)):
        h.control.change_workers(delta)
        assert h.control.spec.worker_count == workers
    cycle = []
    for _ in range(5):
        h.control.cycle_switch_interval()
        cycle.append(h.control.spec.switch_interval_ms)
    assert cycle == [1.0, 0.2, 20.0, 5.0, 1.0]


def test_the_header_shows_the_choice_between_runs() -> None:
    h = Harness()
    line = h.control.header(SessionState())
    assert (line.workload, line.mode, line.worker_count, line.note) == ("download", "threads", 2, "next: ")
    assert h.control.now(SessionState()) == 12.5  # the session's clock


def test_adopting_a_choice_its_mode_cannot_run_falls_back_to_threads() -> None:
    h = Harness(mode="asyncio")
    spec, info = describe_choice(h.control.spec, "cpu", sys.executable)
    h.control.adopt(spec, info)
    assert h.control.spec.workload.text == "cpu" and h.control.spec.mode == "threads"
    assert "switched to threads" in h.said[-1][0]
    with pytest.raises(UsageError):
        describe_choice(h.control.spec, "no_such_workload", sys.executable)


def test_recording_toggles_and_close_reaps_and_stops_it(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    h = Harness()
    h.control.toggle_recording()
    assert h.control.recorder.recording and h.said[-1][0].startswith("recording to conctui-")
    h.control.run()
    h.control.close()
    assert h.session.closed and not h.control.recorder.recording
    assert len(list(tmp_path.glob("conctui-*.jsonl"))) == 1


def test_a_sweep_announces_its_plan_then_runs_each_mode_at_each_count() -> None:
    h = Harness("cpu")
    planned = h.control.plan_sweep()
    assert h.session.emitted == [] and h.session.started == []  # a plan: nothing runs before enter
    h.control.sweep(planned)
    (opened,) = h.session.emitted
    assert opened.t == 12.5
    assert opened.workers == [1, 2, 4, 8] and opened.modes == ["threads", "processes"]  # the demo's 4 cores
    planned = [(mode, n) for mode in ("threads", "processes") for n in (1, 2, 4, 8)]
    assert [(spec.mode, spec.worker_count) for spec in h.session.started] == planned[:1]
    assert [(spec.mode, spec.worker_count) for spec, _ in h.control.runs.queue] == planned[1:]
    h.control.cancel()  # x: the runs so far are kept, the rest never start
    h.end_run()
    assert h.control.runs.queue == [] and len(h.session.started) == 1


def test_a_claims_case_is_exactly_its_runs_under_the_current_python() -> None:
    h = Harness()
    h.control.spec = replace(h.control.spec, python=sys.executable)
    runs = claim_runs(h.control.spec, h.control.info, "1", h.control.found_pythons)
    assert [(spec.workload.text, spec.mode, spec.worker_count) for spec, _ in runs] == [
        ("download", "sequential", 3), ("download", "threads", 3)]
    h.control.runs.enqueue(runs, "claim 1")
    assert [spec.mode for spec in h.session.started] == ["sequential"]
    h.control.runs.enqueue(runs, "claim 1")  # mid-run: refused, said
    assert "x cancels" in h.said[-1][0]


def test_a_claim_about_another_build_skips_a_python_that_cannot_run_it(monkeypatch) -> None:
    """A PATH entry may be a pyenv shim that runs nothing: the next free-threaded Python found is asked."""
    from conctui import live_plans
    from conctui.engine.claims import CLAIMS
    from conctui.engine.pythons import FoundPython

    h = Harness("cpu")
    found = [FoundPython("/shim/python3.13t", (3, 13), True, "PATH"),
             FoundPython("/ft/python3.13t", (3, 13), True, "pyenv")]

    def describe(python: str, ref, params) -> RunnerInfo:
        if python.startswith("/shim"):
            raise UsageError(f"{python}: the runner exited with code 127")
        return RunnerInfo(demo.PYTHON.replace(free_threaded=True, gil_enabled=False, executable=python),
                          WorkloadFacts("cpu"))

    monkeypatch.setattr(live_plans, "describe", describe)
    claim = next(c for c in CLAIMS if c.key == "7")
    python, info = case_python(h.control.spec, h.control.info, claim.cases[1], lambda: found)
    assert python == "/ft/python3.13t" and info.python.free_threaded
    with pytest.raises(UsageError, match="exited with code 127"):
        case_python(h.control.spec, h.control.info, claim.cases[1], lambda: found[:1])
