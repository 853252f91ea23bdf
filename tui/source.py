"""What feeds the panes screen: the Source contract, and the header's line. No Textual here.

A source is a stream of events plus what it lets the person do. The contract, all that the
one app (app.py) and its panes screen (panes.py) ask of a source, on the UI thread:

- `pull()`: the events that fell due since the last frame, in stream order (a `Restart`: the
  session from its start, folded into an emptied model: a replay's backward seek);
- `now(state)`: the time the clocks show, on the events' clock;
- `header(state)`: what the header says now (None: nothing yet): a run's facts (`HeaderLine`)
  or a watched program's (`ProgramLine`);
- `layout`: which panes fill the workers and results slots: a session's runs (the workers
  table, the results table) or a watched `program` (its threads and processes, its verdict);
- `figures`: what help says each figure means (None: the runs' figures);
- `allows`: which of the app's own keys apply (`Allows`), and `keys`: the source's own keys
  (`Key`), which the app binds, lists in its footer and help, and hands to `act`;
- `refusal(action, args)`: why a key does nothing now (None: it applies);
- `help_notes()`: lines the help screen adds under the keys;
- `attach(host)`, `start()`, `close()`: the app (`Host`) before the first frame, after it,
  and on every way out; `plan_sweep()`, `sweep(planned)`, `measure(claim)`, `sweeping`,
  `running`: where `allows` says so.

`Source` gives every part but the first three a default: a fixed stream (tests/fixtures/
stub_source.py) is its three methods. Four sources exist: the live session's controller
(live.py), a recording's player (replay_app.py), a watched program (watch_source.py) and the
stub. Everything here runs in the conctui process.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from conctui.engine.events import Event, PythonInfo, RunStarted, SweepStarted
from conctui.engine.state import SessionState
from conctui.engine.text import seconds
from conctui.engine.watch.model import WatchModel


class HeaderLine(NamedTuple):
    """The header's facts."""

    workload: str
    worker_count: int
    mode: str
    python: PythonInfo
    start_method: str
    recording: bool
    note: str = ""  # before the facts: `next: ` between live runs, a replay's position
    switch_ms: float | None = None

    @classmethod
    def of_run(cls, started: RunStarted, recording: bool, note: str = "") -> HeaderLine:
        return cls(started.workload, started.workers, started.mode, started.python, started.start_method,
                   recording, note, started.options.get("switch_interval_ms"))


def drain(inbox: deque[list[Event]]) -> list[Event]:
    """Every batch other threads appended to `inbox` (a deque: append and popleft are atomic),
    as one list in arrival order."""
    batch: list[Event] = []
    while inbox:
        batch.extend(inbox.popleft())
    return batch


class ProgramLine(NamedTuple):
    """The header's facts of a watched program (conctui watch): `watching pid 4242 · python app.py ·
    CPython 3.11.7 · GIL on · 16 cores`, then how it ended."""

    pid: int
    argv: tuple[str, ...]
    python: str
    free_threaded: bool
    cores: int
    launched: bool
    ended: str  # `ended with code 0 after 5.0 s`, `detached`, or "" while it runs
    recording: bool
    note: str = ""  # before the facts: a replay's position

    @classmethod
    def of_watch(cls, watch: WatchModel, recording: bool, note: str = "") -> ProgramLine | None:
        started, ended = watch.started, watch.ended
        if started is None:
            return None
        said = ""
        if ended is not None and ended.how == "detached":
            said = "detached"
        elif ended is not None:
            code = (f"code {ended.code}" if ended.code is not None else f"signal {ended.signal}"
                    if ended.signal is not None else "code unknown (not conctui's child)")
            said = f"ended with {code} after {seconds(watch.duration_s, 1)}"
        return cls(started.pid, tuple(started.argv), started.python, started.free_threaded, started.cores,
                   started.launched, said, recording, note)


class Restart(list):
    """What `pull` returns to start the session over: exactly these events, from an empty model."""


@dataclass(frozen=True)
class Allows:
    """What the app's own keys may do over this source (its pickers it offers by naming them in `keys`)."""

    sweep: bool = False  # S starts a sweep of the current choice (else it shows the session's last one)
    measure: bool = False  # the claims screen's number keys run a claim's case
    cancel: bool = False  # x (and the sweep screen's x) cancels what runs


@dataclass(frozen=True)
class Key:
    """A key the source answers: pressed, the app calls `source.act(action, *args)`."""

    key: str
    action: str
    label: str
    args: tuple[object, ...] = ()  # literals only (str, int, float): they travel in Textual's action text
    key_display: str | None = None
    tooltip: str = ""
    group: str = ""  # keys shown together in the compact footer, before this label (`s t p a i d  mode`)
    show: bool = True  # in the footer (help lists every key)
    priority: bool = False  # before the focused pane's own use of the key (a replay's ←/→ over the log's)


@dataclass(frozen=True)
class Refusal:
    """Why an action does nothing now, said when its key is pressed. `greyed`: the footer keeps
    the key, dimmed (a mode this Python or workload cannot run: the reason is itself a lesson);
    otherwise the key leaves the footer until it applies (run keys mid-run, x between runs)."""

    reason: str
    greyed: bool = False
    severity: str = "warning"
    timeout: float = 3.0


class Host(Protocol):
    """What a source may ask of the app it feeds (app.py), on the UI thread."""

    def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None: ...

    def recheck_keys(self) -> None:
        """The source's choice or what it runs moved: the app asks again which keys apply (the
        footer) and wakes the frames."""

    def off_thread(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        """Run `job` in a worker thread, then `done(its result, or the UsageError it raised)` on
        the UI thread, after a frame has folded what arrived meanwhile."""

    def ended_figures(self) -> list[dict]:
        """Every ended run's figures, oldest first (the app's model)."""

    def quit_now(self) -> None:
        """Close the source and exit: what `ending_first` waited for has ended."""


class Source:
    """The contract's defaults: no keys of its own, none of the app's live keys, nothing to
    start or close."""

    allows = Allows()
    keys: tuple[Key, ...] = ()
    host: Host | None = None
    sweeping = False  # a sweep's runs are under way (its screen offers x)
    running = False  # a run is live, being checked or queued (live.py says which word is which)

    layout = "runs"  # or "program": the panes of a watched program (panes.py)
    figures: dict[str, str] | None = None  # help's figure definitions (None: the runs')

    def pull(self) -> list[Event]:
        raise NotImplementedError

    def now(self, state: SessionState) -> float:
        raise NotImplementedError

    def header(self, state: SessionState) -> HeaderLine | ProgramLine | None:
        raise NotImplementedError

    def act(self, action: str, *args: object) -> None:
        """One of `keys` was pressed (only when `refusal` let it)."""

    def refusal(self, action: str, args: tuple[object, ...] = ()) -> Refusal | None:
        return None

    def help_notes(self) -> list[str]:
        return []

    def attach(self, host: Host) -> None:
        """The app that shows this source, before its first frame."""
        self.host = host

    def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None:
        """A notification, through the app (none before it attaches)."""
        if self.host is not None:
            self.host.say(message, severity, timeout)

    def recheck_keys(self) -> None:
        """What the keys can do may have moved: the app asks again (Host.recheck_keys)."""
        if self.host is not None:
            self.host.recheck_keys()

    def start(self) -> None:
        """After the first frame (the live session starts sampling here)."""

    def close(self) -> None:
        """Every way out of the app comes here, maybe twice."""

    def ending_first(self) -> bool:
        """q: True where what the source runs takes seconds to end and it has begun ending it off
        the UI thread (the screen goes on meanwhile); it then calls Host.quit_now. False: quit now."""
        return False

    def usable_cores(self, state: SessionState) -> int:
        """The cores the claims are judged against: the latest run's."""
        run = state.current
        return run.started.python.usable_cores if run else 1

    def plan_sweep(self) -> SweepStarted | None:
        """S, where `allows.sweep`: a sweep of the current choice, shown before it starts (None:
        there is none, and it said why)."""
        return None

    def sweep(self, planned: SweepStarted) -> None:
        """Enter on the sweep's plan: start it."""

    def measure(self, claim: str) -> None:
        """A claim's key on the claims screen, where `allows.measure`: run its case."""
