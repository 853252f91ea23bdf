"""Record real runs on this machine and export the README's pictures from them.

    python scripts/screenshots.py [NAME ...]

Each picture is one real run recorded with `--record` (kept as screenshots/NAME.jsonl, so
anyone can replay or re-export it) and exported with `conctui export --svg --at`, at 80x24 and
120x40. Nothing is invented: the figures are what this machine measured. The README's block
between the two `screenshots` markers is rewritten with each picture and one line saying where,
when and how it was recorded. A picture that cannot be made here (no network namespaces, a
feature missing) is left as it was and the script says why.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conctui.engine.events import RunFinished, RunStarted
from conctui.engine.recording import Recording, read_recording

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
README = ROOT / "README.md"
BEGIN, END = "<!-- screenshots: begin (scripts/screenshots.py writes this block) -->", "<!-- screenshots: end -->"
SIZES = ((80, 24), (120, 40))
Prefix = tuple[str, ...]
PLAYER_FILES = {"asciicast": ".cast", "html": ".html", "svg-animated": "-animated.svg"}


def at_end(recording: Recording) -> float | None:
    return None


def mid_last_run(recording: Recording) -> float:
    """Half-way through the last run: workers busy, the live figures on screen."""
    starts = [e.t for e in recording.events if isinstance(e, RunStarted)]
    ends = [e.t for e in recording.events if isinstance(e, RunFinished)]
    return round((starts[-1] + ends[-1]) / 2 - recording.t0, 1)


@dataclass
class Shot:
    name: str
    caption: str
    args: list[str]  # after `conctui`, without --record
    moment: Callable[[Recording], float | None] = at_end
    hosts: bool = False  # run on a Dask cluster of two hosts (network namespaces)
    needs: list[str] = field(default_factory=list)  # conctui subcommands it needs
    shows: str | None = None  # an event type the recording must hold, or the picture shows nothing new
    press: list[str] = field(default_factory=list)  # keys pressed before the picture: S opens the sweep screen
    players: list[str] = field(default_factory=list)  # whole-replay exports beside the pictures: asciicast, html


SHOTS = [
    Shot("compare-download", "the tutorial's 3 downloads in every mode: threads and asyncio wait together",
         ["compare", "download", "--workers", "3"], players=["asciicast", "html", "svg-animated"]),
    Shot("cpu-compare", "pure-Python CPU: threads gain nothing, processes use every core; the verdict says why",
         ["compare", "cpu", "--workers", "2"]),
    Shot("gil-threads", "two pure-Python threads mid-run: the GIL meter per worker",
         ["run", "cpu", "--mode", "threads", "--workers", "2"], moment=mid_last_run),
    Shot("memory", "the memory lesson: threads change the parent's counter, each process its own copy",
         ["compare", "shared", "--workers", "2", "--modes", "threads,processes"], shows="memory"),
    Shot("sweep", "a sweep of worker counts: speedup per mode against the ideal, and each serial fraction",
         ["sweep", "cpu", "--workers", "1,2,4"], needs=["sweep"], press=["S"]),
    Shot("dask-two-hosts", "a Dask run on two hosts (two network namespaces of this machine): cores by host",
         ["run", "download", "--mode", "dask", "--workers", "2", "--param", "seconds=3"], hosts=True),
]


def conctui(*args: str, prefix: Prefix = (), timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "conctui", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def missing(shot: Shot) -> str | None:
    """Why this conctui cannot record the shot, or None."""
    for command in shot.needs:
        if conctui(command, "--help").returncode != 0:
            return f"this conctui has no `{command}` command"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@contextlib.contextmanager
def two_hosts() -> Iterator[tuple[Prefix, str]]:
    """A Dask scheduler and one worker in each of two network namespaces joined by a veth pair
    (10.213.0.1, 10.213.0.2), as tests/test_dask.py makes them; yields the first host's prefix
    and the scheduler's address. Needs root (ip netns)."""
    names = (f"conctui_shot_a_{os.getpid()}", f"conctui_shot_b_{os.getpid()}")
    started: list[subprocess.Popen] = []
    try:
        _ip("netns", "add", names[0])
        _ip("netns", "add", names[1])
        _ip("link", "add", "cshot_a", "netns", names[0], "type", "veth", "peer", "name", "cshot_b", "netns", names[1])
        for index, (name, veth) in enumerate(zip(names, ("cshot_a", "cshot_b"))):
            _ip("-n", name, "addr", "add", f"10.213.0.{index + 1}/24", "dev", veth)
            _ip("-n", name, "link", "set", veth, "up")
            _ip("-n", name, "link", "set", "lo", "up")
        prefixes = [("ip", "netns", "exec", name) for name in names]
        address = "tcp://10.213.0.1:8786"
        dask = [sys.executable, "-m"]
        started.append(subprocess.Popen([*prefixes[0], *dask, "distributed.cli.dask_scheduler", "--host", "10.213.0.1",
                                         "--port", "8786", "--no-dashboard"], stderr=subprocess.DEVNULL))
        for index, prefix in enumerate(prefixes):
            started.append(subprocess.Popen([*prefix, *dask, "distributed.cli.dask_worker", address, "--nthreads", "1",
                                             "--host", f"10.213.0.{index + 1}", "--no-dashboard", "--no-nanny"],
                                            stderr=subprocess.DEVNULL))
        probe = ("from distributed import Client; c = Client(%r, timeout=30); "
                 "c.wait_for_workers(2, timeout=60); c.close()" % address)
        subprocess.run([*prefixes[0], sys.executable, "-c", probe], check=True, timeout=120, capture_output=True)
        yield prefixes[0], address
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for name in names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def record(shot: Shot) -> Path:
    """Run the shot's command for real, recording it to screenshots/NAME.jsonl."""
    path = OUT / f"{shot.name}.jsonl"
    args = [*shot.args, "--record", str(path)]
    with contextlib.ExitStack() as stack:
        prefix: Prefix = ()
        if shot.hosts:
            prefix, address = stack.enter_context(two_hosts())
            args += ["--scheduler", address]
        done = conctui(*args, prefix=prefix)
    if done.returncode != 0:
        raise RuntimeError(f"`conctui {' '.join(shot.args)}` failed: {done.stderr.strip()[-500:]}")
    return path


def export(shot: Shot, recording: Recording) -> list[Path]:
    at = shot.moment(recording)
    pictures = []
    for width, height in SIZES:
        out = OUT / f"{shot.name}-{width}x{height}.svg"
        done = conctui("export", recording.path, "--svg", str(out), "--size", f"{width}x{height}",
                       *(["--at", str(at)] if at is not None else []),
                       *(["--press", ",".join(shot.press)] if shot.press else []))
        if done.returncode != 0:
            raise RuntimeError(f"export of {shot.name} failed: {done.stderr.strip()}")
        pictures.append(out)
    for player in shot.players:
        out = OUT / f"{shot.name}{PLAYER_FILES[player]}"
        done = conctui("export", recording.path, f"--{player}", str(out), "--size", "100x30")
        if done.returncode != 0:
            raise RuntimeError(f"{player} export of {shot.name} failed: {done.stderr.strip()}")
        pictures.append(out)
    return pictures


def provenance(shot: Shot, recording: Recording) -> str:
    """Where, when and how: machine, cores, Python, date, the command, the moment shown."""
    machine = recording.header["machine"]
    when = recording.header.get("created", "?").replace("T", " ")
    at = shot.moment(recording)
    moment = "its end" if at is None else f"{at:g} s in"
    if shot.press:
        moment += f" after pressing {' '.join(shot.press)}"
    hosts = " on a scheduler and two workers in two network namespaces of it" if shot.hosts else ""
    return (f"Recorded {when} on `{machine['hostname']}` ({machine['logical_cores']} cores, "
            f"{machine['platform']}), {machine['implementation']} {machine['version']}{hosts}: "
            f"`conctui {' '.join(shot.args)} --record screenshots/{shot.name}.jsonl`; shown at {moment}.")


def block(made: dict[str, Recording]) -> str:
    lines = [BEGIN, ""]
    for shot in SHOTS:
        recording = made.get(shot.name)
        if recording is None:
            continue
        lines += [f"![{shot.caption}, 80x24](screenshots/{shot.name}-80x24.svg)", "",
                  f"*{shot.caption}* ([120x40](screenshots/{shot.name}-120x40.svg)). {provenance(shot, recording)}",
                  ""]
    return "\n".join(lines + [END])


def rewrite_readme(made: dict[str, Recording]) -> None:
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise RuntimeError(f"README.md has no {BEGIN!r} ... {END!r} block")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(head + block(made) + tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"pictures to remake (default all): {[s.name for s in SHOTS]}")
    names = parser.parse_args().names or [shot.name for shot in SHOTS]
    unknown = set(names) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"no such picture: {', '.join(sorted(unknown))}")
    made: dict[str, Recording] = {}
    for shot in SHOTS:
        path = OUT / f"{shot.name}.jsonl"
        if shot.name in names:
            reason = missing(shot)
            if reason:
                print(f"{shot.name}: skipped, {reason}", file=sys.stderr)
                continue
            started = time.monotonic()
            try:
                path = record(shot)
                recording = read_recording(path)
                kinds = {json.loads(line).get("type", "") for line in path.read_text().splitlines()[1:]}
                if shot.shows and not any(shot.shows in kind for kind in kinds):
                    path.unlink()
                    raise RuntimeError(f"its recording has no {shot.shows} events: that feature has not landed")
                pictures = export(shot, recording)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"{shot.name}: skipped, {exc}", file=sys.stderr)
                continue
            print(f"{shot.name}: {', '.join(p.name for p in pictures)} ({time.monotonic() - started:.0f} s)")
        if path.exists():
            made[shot.name] = read_recording(path)  # kept from an earlier run of this script
    try:
        rewrite_readme(made)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
