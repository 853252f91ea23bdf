"""What every benchmark shares: flags, side-by-side repeats, medians, one table, tmux.

Each bench measures a subject and its reference in the same run, interleaved (subject,
reference, reference, subject, ...), so load that comes and goes on a shared machine falls
on both alike; figures are medians. Nothing here asserts: a missed target is printed as such.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import psutil

BENCH = Path(__file__).resolve().parent
T = TypeVar("T")


def parser(doc: str | None) -> argparse.ArgumentParser:
    """--json and --quick for every bench; the docstring's first line is its description."""
    parse = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parse.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    parse.add_argument("--quick", action="store_true", help="a short smoke run: fewer, shorter repeats")
    parse.add_argument("--before", metavar="PYTHON",
                       help="also measure the conctui this interpreter imports (an older tree's venv), "
                            "interleaved in the same run, for before/after figures")
    return parse


def interleave(subjects: dict[str, Callable[[], T]], repeats: int) -> dict[str, list[T]]:
    """Call every subject `repeats` times, round-robin, reversing the order every round."""
    values: dict[str, list[T]] = {name: [] for name in subjects}
    names = list(subjects)
    for round_ in range(repeats):
        for name in names if round_ % 2 == 0 else reversed(names):
            values[name].append(subjects[name]())
    return values


@dataclass
class Row:
    """One line of a bench's table: a subject's figures beside its reference's median."""

    case: str
    unit: str
    values: list[float]
    reference: str = ""
    ref_values: list[float] = field(default_factory=list)
    target: str = ""
    met: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def ratio(self) -> float | None:
        if not self.ref_values:
            return None
        ref = statistics.median(self.ref_values)
        return self.median / ref if ref else None

    def document(self) -> dict:
        doc = asdict(self)
        doc.update(median=self.median, min=min(self.values), max=max(self.values), ratio=self.ratio,
                   ref_median=statistics.median(self.ref_values) if self.ref_values else None)
        return doc


def machine() -> dict:
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "implementation":
            platform.python_implementation(), "system": f"{platform.system()} {platform.release()}",
            "load_1m": round(os.getloadavg()[0], 2), "time": time.strftime("%Y-%m-%d %H:%M:%S")}


def num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def report(name: str, args: argparse.Namespace, rows: list[Row], notes: list[str] = ()) -> None:
    """Print the table (or --json), with the machine and its load at the end of the run."""
    info = machine()
    if args.json:
        print(json.dumps({"bench": name, "quick": args.quick, "machine": info,
                          "rows": [row.document() for row in rows], "notes": list(notes)}, indent=2))
        return
    print(f"{name}: {info['nproc']} cores, Python {info['python']}, load {info['load_1m']}"
          f"{' (quick)' if args.quick else ''}")
    header = f"{'case':<42} {'unit':<6} {'median':>8} {'min':>8} {'max':>8} {'ref':>8} {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    for row in rows:
        ref = statistics.median(row.ref_values) if row.ref_values else None
        verdict = "" if row.met is None else (" ok" if row.met else " MISSED")
        print(f"{row.case:<42} {row.unit:<6} {num(row.median):>8} {num(min(row.values)):>8} "
              f"{num(max(row.values)):>8} {num(ref):>8} {num(row.ratio):>6}  {row.target}{verdict}")
        if row.reference:
            print(f"{'':<4}ref: {row.reference}")
    for note in notes:
        print(f"note: {note}")


def app_css() -> str:
    """The app's stylesheet by absolute path: a subclass of the app defined here would look for
    it beside this file."""
    import conctui

    return str(Path(conctui.__file__).with_name("app.tcss"))


def conctui_command(python: str = sys.executable) -> list[str]:
    """The console script installed beside `python` (by absolute path: PATH may name another
    venv's), or the module under it."""
    script = Path(python).with_name("conctui")
    return [str(script)] if script.exists() else [python, "-m", "conctui"]


def ensure_tool(name: str, package: str | None = None) -> str | None:
    """The path of a command, installing its Debian package if it is missing and we may."""
    found = shutil.which(name)
    if found or not shutil.which("apt-get"):
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", package or name], capture_output=True, check=False)
    if not shutil.which(name):
        subprocess.run([*sudo, "apt-get", "update", "-qq"], capture_output=True, check=False)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", package or name], capture_output=True, check=False)
    return shutil.which(name)


class Tmux:
    """A private tmux server (its own -L socket, no status line: the pane is the whole size)
    whose sessions run one command each."""

    def __init__(self) -> None:
        self.socket = f"conctui-bench-{uuid.uuid4().hex[:8]}"
        self.conf = Path(tempfile.gettempdir(), f"{self.socket}.conf")

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", str(self.conf), *args], capture_output=True,
                              text=True, check=False).stdout

    def __enter__(self) -> Tmux:
        self.conf.write_text("set -g status off\n")
        return self

    def __exit__(self, *exc: object) -> None:
        self("kill-server")
        self.conf.unlink(missing_ok=True)

    def open(self, name: str, command: str, size: tuple[int, int] = (80, 24)) -> None:
        self("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), command)

    def screen(self, name: str) -> str:
        return self("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, pattern: str, timeout: float = 30.0) -> None:
        """Poll the screen (a real terminal gives no event to wait on) until `pattern` shows."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.screen(name)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pattern!r} never appeared in {name}:\n{self.screen(name)}")
            time.sleep(0.1)

    def process(self, name: str, word: str, timeout: float = 15.0) -> psutil.Process:
        """The process running in the pane whose command line holds `word` (the pane's own, or a child)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self("display", "-p", "-t", name, "#{pane_pid}").strip()
            if text.isdigit():
                pane = psutil.Process(int(text))
                for process in [pane, *pane.children(recursive=True)]:
                    if word in " ".join(process.cmdline()):
                        return process
            time.sleep(0.05)
        raise RuntimeError(f"no {word!r} process in {name}")


def run_once(spec: object) -> dict:
    """One run through the engine exactly as `conctui run` drives it (session, sampler, runner):
    its figures (run_figures)."""
    from conctui.engine.figures import run_figures
    from conctui.engine.session import Fold, Session

    fold = Fold()
    session = Session([fold]).start_sampling()
    try:
        session.run(spec, timeout=120)
    finally:
        session.close()
    return run_figures(fold.state.runs[-1])


def valgrind_instructions(command: list[str]) -> int:
    """Instructions valgrind counts for one process running `command`: a figure no other load
    on the machine changes (callers check `shutil.which("valgrind")` first)."""
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          *command], capture_output=True, text=True, check=True)
    return int(re.search(r"I\s+refs:\s+([\d,]+)", out.stderr).group(1).replace(",", ""))


COMPILE = """import compileall, conctui, conctui.workloads
for folder in {*conctui.__path__, *conctui.workloads.__path__}:
    compileall.compile_dir(folder, quiet=1)
"""


def compile_package(python: str) -> None:
    """Write the bytecode of the conctui `python` imports, as `pip install .` does: with
    PYTHONDONTWRITEBYTECODE set (or a read-only tree) every launch, and every worker process
    the runner spawns, would compile conctui's modules from source, a cost no installed copy
    pays and the references (compiled in site-packages and the stdlib) do not pay either."""
    subprocess.run([python, "-c", COMPILE], check=True)


def ready(args: argparse.Namespace) -> None:
    """Before measuring: bytecode written for the conctui measured (and --before's), as an
    installed copy has it."""
    for python in (sys.executable, *([args.before] if getattr(args, "before", None) else [])):
        compile_package(python)
