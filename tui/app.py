"""The TUI: one app over one source (source.py), keys in, the panes screen showing the stream.

Three parts, each in its own module: the source (live.py's controller, replay_app.py's
player, or a test's fixed stream: what the events are and what the keys do; no Textual), the
panes screen (panes.py: the layout and the frame: pull, fold, update), and this app, in the
conctui process on the UI thread: it owns the session model (engine/model.py), binds the
source's keys beside its own, greys or hides what does not apply, opens the modal screens, runs
what blocks in worker threads, and shows notifications. Every way out (q, Ctrl+C, SIGTERM,
SIGHUP, a crash) goes through `shutdown()`, which closes the source (the live session cancels
its run and reaps its processes).

To add a key that acts on the source: a `Key` in the source's `keys` and a case in its `act`
(and `refusal`, if it does not always apply: the footer then greys or hides it, and pressing it
says why). A key that opens a screen: a `Binding` here, with its `action_<name>`; a source
offers it by naming the action in a Key (as the pickers are). To add a screen: a Screen or
ModalScreen in tui/widgets/, pushed from its action.
"""
from __future__ import annotations

import asyncio
import gc
import signal
import sys
from collections.abc import Callable

from conctui import changed_cells
from conctui.engine.events import Event, SweepStarted
from conctui.engine.model import SessionModel
from conctui.engine.recording import Recorder
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, UsageError
from conctui.engine.state import SessionState
from conctui.engine.sweep import of_session, one_worker_wall, plan, planned_s, time_left
from conctui.engine.text import seconds_left
from conctui.engine.untrusted import visible
from conctui.live import LiveController, OpenSession
from conctui.panes import FRAME_HZ, TICK_HZ, PanesScreen
from conctui.runner.request import RunnerInfo
from conctui.source import Key, Refusal, Source
from conctui.terminal_driver import terminal_driver
from conctui.widgets import too_small
from textual.actions import parse
from textual.app import App, SeverityLevel
from textual.binding import Binding, BindingsMap
from textual.driver import Driver
from textual.events import Key as KeyEvent
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.widgets.option_list import Option

__all__ = ["FRAME_HZ", "TICK_HZ", "ConcApp", "launch", "live_app"]

changed_cells.install()  # a dirty span sends its cells, not its line's start (changed_cells.py)

# the app's actions a source may bind its keys to: they open a screen, so they live here
SCREEN_ACTIONS = ("pick_workload", "pick_python")


def source_binding(key: Key) -> Binding:
    """A source's key as Textual binds it: `act('seek', -5.0)` (or one of SCREEN_ACTIONS)."""
    action = key.action if key.action in SCREEN_ACTIONS else f"act({', '.join(map(repr, (key.action, *key.args)))})"
    ident = "-".join(map(str, (key.action, *key.args)))
    group = Binding.Group(key.group, compact=True) if key.group else None
    return Binding(key.key, action, key.label, key_display=key.key_display, id=ident, show=key.show,
                   tooltip=key.tooltip, group=group, priority=key.priority)


class WorkDone(Message):
    """A worker thread's job ended: `done(result)` runs on the UI thread."""

    def __init__(self, done: Callable[[object], None], result: object) -> None:
        super().__init__()
        self.done, self.result = done, result


class ConcApp(App[int]):
    """The one app: its main screen is the panes, fed by `source`; its keys are the source's
    own, then sweep, claims, help and quit."""

    CSS_PATH = "app.tcss"
    TITLE = "conctui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        # off the footer, which 80 columns fill: the results pane's title names them, help lists them
        Binding("S", "sweep", "sweep", id="sweep", show=False,
                tooltip="sweep 1 to 2 x cores workers: speedup, serial fraction"),
        Binding("T", "claims", "claims", id="claims", show=False,
                tooltip="the tutorial's claims, measured here"),
        Binding("tab", "focus_next", "next pane", id="focus", show=False,
                tooltip="the arrow keys move in the next pane: results (↑↓ older runs and their memory lines), "
                        "output (↑↓ scroll what workers printed), workers"),
        Binding("question_mark", "help", "help", key_display="?", id="help", tooltip="this help"),
        Binding("q", "quit", "quit", id="quit", tooltip="cancel any run, reap every child, quit"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, source: Source, ticking: bool = True, tick_hz: float = TICK_HZ) -> None:
        super().__init__()
        self.source = source
        self.ticking = ticking  # False: frames are stepped by the caller (exports, snapshot tests)
        self.model = SessionModel(tick=1 / tick_hz)
        # the source's keys first (the footer's order), then the app's: bound per app, as each
        # source has its own (Textual merges class BINDINGS only; this map is the one it reads)
        self.key_bindings = [source_binding(key) for key in source.keys] + [
            b for b in self.BINDINGS if isinstance(b, Binding)]
        self._bindings = BindingsMap(self.key_bindings)
        self.panes: PanesScreen | None = None  # made when the app starts, as its first screen
        self._shut_down = False
        self._claims_after_runs = False  # a claim is being measured: its screen comes back after
        self._notices: dict[str, Notification] = {}  # the latest notice of each kind (notify)
        source.attach(self)

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class())  # a lost terminal ends the app as SIGHUP does

    def get_default_screen(self) -> PanesScreen:
        self.panes = PanesScreen(self.source, self.model, self.ticking)
        return self.panes

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.quit_on_signal, sig)
        self.call_after_refresh(self.begin)

    def begin(self) -> None:
        """After the first frame: the source starts (the live session samples, runs `--start`)."""
        self.source.start()

    # what callers holding the app read and step (tests, benches, exports)
    @property
    def state(self) -> SessionState:
        return self.model.state

    @property
    def figures(self) -> list[dict]:
        return self.model.figures

    def feed(self, events: list[Event]) -> None:
        self.panes.feed(events)

    def frame(self, now: float | None = None) -> None:
        self.panes.frame(now)

    # ---- what a source asks of the app (live.Host) --------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification passes the untrusted-text boundary and is never markup: most quote a
        path, a runner's reason or an exception's message, which are text from outside. A notice
        replaces the one of its kind still shown (its words before the first `:`: `next run`, a
        mode's name), so pressing g four times leaves one, not four stacked over the panes."""
        notice = Notification(visible(message), visible(title), severity,
                              self.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup=False)
        kind = notice.message.split(":")[0]
        if (previous := self._notices.get(kind)) is not None and previous in self._notifications:
            self._unnotify(previous)  # Textual's own way out for a notice (its Toast calls it on timeout)
        self._notices[kind] = notice
        self.post_message(Notify(notice))  # as App.notify does, keeping the notice to replace it later

    def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None:
        self.notify(message, severity=severity, timeout=timeout)  # type: ignore[arg-type]

    def recheck_keys(self) -> None:
        self.refresh_bindings()
        if self.panes is not None:
            self.panes.wake()
        if self._claims_after_runs and not self.source.running:
            self._claims_after_runs = False
            if self.screen is self.panes:  # not over a screen the person opened meanwhile
                self.action_claims()

    def off_thread(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        """Run `job` in a worker thread (a capacity check, a description, waiting for a runner to
        be reaped); then, on the UI thread, a frame folds what arrived and `done(result)` runs."""

        def work() -> None:
            try:
                result: object = job()
            except UsageError as exc:
                result = exc
            # posted, not call_from_thread: that waits for the UI thread, which at exit waits for
            # this thread (asyncio joins its worker threads)
            self.post_message(WorkDone(done, result))

        self.run_worker(work, thread=True, group="source")

    def on_resize(self) -> None:
        """Below the size the panes need, one message saying so instead (widgets/too_small.py)."""
        self.call_later(too_small.follow, self)

    def on_work_done(self, message: WorkDone) -> None:
        if self._shut_down:
            return
        if self.panes is not None:
            self.panes.frame()  # e.g. a run's end: folded before the source starts the next run
        message.done(message.result)

    def ended_figures(self) -> list[dict]:
        return self.model.figures

    # ---- which keys apply now: the source's refusals, for the footer and for a key press ----
    def refusal(self, action: str, parameters: tuple[object, ...]) -> Refusal | None:
        if action == "act":
            return self.source.refusal(str(parameters[0]), parameters[1:])
        if action in (*SCREEN_ACTIONS, "sweep", "claims"):
            return self.source.refusal(action, ())
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys a key out (a mode that cannot run here); False hides a key that applies
        only to the other state (x between runs; run, compare and pickers mid-run)."""
        refusal = self.refusal(action, parameters)
        if refusal is None:
            return True
        return None if refusal.greyed else False

    def on_key(self, event: KeyEvent) -> None:
        """Any key may change what the panes show next; one that does nothing now says why."""
        if self.panes is not None:
            self.panes.wake()
        for binding in self.key_bindings:
            if event.key in binding.key.split(","):
                _, action, parameters = parse(binding.action)
                if refusal := self.refusal(action, parameters):
                    self.notify(refusal.reason, severity=refusal.severity, timeout=refusal.timeout)  # type: ignore[arg-type]

    # ---- actions -----------------------------------------------------------------------------
    def action_act(self, action: str, *args: object) -> None:
        """One of the source's keys: its effect is shown at once."""
        self.source.act(action, *args)
        self.frame()

    def action_cancel(self) -> None:
        """The sweep screen's x: what the source's x does."""
        if self.source.allows.cancel:
            self.source.act("cancel")

    def action_help(self) -> None:
        # each modal screen's module is imported when it is first opened: the first frame needs none
        from conctui.widgets.help import HelpScreen

        self.push_screen(HelpScreen([b for b in self.key_bindings if b.description], self.source.help_notes(),
                                    self.source.figures))

    @property
    def sweep_running(self) -> bool:
        return self.source.sweeping

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

        self.push_screen(SweepScreen(self.sweep_view, ticking=self.ticking, can_stop=self.sweep_running))

    def action_sweep(self) -> None:
        """Mid-sweep: show it. A source that allows sweeps shows the plan of one of its current
        choice, which enter starts; otherwise S shows the session's last sweep (a replay's)."""
        if self.source.allows.sweep and not self.sweep_running:
            if (planned := self.source.plan_sweep()) is not None:
                self.show_sweep_plan(planned)
            return
        if not self.source.allows.sweep and not self.state.sweeps:
            self.notify("no sweep in this recording", severity="warning", timeout=3)
            return
        self.open_sweep()

    def show_sweep_plan(self, planned: SweepStarted) -> None:
        from conctui.widgets.sweep_plan import SweepPlan

        one = one_worker_wall(self.figures, planned.workload, planned.params)
        runs = plan(planned.modes, planned.workers, planned.repeat)

        def chosen(start: bool | None) -> None:
            if start:
                self.source.sweep(planned)
                self.frame()  # fold the sweep's plan now, so its screen opens on it
                self.open_sweep()

        self.push_screen(SweepPlan(planned, None if one is None else planned_s(runs, one, planned.usable_cores)),
                         chosen)

    def action_claims(self) -> None:
        from conctui.widgets.claims import ClaimsScreen

        self.push_screen(ClaimsScreen(self.figures, self.source.usable_cores(self.state), self.source.allows.measure),
                         self.measure_claim)

    def measure_claim(self, key: str | None) -> None:
        """What the claims screen's number keys do, where the source measures: the claims come
        back, with the new figure, once its runs are over (`recheck_keys`)."""
        if key and self.source.allows.measure:
            self.source.measure(key)
            self._claims_after_runs = True

    # the pickers: a source offers them by naming these actions in its keys (the live controller)
    def action_pick_workload(self) -> None:
        from conctui.widgets.picker import workload_options

        control: LiveController = self.source  # type: ignore[assignment]
        self.pick("workload", workload_options(control.user_workloads), control.spec.workload.text,
                  lambda text: control.choose(text, control.python_choice))

    def action_pick_python(self) -> None:
        from conctui.widgets.picker import python_options

        control: LiveController = self.source  # type: ignore[assignment]
        self.pick("python", python_options(control.found_pythons()), control.python_choice,
                  lambda choice: control.choose(control.spec.workload.text, choice))

    def pick(self, title: str, options: list[Option], current: str, chosen: Callable[[str], None]) -> None:
        """A picker over `options`; a new pick goes to `chosen(its id)`."""
        from conctui.widgets.picker import Picker

        def picked(option: str | None) -> None:
            if option and option != current:
                chosen(option)

        self.push_screen(Picker(title, options, current), picked)

    # ---- the way out -------------------------------------------------------------------------
    def on_unmount(self) -> None:
        self.shutdown()

    def shutdown(self) -> None:
        """Close the source (the live session cancels its run, reaps every process, closes its
        recording): safe to call twice."""
        self._shut_down = True
        self.source.close()

    def quit_on_signal(self, signum: int) -> None:
        self.shutdown()
        self.exit(128 + signum)

    async def action_quit(self) -> None:
        if not self.source.ending_first():  # a launched program: ended off the UI thread, then quit_now
            self.quit_now()

    def quit_now(self) -> None:
        self.shutdown()
        self.exit(0)


def live_app(spec: RunSpec, info: RunnerInfo, *, start: bool = False, ticking: bool = True,
             recorder: Recorder | None = None, tick_hz: float = TICK_HZ,
             open_session: OpenSession = Session) -> ConcApp:
    """The app over a live session of `spec` (described by `info`); `start`: run it at once."""
    controller = LiveController(spec, info, start=start, recorder=recorder, tick_s=1 / tick_hz,
                                open_session=open_session)
    return ConcApp(controller, ticking, tick_hz)


def launch(spec: RunSpec, info: RunnerInfo, start: bool = False, record: str | None = None,
           tick_hz: float = TICK_HZ) -> int:
    recorder = Recorder.open(record) if record else None  # an unwritable path fails before the UI opens
    # What is imported by now (modules, classes, functions) lives as long as the app: frozen, it is
    # left out of every collection, so none scans it again (~40 000 objects; a full collection
    # during the first frame took ~16 ms: bench/startup.py)
    gc.freeze()
    app = live_app(spec, info, start=start, recorder=recorder, tick_hz=tick_hz)
    try:
        code = app.run()
    finally:
        app.shutdown()  # also after a crash inside the UI
    error = app.source.recorder.error  # type: ignore[attr-defined]
    if error:
        print(f"conctui: {visible(error)}", file=sys.stderr)
    return code if isinstance(code, int) else 0
