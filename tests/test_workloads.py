"""Every built-in workload runs in every mode it offers and cleans up after itself.

Small parameters keep each run short; the figures themselves are checked elsewhere
(test_engine_ordering). The disk workload's temp files and the http workload's loopback
server must be gone once the run is over.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures.command import LiveRun, left_after

pytestmark = pytest.mark.process

SMALL = {  # download runs in every mode in test_cli_output's compare test
    "http": (["requests=2", "latency=0.01", "kb=1"], "sequential,threads,processes,asyncio"),
    "disk": (["mb=1", "rounds=2"], "sequential,threads,processes"),
    "cpu": (["n=20000", "steps=2"], "sequential,threads,processes"),
    "hashlib": (["mb=1", "rounds=2"], "sequential,threads,processes"),
}


@pytest.mark.parametrize("workload", list(SMALL))
def test_a_builtin_runs_in_every_mode_and_leaves_nothing(workload: str, tmp_path: Path) -> None:
    params, modes = SMALL[workload]
    run = LiveRun("compare", workload, "--workers", "2", "--modes", modes,
                  *[f"--param={p}" for p in params], "--json", temp_dir=tmp_path)
    try:
        result, tree = run.watch_until_exit(within=60)
    finally:
        run.kill()
    assert result.code == 0, result.err
    document = result.json()
    assert [row["mode"] for row in document["summary"]] == modes.split(",")
    for figures in document["runs"]:
        assert [w["status"] for w in figures["per_worker"]] == ["done", "done"], figures
    assert os.listdir(tmp_path) == []  # no temp file left behind
    assert not left_after(tree, within=2)
