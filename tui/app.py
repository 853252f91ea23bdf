"""The live TUI: keys in, the live session's controller acts, the panes screen shows the stream.

Three parts, each in its own module: the panes screen (panes.py: layout and frame loop), the
controller (live.py: the choice, runs, compare, sampler, recording; no Textual), and this app
(bindings, key availability, pickers, notifications, the exit paths). Every way out (q, Ctrl+C,
SIGTERM, SIGHUP, a crash) goes through `shutdown()`, which cancels the run and reaps its processes.

To add a key: a `Binding` in `ConcApp.BINDINGS` (with an id), an `action_<name>` that calls the
controller, and, if it does not always apply, a case in `LiveController.refusal`: the footer then
greys or hides the key, and pressing it says the refusal's reason. To add a screen: a Screen or
ModalScreen in tui/widgets/, pushed from its action (as the pickers are).
"""
from __future__ import annotations

import asyncio
import gc
import signal
import sys
from collections.abc import Callable

from conctui.engine.events import Event
from conctui.engine.modes import MODES
from conctui.engine.recording import Recorder
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, UsageError
from conctui.engine.state import SessionState
from conctui.engine.sweep import of_session, plan, time_left
from conctui.engine.text import seconds_left
from conctui.engine.untrusted import visible
from conctui.live import LiveController, OpenSession
from conctui.panes import FRAME_HZ, REFRESH_HZ, PanesScreen
from conctui.runner.request import RunnerInfo
from conctui.source import Source
from textual import work
from textual.actions import parse
from textual.app import App, SeverityLevel
from textual.binding import Binding
from textual.events import Key
from textual.widgets.option_list import Option

__all__ = ["FRAME_HZ", "REFRESH_HZ", "ConcApp", "PanesApp", "launch"]

MODE_GROUP = Binding.Group("mode", compact=True)
WORKERS_GROUP = Binding.Group("workers", compact=True)


def _mode_bindings() -> list[Binding]:
    """One key per mode, shown together in the footer as `stpa mode`, each greyed on its own."""
    return [Binding(info.key, f"mode('{name}')", name, id=f"mode-{name}", group=MODE_GROUP,
                    tooltip=f"choose the {name} mode") for name, info in MODES.items()]


class PanesApp(App[int]):
    """An app whose main screen is the panes, fed by one source: the live app and the replay."""

    CSS_PATH = "app.tcss"
    TITLE = "conctui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        # off the footer, which 80 columns fill: the results pane's title names them, help lists them
        Binding("S", "sweep", "sweep", id="sweep", show=False,
                tooltip="sweep 1 to 2 x cores workers: speedup, serial fraction"),
        Binding("T", "claims", "claims", id="claims", show=False,
                tooltip="the tutorial's claims, measured here"),
        Binding("question_mark", "help", "help", key_display="?", id="help", tooltip="this help"),
        Binding("q", "quit", "quit", id="quit", tooltip="cancel any run, reap every child, quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, source: Source, ticking: bool = True, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__()
        self._panes_args = (source, ticking, refresh_hz)
        self.panes: PanesScreen | None = None  # made when the app starts, as its first screen

    def get_default_screen(self) -> PanesScreen:
        self.panes = PanesScreen(*self._panes_args)
        return self.panes

    # what callers holding the app read and step (tests, benches, exports)
    @property
    def state(self) -> SessionState:
        return self.panes.state

    @property
    def figures(self) -> list[dict]:
        return self.panes.figures

    def feed(self, events: list[Event]) -> None:
        self.panes.feed(events)

    def frame(self, now: float | None = None) -> None:
        self.panes.frame(now)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification passes the untrusted-text boundary and is never markup: most quote a
        path, a runner's reason or an exception's message, which are text from outside."""
        super().notify(visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False)

    def on_key(self) -> None:
        """Any key, on any screen (a picker's too), may change what the panes show next."""
        if self.panes is not None:
            self.panes.wake()

    def action_help(self) -> None:
        # each modal screen's module is imported when it is first opened: the first frame needs none
        from conctui.widgets.help import HelpScreen

        bindings = [b for b in self.BINDINGS if isinstance(b, Binding) and b.description]
        self.push_screen(HelpScreen(bindings, self.panes.source.help_notes()))

    # ---- the claims and the sweep, read from the session's state (live or replayed) ----------
    def usable_cores(self) -> int:
        run = self.state.current
        return run.started.python.usable_cores if run else 1

    @property
    def can_measure(self) -> bool:
        """Whether the claims screen's keys run their cases (not while replaying)."""
        return False

    @property
    def sweep_running(self) -> bool:
        return False

    def sweep_view(self) -> tuple[dict | None, str]:
        """The latest sweep's document, and its progress: runs done of planned, the time left."""
        if not self.state.sweeps:
            return None, "no sweep yet: S starts one"
        opened, first = self.state.sweeps[-1]
        sweep = of_session(opened, first, self.figures, self.sweep_running)
        done, planned = sweep["runs_done"], sweep["runs_planned"]
        line = f"sweep of {visible(opened.workload)}: {done}/{planned} runs, {sweep['status']}"
        if sweep["status"] == "running":
            runs = self.figures[first:]
            left = time_left(sweep["points"], plan(opened.modes, opened.workers, opened.repeat)[done:],
                             self.state.t - opened.t, sum(r["wall_s"] or 0.0 for r in runs))
            line += f", {seconds_left(left)}"
        return sweep, line

    def open_sweep(self) -> None:
        from conctui.widgets.sweep import SweepScreen

        self.push_screen(SweepScreen(self.sweep_view, ticking=self.panes.ticking, can_stop=self.sweep_running))

    def action_sweep(self) -> None:
        if not self.state.sweeps:
            self.notify("no sweep in this recording", severity="warning", timeout=3)
            return
        self.open_sweep()

    def action_claims(self) -> None:
        from conctui.widgets.claims import ClaimsScreen

        self.push_screen(ClaimsScreen(self.figures, self.usable_cores(), self.can_measure), self.measure_claim)

    def measure_claim(self, key: str | None) -> None:
        """What the claims screen's number keys do: nothing while replaying."""


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

    def __init__(self, spec: RunSpec, info: RunnerInfo, *, start: bool = False, ticking: bool = True,
                 recorder: Recorder | None = None, refresh_hz: float = REFRESH_HZ,
                 open_session: OpenSession = Session) -> None:
        self.controller = LiveController(spec, info, self.say, self.refresh_bindings, recorder=recorder,
                                         refresh_s=1 / refresh_hz, open_session=open_session)
        super().__init__(self.controller, ticking, refresh_hz)
        self._start = start

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.quit_on_signal, sig)
        self.call_after_refresh(self.begin)

    def begin(self) -> None:
        """After the first frame, which shows no sample: sampling (and psutil's import), then
        the run `--run` asked for."""
        self.controller.start()
        if self._start:
            self.action_run()

    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Cancel the live run, reap every process, close the recording: safe to call twice."""
        self.controller.shutdown()

    def quit_on_signal(self, signum: int) -> None:
        self.shutdown()
        self.exit(128 + signum)

    def say(self, message: str, severity: str, timeout: float) -> None:
        self.notify(message, severity=severity, timeout=timeout)  # type: ignore[arg-type]

    # ---- which keys apply now: the controller's refusals, for the footer and for a key press ----
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys a key out (a mode that cannot run here); False hides a key that applies
        only to the other state (x between runs; run, compare and pickers mid-run)."""
        refusal = self.controller.refusal(action, parameters)
        if refusal is None:
            return True
        return None if refusal.greyed else False

    def on_key(self, event: Key) -> None:
        """A key that does nothing now still says why: the refusal of the action it is bound to."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and event.key in binding.key.split(","):
                _, action, parameters = parse(binding.action)
                if refusal := self.controller.refusal(action, parameters):
                    self.notify(refusal.reason, severity=refusal.severity, timeout=refusal.timeout)  # type: ignore[arg-type]

    # ---- actions: one per binding ----------------------------------------------------------
    def action_mode(self, mode: str) -> None:
        self.controller.choose_mode(mode)

    def action_workers(self, delta: int) -> None:
        self.controller.change_workers(delta)

    def action_run(self) -> None:
        self.controller.run()

    def action_compare(self) -> None:
        self.controller.compare()

    def action_cancel(self) -> None:
        self.controller.cancel()

    def action_switch_interval(self) -> None:
        self.controller.cycle_switch_interval()

    def action_record(self) -> None:
        self.controller.toggle_recording()

    def usable_cores(self) -> int:
        return self.controller.info.python.usable_cores

    @property
    def can_measure(self) -> bool:
        return True

    @property
    def sweep_running(self) -> bool:
        return self.controller.sweeping

    def action_sweep(self) -> None:
        """Mid-sweep: show it. Otherwise start a sweep of the current choice and show it."""
        if not self.controller.sweeping and self.controller.sweep() is None:
            return
        self.frame()  # fold the sweep's plan now, so its screen opens on it
        self.open_sweep()

    def measure_claim(self, key: str | None) -> None:
        if key:
            self.plan_claim(key)

    @work(thread=True, exclusive=True)
    def plan_claim(self, key: str) -> None:
        """Describe a claim's case off the UI thread (another Python is asked by starting a runner)."""
        try:
            runs = self.controller.claim_plan(key)
        except UsageError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning", timeout=8)
            return
        self.call_from_thread(self.controller.enqueue, runs, f"claim {key}")

    def action_pick_workload(self) -> None:
        from conctui.widgets.picker import workload_options

        control = self.controller
        self.pick("workload", workload_options(control.user_workloads), control.spec.workload.text,
                  lambda text: (text, control.python_choice))

    def action_pick_python(self) -> None:
        from conctui.widgets.picker import python_options

        control = self.controller
        self.pick("python", python_options(control.found_pythons()), control.python_choice,
                  lambda choice: (control.spec.workload.text, choice))

    def pick(self, title: str, options: list[Option], current: str,
             choice: Callable[[str], tuple[str, str]]) -> None:
        """A picker over `options`; a new pick is described, as (workload, python) = choice(id)."""
        from conctui.widgets.picker import Picker

        def picked(option: str | None) -> None:
            if option and option != current:
                self.load_choice(*choice(option))

        self.push_screen(Picker(title, options, current), picked)

    @work(thread=True, exclusive=True)
    def load_choice(self, workload: str, python: str) -> None:
        """Describe the picked choice off the UI thread (it may import user code in a runner)."""
        try:
            choice = self.controller.describe_choice(workload, python)
        except UsageError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.controller.adopt, *choice)

    async def action_quit(self) -> None:
        self.shutdown()
        self.exit(0)


def launch(spec: RunSpec, info: RunnerInfo, start: bool = False, record: str | None = None,
           refresh_hz: float = REFRESH_HZ) -> int:
    recorder = Recorder.open(record) if record else None  # an unwritable path fails before the UI opens
    # What is imported by now (modules, classes, functions) lives as long as the app: frozen, it is
    # left out of every collection, so none scans it again (~40 000 objects; a full collection
    # during the first frame took ~16 ms: bench/startup.py)
    gc.freeze()
    app = ConcApp(spec, info, start=start, recorder=recorder, refresh_hz=refresh_hz)
    try:
        code = app.run()
    finally:
        app.shutdown()  # also after a crash inside the UI
    if app.controller.recorder.error:
        print(f"conctui: {visible(app.controller.recorder.error)}", file=sys.stderr)
    return code if isinstance(code, int) else 0
