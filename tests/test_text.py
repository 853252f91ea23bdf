"""engine/text.py writes each kind of figure one way: the edges a person may meet (none, zero,
large, a rounding that would widen a cell) read as each function's docstring says."""
from __future__ import annotations

from conctui.engine.text import (
    busy_cores,
    load_percent,
    mb_per_s,
    others_load,
    ratio,
    seconds,
    seconds_cell,
    seconds_left,
    short_seconds,
)


def test_seconds_in_prose_and_in_a_cell() -> None:
    assert [seconds(v) for v in (None, 0.0, 2.005, 12345.678)] == ["-", "0.00 s", "2.00 s", "12345.68 s"]
    assert (seconds(2.46, 1), seconds(61.5, 0), seconds(0.0012, 3)) == ("2.5 s", "62 s", "0.001 s")
    assert [seconds_cell(v) for v in (None, 0.0, 1.234)] == ["-", "0.00s", "1.23s"]
    assert (seconds_left(None), seconds_left(0.0), seconds_left(11.6)) == (
        "time left after the first run", "about 0 s left", "about 12 s left")


def test_a_ticking_time_keeps_to_four_cells() -> None:
    assert [short_seconds(v) for v in (None, 0.0, 1.44, 9.94, 9.96, 12.5, 999.4)] == [
        "-", "0.0s", "1.4s", "9.9s", "10s", "12s", "999s"]
    assert all(len(short_seconds(v / 100)) <= 4 for v in range(0, 99_950, 7))


def test_cores_busy_and_the_load_of_others() -> None:
    assert [busy_cores(v) for v in (None, 0.0, 1.2, 63.996)] == ["-", "0.00", "1.20", "64.00"]
    assert [others_load(v) for v in (None, 0.0, 1.74, 63.96)] == ["-", "0.0", "1.7", "64.0"]


def test_a_ratio_has_three_figures_below_100() -> None:
    assert [ratio(v) for v in (None, 0.0, 1.284, 9.994, 9.996, 12.34, 150.0)] == [
        "-", "0.00x", "1.28x", "9.99x", "10.0x", "12.3x", "150.0x"]
    assert (ratio(1.98, ""), ratio(None, "")) == ("1.98", "-")  # before words: `1.98 times as fast`


def test_a_cores_load_and_a_rate() -> None:
    assert [load_percent(v) for v in (None, 0.0, 48.4, 100.0)] == ["-", "0%", "48%", "100%"]
    assert [mb_per_s(v) for v in (None, 0.0, 820.4, 21000.0)] == ["-", "0 MB/s", "820 MB/s", "21000 MB/s"]

