"""A watched program as the panes' source (`conctui watch`): its events, its header, its keys.

The third source of the one app (app.py; source.py is the contract). A `WatchSession`
(engine/watch/session.py) sends its events here from its sampler and output threads; each
frame pulls them, and they fold into the app's model like any other source's
(engine/state.py's and engine/model.py's handle_watch_*). The panes are a watched program's
(`layout = "program"`): the threads-and-processes table and the verdict; the cores pane as
ever. A program runs as it was written, so the keys that choose how conctui runs a workload
(modes, compare, sweep, claims) are greyed and say why. x ends a launched program; q ends it
too (as x does, off the UI thread: the screen goes on, and the app quits once it is reaped),
or leaves an attached one running. No Textual here: it runs in the conctui process, its
sink on the session's threads, the rest on the UI thread.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from conctui.engine.events import Event
from conctui.engine.recording import Recorder
from conctui.engine.spec import UsageError
from conctui.engine.state import SessionState
from conctui.engine.watch.events import WatchEnded
from conctui.engine.watch.pyspy import MAX_RUNS, MAX_WINDOW_S, MIN_AGE_S, RUNNING_SHARE
from conctui.engine.watch.sampler import STATE_HZ
from conctui.source import Key, ProgramLine, Refusal, Source, drain

NOT_HERE = "watching a program: it runs as it was written; this key chooses how conctui runs a workload"
NOT_SIGNALLED = "conctui never signals a program it attached to: q leaves it running"
SUBINTERPRETERS = ("a sub-interpreter with its own GIL (3.12+) keeps it outside _PyRuntime: a thread waiting for "
                   "that GIL reads as lock, not gil")
ENDING = "ending the program: SIGINT, SIGTERM at 2 s, SIGKILL at 5 s"
FIGURES = {
    "cpu": "the thread's CPU time over the last second, as a share of one core (a process: cores busy).",
    "c": "the core the thread last ran on (/proc/PID/task/TID/stat).",
    "held": "share of py-spy's samples in its last window in which the thread held its process's GIL (the first "
            "window 1 s at 100 a second, fewer past 4 processes; later ones 50 samples over 2 s or more, longer in "
            f"a big or busy tree: py-spy held to {RUNNING_SHARE:.0%} of a core while it runs, half that, in windows "
            f"of up to {MAX_WINDOW_S} s, while no core is idle, but for a process not sampled yet); `-` for a "
            f"process that began during the watch until the first window that starts once it has lived "
            f"{MIN_AGE_S:g} s has ended (past {MAX_RUNS} Python processes, until its turn: a window samples at most "
            f"{MAX_RUNS}).",
    "gil": f"share of /proc reads ({STATE_HZ} a second, half that while no core is idle) finding the thread asleep "
           "in a futex on its GIL's own words (`no GIL` across held and gil: a free-threaded build with its GIL off).",
    "lock": "share of reads finding it asleep in any other futex: a Lock, Condition, Event or Queue.",
    "io": "share of reads finding it in read, recv, poll, select, epoll, accept and the like, or in disk wait.",
    "slp": "share of reads finding it in clock_nanosleep, nanosleep or pause (or select with nothing to wait on).",
    "frame": "its hottest frame in the program's own code over the last window (py-spy's samples).",
    "app": "conctui's own CPU, its py-spy runs included, as a share of one core; `sampling halved: no core idle`: "
           "it reads /proc and runs py-spy half as often while every core is busy, taking less from the program.",
    "verdict": "sentences chosen by thresholds on these figures (README: conctui watch), for the last second "
               "and for the whole watch.",
}
WATCH_KEYS = (
    Key("x", "end", "end", tooltip="end the launched program: SIGINT, SIGTERM at 2 s, SIGKILL at 5 s"),
    Key("R", "record", "rec", tooltip="start / stop recording the watch"),
    # greyed: pressed, they say why (the app's S and T too, through `refusal`)
    Key("s,t,p,a,i,d,c", "not_here", "modes", key_display="s t p a i d c", show=False, tooltip=NOT_HERE),
)


class WatchSource(Source):
    """A live watch: the session's sink (any thread) and the panes' source (the UI thread).
    `stop` ends the watch (WatchSession.stop: a launched program is ended, an attached one left)."""

    keys = WATCH_KEYS
    layout = "program"
    figures = FIGURES

    def __init__(self, launched: bool, recorder: Recorder | None = None) -> None:
        self.launched = launched
        self.recorder = recorder or Recorder()  # sees every batch, so R records a file that stands alone
        self.inbox: deque[list[Event]] = deque()
        self.t0 = time.monotonic()
        self.stop: Callable[[], None] | None = None  # the session's, once it has started
        self.stopping = False  # x or q began ending it
        self.reaped = False  # and that has finished
        self.quitting = False  # q: the app quits once it is reaped
        self.ended = False
        self._stopped = threading.Lock()

    def __call__(self, events: list[Event]) -> None:
        """A session's sink: called under its lock, in stream order."""
        self.recorder(events)
        self.inbox.append(events)

    def pull(self) -> list[Event]:
        batch = drain(self.inbox)
        if not self.ended and any(isinstance(event, WatchEnded) for event in batch):
            self.ended = True
            if self.host is not None:
                self.host.recheck_keys()  # x no longer applies
        return batch

    def now(self, state: SessionState) -> float:
        return time.monotonic() - self.t0

    def header(self, state: SessionState) -> ProgramLine | None:
        if state.watch is None:
            return None
        return ProgramLine.of_watch(state.watch, self.recorder.recording,
                                    "ending… " if self.stopping and not self.ended else "")

    def refusal(self, action: str, args: tuple[object, ...] = ()) -> Refusal | None:
        if action in ("not_here", "sweep", "claims"):
            return Refusal(NOT_HERE, greyed=True)
        if action == "end" and not self.launched:
            return Refusal(NOT_SIGNALLED, greyed=True, severity="information")
        if action == "end" and (self.ended or self.stopping):
            return Refusal("the program has ended" if self.ended else "the program is being ended", greyed=True,
                           severity="information")
        return None

    def act(self, action: str, *args: object) -> None:
        if action == "end":
            self.end_program()
        elif action == "record":
            self.toggle_recording()

    def end_program(self) -> None:
        """x: ending a program takes up to 5 s, so off the UI thread; the frames go on meanwhile."""
        if self.stop is None or self.host is None:
            return
        self.stopping = True
        self.say(ENDING, timeout=6.0)
        self.host.recheck_keys()
        self.host.off_thread(self._stop, self._reaped)

    def _reaped(self, _: object) -> None:
        self.reaped = True
        if self.quitting and self.host is not None:
            self.host.quit_now()

    def ending_first(self) -> bool:
        """q on a launched program still running: end it as x does, and quit once it is reaped."""
        if not self.launched or self.reaped or (self.stop is None and not self.stopping):
            return False  # attached (left running), ended by x already, or never started
        self.quitting = True
        if not self.stopping:
            self.end_program()
        self.say("q: conctui quits once the program has ended", timeout=6.0)
        return True

    def _stop(self) -> None:
        with self._stopped:  # x's thread and q's close end it once; close waits for x's
            stop, self.stop = self.stop, None
            if stop is not None:
                stop()

    def toggle_recording(self) -> None:
        if self.recorder.recording:
            self.recorder.stop()
            self.say(f"recorded to {self.recorder.path}")
            return
        path = time.strftime("conctui-watch-%Y%m%d-%H%M%S.jsonl")
        try:
            self.recorder.start(path)  # the watch's start and its latest sample first: the file stands alone
        except UsageError as exc:
            self.say(str(exc), "error", 5)
            return
        self.say(f"recording to {path}; R stops")

    def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None:
        if self.host is not None:
            self.host.say(message, severity, timeout)

    def help_notes(self) -> list[str]:
        return [NOT_HERE, SUBINTERPRETERS,
                "q: a program conctui started is ended first (as x does), then conctui quits; one it attached to "
                "runs on"]

    def close(self) -> None:
        """Every way out: the watch ends (a launched program with it), then its recording."""
        self._stop()
        self.recorder.stop()
