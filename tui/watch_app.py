"""`conctui watch` in the TUI: a watched program's panes, fed by a live watch or its recording.

Runs in conctui's process, on the UI thread. The source (a live `WatchSession`'s events, or
a recording's player) is pulled each frame, like the panes screen's sources (source.py): the
events fold into a WatchModel (engine/watch/model.py); the cores pane folds the same samples
as the other screens do. The workers pane is the threads-and-processes table; the results
pane holds the verdict over the last window and over the whole watch. Keys that choose how
conctui runs a workload (modes, compare, sweep) are greyed: a watched program runs as written.
"""
from __future__ import annotations

import asyncio
import signal
import time
from collections import deque
from collections.abc import Callable

from conctui.engine.events import Event, Sample
from conctui.engine.recording import Recorder
from conctui.engine.spec import UsageError
from conctui.engine.state import SessionState, apply
from conctui.engine.untrusted import visible
from conctui.engine.watch.events import WatchEnded, WatchOutput, WatchSample, WatchStarted
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.verdict import verdict
from conctui.widgets.cores import CoresPane
from conctui.widgets.footer import CompactFooter
from conctui.widgets.output_log import OutputLog
from conctui.widgets.threads import ThreadsPane
from conctui.widgets.verdict_lines import VerdictLines
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Static

FRAME_HZ = 10
WHOLE_EVERY_S = 5.0  # the whole watch's figures move slowly; 256 threads' cost half a frame
NOT_HERE = "watching a program: it runs as it was written; this key chooses how conctui runs a workload"
FIGURES = {
    "cpu": "the thread's CPU time over the last second, as a share of one core (a process: cores busy).",
    "c": "the core the thread last ran on (/proc/PID/task/TID/stat).",
    "held": "share of py-spy's samples (100 a second, 1 s windows) in which the thread held its process's GIL.",
    "gil": "share of /proc reads (100 a second) finding the thread asleep in a futex on its GIL's own words.",
    "lock": "share of reads finding it asleep in any other futex: a Lock, Condition, Event or Queue.",
    "io": "share of reads finding it in read, recv, poll, select, epoll, accept and the like, or in disk wait.",
    "slp": "share of reads finding it in clock_nanosleep, nanosleep or pause (or select with nothing to wait on).",
    "frame": "its hottest frame in the program's own code over the last window (py-spy's samples).",
    "verdict": "sentences chosen by thresholds on these figures (README: conctui watch), for the last second "
               "and for the whole watch.",
}


class WatchSource:
    """A live watch's events, handed to the app a frame at a time (any thread may add)."""

    def __init__(self) -> None:
        self.inbox: deque[list[Event]] = deque()
        self.t0 = time.monotonic()

    def __call__(self, events: list[Event]) -> None:  # a session's sink
        self.inbox.append(events)

    def pull(self) -> list[Event]:
        batch: list[Event] = []
        while self.inbox:
            batch.extend(self.inbox.popleft())
        return batch

    def now(self) -> float:
        return time.monotonic() - self.t0


def header_text(model: WatchModel, recording: bool, note: str = "", width: int = 80) -> Text:
    """`watching pid 4242 · python app.py · CPython 3.11.7 · GIL on · 16 cores`, then how it ended."""
    started = model.started
    if started is None:
        return Text("watching: starting", "dim")
    gil = "no GIL" if started.free_threaded else "GIL on"
    facts = f" · {started.python} · {gil} · {started.cores} cores"
    head = f"{'watching' if started.launched else 'attached to'} pid {started.pid} · "
    room = max(10, width - len(note) - len(head) - len(facts) - 2)
    argv = visible(" ".join(started.argv))
    text = Text.assemble((visible(note), "dim"), (head, "bold"), argv if len(argv) <= room else argv[:room - 1] + "…",
                         facts)
    ended = model.ended
    if ended is not None:
        if ended.how == "detached":
            text.append(" · detached", "yellow")
        else:
            said = f"code {ended.code}" if ended.code is not None else (
                f"signal {ended.signal}" if ended.signal is not None else "code unknown (not conctui's child)")
            text.append(f" · ended with {said} after {model.duration_s:.1f} s", "yellow")
    if recording:
        text.append("  ●REC", "bold red")
    return text


def verdict_text(model: WatchModel, whole: list, whole_s: float) -> Text:
    """The last second's sentences, then the whole watch's in a few words (in full once it ended)."""
    lines = []
    if model.ended is None:
        said = verdict(model, window=True)
        lines += [Text.assemble(("last second: ", "bold"), line.text) for line in said]
        if not said:
            lines.append(Text.assemble(("last second: ", "bold"), ("nothing to say yet", "dim")))
    title = f"whole watch, {whole_s:.0f} s: "
    if model.ended is None:
        lines.append(Text.assemble((title, "bold"), "; ".join(line.short for line in whole) or "-"))
    else:
        lines += [Text.assemble((title, "bold"), line.text) for line in whole]
    if model.last is not None:
        lines += [Text(visible(note), "yellow") for note in (model.last.gil_note, model.last.states_note) if note]
    return Text("\n").join(lines)


class WatchApp(App[int]):
    CSS_PATH = ["app.tcss", "watch.tcss"]
    TITLE = "conctui watch"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("x", "end", "end", id="end",
                tooltip="end the launched program: SIGINT, SIGTERM at 2 s, SIGKILL at 5 s"),
        Binding("R", "record", "rec", id="record", tooltip="start / stop recording the watch"),
        *(Binding(key, "not_here", name, id=f"not-{name}", show=False, tooltip=NOT_HERE)
          for key, name in (("s", "sequential"), ("t", "threads"), ("p", "processes"), ("a", "asyncio"),
                            ("i", "interpreters"), ("d", "dask"), ("c", "compare"), ("S", "sweep"))),
        Binding("question_mark", "help", "help", key_display="?", id="help", tooltip="this help"),
        Binding("q", "quit", "quit", id="quit",
                tooltip="leave: a program conctui started is ended first; one it attached to runs on"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, source: Callable[[], list[Event]], now: Callable[[], float],
                 stop: Callable[[], None] | None = None, launched: bool = False, ticking: bool = True,
                 note: str = "") -> None:
        super().__init__()
        self.pull, self.now, self.stop = source, now, stop
        self.launched = launched
        self.ticking = ticking
        self.note = note
        self.model = WatchModel()
        self.cores = SessionState()
        self.recorder = Recorder()  # sees every batch, so R records a file that stands alone
        self.stopping = False
        self.whole: list = []  # the whole watch's verdict, again every WHOLE_EVERY_S
        self.whole_at = -WHOLE_EVERY_S
        self.whole_s = 0.0

    def compose(self) -> ComposeResult:
        self.header_pane = Static(id="header")
        self.threads_pane = ThreadsPane(id="workers")
        self.cores_pane = CoresPane(id="cores")
        self.results_pane = VerdictLines(id="watch-verdict")
        self.log_pane = OutputLog(id="log")
        side = Vertical(self.cores_pane, id="side")
        for pane, title in ((self.threads_pane, "threads and processes"), (side, "cores"),
                            (self.results_pane, "verdict"), (self.log_pane, "output")):
            pane.border_title = title
        yield self.header_pane
        yield Horizontal(self.threads_pane, side, id="top")
        yield self.results_pane
        yield self.log_pane
        yield CompactFooter()

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(number, self.quit_on_signal, number)
        self.frame()
        if self.ticking:
            self.set_interval(1 / FRAME_HZ, self.frame)

    def frame(self) -> None:
        batch = self.pull()
        if not batch and self.model.started is not None:
            return
        self.recorder(batch)
        self.model.fold(batch)
        samples = [e for e in batch if isinstance(e, WatchSample)]
        for sample in samples:
            apply(self.cores, Sample(sample.t, sample.cores, [], None if sample.app_cpu is None
                                     else round(min(100.0, 100 * sample.app_cpu), 1)))
        with self.batch_update():
            self._update(self.header_pane, header_text(self.model, self.recorder.recording, self.note,
                                                       self.size.width))
            if samples or any(isinstance(e, (WatchEnded, WatchStarted)) for e in batch):
                self.threads_pane.show(self.model.figures(window=self.model.ended is None))
                self.cores_pane.draw(self.cores)
                if self.model.ended is not None or time.monotonic() - self.whole_at >= WHOLE_EVERY_S:
                    self.whole, self.whole_at = verdict(self.model, window=False), time.monotonic()
                    self.whole_s = self.model.duration_s  # its title moves with it, not every second
                self.results_pane.show(verdict_text(self.model, self.whole, self.whole_s))
            lines = [e.line for e in batch if isinstance(e, WatchOutput)]
            if lines and self.model.started is not None:
                self.log_pane.add([(self.model.started.pid, line) for line in lines])

    @staticmethod
    def _update(pane: Static, text: Text) -> None:
        """Only a text that changed is redrawn: every redrawn cell crosses an SSH link."""
        if getattr(pane, "shown", None) != text:
            pane.shown = text
            pane.update(text)

    # ---- keys --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "not_here" or (action == "end" and (not self.launched or self.model.ended is not None)):
            return None  # greyed: pressing it says why (on_key)
        if action == "record" and self.stop is None:
            return None  # a replay is already a recording
        return True

    def on_key(self, event: Key) -> None:
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and event.key in binding.key.split(","):
                if binding.action == "not_here":
                    self.notify(NOT_HERE, severity="warning", timeout=3)
                elif binding.action == "end" and self.check_action("end", ()) is None:
                    self.notify("conctui never signals a program it attached to: q leaves it running"
                                if not self.launched else "the program has ended", timeout=3)

    def notify(self, message: str, **kwargs: object) -> None:  # type: ignore[override]
        super().notify(visible(message), markup=False, **kwargs)  # type: ignore[arg-type]

    def action_not_here(self) -> None:
        """Greyed: on_key says why."""

    def action_end(self) -> None:
        self._stop_in_thread()

    def _stop_in_thread(self, then: Callable[[], None] | None = None) -> None:
        """Ending a program takes up to 5 s: off the UI thread, the frames go on meanwhile."""
        if self.stop is None or self.stopping:
            if then:
                then()
            return
        self.stopping = True

        def stop() -> None:
            self.stop()
            if then:
                self.call_from_thread(then)

        self.run_worker(stop, thread=True, exit_on_error=False)

    def action_record(self) -> None:
        if self.recorder.recording:
            self.recorder.stop()
            self.notify(f"recorded to {self.recorder.path}", timeout=3)
            return
        path = time.strftime("conctui-watch-%Y%m%d-%H%M%S.jsonl")
        try:
            self.recorder.start(path)  # the watch's start and its latest sample first: the file stands alone
        except UsageError as exc:
            self.notify(str(exc), severity="error", timeout=5)
            return
        self.notify(f"recording to {path}", timeout=3)

    def action_help(self) -> None:
        from conctui.widgets.help import HelpScreen

        bindings = [b for b in self.BINDINGS if isinstance(b, Binding) and b.description and b.show]
        self.push_screen(HelpScreen(bindings, [NOT_HERE], FIGURES))

    async def action_quit(self) -> None:
        self._stop_in_thread(then=self._leave)

    def _leave(self) -> None:
        self.recorder(self.pull())  # the watch's end
        self.recorder.stop()
        self.exit(0)

    def quit_on_signal(self, signum: int) -> None:
        self._stop_in_thread(then=lambda: self.exit(128 + signum))


class ChooseApp(App[int]):
    """`conctui watch` with no target: this user's Python processes, busiest first; enter picks."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, rows: list) -> None:
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        from conctui.widgets.picker import Picker
        from textual.widgets.option_list import Option

        options = [Option(Text.assemble(f"{row.pid:>7} ", (f"{row.cpu:6.1%}", "bold"), f" {row.threads:>4} thr  ",
                                        visible(" ".join(row.argv))[:200]), id=str(row.pid)) for row in self.rows]
        self.push_screen(Picker("Python processes (pid, CPU, threads, argv)", options, ""),
                         lambda chosen: self.exit(int(chosen) if chosen else 0))


def replay(events: list[Event], t0: float, speed: float, path: str) -> int:
    """A recorded watch, played on its own clock (space pauses: not here; q leaves)."""
    from conctui.engine.replay import Player

    player = Player(events, t0, speed)
    last = [time.monotonic()]

    def pull() -> list[Event]:
        now = time.monotonic()
        due = player.advance(now - last[0])
        last[0] = now
        return due

    code = WatchApp(pull, lambda: player.clock, note=f"▶ {visible(path)} · ").run()
    return code if isinstance(code, int) else 0
