"""Progress keeps flowing for the whole run, not only until the first flush."""
from __future__ import annotations

import sys

import pytest
from conctui.engine.events import Progress
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, parse_params, parse_workload

pytestmark = pytest.mark.process


@pytest.mark.parametrize("mode", ["threads", "processes", "sequential"])
def test_every_worker_reports_progress_many_times(mode) -> None:
    seen: list[Progress] = []
    session = Session([lambda events: seen.extend(e for e in events if isinstance(e, Progress))])
    ref = parse_workload("download")
    spec = RunSpec(ref, mode, 2, parse_params(ref, ["seconds=0.4", "steps=8"]), sys.executable)
    try:
        session.run(spec, timeout=30)
    finally:
        session.close()
    for index in (0, 1):
        fractions = sorted({p.fraction for p in seen if p.index == index})
        assert len(fractions) >= 4, (index, fractions)  # 8 steps of 50 ms, flushed every 20 ms
        assert fractions[-1] == 1.0


def test_a_runner_that_cannot_start_is_one_line_and_leaves_the_session_usable(tmp_path) -> None:
    from conctui.engine.spec import UsageError

    session = Session([lambda events: None])
    ref = parse_workload("download")
    gone = str(tmp_path / "python-that-was-removed")
    with pytest.raises(UsageError, match="cannot start"):
        session.start(RunSpec(ref, "threads", 1, parse_params(ref, []), gone))
    assert session.runner is None
    session.close()  # no half-built runner to trip over
