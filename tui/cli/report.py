"""The headless commands' text: the run, compare and sweep tables, the workers, the memory
lines, a Dask cluster's costs and the verdict. Every text from outside passes the boundary
(engine/untrusted.py), colour dropped."""
from __future__ import annotations

import os
import sys
import time

from conctui.engine.figures import figure_text, freethreading_cost
from conctui.engine.sweep import draw, points, time_left
from conctui.engine.untrusted import uncoloured, visible
from conctui.engine.verdict import verdict


def _worker_ipc(ipc: dict | None) -> str:
    """`0.42 s 16.8 MB`: seconds and bytes a worker's arguments and return values took to cross."""
    if ipc is None:
        return "-"
    moved = ipc["in_bytes"] + ipc["out_bytes"]
    return f"{ipc['in_s'] + ipc['out_s']:.2f} s {moved / 1e6:.1f} MB" if moved else "by ref"


def print_workers(figures: dict) -> None:
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


def print_cluster(mode: str, cluster: dict | None) -> None:
    """A Dask cluster's own costs, apart from the wall time above them."""
    if not cluster:
        return
    dashboard = f", dashboard {visible(cluster['dashboard'])}" if cluster.get("dashboard") else ""
    print(f"{mode} cluster: {visible(cluster['kind'])} {visible(cluster['scheduler'])}, {cluster['workers']} "
          f"workers, {cluster['threads']} threads{dashboard}")
    print(f"{'':<{len(mode)}} costs: start-up {figure_text(cluster['startup_s'], ' s')}, "
          f"shutdown {figure_text(cluster['shutdown_s'], ' s')}, submit-to-start {_ms(cluster['latency_median_s'])} "
          f"median ({_ms(cluster['latency_max_s'])} max), result back {_ms(cluster['result_median_s'])} median")


def print_verdict(rows: list[dict]) -> None:
    for entry in verdict(rows):
        print(f"verdict: {visible(entry['text'])}")


def print_run(figures: dict, rows: list[dict]) -> None:
    """One run: its figures, cluster, memory lines, workers and verdict."""
    print(f"{visible(figures['workload'])} x{figures['workers']} · {figures['mode']} · {figures['status']}"
          f"{': ' + uncoloured(figures['error']) if figures['error'] else ''}")
    print(f"wall {figure_text(figures['wall_s'], ' s')}  cpu {figure_text(figures['cpu_s'], ' s')}  "
          f"parallelism {figure_text(figures['parallelism'])}  GIL wait {_gil(figures)}  "
          f"GIL held {_share(figures['gil_held'])}")
    print_cluster(figures["mode"], figures["cluster"])
    print_memory([figures], several=False)
    print_workers(figures)
    print_verdict(rows)


def print_compare(title: str, rows: list[dict], runs: list[dict], skipped: list[tuple[dict, str, str]],
                  several: bool) -> None:
    """The compare table (a column for the Python where several ran), then what could not run
    and why, clusters, memory lines and the verdict. `skipped`: (python, mode, reason)."""
    print(title)
    print(f"{'python':<16}" * several + f"{'mode':<12} {'wall':>8} {'cpu':>8} {'parallel':>8} {'speedup':>8} "
          f"{'effic.':>7} {'GIL wait':>8} {'held':>5} {'IPC':>6}  ok")
    for row in rows:
        who = f"{python_label(row['python_version'], row['free_threaded'], row['python_gil']):<16}" * several
        print(f"{who}{row['mode']:<12} {figure_text(row['wall_s'], ' s'):>8} "
              f"{figure_text(row['cpu_s'], ' s'):>8} {figure_text(row['parallelism']):>8} "
              f"{figure_text(row['speedup'], 'x'):>8} {figure_text(row['efficiency']):>7} {_gil(row):>8} "
              f"{_share(row['gil_held']):>5} {_ipc_share(row):>6}  {row['ok_runs']}/{row['runs']}")
    for cost in freethreading_cost(rows):
        print(f"free-threading's single-thread cost (sequential, same binary): GIL off {cost['gil_off_s']:.3f} s"
              f" vs on {cost['gil_on_s']:.3f} s ({cost['cost']:+.1%})")
    for python, mode, reason in skipped:
        who = f"{python_label(python['version'], python['free_threaded'], python['python_gil']):<16}" * several
        print(f"{who}{mode:<12} unavailable: {visible(reason)}")
    for row in rows:
        print_cluster(row["mode"], row["cluster"])
    print_memory(runs, several)
    print_verdict(rows)


def memory_lines(figures: dict) -> list[str]:
    """What each side saw of the changed globals, then what crossing cost (engine/memory.py)."""
    lines = list(figures["memory"]["lines"]) if figures.get("memory") else []
    if figures.get("ipc"):
        lines.append(figures["ipc"]["line"])
    return lines


def print_memory(runs: list[dict], several: bool) -> None:
    """The last run of each (interpreter, mode): its memory lines and IPC line, made visible."""
    last = {(f["python"]["executable"], f["python"]["python_gil"], f["mode"]): f for f in runs}
    for figures in last.values():
        python = figures["python"]
        label = python_label(python["version"], python["free_threaded"], python["python_gil"])
        who = f"{label:<16}" * several
        for number, line in enumerate(memory_lines(figures)):
            print(f"{who if number == 0 else ' ' * len(who)}{figures['mode'] if number == 0 else '':<12} "
                  f"{visible(line)}")


def python_label(version: str | None, free_threaded: bool | None, python_gil: str | None = None) -> str:
    """`3.13.0`, or `3.13.5t` for a free-threaded build, `3.13.5t GIL on` with PYTHON_GIL=1."""
    switch = {"1": " GIL on", "0": " GIL off"}.get(python_gil or "", "") if free_threaded else ""
    return visible(f"{version}{'t' if free_threaded else ''}{switch}")


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


def print_sweep(sweep: dict) -> None:
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
