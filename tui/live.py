"""The live session's controller: what the keys of the live TUI do, with no Textual in it.

It holds the choice for the next run (workload, mode, workers, Python, switch interval), starts
runs in a session, walks a queue of runs (a compare's modes, a sweep's worker counts, the case
that measures one of the tutorial's claims), sets the sampler's period, records, and answers
for every action whether it applies now and, if not, why. It runs in the conctui process:
its methods on the UI thread, `describe_choice` and `claim_plan` on a worker thread (they may
start a runner under another Python, or import user code in one). The app (app.py) turns keys
into these calls and messages into notifications;
tests drive it without a terminal (tests/test_live_controller.py).
"""
from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from conctui.engine import capacity
from conctui.engine.events import Event, SweepStarted
from conctui.engine.modes import MODES, runnable, unavailable
from conctui.engine.pythons import FoundPython, find_pythons, parse_choice
from conctui.engine.recording import Recorder
from conctui.engine.runner_process import child_footprint, describe
from conctui.engine.session import Session, Sink
from conctui.engine.spec import MAX_WORKERS, RunSpec, UsageError, parse_params, parse_workload
from conctui.engine.state import SessionState
from conctui.engine.sweep import DEFAULT_MODES, default_counts, plan
from conctui.engine.text import figure
from conctui.runner.request import RunnerInfo
from conctui.source import HeaderLine

if TYPE_CHECKING:
    from conctui.engine.claims import Case

SWITCH_INTERVALS_MS = (5.0, 1.0, 0.2, 20.0)

Say = Callable[[str, str, float], None]  # (message, severity: information | warning | error, seconds shown)


class SessionLike(Protocol):
    """What the controller needs of a session: engine.session.Session, or the demo's stand-in."""

    @property
    def busy(self) -> bool: ...
    def now(self) -> float: ...
    def start_sampling(self) -> object: ...
    def sample_every(self, seconds: float) -> None: ...
    def start(self, spec: RunSpec) -> object: ...
    def emit(self, events: list[Event]) -> None: ...
    def cancel(self) -> None: ...
    def close(self) -> None: ...


OpenSession = Callable[[list[Sink], float], SessionLike]


@dataclass(frozen=True)
class Refusal:
    """Why an action does nothing now, said when its key is pressed. `greyed`: the footer keeps
    the key, dimmed (a mode this Python or workload cannot run: the reason is itself a lesson);
    otherwise the key leaves the footer until it applies (run keys mid-run, x between runs)."""

    reason: str
    greyed: bool = False
    severity: str = "warning"
    timeout: float = 3.0


RUN_LIVE = Refusal("a run is live: x cancels it")
NOTHING_LIVE = Refusal("no run is live")


class LiveController:
    """The live session: one per app, from its start to its quit."""

    def __init__(self, spec: RunSpec, info: RunnerInfo, say: Say, changed: Callable[[], None], *,
                 recorder: Recorder | None = None, refresh_s: float = 1.0,
                 open_session: OpenSession = Session) -> None:
        self.spec = spec
        self.info = info
        self.say = say
        self.changed = changed  # what the keys can do may have changed: the app redraws its footer
        self.recorder = recorder or Recorder()
        self.queue: list[tuple[RunSpec, RunnerInfo]] = []  # runs to go, each with its runner's description
        self.sweeping = False  # the queue is a sweep's: its screen shows it live
        self.inbox: deque[list[Event]] = deque()  # batches from the reader and sampler threads
        # idle, the cores move every 2 s (htop: 1.5 s): an idle screen should cost next to nothing
        self.sample_live_s, self.sample_idle_s = max(0.1, refresh_s), max(2.0, refresh_s)
        self.session = open_session([self.inbox.append, self.recorder], self.sample_idle_s)
        self.user_workloads = [] if spec.workload.builtin else [spec.workload.text]
        self.pythons = [] if spec.python == sys.executable else [spec.python]
        self._was_busy = False

    # ---- the screen's source ------------------------------------------------------------
    def pull(self) -> list[Event]:
        batch: list[Event] = []
        while self.inbox:
            batch.extend(self.inbox.popleft())
        return batch

    def now(self, state: SessionState) -> float:
        return self.session.now()

    def header(self, state: SessionState) -> HeaderLine:
        """While a run is live: what runs. Between runs: the choice the next run will use."""
        recording = self.recorder.recording
        if state.live is not None:
            return HeaderLine.of_run(state.live.started, recording)
        spec = self.spec
        return HeaderLine(spec.workload.name, spec.worker_count, spec.mode, self.info.python, spec.start_method,
                          recording, "next: ", spec.switch_interval_ms)

    def after_frame(self) -> None:
        """Start the queue's next run once the last is reaped; say when the keys change."""
        if self.queue and not self.busy:
            self.start_spec(*self.queue.pop(0))
        self.sweeping = self.sweeping and self.running
        if self.busy != self._was_busy:  # the footer's keys follow the run's start and end
            self._was_busy = self.busy
            self.changed()

    def run_ended(self, figures: list[dict]) -> None:
        """A run ended (`figures`: of every finished run): the cores slow down, the user is told."""
        self.session.sample_every(self.sample_idle_s)
        if not self.queue and figures:
            latest = figures[-1]
            self.say(f"{latest['mode']}: {latest['status']}, wall {figure(latest['wall_s'], ' s')}", "information", 4)

    def help_notes(self) -> list[str]:
        return [f"{name} is unavailable here: {reason}" for name in MODES if (reason := self.unavailable(name))]

    # ---- what applies now -----------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A run is live, or its runner is still being reaped."""
        return self.session.busy

    @property
    def running(self) -> bool:
        """A run is live or the queue has runs to go."""
        return self.busy or bool(self.queue)

    def unavailable(self, mode: str) -> str | None:
        return unavailable(mode, self.info)

    def refusal(self, action: str, parameters: tuple[object, ...] = ()) -> Refusal | None:
        """None if `action` (a binding's action name and its parameters) applies now."""
        if action == "mode":
            mode = str(parameters[0])
            reason = self.unavailable(mode)
            return Refusal(f"{mode}: {reason}", greyed=True, timeout=6) if reason else None
        if action == "sweep":  # mid-sweep it shows the sweep; mid-run of anything else, it waits
            return RUN_LIVE if self.running and not self.sweeping else None
        if action in ("run", "compare", "claim", "pick_workload", "pick_python"):
            return RUN_LIVE if self.running else None
        if action == "cancel":
            return None if self.running else NOTHING_LIVE
        return None

    # ---- actions ----------------------------------------------------------------------------
    def choose_mode(self, mode: str) -> None:
        self.spec = self.spec.with_mode(mode)
        if self.busy:
            self.say(f"next run: {mode} (the live run goes on; x cancels it)", "information", 3)
        self.changed()

    def change_workers(self, delta: int) -> None:
        self.spec = replace(self.spec, worker_count=min(MAX_WORKERS, max(1, self.spec.worker_count + delta)))

    def cycle_switch_interval(self) -> None:
        now = self.spec.switch_interval_ms or SWITCH_INTERVALS_MS[0]
        at = SWITCH_INTERVALS_MS.index(now) + 1 if now in SWITCH_INTERVALS_MS else 0
        following = SWITCH_INTERVALS_MS[at % len(SWITCH_INTERVALS_MS)]
        self.spec = replace(self.spec, switch_interval_ms=following)
        self.say(f"next run: switch interval {following:g} ms", "information", 3)

    def start_run(self, mode: str) -> None:
        self.start_spec(self.spec.with_mode(mode), self.info)

    def start_spec(self, spec: RunSpec, info: RunnerInfo) -> None:
        """Start one run, described by `info` (its Python and workload as a runner saw them)."""
        reason = unavailable(spec.mode, info)
        if reason:
            self.say(f"{spec.mode}: {reason}", "warning", 6)
            return
        try:
            capacity.check(spec, child_footprint)  # more workers than memory holds: refused, with what fits
            self.session.start(spec)
        except UsageError as exc:  # too many workers, the chosen Python vanished, no file descriptors left, ...
            self.queue.clear()
            self.say(str(exc), "error", 8)
            return
        self.session.sample_every(self.sample_live_s)
        self.changed()

    def run(self) -> None:
        self.start_run(self.spec.mode)

    def compare(self) -> None:
        modes, left_out = runnable(self.info)
        self.queue = [(self.spec.with_mode(mode), self.info) for mode in modes]
        left = f"; left out: {', '.join(left_out)} (? says why)" if left_out else ""
        self.say(f"comparing {', '.join(modes)}{left}", "information", 3)

    def sweep(self) -> SweepStarted | None:
        """The current workload at 1 to 2 x cores workers, in threads and processes (those that
        can run it): the plan goes into the stream first, so recordings replay the sweep."""
        modes = [mode for mode in DEFAULT_MODES if not self.unavailable(mode)]
        if not modes:
            self.say("a sweep needs threads or processes, and neither can run this", "warning", 6)
            return None
        usable = self.info.python.usable_cores
        counts = default_counts(usable, MAX_WORKERS)
        opened = SweepStarted(self.session.now(), self.spec.workload.name, self.spec.params, modes, counts, 1, usable)
        self.session.emit([opened])
        self.sweeping = True
        self.queue = [(replace(self.spec.with_mode(mode), worker_count=n), self.info)
                      for mode, n in plan(modes, counts, 1)]
        self.say(f"sweep: {len(self.queue)} runs of {', '.join(modes)} at {counts} workers; x stops, "
                 "keeping the points so far", "information", 5)
        return opened

    def claim_plan(self, key: str) -> list[tuple[RunSpec, RunnerInfo]]:
        """The runs of the case that measures claim `key`, each described under its Python.
        Blocks (a Python other than conctui's own is asked by starting a runner): call it off the
        UI thread. Raises UsageError when this machine cannot run the case, saying why."""
        from conctui.engine.claims import CLAIMS  # loaded with the claims screen, not before the first frame

        claim = next(c for c in CLAIMS if c.key == key)
        usable = self.info.python.usable_cores
        runs = []
        for case in claim.cases:
            python, info = self._case_python(case)
            ref = parse_workload(case.workload)
            runs += [(RunSpec(ref, mode, case.worker_count(usable), parse_params(ref, []), python,
                              self.spec.start_method), info) for mode in case.modes]
        return runs

    def _case_python(self, case: Case) -> tuple[str, dict]:
        """The first Python that can run a case, with its runner's description: the current
        choice's, or for a case about another build, each found in turn (a PATH entry may be a
        pyenv shim that runs nothing, so each is asked)."""
        from conctui.engine.claims import CURRENT, FREE_THREADED

        if case.python == CURRENT:
            candidates = [self.spec.python]
        elif case.python == FREE_THREADED:
            candidates = [p.path for p in self.found_pythons() if p.free_threaded and p.unavailable is None]
        else:  # sub-interpreters: the current Python, then any 3.13 or later found
            candidates = [self.spec.python] + [p.path for p in self.found_pythons() if p.version
                                               and p.version >= (3, 13) and not p.free_threaded and not p.unavailable]
        ref = parse_workload(case.workload)
        why = f"no {case.python} Python found" + (
            ": scripts/build-freethreaded.sh builds one, or give one with --python" if case.python == FREE_THREADED
            else "")
        for python in dict.fromkeys(candidates):
            try:
                info = describe(python, ref, parse_params(ref, []))
            except UsageError as exc:
                why = str(exc)
                continue
            reasons = [r for mode in case.modes if (r := unavailable(mode, info))]
            if case.python == FREE_THREADED and not info.python.free_threaded:
                reasons.append(f"{python} is not a free-threaded build")
            if not reasons:
                return python, info
            why = f"{python}: {reasons[0]}"
        raise UsageError(f"{case.describe(self.info.python.usable_cores)}: {why}")

    def enqueue(self, runs: list[tuple[RunSpec, RunnerInfo]], what: str) -> None:
        """Queue described runs (a claim's case) to start once nothing runs."""
        if self.running:
            self.say(RUN_LIVE.reason, RUN_LIVE.severity, RUN_LIVE.timeout)
            return
        self.queue = list(runs)
        self.say(f"measuring: {what}", "information", 5)

    def cancel(self) -> None:
        self.queue.clear()
        self.sweeping = False
        self.session.cancel()
        self.changed()

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

    def describe_choice(self, workload: str, python: str) -> tuple[RunSpec, RunnerInfo]:
        """Ask a runner under `python` (a picker's choice: a path, perhaps with PYTHON_GIL) about
        `workload`: it blocks (and may import user code in the runner), so the app calls it off
        the UI thread. Raises UsageError when either is wrong."""
        ref = parse_workload(workload)
        params = parse_params(ref, []) if ref != self.spec.workload else self.spec.params
        path, python_gil = parse_choice(python)
        return (replace(self.spec, workload=ref, params=params, python=path, python_gil=python_gil),
                describe(path, ref, params, python_gil=python_gil))

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
        self.changed()

    # ---- the way out ------------------------------------------------------------------------
    def start(self) -> None:
        self.session.start_sampling()

    def shutdown(self) -> None:
        """Cancel the live run, reap every process, close the recording: safe to call twice."""
        self.queue.clear()
        self.session.close()
        self.recorder.stop()
