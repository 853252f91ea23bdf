"""The help screen: every key, read from the app's bindings, and what each figure means."""
from __future__ import annotations

from conctui.engine.untrusted import visible
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FIGURES = {
    "wall": "seconds from the first worker launched to the last one ended (process start-up included).",
    "CPU": "CPU seconds the OS charged to the workers, summed; CPU % is the share of one core in a moment.",
    "parallelism": "CPU seconds / wall seconds: how many cores were busy on average (pure-Python threads stay near 1).",
    "speedup": "the sequential run's wall time / this run's wall time, same workload, workers and Python.",
    "efficiency": "speedup / min(workers, usable cores): 1 means every usable core was put to work.",
    "GIL wait": "(JSON gil_wait) the workers' share of their time waiting for their GIL, weighted by each "
                "worker's time (sampled from outside, as the per-worker wait below).",
    "GIL held": "(JSON gil_held) one GIL: the share of the run's time a worker held it; `each`: every worker has "
                "its own GIL (processes, sub-interpreters), and this is their mean share, never a sum.",
    "GIL latency": "(JSON gil_latency_ms, `run` only) how long a thread that wants the GIL back waits for it, "
                   "each time: a probe thread's lateness, where the workers share the runner's GIL.",
    "gil": "a worker's share of its time holding its process's GIL: py-spy's samples of its native thread id.",
    "wait": "(JSON gil_wait per worker) share of its time asleep on its GIL's futex, waiting to take the GIL.",
    "off CPU": "(JSON gil_off_cpu) share of its time asleep elsewhere: sleep, I/O, a lock. The rest is on CPU "
               "without the GIL (C code that released it) or waiting for a free core.",
    "process CPU": "(JSON process_cpu) the runner's CPU seconds per wall second, capped at 1: not a GIL figure.",
    "ipc": "a worker's mean seconds pickling and moving its arguments and return values, as a share of wall "
           "(ref: passed by reference, nothing copied).",
    "MB/s (raw pipe)": "bytes that crossed per IPC second; in brackets, raw bytes through the same kind of pipe "
                       "on this machine, no pickling.",
    "name: parent a → b": "a module global (len() of a list, dict or set) before and after the run as the parent "
                          "sees it; `each worker` is each worker's own copy, where it has one.",
    "verdict": "under the results: the winner, and each mode's dominant reason from its own figures "
               "(thresholds in the README); T lists the tutorial's claims with what this session measured.",
    "waiting": "(JSON waiting_share) share of the workers' time neither computing nor queued for a free core: "
               "sleeping, I/O, a lock, the GIL.",
    "start-up": "(JSON startup_s) median seconds from a run's launch to a worker's first line: spawning, importing.",
    "others took": "(JSON other_load) cores' worth of CPU that processes outside conctui's own tree "
                   "(it, its runner, the workers, py-spy) used while the run was live.",
    "serial fraction": "(S, sweep) Amdahl's share of each worker's work that cannot overlap with the others', "
                       "fitted with fixed work per worker: 0 scales to every core, 1 gains nothing.",
}
GIL_NOTES = [
    "GIL per worker: sampled live from conctui's process, py-spy at 100 Hz (23 for 16 processes) in 1 s "
    "windows spaced to cost 10% of a core (16 processes: ~3 s apart; between them, the last window's figures; "
    "for processes the first once every worker has started, 'not sampled yet' until then) "
    "plus reads of each "
    "worker thread's /proc state (100 a second each, 1000 a second in all past 10 workers) "
    '(pip install "conctui[gil]"). In the processes mode each worker has its own GIL, and its figures are '
    "of that GIL; sub-interpreters (each its own GIL) and Dask workers are not sampled, and say so.",
    "Reading another process needs ptrace rights: run as root, or `sudo setcap cap_sys_ptrace+ep` on py-spy, "
    "or `sudo sysctl kernel.yama.ptrace_scope=0` (at 1, the runner already declares conctui its tracer). "
    "Refused, the figures are '-' and null in JSON, with the reason in the output pane.",
    "Python 3.14 and later: the GIL per worker is read with the standard library's _remote_debugging instead "
    "of py-spy, and the interpreters mode uses concurrent.interpreters (both newer and less tried).",
]


def key_table(bindings: list[Binding]) -> Table:
    table = Table.grid(padding=(0, 2))
    seen = set()
    for binding in bindings:
        if binding.action in seen or not binding.description:
            continue
        seen.add(binding.action)
        keys = binding.key_display or binding.key.replace("question_mark", "?")
        table.add_row(Text(keys, "bold"), binding.tooltip or binding.description)
    return table


def figure_table(figures: dict[str, str]) -> Table:
    table = Table.grid(padding=(0, 2))
    for name, meaning in figures.items():
        table.add_row(Text(name, "bold"), meaning)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]

    def __init__(self, bindings: list[Binding], notes: list[str], figures: dict[str, str] | None = None) -> None:
        """`figures`: another screen's figures (conctui watch), else the runs' own with their GIL notes."""
        super().__init__()
        self._keys = bindings
        self._notes = notes
        self._figures = figures

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as help:
            help.border_title = "help: escape closes, ↑↓ and PageDown scroll"
            yield Static(Text("Keys", "bold underline"))
            yield Static(key_table(self._keys))
            for note in self._notes:
                yield Static(Text(visible(note), "yellow"))  # notes quote paths and runners' reasons
            yield Static(Text("\nFigures", "bold underline"))
            yield Static(figure_table(self._figures or FIGURES))
            for note in GIL_NOTES if self._figures is None else []:
                yield Static(Text(note, "dim"))
