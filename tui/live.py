"""The live session's controller: the source of the live TUI, and what its keys do. No Textual.

It holds the choice for the next run (workload, mode, workers, Python, switch interval),
answers for every key whether it applies now and, if not, why, and turns keys into runs: one,
a compare's modes, a sweep's worker counts, the case that measures one of the tutorial's
claims. Its RunQueue (run_queue.py) starts them one after another. It runs in the conctui
process, its methods on the UI thread; what blocks (describing a workload or another Python:
live_plans.py) runs in the app's worker threads. Tests drive it without a terminal
(tests/test_live_controller.py).
"""
from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from conctui.engine.events import Event, SweepStarted
from conctui.engine.modes import MODES, runnable, unavailable
from conctui.engine.pythons import FoundPython, find_pythons
from conctui.engine.recording import Recorder
from conctui.engine.session import Session, Sink
from conctui.engine.spec import MAX_WORKERS, RunSpec, UsageError
from conctui.engine.state import SessionState
from conctui.engine.sweep import DEFAULT_MODES, default_counts, plan
from conctui.live_plans import claim_runs, describe_choice
from conctui.run_queue import RUN_LIVE, RunQueue, SessionLike
from conctui.runner.request import RunnerInfo
from conctui.source import Allows, HeaderLine, Key, Refusal, Source, drain

SWITCH_INTERVALS_MS = (5.0, 1.0, 0.2, 20.0)

OpenSession = Callable[[list[Sink], float], SessionLike]

NOTHING_LIVE = Refusal("no run is live")
CHECKING = Refusal("a check is under way: x cancels it")

WORKERS = "workers"  # the compact footer's group label: `+ -  workers`
LIVE_KEYS = (
    *(Key(info.key, "mode", name, (name,), group="mode", tooltip=f"choose the {name} mode")
      for name, info in MODES.items()),
    Key("enter", "run", "run", tooltip="run the current choice"),
    Key("c", "compare", "compare", tooltip="run every available mode in turn"),
    Key("x", "cancel", "stop", tooltip="cancel the live run (and a compare)"),
    Key("plus", "workers", "one worker more", (1,), key_display="+", group=WORKERS),
    Key("minus", "workers", "one worker fewer", (-1,), key_display="-", group=WORKERS),
    Key("w", "pick_workload", "load", tooltip="pick a workload"),
    Key("P", "pick_python", "py", tooltip="pick the Python the workers run under"),
    Key("g", "switch_interval", "gil", tooltip="cycle sys.setswitchinterval for the next run: 5, 1, 0.2, 20 ms"),
    # off the footer, which 80 columns fill (help lists it; the header says ●REC while it records)
    Key("R", "record", "rec", tooltip="start / stop recording the session to a file", show=False),
)


class LiveController(Source):
    """The live session: one per app, from its start to its quit."""

    allows = Allows(sweep=True, measure=True, cancel=True)
    keys = LIVE_KEYS

    def __init__(self, spec: RunSpec, info: RunnerInfo, *, start: bool = False, recorder: Recorder | None = None,
                 tick_s: float = 1.0, open_session: OpenSession = Session) -> None:
        self.spec = spec
        self.info = info
        self.start_at_once = start  # --start: run the choice as soon as sampling is on
        self.recorder = recorder or Recorder()
        self.inbox: deque[list[Event]] = deque()  # batches from the reader and sampler threads
        # idle, the cores move every 2 s (htop: 1.5 s): an idle screen should cost next to nothing
        live_s, idle_s = max(0.1, tick_s), max(2.0, tick_s)
        self.session = open_session([self.inbox.append, self.recorder], idle_s)
        self.runs = RunQueue(self, self.session, live_s, idle_s)
        self.user_workloads = [] if spec.workload.builtin else [spec.workload.text]
        self.pythons = [] if spec.python == sys.executable else [spec.python]

    # ---- the screen's source ------------------------------------------------------------
    def pull(self) -> list[Event]:
        return drain(self.inbox)

    def now(self, state: SessionState) -> float:
        return self.session.now()

    def header(self, state: SessionState) -> HeaderLine:
        """While a run is live: what runs. Between runs: the choice the next run will use."""
        recording = self.recorder.recording
        if state.live is not None:
            return HeaderLine.of_run(state.live.started, recording)
        spec = self.spec
        checking = self.runs.checking
        note = f"{checking}… next: " if checking else "next: "
        return HeaderLine(spec.workload.name, spec.worker_count, spec.mode, self.info.python, spec.start_method,
                          recording, note, spec.switch_interval_ms)

    def help_notes(self) -> list[str]:
        notes = [f"{name} is unavailable here: {reason}" for name in MODES if (reason := self.unavailable(name))]
        python = self.info.python
        return notes + [f"{name}: {caveat}" for name, mode in MODES.items() if (caveat := mode.caveat(python))]

    def act(self, action: str, *args: object) -> None:
        """A key of LIVE_KEYS (the pickers' are the app's: they open a screen)."""
        acts: dict[str, Callable[..., object]] = {
            "mode": self.choose_mode, "workers": self.change_workers, "run": self.run, "compare": self.compare,
            "cancel": self.cancel, "switch_interval": self.cycle_switch_interval, "record": self.toggle_recording}
        acts[action](*args)

    # ---- what applies now -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A run is live, being checked or queued (run_queue.py says which word is which)."""
        return self.runs.running

    @property
    def sweeping(self) -> bool:
        return self.runs.sweeping

    def unavailable(self, mode: str) -> str | None:
        return unavailable(mode, self.info)

    def refusal(self, action: str, args: tuple[object, ...] = ()) -> Refusal | None:
        """None if `action` (a key's action name and its arguments) applies now."""
        live = CHECKING if self.runs.checking and not self.runs.busy else RUN_LIVE
        if action == "mode":
            mode = str(args[0])
            reason = self.unavailable(mode)
            return Refusal(f"{mode}: {reason}", greyed=True, timeout=6) if reason else None
        if action == "workers" and not 1 <= self.spec.worker_count + int(args[0]) <= MAX_WORKERS:
            count = self.spec.worker_count
            said = "1 worker is the fewest" if count == 1 else f"{count} workers are the most"
            return Refusal(f"{said} a run takes", greyed=True, severity="information")
        if action == "sweep":  # mid-sweep it shows the sweep; mid-run of anything else, it waits
            return live if self.running and not self.sweeping else None
        if action in ("run", "compare", "pick_workload", "pick_python"):
            return live if self.running else None
        if action == "cancel":
            return None if self.running else NOTHING_LIVE
        return None

    # ---- actions ----------------------------------------------------------------------------
    def choose_mode(self, mode: str) -> None:
        self.spec = self.spec.with_mode(mode)
        if caveat := MODES[mode].caveat(self.info.python):  # the header has room for one word of it
            self.say(f"{mode}: {caveat}", "information", 5)
        elif self.runs.busy:
            self.say(f"next run: {mode} (the live run goes on; x cancels it)", "information", 3)
        self.recheck_keys()

    def change_workers(self, delta: int) -> None:
        self.spec = replace(self.spec, worker_count=min(MAX_WORKERS, max(1, self.spec.worker_count + delta)))

    def cycle_switch_interval(self) -> None:
        now = self.spec.switch_interval_ms or SWITCH_INTERVALS_MS[0]
        at = SWITCH_INTERVALS_MS.index(now) + 1 if now in SWITCH_INTERVALS_MS else 0
        following = SWITCH_INTERVALS_MS[at % len(SWITCH_INTERVALS_MS)]
        self.spec = replace(self.spec, switch_interval_ms=following)
        self.say(f"next run: switch interval {following:g} ms", "information", 3)

    def run(self) -> None:
        self.runs.start_run(self.spec, self.info)

    def compare(self) -> None:
        modes, left_out = runnable(self.info)
        left = f"; left out: {', '.join(left_out)} (? says why)" if left_out else ""
        self.say(f"comparing {', '.join(modes)}{left}", "information", 3)
        self.runs.start([(self.spec.with_mode(mode), self.info) for mode in modes])

    def plan_sweep(self) -> SweepStarted | None:
        """The current workload at 1 to 2 x cores workers, in threads and processes (those that
        can run it), not started yet: the app shows this plan first."""
        modes = [mode for mode in DEFAULT_MODES if not self.unavailable(mode)]
        if not modes:
            self.say("a sweep needs threads or processes, and neither can run this", "warning", 6)
            return None
        usable = self.info.python.usable_cores
        counts = default_counts(usable, MAX_WORKERS)
        return SweepStarted(self.session.now(), self.spec.workload.name, self.spec.params, modes, counts, 1, usable)

    def sweep(self, planned: SweepStarted) -> None:
        """Start a planned sweep: the plan goes into the stream first, so recordings replay the sweep."""
        opened = planned.replace(t=self.session.now())
        self.session.emit([opened])
        self.runs.sweeping = True
        runs = [(replace(self.spec.with_mode(mode), worker_count=n), self.info)
                for mode, n in plan(opened.modes, opened.workers, opened.repeat)]
        self.say(f"sweep: {len(runs)} runs; x stops, keeping the points so far", "information", 5)
        self.runs.start(runs)

    def usable_cores(self, state: SessionState) -> int:
        return self.info.python.usable_cores

    def measure(self, key: str) -> None:
        """Run the case that measures claim `key`, described off the UI thread first."""

        def planned(runs: object) -> None:
            if isinstance(runs, UsageError):
                self.say(str(runs), "warning", 8)
            else:
                self.runs.enqueue(runs, f"claim {key}")  # type: ignore[arg-type]

        self.runs.off_thread(f"describing claim {key}",
                             lambda: claim_runs(self.spec, self.info, key, self.found_pythons), planned)

    def cancel(self) -> None:
        """x: the live run is cancelled (its figures so far kept), a check under way is dropped,
        the queue emptied."""
        self.runs.cancel()

    def toggle_recording(self) -> None:
        if self.recorder.recording:
            self.recorder.stop()
            self.say(f"recording saved to {self.recorder.path}", "information", 5)
            return
        path = time.strftime("conctui-%Y%m%d-%H%M%S.jsonl")
        try:
            self.recorder.start(path)
        except UsageError as exc:
            self.say(str(exc), "error", 5)
            return
        self.say(f"recording to {path}; R stops", "information", 5)

    def found_pythons(self) -> list[FoundPython]:
        return find_pythons(self.pythons)

    def choose(self, workload: str, python: str) -> None:
        """A picker's choice: described off the UI thread, then made the next run's."""

        def described(choice: object) -> None:
            if isinstance(choice, UsageError):
                self.say(str(choice), "error", 8)
            else:
                self.adopt(*choice)  # type: ignore[misc]

        self.runs.off_thread("describing the choice", lambda: describe_choice(self.spec, workload, python),
                             described)

    @property
    def python_choice(self) -> str:
        """The next run's Python as a picker names it (the GIL's switch included)."""
        return FoundPython(self.spec.python, None, False, "", self.spec.python_gil).choice

    def adopt(self, spec: RunSpec, info: RunnerInfo) -> None:
        """Make a described choice the next run's; a mode it cannot run falls back to threads."""
        self.spec, self.info = spec, info
        reason = self.unavailable(spec.mode)
        if reason:
            self.spec = spec.with_mode("threads")
            self.say(f"{spec.mode}: {reason}; switched to threads", "warning", 6)
        self.recheck_keys()

    # ---- the way in and the way out ---------------------------------------------------------
    def start(self) -> None:
        """After the app's first frame, which shows no sample: sampling (and psutil's import),
        then the run `--start` asked for."""
        self.session.start_sampling()
        if self.start_at_once:
            self.run()

    def close(self) -> None:
        """Cancel the live run, reap every process, close the recording: safe to call twice."""
        self.runs.queue.clear()
        self.session.close()
        self.recorder.stop()
