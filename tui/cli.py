"""The `conctui` command: the TUI by default, and headless subcommands on the same engine.

User mistakes are one line on stderr and exit code 2; a failed worker makes exit code 1;
a run cut by --timeout exits 124; Ctrl+C, SIGTERM and SIGHUP cancel, reap and exit
130, 143 and 129.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from typing import Any, NoReturn

from conctui.engine import capacity
from conctui.engine.events import Event, PythonInfo, SweepStarted
from conctui.engine.figures import figure_text, run_figures, summarize
from conctui.engine.modes import MODES
from conctui.engine.pythons import checked_python
from conctui.engine.recording import Reader, Recorder, RecordingError, read_recording
from conctui.engine.replay import SPEEDS
from conctui.engine.runner_process import child_footprint, describe
from conctui.engine.session import Fold, Session
from conctui.engine.spec import (
    MAX_WORKERS,
    START_METHODS,
    RunSpec,
    UsageError,
    builtin_module,
    kind_label,
    parse_params,
    parse_scheduler,
    parse_workers,
    parse_workload,
)
from conctui.engine.state import SessionState, apply
from conctui.engine.sweep import DEFAULT_MODES, default_counts, draw, of_session, plan, points, time_left
from conctui.engine.untrusted import uncoloured, visible
from conctui.engine.verdict import verdict
from conctui.workloads import BUILTINS

EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT = 1, 2, 124
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage block: scripts and people both read the last line."""
        self.exit(EXIT_USAGE, f"{self.prog}: {visible(message)} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:
    """A --timeout: a finite number of seconds above 0 (a negative or NaN one would cut every run)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"wants seconds above 0, got {text!r}")
    return value


def _common(parser: argparse.ArgumentParser, workload_required: bool = True, sweep: bool = False) -> None:
    parser.add_argument("workload", nargs=None if workload_required else "?", default="download",
                        help="a built-in name (see `conctui workloads`), FILE.py:FUNCTION or package.module:FUNCTION")
    if sweep:
        parser.add_argument("--workers", "-n", metavar="1,2,4,...",
                            help="worker counts to run (1 is always added: speedups are against it; default: "
                                 "powers of two, the core count and twice it, from 1 to 2 x usable cores)")
    else:
        parser.add_argument("--workers", "-n", type=int, default=3,
                            help="how many workers (default 3); refused, with what fits, where this machine's "
                                 "memory cannot hold that many of the mode's workers ($CONCTUI_AVAILABLE_MEMORY "
                                 "plans for a smaller one)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a workload parameter; repeatable")
    parser.add_argument("--start-method", choices=START_METHODS, default="spawn",
                        help="how the processes mode starts children (never fork; default spawn)")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="sys.setswitchinterval for the process hosting the threads, in ms")
    parser.add_argument("--python", action="append", default=[], metavar="PATH",
                        help="run the workers under this Python (>= 3.9; default: conctui's own); "
                             "compare takes it more than once")
    parser.add_argument("--gil", choices=("on", "off", "both"),
                        help="a free-threaded --python with the GIL on (PYTHON_GIL=1), off (PYTHON_GIL=0), or "
                             "both (compare: the same binary twice, the GIL the only difference)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                        help="dask mode: use this existing cluster (never shut down) instead of a LocalCluster "
                             "(default $DASK_SCHEDULER_ADDRESS)")
    parser.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                        help="dask mode: give up on a scheduler that does not answer within S s (default 10)")
    parser.add_argument("--record", metavar="FILE", help="record the session's events to FILE (JSON Lines)")
    parser.add_argument("--ipc-limit", type=float, default=256.0, metavar="MB",
                        help="processes, interpreters: refuse (fail the worker, with the reason) an argument or "
                             "return value whose pickle passes MB MiB (default 256)")


def _refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--refresh", type=float, default=1.0, metavar="HZ",
                        help="how often clocks, elapsed times and core samples move (default 1, like a "
                             "monitor over SSH; 10 for a smooth local screen). Progress shows at once.")


def _refresh_hz(args: argparse.Namespace) -> float:
    if not 0.2 <= args.refresh <= 30:
        raise UsageError(f"--refresh must be between 0.2 and 30 Hz, got {args.refresh}")
    return args.refresh


def build_parser() -> Parser:
    parser = Parser(prog="conctui", description=(
        "See Python concurrency: run one workload sequentially, in threads, in processes or in "
        "asyncio, and watch each worker and every core. With no command, opens the TUI on the "
        "tutorial's download demo (3 workers, threads); nothing runs until you press a key."))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    tui = commands.add_parser("tui", help="open the TUI on any workload")
    _common(tui, workload_required=False)
    tui.add_argument("--mode", choices=list(MODES), default="threads")
    tui.add_argument("--start", action="store_true", help="start the first run at once")
    _refresh(tui)

    run = commands.add_parser("run", help="run one workload in one mode, headless")
    _common(run)
    run.add_argument("--mode", "-m", choices=list(MODES), default="threads")
    run.add_argument("--timeout", type=_seconds, metavar="S", help="cancel the run after S seconds (exit 124)")
    run.add_argument("--json", action="store_true", help="print one JSON document instead of a table")

    compare = commands.add_parser("compare", help="run one workload in several modes; medians and speedups")
    _common(compare)
    compare.add_argument("--modes", default="sequential,threads,processes",
                         help="comma-separated (default sequential,threads,processes)")
    compare.add_argument("--repeat", "-k", type=int, default=1, help="runs per mode; figures are medians")
    compare.add_argument("--timeout", type=_seconds, metavar="S", help="cancel any one run after S seconds")
    compare.add_argument("--json", action="store_true", help="print one JSON document instead of a table")

    sweep = commands.add_parser(
        "sweep", help="run one workload at 1 to 2 x cores workers per mode: speedup, efficiency and "
                      "Amdahl's serial fraction",
        description="Run WORKLOAD in each mode at each worker count, then print per mode and count the "
                    "median wall, the speedup against 1 worker and the efficiency, a fit of Amdahl's serial "
                    "fraction per mode with its quality, and a chart. The model is fixed work per worker "
                    "(each worker does the same work, so N workers do N times that of one): speedup = "
                    "N x wall(1) / wall(N). Progress goes to stderr; Ctrl+C stops, keeping the points so far.")
    _common(sweep, sweep=True)
    sweep.add_argument("--modes", default=",".join(DEFAULT_MODES),
                       help=f"comma-separated (default {','.join(DEFAULT_MODES)})")
    sweep.add_argument("--repeat", "-k", type=int, default=1, help="runs per mode and count; figures are medians")
    sweep.add_argument("--timeout", type=_seconds, metavar="S", help="cancel any one run after S seconds")
    sweep.add_argument("--json", action="store_true",
                       help="print one JSON document (progress still goes to stderr)")

    replay = commands.add_parser("replay", help="replay a recording in the TUI, or print its figures")
    replay.add_argument("file", help="a recording made with --record")
    _refresh(replay)
    replay.add_argument("--json", action="store_true",
                        help="print the figures run/compare --json printed for the recorded runs; no terminal")
    replay.add_argument("--speed", type=float, default=1.0, help=f"{SPEEDS[0]} to {SPEEDS[-1]} (default 1)")

    export = commands.add_parser("export", help="render a recording headlessly, for slides and players")
    export.add_argument("file", help="a recording made with --record")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--asciicast", metavar="OUT.cast", help="the whole replay as an asciicast v2 file")
    target.add_argument("--html", metavar="OUT.html",
                        help="the whole replay as one self-contained web page that plays in any browser")
    target.add_argument("--svg", metavar="OUT.svg", help="one frame as an SVG")
    target.add_argument("--svg-animated", metavar="OUT.svg",
                        help="the whole replay as one animated SVG (no script), which GitHub's README plays")
    export.add_argument("--size", default="100x30", metavar="COLSxROWS", help="terminal size (default 100x30)")
    export.add_argument("--press", metavar="KEY,KEY", default="",
                        help="with --svg: keys pressed once the frame is reached, before it is taken "
                             "(Textual's names: S opens the sweep screen, question_mark the help)")
    export.add_argument("--at", type=float, metavar="S",
                        help="with --svg: seconds from the recording's start (default: its end)")

    workloads = commands.add_parser("workloads", help="list the built-in workloads")
    workloads.add_argument("--json", action="store_true")
    return parser


class Interrupted(Exception):
    """Ctrl+C, SIGTERM or SIGHUP outside a live run (say, while the workload loads)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextmanager
def _on_signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _signals_cancel(session: Session) -> Iterator[list[int]]:
    """Ctrl+C, SIGTERM and SIGHUP cancel the live run; the caller exits 128 + signal."""
    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        caught.append(signum)
        session.stop()

    with _on_signals(handler):
        yield caught


def _pythons(args: argparse.Namespace) -> list[str]:
    """The interpreters asked for, each checked now (one line, exit 2); conctui's own by default."""
    if len(args.python) > 1 and args.command != "compare":
        raise UsageError(f"{args.command} takes one --python (compare takes several)")
    return [checked_python(path) for path in args.python] or [sys.executable]


GIL_SWITCHES = {"on": ["1"], "off": ["0"], "both": ["0", "1"]}


def _plans(args: argparse.Namespace, mode: str) -> list[tuple[RunSpec, dict]]:
    """Each --python once; a free-threaded one once per --gil state (`both`: off, then on)."""
    switches = GIL_SWITCHES.get(args.gil or "", [])
    if len(switches) > 1 and args.command != "compare":
        raise UsageError(f"{args.command} takes --gil on or --gil off (compare takes both)")
    plans = []
    for python in _pythons(args):
        spec, info = _spec(args, mode, python)
        if not switches or not info["python"].free_threaded:
            if args.gil == "off":
                raise UsageError(f"{python} is not a free-threaded build: its GIL cannot be turned off")
            plans.append((spec, info))
            continue
        plans += [_spec(args, mode, python, gil) for gil in switches]
    return plans


def _spec(args: argparse.Namespace, mode: str, python: str | None = None,
          python_gil: str | None = None) -> tuple[RunSpec, dict]:
    """Check everything the user typed, and ask the runner whether it can load the workload."""
    ref = parse_workload(args.workload)
    params = parse_params(ref, args.param)
    workers = parse_workers(args.workers)
    python = python or _pythons(args)[0]
    if args.switch_interval is not None and not 0 < args.switch_interval <= 1000:
        raise UsageError(f"--switch-interval must be between 0 and 1000 ms, got {args.switch_interval}")
    asked = [m.strip() for m in args.modes.split(",")] if hasattr(args, "modes") else [args.mode]
    scheduler = None
    if "dask" in asked:  # checked now, and asked whether it answers: exit 2 if not
        scheduler = parse_scheduler(args.scheduler, args.connect_timeout)
    elif args.command == "tui" and args.scheduler:  # kept for the d key; a threads run must not need it
        try:
            scheduler = parse_scheduler(args.scheduler, args.connect_timeout)
        except UsageError:
            scheduler = None
    info = describe(python, ref, params, scheduler if "dask" in asked else None, args.connect_timeout,
                    python_gil=python_gil)
    if not 0 < args.ipc_limit <= 4096:
        raise UsageError(f"--ipc-limit must be between 0 and 4096 MiB, got {args.ipc_limit:g}")
    spec = RunSpec(ref, mode, workers, params, python, args.start_method, args.switch_interval,
                   scheduler, args.connect_timeout, ipc_limit_mb=args.ipc_limit, python_gil=python_gil)
    for each in asked:  # what the machine's memory cannot hold is refused before any worker starts
        if each in MODES and not _unavailable(each, info):
            capacity.check(spec.with_mode(each), child_footprint)
    return spec, info


def _unavailable(mode: str, info: dict) -> str | None:
    return MODES[mode].unavailable(info["python"], info["workload"])


def _run_all(specs: list[RunSpec], timeout: float | None, recorder: Recorder | None = None,
             after_each: Callable[[list[dict]], None] | None = None,
             opening: Callable[[float], list[Event]] | None = None) -> tuple[list[dict], int | None]:
    """Run specs one after another; stop early on a signal. Returns figures and the signal;
    `after_each` is given the figures so far after every run; `opening` makes the events that
    open the stream (a sweep's plan), given the session's clock."""
    fold = Fold()
    session = Session([fold] + ([recorder] if recorder else [])).start_sampling()
    if opening:
        session.emit(opening(time.monotonic() - session.t0))
    with _signals_cancel(session) as caught:
        try:
            for spec in specs:
                session.run(spec, timeout)  # returns at once once a signal stopped the session
                if caught:
                    break
                if after_each:
                    after_each([run_figures(run) for run in fold.state.runs])
        finally:
            session.close()
            if recorder:
                recorder.stop()
    if recorder and recorder.error:
        print(f"conctui: {visible(recorder.error)}", file=sys.stderr)
    return [run_figures(run) for run in fold.state.runs], (caught[0] if caught else None)


def _recorder(args: argparse.Namespace) -> Recorder | None:
    """Open --record's file now: an unwritable path fails before any worker runs."""
    return Recorder.open(args.record) if args.record else None


def _exit_code(runs: list[dict], caught: int | None) -> int:
    if caught is not None:
        return 128 + caught
    if any(r["status"] == "timeout" for r in runs):
        return EXIT_TIMEOUT
    return EXIT_FAILED if any(r["status"] != "done" for r in runs) else 0


def _worker_ipc(ipc: dict | None) -> str:
    """`0.42 s 16.8 MB`: seconds and bytes a worker's arguments and return values took to cross."""
    if ipc is None:
        return "-"
    moved = ipc["in_bytes"] + ipc["out_bytes"]
    return f"{ipc['in_s'] + ipc['out_s']:.2f} s {moved / 1e6:.1f} MB" if moved else "by ref"


def _print_workers(figures: dict) -> None:
    """The human table: what workers printed and raised passes the boundary, colour dropped."""
    print(f"{'#':>3}  {'pid':>7}  {'tid':>7}  {'status':<9} {'wall':>8} {'cpu':>8} {'held':>5} {'wait':>5} "
          f"{'off':>5} {'ipc':>15}  error")
    for w in figures["per_worker"]:
        print(f"{w['index']:>3}  {w['pid'] or '-':>7}  {w['tid'] or '-':>7}  {w['status']:<9} "
              f"{figure_text(w['wall_s'], ' s'):>8} {figure_text(w['cpu_s'], ' s'):>8} {_share(w['gil_held']):>5} "
              f"{_share(w['gil_wait']):>5} {_share(w['gil_off_cpu']):>5} {_worker_ipc(w.get('ipc')):>15}  "
              f"{uncoloured(w['error'] or '')}")
    if figures.get("gil_sampler_note"):
        print(f"GIL held/wait/off CPU per worker: {visible(figures['gil_sampler_note'])}")
    for w in figures["per_worker"]:
        for line in w["output"]:
            print(f"[{w['index']}] {uncoloured(line)}")
        if w["dropped_lines"]:
            print(f"[{w['index']}] ... {w['dropped_lines']} more lines not kept")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def _print_cluster(mode: str, cluster: dict | None) -> None:
    """A Dask cluster's own costs, apart from the wall time above them."""
    if not cluster:
        return
    dashboard = f", dashboard {visible(cluster['dashboard'])}" if cluster.get("dashboard") else ""
    print(f"{mode} cluster: {visible(cluster['kind'])} {visible(cluster['scheduler'])}, {cluster['workers']} "
          f"workers, {cluster['threads']} threads{dashboard}")
    print(f"{'':<{len(mode)}} costs: start-up {figure_text(cluster['startup_s'], ' s')}, "
          f"shutdown {figure_text(cluster['shutdown_s'], ' s')}, submit-to-start {_ms(cluster['latency_median_s'])} "
          f"median ({_ms(cluster['latency_max_s'])} max), result back {_ms(cluster['result_median_s'])} median")


def _print_verdict(rows: list[dict]) -> None:
    for entry in verdict(rows):
        print(f"verdict: {visible(entry['text'])}")


def _header(python: PythonInfo, start_method: str) -> dict:
    return {**python.as_dict(), "start_method": start_method}


def cmd_run(args: argparse.Namespace) -> int:
    spec, info = _plans(args, args.mode)[0]
    reason = _unavailable(args.mode, info)
    if reason:
        raise UsageError(f"{args.mode} cannot run {spec.workload.name}: {reason}")
    runs, caught = _run_all([spec], args.timeout, _recorder(args))
    if args.json:
        print(json.dumps({"header": _header(info["python"], spec.start_method), "runs": runs,
                          "verdict": verdict(summarize(runs))}, indent=2))
    else:
        figures = runs[0]
        print(f"{visible(figures['workload'])} x{figures['workers']} · {figures['mode']} · {figures['status']}"
              f"{': ' + uncoloured(figures['error']) if figures['error'] else ''}")
        print(f"wall {figure_text(figures['wall_s'], ' s')}  cpu {figure_text(figures['cpu_s'], ' s')}  "
              f"parallelism {figure_text(figures['parallelism'])}  GIL wait {_gil(figures)}  "
              f"GIL held {_share(figures['gil_held'])}")
        _print_cluster(figures["mode"], figures["cluster"])
        _print_memory([figures], several=False)
        _print_workers(figures)
        _print_verdict(summarize(runs))
    return _exit_code(runs, caught)


def memory_lines(figures: dict) -> list[str]:
    """What each side saw of the changed globals, then what crossing cost (engine/memory.py)."""
    lines = list(figures["memory"]["lines"]) if figures.get("memory") else []
    if figures.get("ipc"):
        lines.append(figures["ipc"]["line"])
    return lines


def _print_memory(runs: list[dict], several: bool) -> None:
    """The last run of each (interpreter, mode): its memory lines and IPC line, made visible."""
    last = {(f["python"]["executable"], f["python"]["python_gil"], f["mode"]): f for f in runs}
    for figures in last.values():
        python = figures["python"]
        label = _python_label(python["version"], python["free_threaded"], python["python_gil"])
        who = f"{label:<16}" * several
        for number, line in enumerate(memory_lines(figures)):
            print(f"{who if number == 0 else ' ' * len(who)}{figures['mode'] if number == 0 else '':<12} "
                  f"{visible(line)}")




def _python_label(version: str | None, free_threaded: bool | None, python_gil: str | None = None) -> str:
    """`3.13.0`, or `3.13.5t` for a free-threaded build, `3.13.5t GIL on` with PYTHON_GIL=1."""
    switch = {"1": " GIL on", "0": " GIL off"}.get(python_gil or "", "") if free_threaded else ""
    return visible(f"{version}{'t' if free_threaded else ''}{switch}")


def freethreading_cost(rows: list[dict]) -> list[dict]:
    """Free-threading's single-thread cost: sequential with the GIL off against the same
    binary with it on (PYTHON_GIL=0 and 1, `--gil both`), per workload and worker count."""
    costs = []
    for off in rows:
        if off["mode"] != "sequential" or off["python_gil"] != "0" or not off["wall_s"]:
            continue
        on = next((r for r in rows if r["mode"] == "sequential" and r["python_gil"] == "1" and r["wall_s"]
                   and (r["executable"], r["workload"], r["workers"]) == (off["executable"], off["workload"],
                                                                         off["workers"])),
                  None)
        if on:
            costs.append({"executable": off["executable"], "workload": off["workload"], "workers": off["workers"],
                          "gil_off_s": off["wall_s"], "gil_on_s": on["wall_s"],
                          "cost": round(off["wall_s"] / on["wall_s"] - 1, 4)})
    return costs


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _gil(row: dict) -> str:
    """GIL wait as a share, or why it does not apply: "own GIL", "no GIL"."""
    if row.get("gil_wait") is not None:
        return f"{row['gil_wait']:.0%}"
    return visible(" ".join((row.get("gil_note") or "-").split(":")[0].split()[:2]))


def _ipc_share(row: dict) -> str:
    """The median share of wall a worker spent moving its arguments and return values; `by ref`
    where nothing is copied."""
    if row.get("ipc_share") is None:
        return "-"
    return "by ref" if row.get("ipc_by_reference") else f"{row['ipc_share']:.0%}"


def _skipped_json(skipped: list[tuple[RunSpec, dict, str, str]], several: bool) -> dict[str, str]:
    """{mode: reason}; with several interpreters each reason names its Python."""
    reasons: dict[str, list[str]] = {}
    for spec, _, mode, reason in skipped:
        reasons.setdefault(mode, []).append(f"{spec.python}: {reason}" if several else reason)
    return {mode: "; ".join(texts) for mode, texts in reasons.items()}


def _modes_and_repeat(args: argparse.Namespace) -> list[str]:
    """--modes as a list of known modes, and --repeat in range (compare and sweep): or one line."""
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(f"unknown mode {', '.join(unknown) or '(none)'}: choose from {', '.join(MODES)}")
    if not 1 <= args.repeat <= 100:
        raise UsageError(f"--repeat must be between 1 and 100, got {args.repeat}")
    return modes


def cmd_compare(args: argparse.Namespace) -> int:
    modes = _modes_and_repeat(args)
    plans = _plans(args, modes[0])
    spec, info = plans[0]
    several = len(plans) > 1
    skipped = [(s, i["python"], m, r) for s, i in plans for m in modes if (r := _unavailable(m, i))]
    specs = [s.with_mode(m) for s, i in plans for m in modes if not _unavailable(m, i) for _ in range(args.repeat)]
    if not specs:
        raise UsageError("; ".join(f"{m} cannot run {s.workload.name}: {r}" for s, _, m, r in skipped))
    runs, caught = _run_all(specs, args.timeout, _recorder(args))
    rows = summarize(runs)
    if args.json:
        print(json.dumps({"header": _header(info["python"], spec.start_method), "summary": rows, "runs": runs,
                          "pythons": [i["python"].as_dict() for _, i in plans],
                          "unavailable": _skipped_json(skipped, several), "verdict": verdict(rows),
                          "freethreading_cost": freethreading_cost(rows)}, indent=2))
    else:
        print(f"{visible(spec.workload.name)} x{spec.workers} · {args.repeat} run(s) per mode · medians")
        print(f"{'python':<16}" * several + f"{'mode':<12} {'wall':>8} {'cpu':>8} {'parallel':>8} {'speedup':>8} "
              f"{'effic.':>7} {'GIL wait':>8} {'held':>5} {'IPC':>6}  ok")
        for row in rows:
            who = f"{_python_label(row['python_version'], row['free_threaded'], row['python_gil']):<16}" * several
            print(f"{who}{row['mode']:<12} {figure_text(row['wall_s'], ' s'):>8} "
                  f"{figure_text(row['cpu_s'], ' s'):>8} {figure_text(row['parallelism']):>8} "
                  f"{figure_text(row['speedup'], 'x'):>8} {figure_text(row['efficiency']):>7} {_gil(row):>8} "
                  f"{_share(row['gil_held']):>5} {_ipc_share(row):>6}  {row['ok_runs']}/{row['runs']}")
        for cost in freethreading_cost(rows):
            print(f"free-threading's single-thread cost (sequential, same binary): GIL off {cost['gil_off_s']:.3f} s"
                  f" vs on {cost['gil_on_s']:.3f} s ({cost['cost']:+.1%})")
        for _, python, mode, reason in skipped:
            who = f"{_python_label(python['version'], python['free_threaded'], python['python_gil']):<16}" * several
            print(f"{who}{mode:<12} unavailable: {visible(reason)}")
        for row in rows:
            _print_cluster(row["mode"], row["cluster"])
        _print_memory(runs, several)
        _print_verdict(rows)
    return _exit_code(runs, caught)


def _sweep_counts(text: str | None, usable: int) -> list[int]:
    if text is None:
        return default_counts(usable, MAX_WORKERS)
    try:
        counts = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise UsageError(f"--workers wants counts like 1,2,4, got {text!r}") from None
    if not counts or not all(1 <= n <= MAX_WORKERS for n in counts):
        raise UsageError(f"--workers wants counts between 1 and {MAX_WORKERS}, got {text!r}")
    return sorted(counts | {1})


class SweepProgress:
    """One line on stderr per run: runs done of planned, the run's wall, the time left."""

    def __init__(self, planned: list[tuple[str, int]]) -> None:
        self.planned = planned
        self.began = time.monotonic()

    def __call__(self, runs: list[dict]) -> None:
        last, done = runs[-1], len(runs)
        walls = sum(r["wall_s"] or 0.0 for r in runs)
        left = time_left(points(runs), self.planned[done:], time.monotonic() - self.began, walls)
        eta = "done" if done == len(self.planned) else (f"about {left:.0f} s left" if left is not None
                                                         else "time left: after the first run")
        print(f"sweep: {done}/{len(self.planned)} runs · {last['mode']} x{last['workers']} "
              f"{figure_text(last['wall_s'], ' s')} {last['status']} · {eta}", file=sys.stderr, flush=True)


def _print_sweep(sweep: dict) -> None:
    import plotext

    print(f"{visible(sweep['workload'])} · sweep of {', '.join(sweep['modes'])} at {sweep['workers']} workers "
          f"· {sweep['usable_cores']} usable cores · {sweep['runs_done']}/{sweep['runs_planned']} runs "
          f"({sweep['status']})")
    print(f"{'mode':<12} {'workers':>7} {'wall':>8} {'speedup':>8} {'effic.':>7} {'parallel':>8}  ok")
    for p in sweep["points"]:
        print(f"{p['mode']:<12} {p['workers']:>7} {figure_text(p['wall_s'], ' s'):>8} "
              f"{figure_text(p['speedup'], 'x'):>8} {figure_text(p['efficiency']):>7} "
              f"{figure_text(p['parallelism']):>8}  {p['ok_runs']}/{p['runs']}")
    print(f"model: {sweep['model']}")
    for mode, found in sweep["fits"].items():
        if found["serial_fraction"] is None:
            print(f"{mode}: no fit: {found['note']}")
            continue
        print(f"{mode}: serial fraction {found['serial_fraction']:.2f}, fit {found['quality']} "
              f"(RMS error {found['rms_error']:.0%} over {found['points']} points)"
              f"{': ' + found['note'] if found['note'] else ''}")
    width = min(os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else 80, 100)
    draw(plotext, sweep)
    plotext.plotsize(width, 18)
    chart = plotext.build()
    print(chart if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else plotext.uncolorize(chart))


def cmd_sweep(args: argparse.Namespace) -> int:
    modes = _modes_and_repeat(args)
    workers_text, args.workers = args.workers, 1
    spec, info = _spec(args, modes[0])
    usable = info["python"].usable_cores
    counts = _sweep_counts(workers_text, usable)
    refused = [f"{m} cannot run {spec.workload.name}: {r}" for m in modes if (r := _unavailable(m, info))]
    if refused:
        raise UsageError("; ".join(refused))
    planned = plan(modes, counts, args.repeat)
    specs = [replace(spec.with_mode(mode), workers=n) for mode, n in planned]
    for each in specs:
        capacity.check(each, child_footprint)
    opened = SweepStarted(0.0, spec.workload.name, spec.params, modes, counts, args.repeat, usable)
    runs, caught = _run_all(specs, args.timeout, _recorder(args), SweepProgress(planned),
                            lambda t: [replace(opened, t=t)])
    sweep = of_session(opened, 0, runs, running=False)
    if args.json:
        header = _header(info["python"], spec.start_method)
        print(json.dumps({"header": header, "sweep": sweep, "runs": runs}, indent=2))
    else:
        _print_sweep(sweep)
    return _exit_code(runs, caught)


def cmd_workloads(args: argparse.Namespace) -> int:
    listing = []
    for name in BUILTINS:
        module = builtin_module(name)
        listing.append({"name": name, "kind": module.KIND, "description": module.DESCRIPTION,
                        "params": module.PARAMS, "async": hasattr(module, "arun")})
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    for item in listing:
        params = " ".join(f"{k}={v}" for k, v in item["params"].items())
        print(f"{item['name']:<9} {kind_label(item['kind']):<27} {item['description']}")
        print(f"{'':<9} params: {params}{'   (has an async version)' if item['async'] else ''}")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from conctui.app import launch  # Textual is imported only for the TUI

    spec, info = _plans(args, args.mode)[0]
    refresh_hz = _refresh_hz(args)
    return launch(spec, info, start=args.start, record=args.record, refresh_hz=refresh_hz)


def _replay_figures(path: str) -> tuple[dict, str | None]:
    """Fold a recording as it is read (bounded memory): the JSON document and where it stopped."""
    reader = Reader(path)
    state = SessionState()
    for event in reader:
        apply(state, event)
    runs = [run_figures(run) for run in state.runs]
    first = state.runs[0].started if state.runs else None
    header = _header(first.python, first.start_method) if first else reader.header["machine"]
    rows = summarize(runs)
    document = {"recording": reader.header, "header": header, "summary": rows, "runs": runs,
                "verdict": verdict(rows)}
    if state.sweeps:  # a recorded sweep: the same document `sweep --json` printed
        document["sweep"] = of_session(*state.sweeps[-1], runs, running=False)
    return document, reader.note


def cmd_replay(args: argparse.Namespace) -> int:
    if not SPEEDS[0] <= args.speed <= SPEEDS[-1]:
        raise UsageError(f"--speed must be between {SPEEDS[0]} and {SPEEDS[-1]}, got {args.speed}")
    if not args.json:
        from conctui.replay_app import replay  # Textual is imported only for the TUI

        return replay(read_recording(args.file), speed=args.speed, refresh_hz=_refresh_hz(args))
    document, note = _replay_figures(args.file)
    print(json.dumps(document, indent=2))
    if note:
        print(f"conctui: {visible(note)}", file=sys.stderr)
    return 0


def _size(text: str) -> tuple[int, int]:
    cols, sep, rows = text.lower().partition("x")
    if not (sep and cols.isdigit() and rows.isdigit() and 40 <= int(cols) <= 500 and 10 <= int(rows) <= 200):
        raise UsageError(f"--size wants COLSxROWS between 40x10 and 500x200, got {text!r}")
    return int(cols), int(rows)


def _check_writable(path: str) -> None:
    """Refuse an output path now, not after rendering the whole replay."""
    existed = os.path.lexists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not existed:
        os.unlink(path)


def cmd_export(args: argparse.Namespace) -> int:
    size = _size(args.size)
    if args.at is not None and not args.svg:
        raise UsageError("--at applies to --svg only")
    keys = [key for key in args.press.split(",") if key]
    if keys and not args.svg:
        raise UsageError("--press applies to --svg only")
    if not all(key.isascii() and key.isprintable() and " " not in key for key in keys):
        raise UsageError(f"--press wants key names separated by commas, got {visible(args.press)!r}")
    recording = read_recording(args.file)
    duration = max([recording.t0, *(e.t for e in recording.events[-1:])]) - recording.t0
    if args.at is not None and not 0 <= args.at <= duration:
        raise UsageError(f"--at must be between 0 and {duration:.1f} (the recording's length), got {args.at}")
    out = args.asciicast or args.html or args.svg or args.svg_animated
    _check_writable(out)
    from conctui import export, export_html, export_svg_animated  # Textual is imported only to render

    if args.asciicast:
        export.export_asciicast(recording, out, size=size)
    elif args.html:
        export_html.export_html(recording, out, size=size)
    elif args.svg_animated:
        export_svg_animated.export_svg_animated(recording, out, size=size)
    else:
        export.export_svg(recording, out, size=size, at=args.at, keys=keys)
    return 0


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "sweep": cmd_sweep, "workloads": cmd_workloads, "tui": cmd_tui,
            "replay": cmd_replay, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["tui", *(argv if argv is not None else sys.argv[1:])])
    # headless, a signal outside a run unwinds the command, so what it started is reaped
    # (the TUI handles its own signals)
    guard = nullcontext() if args.command == "tui" else _on_signals(_interrupt)
    try:
        with guard:
            return COMMANDS[args.command](args)
    except (UsageError, RecordingError) as exc:  # they quote paths, params and files: from outside
        print(f"conctui: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as exc:
        return 128 + exc.signum
    except BrokenPipeError:
        # `conctui run ... | head`: the reader left; say nothing more (the Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
