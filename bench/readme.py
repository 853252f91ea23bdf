"""readme: run every bench once and write bench/README.md from what they printed.

Each bench runs as its own process with --json (and --quick when asked); its document (the
machine, its 1-minute load at the end, every row with all its values) is kept in
bench/results.json, and README.md is bench/README.in.md with the figures put in where it
says {{figures}}: one table per bench, with the machine and the load at its start and end
beside it. Nothing in the figures is written by hand.

    python bench/readme.py [--quick] [--only a,b] [--skip a,b]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from _common import BENCH, num

# every bench that prints through _common.report, in the order the README shows them (a
# script's name, then the flags of that run)
BENCHES = ["accuracy", "reporter", "ui_cost", "ssh_bytes", "ssh_bytes --cores", "ssh_bytes --ssh", "latency", "scale",
           "startup", "ipc", "watch_cost"]


def _version(command: list[str]) -> str:
    """The first line a tool prints of its version, or 'not found'."""
    if shutil.which(command[0]) is None:
        return "not found"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line() -> str:
    """What the figures were measured on, in one line."""
    from importlib.metadata import version

    return (f"{_cpu_model()}, `nproc` {os.cpu_count()}, {platform.system()} {platform.release()}, "
            f"{platform.python_implementation()} {platform.python_version()}, Textual {version('textual')}, "
            f"psutil {version('psutil')}, {_version(['tmux', '-V'])}, {_version(['htop', '--version'])}")


def run_bench(name: str, quick: bool) -> dict:
    """One bench's --json document, with the load when it started and its duration; or why it failed."""
    load = round(os.getloadavg()[0], 2)
    began = time.monotonic()
    script, *flags = name.split()
    command = [sys.executable, str(BENCH / f"{script}.py"), *flags, "--json", *(["--quick"] if quick else [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = round(time.monotonic() - began, 1)
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return {"run": name, "bench": script, "failed": lines[-1] if lines else f"exit {done.returncode}",
                "seconds": seconds, "load_start": load, "measured_on": machine_line()}
    return dict(document, run=name, seconds=seconds, load_start=load, measured_on=machine_line())


def kept_results() -> dict[str, dict]:
    """The documents of the last run, by bench run, so that --only replaces just its own; each
    keeps the machine it was measured on (the file's own line for those written before it did)."""
    try:
        kept = json.loads((BENCH / "results.json").read_text())
        return {doc["run"]: {"measured_on": kept["machine"], **doc} for doc in kept["benches"]}
    except (OSError, ValueError, KeyError):
        return {}


def table(document: dict, machine: bool) -> str:
    """A bench's rows as a Markdown table, headed by when, how long and at what load it ran
    (and on what, when `machine`: not the machine most of the page was measured on)."""
    heading = f"### {document['run']}"
    if "failed" in document:
        return f"{heading}\n\nDid not complete in this run: `{document['failed']}`\n"
    info = document["machine"]
    where = f" on {document['measured_on']}" if machine else ""
    lines = [heading, "",
             f"ended {info['time']}{where}, took {document['seconds']:g} s{' (quick)' if document['quick'] else ''}; "
             f"1-minute load {document['load_start']:g} at the start, {info['load_1m']:g} at the end.", "",
             "| case | unit | median | min | max | reference | ref median | ratio | target |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in document["rows"]:
        row = {key: value.replace("|", "\\|") if isinstance(value, str) else value for key, value in row.items()}
        verdict = "" if row["met"] is None else (" **met**" if row["met"] else " **MISSED**")
        lines.append(f"| {row['case']} | {row['unit']} | {num(row['median'])} | {num(row['min'])} | "
                     f"{num(row['max'])} | {row['reference']} | {num(row['ref_median'])} | "
                     f"{num(row['ratio'])} | {row['target']}{verdict} |")
    lines += [""] + [f"- {note}" for note in document.get("notes", [])]
    return "\n".join(lines) + "\n"


def main() -> None:
    parse = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parse.add_argument("--quick", action="store_true", help="every bench's smoke run (figures marked quick)")
    parse.add_argument("--only", help="comma-separated benches to run again, the others' figures kept from "
                                      "bench/results.json (default: run all)")
    parse.add_argument("--skip", default="", help="comma-separated benches to leave out")
    args = parse.parse_args()
    names = [n for n in (args.only.split(",") if args.only else BENCHES) if n not in args.skip.split(",")]
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        parse.error(f"no such bench: {', '.join(unknown)} (of {', '.join(BENCHES)})")
    results = kept_results() if args.only else {}
    for name in names:
        print(f"readme: running {name} ...", file=sys.stderr, flush=True)
        results[name] = run_bench(name, args.quick)
    documents = [results[name] for name in BENCHES if name in results]
    machines = Counter(document["measured_on"] for document in documents if "failed" not in document)
    most = machines.most_common(1)[0][0] if machines else machine_line()
    (BENCH / "results.json").write_text(json.dumps({"machine": most, "benches": documents}, indent=2) + "\n")
    figures = f"Measured on {most}, unless a bench names another.\n\n" + \
        "\n".join(table(document, machine=document["measured_on"] != most) for document in documents)
    template = (BENCH / "README.in.md").read_text()
    (BENCH / "README.md").write_text(template.replace("{{figures}}", figures))
    print(f"readme: wrote {BENCH / 'README.md'} and {BENCH / 'results.json'}", file=sys.stderr)


if __name__ == "__main__":
    main()
