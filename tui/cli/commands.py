"""One function per subcommand: check the input (cli/checks.py), run (cli/sessions.py), then
print one JSON document (cli/documents.py) or the text report (cli/report.py)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace

from conctui.cli import checks
from conctui.cli.documents import compare_document, header, replay_figures, run_document, unavailable_modes
from conctui.cli.progress import SweepProgress
from conctui.cli.report import print_compare, print_run, print_sweep, print_workloads
from conctui.cli.sessions import exit_code, recorder_for, run_all
from conctui.cli.watch import cmd_watch, replay_watch
from conctui.engine import capacity
from conctui.engine.events import SweepStarted
from conctui.engine.figures import summarize
from conctui.engine.modes import runnable, unavailable
from conctui.engine.recording import read_recording
from conctui.engine.runner_process import child_footprint
from conctui.engine.spec import UsageError, builtin_module
from conctui.engine.sweep import of_session, plan
from conctui.engine.text import byte_size, figure, seconds
from conctui.engine.untrusted import visible
from conctui.workloads import BUILTINS


def cmd_run(args: argparse.Namespace) -> int:
    spec, info = checks.plans(args, args.mode)[0]
    reason = unavailable(args.mode, info)
    if reason:
        raise UsageError(f"{args.mode} cannot run {spec.workload.name}: {reason}")
    runs, caught = run_all([spec], args.timeout, recorder_for(args), progress=None if args.json else "run")
    if args.json:
        print(json.dumps(run_document(header(info.python, spec.start_method), runs), indent=2))
    else:
        print_run(runs[0], summarize(runs))
    return exit_code(runs, caught)


def cmd_compare(args: argparse.Namespace) -> int:
    modes = checks.modes_and_repeat(args)
    plans = checks.plans(args, modes[0])
    spec, info = plans[0]
    several = len(plans) > 1
    here = [(s, i, *runnable(i, modes)) for s, i in plans]  # what each Python runs, and what it leaves out
    skipped = [(s, i.python, m, r) for s, i, _, left_out in here for m, r in left_out.items()]
    specs = [s.with_mode(m) for s, _, ran, _ in here for m in ran for _ in range(args.repeat)]
    if not specs:
        raise UsageError("; ".join(f"{m} cannot run {s.workload.name}: {r}" for s, _, m, r in skipped))
    runs, caught = run_all(specs, args.timeout, recorder_for(args), progress=None if args.json else "compare")
    rows = summarize(runs)
    if args.json:
        left_out = unavailable_modes([(s.python, m, r) for s, _, m, r in skipped], several)
        print(json.dumps(compare_document(header(info.python, spec.start_method), rows, runs,
                                          [i.python for _, i in plans], left_out), indent=2))
    else:
        title = f"{visible(spec.workload.name)} x{spec.worker_count} · {args.repeat} run(s) per mode · medians"
        print_compare(title, rows, runs, [(p.as_dict(), m, r) for _, p, m, r in skipped], several)
    return exit_code(runs, caught)


def cmd_sweep(args: argparse.Namespace) -> int:
    modes = checks.modes_and_repeat(args)
    workers_text, args.workers = args.workers, 1
    spec, info = checks.spec_and_info(args, modes[0])
    usable = info.python.usable_cores
    counts = checks.sweep_counts(workers_text, usable)
    refused = [f"{m} cannot run {spec.workload.name}: {r}" for m in modes if (r := unavailable(m, info))]
    if refused:
        raise UsageError("; ".join(refused))
    planned = plan(modes, counts, args.repeat)
    specs = [replace(spec.with_mode(mode), worker_count=n) for mode, n in planned]
    for each in specs:
        capacity.check(each, child_footprint)
    opened = SweepStarted(0.0, spec.workload.name, spec.params, modes, counts, args.repeat, usable)
    runs, caught = run_all(specs, args.timeout, recorder_for(args), SweepProgress(planned),
                           lambda t: [opened.replace(t=t)], progress=None if args.json else "sweep")
    sweep = of_session(opened, 0, runs, running=False)
    if args.json:
        print(json.dumps({"header": header(info.python, spec.start_method), "sweep": sweep, "runs": runs},
                         indent=2))
    else:
        print_sweep(sweep)
    return exit_code(runs, caught)


def cmd_workloads(args: argparse.Namespace) -> int:
    listing = []
    for name in BUILTINS:
        module = builtin_module(name)
        listing.append({"name": name, "kind": module.KIND, "description": module.DESCRIPTION,
                        "params": module.PARAMS, "async": hasattr(module, "arun")})
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    print_workloads(listing)
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    from conctui.app import launch  # Textual is imported only for the TUI

    checks.terminal("`conctui run` and `conctui compare` print the figures without one")
    spec, info = checks.plans(args, args.mode)[0]
    tick_hz = checks.tick_hz(args)
    return launch(spec, info, start=args.start, record=args.record, tick_hz=tick_hz)


def cmd_replay(args: argparse.Namespace) -> int:
    speed = checks.replay_speed(args)
    watched = replay_watch(args.file)
    if watched is not None and args.json:
        document, note = watched
    elif not args.json:  # a watch's recording too: the replay's source shows a watched program's panes
        from conctui.replay_app import replay  # Textual is imported only for the TUI

        checks.terminal(f"`conctui replay {args.file} --json` prints its figures without one")
        return replay(read_recording(args.file), speed=speed, tick_hz=checks.tick_hz(args))
    else:
        document, note = replay_figures(args.file)
    print(json.dumps(document, indent=2))
    if note:
        print(f"conctui: {visible(note)}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    size = checks.size(args.size)
    keys = checks.svg_keys(args)
    recording = read_recording(args.file)
    duration = max([recording.t0, *(e.t for e in recording.events[-1:])]) - recording.t0
    if args.at is not None and not 0 <= args.at <= duration:
        raise UsageError(f"--at must be between 0 and {figure(duration, digits=1)} (the recording's length), "
                         f"got {args.at}")
    out = args.asciicast or args.html or args.svg or args.svg_animated
    checks.check_writable(out)
    from conctui import export, export_html, export_svg_animated  # Textual is imported only to render

    whole = f"the whole replay ({seconds(duration, 1)})"
    if args.asciicast:
        export.export_asciicast(recording, out, size=size)
        what = f"{whole} as an asciicast v2"
    elif args.html:
        export_html.export_html(recording, out, size=size)
        what = f"{whole} as a web page"
    elif args.svg_animated:
        export_svg_animated.export_svg_animated(recording, out, size=size)
        what = f"{whole} as an animated SVG"
    else:
        export.export_svg(recording, out, size=size, at=args.at, keys=keys)
        what = f"the frame at {seconds(duration if args.at is None else args.at, 1)} of {seconds(duration, 1)}"
    print(f"wrote {visible(out)}: {byte_size(os.path.getsize(out))}, {what}, {size[0]}x{size[1]}")
    return 0


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "sweep": cmd_sweep, "workloads": cmd_workloads, "tui": cmd_tui,
            "replay": cmd_replay, "export": cmd_export, "watch": cmd_watch}
