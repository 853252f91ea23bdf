"""The installed `conctui` headless, in a real terminal (tmux): `run` shows a live line on a
terminal's stderr and erases it, and says nothing extra when piped or with --json; a bare
workload opens the TUI. Every byte the pane received is logged (tmux pipe-pane), so a line
drawn and then erased is still seen."""
from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e_tmux import Terminal

pytestmark = [pytest.mark.process,
              pytest.mark.skipif(not (shutil.which("tmux") and shutil.which("conctui")),
                                 reason="needs tmux and the installed conctui command")]

RUN = "conctui run download --workers 2 --param seconds=2 --param steps=4"
LIVE_LINE = r"run: 1/1 runs · threads x2 · [0-2]/2 workers done · \d+\.\d s"


class Pane(Terminal):
    """A detached 80x24 tmux session whose command starts once every byte it writes is logged."""

    def __init__(self, command: str, log: Path) -> None:
        # not super().__init__: that starts the command at once, before pipe-pane logs it
        self.socket = f"conctui-cli-{uuid.uuid4().hex[:8]}"
        self.log = log
        # the shell waits for the go signal: pipe-pane is attached before the command writes a byte
        self.tmux("new-session", "-d", "-s", "t", "-x", "80", "-y", "24",
                  f"tmux wait-for go; {command}; echo CONCTUI-EXIT=$?; sleep 60")
        self.tmux("pipe-pane", "-o", "-t", "t", f"cat >> {log}")
        self.tmux("wait-for", "-S", "go")

    def wait_for(self, pattern: str, timeout: float = 60.0) -> str:
        """A headless command's whole run may pass before its exit line: a longer default."""
        return super().wait_for(pattern, timeout)

    def written(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator:
    opened: list[Pane] = []

    def open_pane(command: str) -> Pane:
        opened.append(Pane(command, tmp_path / f"pane{len(opened)}.log"))
        return opened[-1]

    yield open_pane
    for each in opened:
        each.close()


def test_run_on_a_terminal_shows_a_live_line_then_erases_it(pane) -> None:
    term = pane(RUN)
    term.wait_for(LIVE_LINE, timeout=30)  # seen while it runs, not only in the log
    screen = term.wait_for(r"CONCTUI-EXIT=0")
    assert "workers done" not in screen  # erased: the report starts on a clean line
    assert re.search(r"^download x2 · threads · done$", screen, re.MULTILINE), screen
    assert re.search(LIVE_LINE, term.written())


@pytest.mark.parametrize("command", [f"{RUN} 2>&1 | cat", f"{RUN} --json"], ids=["piped", "json"])
def test_run_piped_or_as_json_shows_no_live_line(pane, command: str) -> None:
    term = pane(command)
    term.wait_for(r"CONCTUI-EXIT=0")
    written = term.written()
    assert "download" in written  # the log saw the output ...
    assert "workers done" not in written and "\x1b[K" not in written  # ... and no live line, ever


def test_a_sweeps_lines_stay_whole_under_its_live_line(pane) -> None:
    term = pane("conctui sweep download --workers 1,2 --modes threads --param seconds=1 --param steps=4 > /dev/null")
    screen = term.wait_for(r"CONCTUI-EXIT=0")
    assert re.search(r"sweep: \d/2 runs · threads x\d · [0-2]/\d workers done · \d+\.\d s", term.written())
    lines = [line for line in screen.splitlines() if line.startswith("sweep:")]
    assert len(lines) == 2 and all(re.match(rf"sweep: {n}/2 runs · threads x{n} \d+\.\d\d s done · ", line)
                                   for n, line in zip((1, 2), lines)), screen
    assert "workers done" not in screen


def test_a_bare_workload_opens_the_tui_on_it(pane) -> None:
    term = pane("conctui cpu --workers 4")
    term.wait_for(r"cpu x4", timeout=30)
    term.tmux("send-keys", "-t", "t", "q")
    term.wait_for(r"CONCTUI-EXIT=0")
