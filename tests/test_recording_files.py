"""Bad recordings: one line and exit code 2, bounded memory and time, never a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conctui.cli import main
from conctui.cli.documents import replay_figures
from conctui.engine.events import (
    Cluster,
    GilSample,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    WorkerFinished,
    WorkerStarted,
    encode,
)
from conctui.engine.recording import MAX_LINE, RecordingError, header
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PYTHON = {"executable": "/usr/bin/python3", "version": "3.11.7", "usable_cores": 2, "gil_enabled": True}


def _events() -> list:
    return [
        Sample(0.25, [3.0, 4.0], [], 1.0, "vm"),
        RunStarted(0.3, 1, "threads", "download", {"seconds": 1.0}, 2, PYTHON, "spawn", 42),
        WorkerStarted(0.31, 0, 42, 101), WorkerStarted(0.32, 1, 42, 102),
        Output(0.33, 0, "worker 0: starting"), Progress(0.5, 0, 0.5), Progress(0.5, 1, 0.4),
        Sample(0.5, [20.0, 30.0], [[0, 0.01, 0], [1, 0.02, 1]], 2.0, "vm"),
        GilSample(0.5, 0.4, 0.9, 4.5, 0.45, 0.88, 4.4, 5.0, 0.07),
        WorkerFinished(1.3, 0, "done", None, 1.0, 0.01), WorkerFinished(1.32, 1, "done", None, 1.01, 0.02),
        Cluster(1.32, "local", "tcp://127.0.0.1:8786", 2, 2, None, 0.5, 0.3,
                [[0, "tcp://127.0.0.1:9001", "vm", 0.002, 0.001], [1, "tcp://127.0.0.1:9002", "vm", None, None]]),
        RunFinished(1.33, "done", 1.02),
        RunStarted(10.5, 2, "sequential", "download", {"seconds": 1.0}, 1, PYTHON, "spawn", 43),
        WorkerStarted(10.51, 0, 43, 103), WorkerFinished(11.5, 0, "done", None, 1.0, 0.0),
        RunFinished(11.52, "done", 1.0),
    ]


def _lines(events: list | None = None, head: dict | None = None) -> list[str]:
    rows = [head or header(0.0)] + [encode(e) for e in (_events() if events is None else events)]
    return [json.dumps(row) + "\n" for row in rows]


def _write(tmp_path: Path, lines: list[str] | bytes) -> str:
    path = tmp_path / "recording.jsonl"
    path.write_bytes(lines if isinstance(lines, bytes) else "".join(lines).encode())
    return str(path)


def _replay(path: str, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main(["replay", path, "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_valid_file_replays_with_no_note(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = _replay(_write(tmp_path, _lines()), capsys)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert [r["status"] for r in document["runs"]] == ["done", "done"]
    assert document["summary"][1]["speedup"] is not None
    assert document["header"]["start_method"] == "spawn"


def _with(at: int, /, **changes: object) -> list[str]:
    """A valid file with some fields of its line `at + 1` (0: the header) changed."""
    lines = _lines()
    row = json.loads(lines[at])
    row.update(changes)
    lines[at] = json.dumps(row) + "\n"
    return lines


BAD_FILES = {
    "empty": ([], "is empty"),
    "not JSON": (["hello world\n"], "line 1 is not JSON"),
    "binary": ([b"\x00\xff\xfe garbage\n".decode("latin-1")], "not"),
    "header not an object": (["[1, 2]\n"] + _lines()[1:], "not a conctui recording"),
    "missing header": (_lines()[1:], "not a conctui recording"),
    "another format": (_with(0, format="asciicast"), "not a conctui recording"),
    "future version": (_with(0, version=3), "version 3; this conctui reads version 2: upgrade"),
    "version as text": (_with(0, version="1"), "bad recording version '1'"),
    "header without machine": (_with(0, machine=None), "no machine description"),
    "negative t0": (_with(0, t0=-3), "t0 -3 is not a time"),
    "corrupt middle line": (_lines()[:4] + ["{\"t\": 1.0, \"type\": \n"] + _lines()[4:], "line 5 is not JSON"),
    "blank middle line": (_lines()[:4] + ["\n"] + _lines()[4:], "line 5 is not JSON"),
    "unknown event": (_with(3, type="teleport"), "line 4: unknown event type 'teleport'"),
    "out of order": (_with(16, t=1.0), "line 17: time 1.000 s goes back from 10.510 s"),
    "runs swapped": (_lines()[:1] + _lines()[14:] + _lines()[1:14], "line 6: time 0.250 s goes back"),
    "negative time": (_with(3, t=-1), "negative time"),
    "absurd time": (_with(3, t=1e300), "out of range"),
    "NaN": ([line.replace('"app_cpu": 2.0', '"app_cpu": NaN') for line in _lines()], "NaN is not a number"),
    "absurd worker count": (_with(2, workers=10**9), "worker count"),
    "index beyond the run": (_with(3, index=7), "worker 7 of a run of 2"),
    "worker event outside a run": (_lines()[:2] + _lines()[3:], "worker event outside any run"),
    "run ends that never started": (_lines()[:1] + _lines()[13:14], "a run ends that never started"),
    "progress above 1": (_with(6, fraction=5), "not between 0 and 1"),
    "cores as text": (_with(2, python={**PYTHON, "usable_cores": "two"}), "'python.usable_cores' should be int"),
    "unhashable interpreter": (_with(2, python={**PYTHON, "executable": ["a"]}), "python.executable"),
    "huge integer": ([line.replace('"pid": 42', '"pid": ' + "9" * 5000) for line in _lines()], "not JSON"),
    "deep nesting": (_lines()[:2] + ["[" * 100_000 + "]" * 100_000 + "\n"], "not JSON"),
    "line over 1 MiB": (_lines()[:2] + ['"' + "x" * MAX_LINE + '"\n'], "over 1 MiB"),
}


@pytest.mark.parametrize(("lines", "says"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture,
                                           lines: list[str], says: str) -> None:
    code, out, err = _replay(_write(tmp_path, lines), capsys)
    assert (code, out) == (2, "")
    assert err.startswith("conctui: ") and err.count("\n") == 1, err
    assert says in err


def test_a_missing_file_is_one_line(capsys: pytest.CaptureFixture) -> None:
    code, _, err = _replay("/no/such/recording.jsonl", capsys)
    assert code == 2 and "cannot read /no/such/recording.jsonl: No such file" in err


def test_a_last_line_cut_short_replays_the_prefix(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    lines = _lines()
    cut = lines[:11] + [lines[11][:17]]  # a killed recorder's half-written batch
    code, out, err = _replay(_write(tmp_path, cut), capsys)
    assert code == 0
    assert "line 12 is cut short (the recording was interrupted): replayed lines 1-11" in err
    (run,) = json.loads(out)["runs"]
    assert run["status"] == "running" and [w["status"] for w in run["per_worker"]] == ["done", "running"]


def test_the_same_cut_in_the_middle_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    lines = _lines()
    code, _, err = _replay(_write(tmp_path, lines[:11] + [lines[11][:17] + "\n"] + lines[12:]), capsys)
    assert code == 2 and "line 12 is not JSON" in err


@pytest.mark.process
def test_the_command_says_it_in_one_line_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, _with(0, version=99))
    done = subprocess.run([sys.executable, "-m", "conctui", "replay", path, "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "version 99" in done.stderr and "Traceback" not in done.stderr


PEAK = """
import resource, sys, time
from conctui.cli import main
start = time.monotonic()
code = main(["replay", sys.argv[1], "--json"])
print(code, time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _peak(path: str) -> tuple[int, float, int]:
    done = subprocess.run([sys.executable, "-c", PEAK, path], capture_output=True, text=True, timeout=120)
    code, seconds, peak_mib = done.stdout.split()
    return int(code), float(seconds), int(peak_mib)


@pytest.mark.process
def test_gigabytes_of_garbage_end_fast_in_bounded_memory(tmp_path: Path) -> None:
    small = _write(tmp_path, b"garbage")
    garbage = tmp_path / "garbage.bin"
    with open(garbage, "wb") as handle:
        for _ in range(50):  # 200 MiB of random bytes without a newline
            handle.write(os.urandom(4 << 20).replace(b"\n", b"x"))
    code, seconds, peak_mib = _peak(str(garbage))
    _, _, baseline_mib = _peak(small)
    assert code == 2
    assert seconds < 10  # it reads 1 MiB and stops: ~0.01 s here
    assert peak_mib - baseline_mib < 32, (peak_mib, baseline_mib)


def _never_a_traceback(data: bytes) -> None:
    """Only two outcomes: figures, or RecordingError; both must serialise."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as handle:
        handle.write(data)
        handle.flush()
        try:
            document, _ = replay_figures(handle.name)
        except RecordingError as exc:
            assert "\n" not in str(exc)
        else:
            json.dumps(document)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise_anything_else(data: bytes) -> None:
    _never_a_traceback(data)
    _never_a_traceback("".join(_lines()[:1]).encode() + data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)


@st.composite
def any_value_anywhere(draw: st.DrawFn) -> list[str]:
    """A valid file with one field, or one field of a field (python.usable_cores), set to any JSON."""
    lines = _lines()
    index = draw(st.integers(0, len(lines) - 1))
    row = json.loads(lines[index])
    target = row
    key = draw(st.sampled_from(sorted(target)))
    if isinstance(target[key], dict) and target[key] and draw(st.booleans()):
        target = target[key]
        key = draw(st.sampled_from(sorted(target)))
    target[draw(st.just(key) | st.text(max_size=8))] = draw(JSON_VALUES)
    lines[index] = json.dumps(row) + "\n"
    return lines


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A valid file, maybe with a value changed, then lines dropped, doubled, swapped, cut, flipped."""
    lines = draw(any_value_anywhere()) if draw(st.booleans()) else _lines()
    for kind in draw(st.lists(st.sampled_from(["drop", "duplicate", "swap", "cut", "flip"]), max_size=3)):
        index, other = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        if kind == "drop" and len(lines) > 1:
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "swap":
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "cut":
            lines[index] = lines[index][:draw(st.integers(0, len(lines[index])))]
        elif kind == "flip" and lines[index]:
            raw = bytearray(lines[index].encode())
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
            lines[index] = raw.decode("latin-1")
    return "".join(lines).encode("latin-1", errors="replace")


ODD_VALUES = [None, True, 0, -1, 2**64, 1e308, -0.5, "x", "", [], [1, "a"], {}, {"a": [1]}]


def _fields(row: dict) -> list[tuple[dict, str]]:
    """Every (holder, key) of a line, one level down too (python.usable_cores)."""
    found = [(row, key) for key in row]
    return found + [(row[key], inner) for key in row if isinstance(row[key], dict) for inner in row[key]]


def test_every_odd_value_in_every_field_never_raises_anything_else() -> None:
    """Exhaustive where random search is thin: each field of each line set to each odd value."""
    lines = _lines()
    for index in range(len(lines)):
        for number in range(len(_fields(json.loads(lines[index])))):
            for value in ODD_VALUES:
                row = json.loads(lines[index])
                holder, key = _fields(row)[number]
                holder[key] = value
                _never_a_traceback("".join(lines[:index] + [json.dumps(row) + "\n"] + lines[index + 1:]).encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files())
def test_mutated_valid_files_never_raise_anything_else(data: bytes) -> None:
    _never_a_traceback(data)


EXPORT_MISTAKES = {
    "at past the end": (["--svg", "{out}", "--at", "99"], "--at must be between 0 and 11.5"),
    "at for a cast": (["--asciicast", "{out}", "--at", "1"], "--at applies to --svg only"),
    "at for a page": (["--html", "{out}", "--at", "1"], "--at applies to --svg only"),
    "keys for a page": (["--html", "{out}", "--press", "S"], "--press applies to --svg only"),
    "keys not keys": (["--svg", "{out}", "--press", "a b"], "--press wants key names separated by commas"),
    "unwritable page": (["--html", "/no/such/dir/talk.html"], "cannot write /no/such/dir/talk.html"),
    "size too small": (["--svg", "{out}", "--size", "10x3"], "--size wants COLSxROWS"),
    "size below the panes' least": (["--svg", "{out}", "--size", "50x15"], "between 60x20 and"),
    "size not a size": (["--svg", "{out}", "--size", "big"], "--size wants COLSxROWS"),
    "unwritable output": (["--svg", "/no/such/dir/frame.svg"], "cannot write /no/such/dir/frame.svg"),
}


@pytest.mark.parametrize(("args", "says"), EXPORT_MISTAKES.values(), ids=EXPORT_MISTAKES.keys())
def test_export_mistakes_are_refused_before_rendering(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                      args: list[str], says: str) -> None:
    out = tmp_path / "out.svg"
    code = main(["export", _write(tmp_path, _lines()), *(a.format(out=out) for a in args)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and says in err, err
    assert not out.exists()


def test_replay_speed_out_of_range_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["replay", _write(tmp_path, _lines()), "--speed", "16"])
    assert code == 2 and "--speed must be between 0.25 and 8.0" in capsys.readouterr().err
