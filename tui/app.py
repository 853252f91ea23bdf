"""The TUI: folds the session's event stream into state at a steady frame rate and shows it.

The app adds no engine logic. Reader and sampler threads append event batches to a deque;
a timer drains it 15 times a second, applies the batch, and tells each pane to show the
new state; panes send only what changed. Every way out (q, Ctrl+C, SIGTERM, SIGHUP, a
crash) goes through `shutdown()`, which cancels the run and reaps its processes.
"""
from __future__ import annotations

import asyncio
import math
import signal
import sys
import time
from collections import deque
from dataclasses import replace

from conctui.engine.events import Event, GilSample, RunFinished, Sample
from conctui.engine.figures import run_figures
from conctui.engine.modes import MODES
from conctui.engine.pythons import find_pythons
from conctui.engine.recording import Recorder
from conctui.engine.runner_process import describe
from conctui.engine.session import Session
from conctui.engine.spec import MAX_WORKERS, RunSpec, UsageError, parse_params, parse_workload
from conctui.engine.state import SessionState, apply, log_line
from conctui.widgets.clock import ElapsedClock
from conctui.widgets.cores import CoresPane
from conctui.widgets.header import RunHeader
from conctui.widgets.help import HelpScreen
from conctui.widgets.output_log import OutputLog
from conctui.widgets.picker import Picker, python_options, workload_options
from conctui.widgets.results import ResultsPane
from conctui.widgets.workers import WorkerTable
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Footer

FRAME_HZ = 15
SWITCH_INTERVALS_MS = (5.0, 1.0, 0.2, 20.0)
REFRESH_HZ = 1.0  # clocks, per-worker times and core samples: what crosses an SSH link each second


MODE_GROUP = Binding.Group("mode", compact=True)
WORKERS_GROUP = Binding.Group("workers", compact=True)


def _mode_bindings() -> list[Binding]:
    """One key per mode, shown together in the footer as `stpa mode`, each greyed on its own."""
    return [Binding(info.key, f"mode('{name}')", name, id=f"mode-{name}", group=MODE_GROUP,
                    tooltip=f"choose the {name} mode") for name, info in MODES.items()]


class PanesApp(App[int]):
    """The panes and the frame loop, shared by the live app and the replay: same stream, same view."""

    CSS_PATH = "app.tcss"
    TITLE = "conctui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "help", key_display="?", id="help", tooltip="this help"),
        Binding("q", "quit", "quit", id="quit", tooltip="cancel any run, reap every child, quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, ticking: bool = True, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__()
        self.ticking = ticking  # False: frames are stepped by the caller (exports, snapshot tests)
        # Events are shown at FRAME_HZ; what moves with time alone (clocks, elapsed columns,
        # core samples) moves once a tick: each tick costs a few hundred bytes over SSH.
        self.tick = 1 / refresh_hz
        self.heartbeat: float | None = None
        self.state = SessionState()
        self.figures: list[dict] = []  # of every finished run, oldest first
        self.inbox: deque[list[Event]] = deque()
        self.ran_frame = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield RunHeader(id="header")
        with Horizontal(id="top"):
            yield WorkerTable(id="workers")
            with Vertical(id="side"):
                yield CoresPane(id="cores")
                yield ElapsedClock(id="clock")
        yield ResultsPane(id="results")
        yield OutputLog(id="log")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for pane, title in (("#workers", "workers"), ("#side", "cores"), ("#results", "results"),
                            ("#log", "output")):
            self.query_one(pane).border_title = title
        # kept, not queried per frame: a modal screen on top would hide them from query_one
        self.header_pane = self.query_one(RunHeader)
        self.workers_pane = self.query_one(WorkerTable)
        self.cores_pane = self.query_one(CoresPane)
        self.clock_pane = self.query_one(ElapsedClock)
        self.results_pane = self.query_one(ResultsPane)
        self.log_pane = self.query_one(OutputLog)
        if self.ticking:
            self.set_interval(1 / FRAME_HZ, self.frame)
        self.frame()

    def now(self) -> float:
        return self.state.t

    def feed(self, events: list[Event]) -> None:
        """Hand the app a batch of events, from any thread."""
        self.inbox.append(events)

    def frame(self, now: float | None = None) -> None:
        """Fold what arrived since the last frame, then let each pane show what changed."""
        batch: list[Event] = []
        while self.inbox:
            batch.extend(self.inbox.popleft())
        for event in batch:
            apply(self.state, event)
        now = self.now() if now is None else now
        samples = [event.t for event in batch if isinstance(event, Sample)]
        if samples:
            self.heartbeat = max(samples)
        # time-driven text moves with the sampler's heartbeat, so a worker's time and CPU cells
        # change in the same frame (one line sent, not two); without samples, once a tick
        shown = self.heartbeat if self.heartbeat is not None else math.floor(now / self.tick) * self.tick
        run = self.state.current
        with self.batch_update():
            self.show_header()
            if batch or self.state.live:
                self.workers_pane.show(run, shown)
                self.clock_pane.show(run, shown)
            if any(isinstance(event, (Sample, GilSample)) for event in batch):
                self.cores_pane.show(self.state)
            self.log_pane.add([line for e in batch if (line := log_line(e))])
            if any(isinstance(event, RunFinished) for event in batch):
                self.run_ended()
        self.after_frame()
        self.ran_frame.set()

    def refold(self, events: list[Event]) -> None:
        """Show the state after exactly `events` from an empty session (a backward seek)."""
        self.state = SessionState()
        self.heartbeat = None
        self.inbox.clear()
        self.log_pane.clear()
        self.results_pane.reset()
        self.workers_pane.reset()
        self.feed(events)
        self.frame()
        self.run_ended()  # the results of the runs that ended before `t`, and no others

    @property
    def is_recording(self) -> bool:
        return False

    def show_header(self, note: str = "") -> None:
        run = self.state.current
        if run is not None:
            started = run.started
            self.header_pane.show(started.workload, started.workers, started.mode, started.python,
                                  started.start_method, self.is_recording, note,
                                  started.options.get("switch_interval_ms"))

    def run_ended(self) -> None:
        self.figures = [run_figures(run) for run in self.state.runs if run.finished is not None]
        self.results_pane.show(self.figures)

    def after_frame(self) -> None:
        """What a subclass does once a frame is shown (start the next run of a compare)."""

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_bindings(), self.help_notes()))

    def help_bindings(self) -> list[Binding]:
        return [b for b in self.BINDINGS if isinstance(b, Binding) and b.description]

    def help_notes(self) -> list[str]:
        return []


class ConcApp(PanesApp, inherit_bindings=False):
    """The live app: choose a workload, a mode and workers, run, compare, record."""

    BINDINGS = [
        *_mode_bindings(),
        Binding("enter", "run", "run", id="run", tooltip="run the current choice"),
        Binding("c", "compare", "compare", id="compare", tooltip="run every available mode in turn"),
        Binding("x", "cancel", "stop", id="cancel", tooltip="cancel the live run (and a compare)"),
        Binding("plus", "workers(1)", "one worker more", key_display="+", id="more", group=WORKERS_GROUP),
        Binding("minus", "workers(-1)", "one worker fewer", key_display="-", id="fewer", group=WORKERS_GROUP),
        Binding("w", "pick_workload", "load", id="workload", tooltip="pick a workload"),
        Binding("P", "pick_python", "py", id="python", tooltip="pick the Python the workers run under"),
        Binding("g", "switch_interval", "gil", id="switch",
                tooltip="cycle sys.setswitchinterval for the next run: 5, 1, 0.2, 20 ms"),
        Binding("R", "record", "rec", id="record", tooltip="start / stop recording the session to a file"),
        *PanesApp.BINDINGS,
    ]

    def __init__(self, spec: RunSpec, info: dict, *, start: bool = False, live: bool = True,
                 recorder: Recorder | None = None, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__(ticking=live, refresh_hz=refresh_hz)
        self.spec = spec
        self.info = info
        self.compare_queue: list[str] = []
        self.recorder = recorder or Recorder()
        # idle, the cores move every 2 s (htop: 1.5 s): an idle screen should cost next to nothing
        self.sample_live_s, self.sample_idle_s = max(0.1, self.tick), max(2.0, self.tick)
        self.session = Session([self.feed, self.recorder], self.sample_idle_s) if live else None
        self.user_workloads = [] if spec.workload.builtin else [spec.workload.text]
        self.pythons = [] if spec.python == sys.executable else [spec.python]
        self._was_busy = False
        self._start = start

    def on_mount(self) -> None:
        super().on_mount()
        if self.session is not None:
            self.session.start_sampling()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self.quit_on_signal, sig)
        if self._start:
            self.action_run()

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Cancel the live run, reap every process, close the recording: safe to call twice."""
        self.compare_queue.clear()
        if self.session is not None:
            self.session.close()
        self.recorder.stop()

    def quit_on_signal(self, signum: int) -> None:
        self.shutdown()
        self.exit(128 + signum)

    # ---- the frame ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A run is live, or its runner is still being reaped."""
        runner = self.session.runner if self.session else None
        return runner is not None and not runner.done.is_set()

    def now(self) -> float:
        return time.monotonic() - self.session.t0 if self.session else self.state.t

    def after_frame(self) -> None:
        if self.compare_queue and not self.busy:
            self.start_run(self.compare_queue.pop(0))
        if self.busy != self._was_busy:  # the footer's keys follow the run's start and end
            self._was_busy = self.busy
            self.refresh_bindings()

    @property
    def is_recording(self) -> bool:
        return self.recorder.recording

    def show_header(self, note: str = "") -> None:
        """While a run is live: what runs. Between runs: the choice the next run will use."""
        if self.state.live is not None:
            super().show_header()
            return
        spec = self.spec
        self.header_pane.show(spec.workload.name, spec.workers, spec.mode, self.info["python"],
                              spec.start_method, self.is_recording, "next: ", spec.switch_interval_ms)

    def run_ended(self) -> None:
        super().run_ended()
        if self.session is not None:
            self.session.sampler.period = self.sample_idle_s
        if not self.compare_queue and self.figures:
            latest = self.figures[-1]
            self.notify(f"{latest['mode']}: {latest['status']}, wall {latest['wall_s']:.2f} s", timeout=4)

    # ---- actions --------------------------------------------------------------------------
    def unavailable(self, mode: str) -> str | None:
        return MODES[mode].unavailable(self.info["python"], self.info["workload"])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys a key out (a mode that cannot run here); False hides a key that applies
        only to the other state (x between runs; run, compare and pickers mid-run)."""
        if action == "mode":
            return None if self.unavailable(str(parameters[0])) else True
        running = self.busy or bool(self.compare_queue)
        if action in ("run", "compare", "pick_workload", "pick_python"):
            return False if running else True  # hidden mid-run: the footer shows what applies now
        if action == "cancel":
            return True if running else False
        return True

    def on_key(self, event: Key) -> None:
        """A key that does nothing now still says why: a greyed mode, or a run key mid-run."""
        for name, info in MODES.items():
            if event.key == info.key and (reason := self.unavailable(name)):
                self.notify(f"{name}: {reason}", severity="warning", timeout=6)
        if event.key in ("enter", "c", "w", "P") and (self.busy or self.compare_queue):
            self.notify("a run is live: x cancels it", severity="warning", timeout=3)

    def action_mode(self, mode: str) -> None:
        self.spec = self.spec.with_mode(mode)
        if self.busy:
            self.notify(f"next run: {mode} (the live run goes on; x cancels it)", timeout=3)
        self.refresh_bindings()

    def action_workers(self, delta: int) -> None:
        self.spec = replace(self.spec, workers=min(MAX_WORKERS, max(1, self.spec.workers + delta)))

    def start_run(self, mode: str) -> None:
        if self.session is None:
            return
        reason = self.unavailable(mode)
        if reason:
            self.notify(f"{mode}: {reason}", severity="warning", timeout=6)
            return
        try:
            self.session.start(self.spec.with_mode(mode))
        except UsageError as exc:  # the chosen Python vanished, no file descriptors left, ...
            self.compare_queue.clear()
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.session.sampler.period = self.sample_live_s
        self.refresh_bindings()

    def action_run(self) -> None:
        self.start_run(self.spec.mode)

    def action_compare(self) -> None:
        self.compare_queue = [mode for mode in MODES if not self.unavailable(mode)]
        self.notify(f"comparing {', '.join(self.compare_queue)}", timeout=3)

    def action_cancel(self) -> None:
        self.compare_queue.clear()
        if self.session is not None:
            self.session.cancel()
        self.refresh_bindings()

    def help_notes(self) -> list[str]:
        return [f"{name} is unavailable here: {reason}" for name in MODES if (reason := self.unavailable(name))]

    def action_record(self) -> None:
        if self.recorder.recording:
            self.recorder.stop()
            self.notify(f"recording saved to {self.recorder.path}", timeout=5)
            return
        path = time.strftime("conctui-%Y%m%d-%H%M%S.jsonl")
        try:
            self.recorder.start(path)
        except UsageError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"recording to {path}; R stops", timeout=5)

    def action_pick_workload(self) -> None:
        def picked(text: str | None) -> None:
            if text and text != self.spec.workload.text:
                self.load_choice(text, self.spec.python)

        self.push_screen(Picker("workload", workload_options(self.user_workloads), self.spec.workload.text), picked)

    def action_pick_python(self) -> None:
        def picked(path: str | None) -> None:
            if path and path != self.spec.python:
                self.load_choice(self.spec.workload.text, path)

        found = find_pythons(self.pythons)
        self.push_screen(Picker("python", python_options(found), self.spec.python), picked)

    def action_switch_interval(self) -> None:
        now = self.spec.switch_interval_ms or SWITCH_INTERVALS_MS[0]
        following = SWITCH_INTERVALS_MS[(SWITCH_INTERVALS_MS.index(now) + 1) % len(SWITCH_INTERVALS_MS)
                                        if now in SWITCH_INTERVALS_MS else 0]
        self.spec = replace(self.spec, switch_interval_ms=following)
        self.notify(f"next run: switch interval {following:g} ms", timeout=3)

    @work(thread=True, exclusive=True)
    def load_choice(self, workload: str, python: str) -> None:
        """Ask a runner under `python` about the workload, off the UI thread (it may import user code)."""
        try:
            ref = parse_workload(workload)
            params = parse_params(ref, []) if ref != self.spec.workload else self.spec.params
            info = describe(python, ref, params)
        except UsageError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        spec = replace(self.spec, workload=ref, params=params, python=python)
        self.call_from_thread(self.choice_loaded, spec, info)

    def choice_loaded(self, spec: RunSpec, info: dict) -> None:
        self.spec, self.info = spec, info
        reason = self.unavailable(spec.mode)
        if reason:
            self.spec = spec.with_mode("threads")
            self.notify(f"{spec.mode}: {reason}; switched to threads", severity="warning", timeout=6)
        self.refresh_bindings()

    async def action_quit(self) -> None:
        self.shutdown()
        self.exit(0)


def launch(spec: RunSpec, info: dict, start: bool = False, record: str | None = None,
           refresh_hz: float = REFRESH_HZ) -> int:
    recorder = Recorder.open(record) if record else None  # an unwritable path fails before the UI opens
    app = ConcApp(spec, info, start=start, recorder=recorder, refresh_hz=refresh_hz)
    try:
        code = app.run()
    finally:
        app.shutdown()  # also after a crash inside the UI
    if app.recorder.error:
        print(f"conctui: {app.recorder.error}", file=sys.stderr)
    return code if isinstance(code, int) else 0
