"""Reading py-spy's output: a speedscope window's GIL-holding samples, names and hottest frames
per thread, and the frame of a dump's thread shown for it.

Runs in conctui's watch sampler thread (engine/watch/pyspy.py reads the files). py-spy's output
is untrusted text (names, file names): kept exact here, made visible where shown.
"""
from __future__ import annotations

import os
import re
from collections import Counter

PROFILE = re.compile(r'^(?:Process (\d+) )?Thread (\d+|0x[0-9A-Fa-f]+)(?: "(.*)")?$', re.S)  # a pthread id
# in hex before 3.11 (CPython keeps no native id): the sampler tells which thread it is (pthreads.py)
LIBRARY = re.compile(r"(^<|/lib/python3[^/]*/|/lib64/python3|site-packages/|dist-packages/)")


def frame_text(name: str, file: str, line: int | None) -> str:
    return f"{name} ({os.path.basename(file)}:{line})" if line else f"{name} ({os.path.basename(file)})"


def own_frame(frames: list[dict], leaf_first: bool) -> str | None:
    """The innermost frame in the program's own code (not the stdlib's, not site-packages'),
    else the innermost frame; None for no frames."""
    files = [(f, f.get("file") or f.get("filename")) for f in (frames if leaf_first else frames[::-1])]
    ordered = [(frame, file) for frame, file in files if file]  # (--threads adds a frame of no file: the thread)
    if not ordered:
        return None
    frame, file = next(((frame, file) for frame, file in ordered if not LIBRARY.search(file)), ordered[0])
    return frame_text(frame.get("name", "?"), file, frame.get("line"))


def parse_speedscope(data: dict, pid: int) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], str],
                                                   dict[tuple[int, int], str]]:
    """(held samples, hottest own frame, name) per (pid, tid) from a speedscope document."""
    frames = data.get("shared", {}).get("frames", [])
    held: dict[tuple[int, int], int] = {}
    top: dict[tuple[int, int], str] = {}
    names: dict[tuple[int, int], str] = {}
    for profile in data.get("profiles", []):
        found = PROFILE.match(str(profile.get("name", "")))
        if not found:
            continue
        key = (int(found[1] or pid), int(found[2], 0))
        samples = profile.get("samples", [])
        held[key] = held.get(key, 0) + len(samples)
        if found[3]:
            names[key] = found[3]
        counts: Counter[str] = Counter()
        for stack in samples:
            shown = own_frame([frames[i] for i in stack if 0 <= i < len(frames)], leaf_first=False)
            if shown:
                counts[shown] += 1
        if counts:
            top[key] = counts.most_common(1)[0][0]
    return held, top, names
