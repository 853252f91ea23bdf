"""The headless commands' text: the run, compare and sweep tables, the workers, the memory
lines, a Dask cluster's costs and the verdict.

Tables are as wide as their widest cells, so they fit 80 columns; prose (verdicts, reasons)
wraps at the terminal's width (80 when stdout is not a terminal). Every text from outside
passes the boundary (engine/untrusted.py), colour dropped; figures are written by engine/text.py.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence

from conctui.engine.figures import freethreading_cost
from conctui.engine.spec import kind_label
from conctui.engine.sweep import draw
from conctui.engine.text import (
    busy_cores,
    figure,
    gil_held_cell,
    ipc_cell,
    memory_lines,
    milliseconds,
    percent,
    python_label,
    ratio,
    seconds,
    short_note,
    worker_ipc,
)
from conctui.engine.untrusted import uncoloured, visible
from conctui.engine.verdict import verdict

Column = tuple[str, str]  # (header, "<" left or ">" right)
GLUE = "\x00"  # stands for a space textwrap must not break at: as wide, and not whitespace to it
UNIT_SPACE = re.compile(r"(\d) (s|ms|B|kB|MB|GB|cores|workers)\b")


def width() -> int:
    """The terminal's columns where stdout is one, else 80 (a file, a pipe, a test)."""
    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]], indent: str = "",
          optional: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Each column as wide as its widest cell, one space apart, the header first; where that
    passes the width, the `optional` columns (by header) go, in order, until it fits. Returns
    the lines and the headers left out."""
    cells = [[name for name, _ in columns], *rows]
    keep = list(range(len(columns)))
    left_out: list[str] = []
    while True:
        widths = {i: max(len(row[i]) for row in cells) for i in keep}
        if len(indent) + sum(widths.values()) + len(keep) - 1 <= width() or len(left_out) == len(optional):
            break
        left_out.append(optional[len(left_out)])
        keep.remove(cells[0].index(left_out[-1]))
    lines = [indent + " ".join(f"{row[i]:{columns[i][1]}{widths[i]}}" for i in keep).rstrip() for row in cells]
    return lines, left_out


def print_table(lines: list[str], left_out: list[str]) -> None:
    """`table`'s lines, then which columns it left out, if any."""
    print("\n".join(lines))
    _say_left_out(left_out)


def _say_left_out(left_out: list[str]) -> None:
    if left_out:
        print(f"({', '.join(left_out)} left out to fit {width()} columns; --json has every figure)")


def prose(line: str, lead: str = "") -> None:
    """One paragraph wrapped at the width, its later lines indented under the text after `lead`;
    a figure stays on one line with its unit (`0.30 s`, `296 ms`)."""
    kept = UNIT_SPACE.sub(f"\\1{GLUE}\\2", line)
    print(textwrap.fill(kept, width(), initial_indent=lead, subsequent_indent=" " * len(lead),
                        break_on_hyphens=False, break_long_words=False).replace(GLUE, " "))


def _gil(row: dict) -> str:
    """GIL wait as a share, or why it does not apply: "own GIL", "no GIL"."""
    if row.get("gil_wait") is not None:
        return percent(row["gil_wait"])
    return short_note(row.get("gil_note") or row.get("gil_wait_note"))


def _python(python: dict) -> str:
    return python_label(python["version"], python["free_threaded"], python["python_gil"])


def print_workers(figures: dict) -> None:
    """The workers' table, then their errors and output: what they printed and raised passes the
    boundary, colour dropped."""
    columns = (("#", ">"), ("pid", ">"), ("tid", ">"), ("status", "<"), ("wall", ">"), ("cpu", ">"),
               ("held", ">"), ("wait", ">"), ("off", ">"), ("ipc", ">"))
    workers = figures["per_worker"]
    print_table(*table(columns, [
        (str(w["index"]), str(w["pid"] or "-"), str(w["tid"] or "-"), visible(w["status"]),
         seconds(w["wall_s"]), seconds(w["cpu_s"]), percent(w["gil_held"]), percent(w["gil_wait"]),
         percent(w["gil_off_cpu"]), worker_ipc(w.get("ipc"))) for w in workers], optional=("tid", "off")))
    if figures["mode"] == "processes":  # why a worker may read `wall 0.00 s` beside `cpu 0.06 s`
        prose("each worker process's CPU since it started, Python's start-up and imports included; wall: "
              "its function's calls only", "cpu: ")
    if figures.get("gil_note") or figures.get("gil_wait_note"):
        prose(visible(figures["gil_note"] or figures["gil_wait_note"]), "GIL held/wait/off CPU per worker: ")
    for w in workers:
        if w["error"]:
            print(f"[{w['index']}] error: {uncoloured(w['error'])}")
    for w in workers:
        for line in w["output"]:
            print(f"[{w['index']}] {uncoloured(line)}")
        if w["dropped_lines"]:
            print(f"[{w['index']}] ... {w['dropped_lines']} more lines not kept")


def print_cluster(mode: str, cluster: dict | None) -> None:
    """A Dask cluster's own costs, apart from the wall time above them."""
    if not cluster:
        return
    dashboard = f", dashboard {visible(cluster['dashboard'])}" if cluster.get("dashboard") else ""
    prose(f"{visible(cluster['kind'])} {visible(cluster['scheduler'])}, {cluster['workers']} workers, "
          f"{cluster['threads']} threads{dashboard}", f"{mode} cluster: ")
    print(f"  start-up {seconds(cluster['startup_s'])}, shutdown {seconds(cluster['shutdown_s'])}")
    print(f"  submit-to-start {milliseconds(cluster['latency_median_s'])} median "
          f"({milliseconds(cluster['latency_max_s'])} max), result back {milliseconds(cluster['result_median_s'])} "
          "median")


def print_verdict(rows: list[dict]) -> None:
    for entry in verdict(rows):
        prose(visible(entry["text"]), "verdict: ")


def print_run(figures: dict, rows: list[dict]) -> None:
    """One run: its figures, cluster, memory lines, workers and verdict."""
    print(f"{visible(figures['workload'])} x{figures['workers']} · {figures['mode']} · {figures['status']}"
          f"{': ' + uncoloured(figures['error']) if figures['error'] else ''}")
    held = gil_held_cell(figures["gil_held"], figures["gil_scope"], figures["gil_note"])
    if figures["gil_held"] is None and held == _gil(figures):  # a reason once, not once per figure
        gil = f"GIL: {visible((figures['gil_note'] or '-').split(':')[0])}"
    else:
        gil = f"GIL wait {_gil(figures)}  GIL held {held}"
    print(f"wall {seconds(figures['wall_s'])}  cpu {seconds(figures['cpu_s'])}  "
          f"parallelism {busy_cores(figures['parallelism'])}  {gil}")
    if figures["gil_latency_ms"] is not None:
        prose(f"{figure(figures['gil_latency_ms'], ' ms', 1)}: how long a thread that wants the GIL back waits for "
              "it, each time", "GIL latency ")
    print_cluster(figures["mode"], figures["cluster"])
    print_memory([figures], several=False)
    print_workers(figures)
    print_verdict(rows)


COMPARE_COLUMNS = (("mode", "<"), ("wall", ">"), ("cpu", ">"), ("parallel", ">"), ("speedup", ">"),
                   ("effic.", ">"), ("GIL wait", ">"), ("GIL held", ">"), ("IPC", ">"), ("ok", ">"))


def _compare_cells(row: dict) -> tuple[str, ...]:
    return (row["mode"], seconds(row["wall_s"]), seconds(row["cpu_s"]), busy_cores(row["parallelism"]),
            ratio(row["speedup"]), figure(row["efficiency"]), _gil(row),
            gil_held_cell(row["gil_held"], row["gil_scope"], row["gil_note"]),
            ipc_cell(row.get("ipc_share"), bool(row.get("ipc_by_reference"))), f"{row['ok_runs']}/{row['runs']}")


def print_compare(title: str, rows: list[dict], runs: list[dict], skipped: list[tuple[dict, str, str]],
                  several: bool) -> None:
    """The compare table (under several Pythons, each Python's rows under its name), then the modes
    left out and why, clusters, memory lines and the verdict. `skipped`: (python, mode, reason)."""
    print(title)
    lines, left_out = table(COMPARE_COLUMNS, [_compare_cells(row) for row in rows], "  " if several else "",
                            optional=("cpu", "effic."))  # parallel is cpu / wall; efficiency, speedup / cores
    if several:  # the Python's label heads its rows: a column of it would pass 80 columns
        print(lines[0])
        label = None
        for row, line in zip(rows, lines[1:]):
            now = python_label(row["python_version"], row["free_threaded"], row["python_gil"])
            if now != label:
                print(now)
                label = now
            print(line)
        _say_left_out(left_out)
    else:
        print_table(lines, left_out)
    for cost in freethreading_cost(rows):
        print(f"free-threading's single-thread cost (sequential, same binary): GIL off {seconds(cost['gil_off_s'], 3)}"
              f" vs on {seconds(cost['gil_on_s'], 3)} ({cost['cost']:+.1%})")
    for python, mode, reason in skipped:
        prose(visible(reason), f"{_python(python) + ' ' if several else ''}{mode} left out: ")
    for row in rows:
        print_cluster(row["mode"], row["cluster"])
    print_memory(runs, several)
    print_verdict(rows)


def print_memory(runs: list[dict], several: bool) -> None:
    """The last run of each (interpreter, mode): its memory lines and IPC line; under several
    Pythons, each Python's under its name, as in the table."""
    last = {(f["python"]["executable"], f["python"]["python_gil"], f["mode"]): f for f in runs}
    label = None
    for figures in last.values():
        if several and (now := _python(figures["python"])) != label:
            print(now)
            label = now
        for number, line in enumerate(memory_lines(figures)):
            prose(line, f"{'  ' if several else ''}{figures['mode'] if number == 0 else '':<12} ")


def _fit_text(found: dict) -> str:
    """`serial fraction 0.87, fit good (RMS error 3% over 4 worker counts)`, or why there is none."""
    if found["serial_fraction"] is None:
        return f"no fit: {found['note']}"
    if found["quality"] is None:  # one count beyond 1 worker: the model passes through it exactly
        return f"serial fraction {figure(found['serial_fraction'])}: {found['note']}"
    note = f": {found['note']}" if found["note"] else ""
    return (f"serial fraction {figure(found['serial_fraction'])}, fit {found['quality']} "
            f"(RMS error {percent(found['rms_error'])} over {found['points']} worker counts){note}")


def print_sweep(sweep: dict) -> None:
    import plotext

    prose(f"{visible(sweep['workload'])} · sweep of {', '.join(sweep['modes'])} at {sweep['workers']} workers "
          f"· {sweep['usable_cores']} usable cores · {sweep['runs_done']}/{sweep['runs_planned']} runs "
          f"({sweep['status']})")
    columns = (("mode", "<"), ("workers", ">"), ("wall", ">"), ("speedup", ">"), ("effic.", ">"),
               ("parallel", ">"), ("ok", ">"))
    print_table(*table(columns, [(p["mode"], str(p["workers"]), seconds(p["wall_s"]), ratio(p["speedup"]),
                                  figure(p["efficiency"]), busy_cores(p["parallelism"]), f"{p['ok_runs']}/{p['runs']}")
                                 for p in sweep["points"]], optional=("parallel",)))
    prose(sweep["model"], "model: ")
    for mode, found in sweep["fits"].items():
        prose(visible(_fit_text(found)), f"{mode}: ")
    draw(plotext, sweep)
    plotext.plotsize(min(width(), 100), 18)
    chart = plotext.build()
    print(chart if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else plotext.uncolorize(chart))
    if sweep["advice"] is not None:  # last: what a reader takes away
        for sentence in sweep["advice"]["sentences"]:
            prose(visible(sentence), "advice: " if sentence is sweep["advice"]["sentences"][0] else "        ")


def print_workloads(listing: list[dict]) -> None:
    """Each built-in: its name and kind, then what it does and its parameters, beneath."""
    for item in listing:
        print(f"{item['name']:<9} {kind_label(item['kind'])}{'   (has an async version)' if item['async'] else ''}")
        prose(item["description"], " " * 10)
        print(f"{'':<9} params: {' '.join(f'{k}={v}' for k, v in item['params'].items())}")
