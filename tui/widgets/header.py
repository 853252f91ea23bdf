"""The one-line header: what runs, under which Python, with or without a GIL, on how many cores.

It fits its width by shortening, never by cutting: the facts stand in order of importance (what
runs, its mode, the Python, the GIL, the cores, then the start method and switch interval), and
when the line is too long the least important are abbreviated first, then left out. `●REC`
is always shown. A mode's long caveat (the experimental interpreters API) is one word here;
help says the rest.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.events import PythonInfo
from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible
from conctui.source import ProgramLine
from conctui.widgets.spans import changed_spans
from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel
    from conctui.source import HeaderLine

REC = "●REC"
SEP = " · "
START_METHODS = {"spawn": "spn", "forkserver": "fsrv", "fork": "fork"}  # the start method's short form


def gil_text(python: PythonInfo) -> str:
    """`GIL on`, `GIL off`, or why a free-threaded build holds one."""
    if not python.gil_enabled:
        return "GIL off"
    if python.free_threaded:
        if python.gil_reenabled:
            return f"GIL re-enabled by {visible(python.gil_reenabled)}"
        return "GIL on (PYTHON_GIL=1)" if python.python_gil == "1" else "GIL re-enabled"
    return "GIL on"


def python_text(python: PythonInfo) -> str:
    """`CPython 3.13.0 · GIL off`: the facts that decide what threads can do."""
    return f"{python.implementation} {python.version} · {gil_text(python)}"


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def facts(line: HeaderLine) -> list[tuple[str, str, str]]:
    """(full, short, style) per fact, most important first."""
    python = line.python
    caveat = bool(line.mode in MODES and MODES[line.mode].caveat(python))
    mode = visible(line.mode)
    impl = "" if python.implementation == "CPython" else f"{python.implementation} "
    rows = [
        (f"{visible(line.workload)} x{line.worker_count}",
         f"{_cut(visible(line.workload), 14)} x{line.worker_count}", ""),
        (f"{mode} (experimental)" if caveat else mode, f"{mode} (exp.)" if caveat else mode, "bold"),
        (f"{python.implementation} {python.version}", f"{impl}{python.version}", ""),
        (gil_text(python), "GIL on" if python.gil_enabled else "GIL off", ""),
        (f"{python.usable_cores} cores", f"{python.usable_cores}c", ""),
        (line.start_method, START_METHODS.get(line.start_method, line.start_method[:4]), "dim"),
    ]
    if line.switch_ms is not None:
        rows.append((f"switch {line.switch_ms:g}ms", f"sw {line.switch_ms:g}ms", "dim"))
    return [(visible(full), visible(short), style) for full, short, style in rows]


def header_text(line: HeaderLine, width: int) -> Text:
    """The longest form of the line that fits `width` cells: every fact in full; then the least
    important shortened first (`spn`, `sw 5ms`, `2c`, ...); then the least important left out;
    then the workload's name cut; `●REC` last, always."""
    note = visible(line.note)
    rec = f"  {REC}" if line.recording else ""
    rows = facts(line)
    # what runs keeps its whole name longest: the others are shortened, then left out, before it is cut
    tries = [[short if number >= keep else full for number, (full, short, _) in enumerate(rows)]
             for keep in range(len(rows), 0, -1)]
    tries += [tries[-1][:keep] for keep in range(len(rows) - 1, 1, -1)]
    tries.append([rows[0][1], rows[1][1]])
    room = width - cell_len(note) - cell_len(rec)
    chosen = next((t for t in tries if cell_len(SEP.join(t)) <= room), tries[-1])
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(note, "dim")
    for number, fact in enumerate(chosen):
        if number:
            text.append(SEP)
        text.append(fact, ("yellow " if fact.endswith(("(experimental)", "(exp.)")) else "") + rows[number][2])
    if text.cell_len + cell_len(rec) > width:  # even the shortest is too long: cut the facts, keep ●REC
        text = text[:max(0, width - cell_len(rec) - 1)] + Text("…")
    if rec:
        text.append(rec, "bold red")
    return text


def program_text(line: ProgramLine, width: int) -> Text:
    """`watching pid 4242 · python app.py · CPython 3.11.7 · GIL on · 16 cores`, then how it
    ended: the program's argv (text from outside) is what gives way to the width."""
    note = visible(line.note)
    head = f"{'watching' if line.launched else 'attached to'} pid {line.pid} · "
    facts = f"{SEP}{visible(line.python)}{SEP}{'no GIL' if line.free_threaded else 'GIL on'}{SEP}{line.cores} cores"
    room = max(10, width - cell_len(note) - len(head) - len(facts) - 2)
    argv = visible(" ".join(line.argv))
    text = Text.assemble((note, "dim"), (head, "bold"), argv if len(argv) <= room else argv[:room - 1] + "…", facts,
                         no_wrap=True, overflow="ellipsis")
    if line.ended:
        text.append(f"{SEP}{line.ended}", "yellow")
    if line.recording:
        text.append(f"  {REC}", "bold red")
    return text


class RunHeader(Widget):
    """Redrawn only when its text or its width changes, and then only the cells that changed: a
    replay's position (`▶ 12/40s`) moves every second, the facts beside it do not."""

    _shown: HeaderLine | ProgramLine | None = None
    _text = Text()
    _width = 0

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Show the source's line (`model.header`), if it changed."""
        line = model.header
        if line is None or line == self._shown:
            return
        self._shown = line
        self.draw()

    def on_resize(self) -> None:
        if self._shown is not None and self.content_size.width != self._width:
            self.draw()

    def draw(self) -> None:
        width = self.content_size.width or max(1, self.app.size.width - 2)
        line = self._shown
        old = self._text
        self._text = program_text(line, width) if isinstance(line, ProgramLine) else header_text(line, width)
        if width != self._width:
            self._width = width
            self.refresh()
        elif spans := changed_spans(old, self._text):  # refresh() of no region would repaint it all
            self.refresh(*(Region(first, 0, end - first, 1) for first, end in spans))

    def render(self) -> Text:
        return self._text
