"""The exported asciicast (v2) plays to the recording's last screen in asciinema's own players:
the `asciinema play` command (2.x) in a real terminal, and asciinema-player 3 (the web player
of asciinema 3, which reads v2 files) in headless chromium.

The screen each must end on comes from pyte, a third terminal emulator, fed the same file.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import chromium
import pyte
import pytest
from conctui.cli import main

pytestmark = pytest.mark.process

RECORDING = Path(__file__).resolve().parent.parent / "screenshots" / "compare-download.jsonl"
SIZE = (100, 30)
# where .ci/run puts the npm package asciinema-player (or say where it is)
PLAYER = Path(os.environ.get("CONCTUI_ASCIINEMA_PLAYER",
                             Path.home() / ".cache/conctui/npm/node_modules/asciinema-player"))
# block elements and braille: asciinema-player draws these on a canvas, not as text
DRAWN = re.compile("[\u2580-\u259f\u2800-\u28ff]")


@pytest.fixture(scope="module")
def cast(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cast") / "compare.cast"
    assert main(["export", str(RECORDING), "--asciicast", str(out), "--size", "x".join(map(str, SIZE))]) == 0
    return out


@pytest.fixture(scope="module")
def last_screen(cast: Path) -> list[str]:
    screen = pyte.Screen(*SIZE)
    stream = pyte.Stream(screen)
    for line in cast.read_text().splitlines()[1:]:
        stream.feed(json.loads(line)[2])
    return [row.rstrip() for row in screen.display]


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.skipif(not (shutil.which("asciinema") and shutil.which("tmux")), reason="needs asciinema and tmux")
def test_plays_in_the_asciinema_command(cast: Path, last_screen: list[str]) -> None:
    version = subprocess.run(["asciinema", "--version"], capture_output=True, text=True).stdout.strip()
    assert version.startswith("asciinema 2."), version
    socket, done = f"conctui-cast-{uuid.uuid4().hex[:8]}", f"conctui-cast-done-{uuid.uuid4().hex[:8]}"
    tmux = ("-L", socket, "-f", os.devnull)
    _tmux(*tmux, "new-session", "-d", "-x", str(SIZE[0]), "-y", str(SIZE[1]),
          f"asciinema play -i 0.05 -s 4 {cast}; tmux -L {socket} wait-for -S {done}; sleep 60")
    try:
        _tmux(*tmux, "wait-for", done)  # asciinema has played the whole file
        shown = [row.rstrip() for row in _tmux(*tmux, "capture-pane", "-p").split("\n")[:SIZE[1]]]
    finally:
        _tmux(*tmux, "kill-server")
    assert shown == last_screen, version


def _player_page(cast: Path, out: Path) -> Path:
    """asciinema-player's own bundle and stylesheet, inlined with the cast: a page that loads nothing."""
    bundle = PLAYER / "dist" / "bundle"
    data = json.dumps(cast.read_text()).replace("<", "\\u003c")
    out.write_text(f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<style>{(bundle / "asciinema-player.css").read_text()}</style></head><body><div id="player"></div>
<script>{(bundle / "asciinema-player.js").read_text()}</script>
<script>window.player = AsciinemaPlayer.create({{data: {data}}}, document.getElementById("player"));</script>
</body></html>""")
    return out


def test_plays_in_asciinema_player_3(cast: Path, last_screen: list[str], tmp_path: Path) -> None:
    if not (PLAYER / "package.json").exists():
        pytest.skip(f"asciinema-player not found at {PLAYER} (.ci/run installs it with npm)")
    version = json.loads((PLAYER / "package.json").read_text())["version"]
    assert version.startswith("3."), version
    executable = chromium.find()
    if executable is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    (tmp_path / "profile").mkdir()
    browser = chromium.Chromium(executable, tmp_path / "profile")
    try:
        browser.open(_player_page(cast, tmp_path / "player.html").as_uri())
        duration = browser.js("player.seek(1e9).then(() => player.getDuration())")
        assert duration == pytest.approx(json.loads(cast.read_text().splitlines()[-1])[0])
        want = [DRAWN.sub(" ", row).rstrip() for row in last_screen]
        deadline = time.monotonic() + 20
        while True:  # the player draws the sought frame on one of its next animation frames
            rows = browser.js("Array.from(document.querySelectorAll('.ap-term-text .ap-line'), l => l.textContent)")
            shown = [DRAWN.sub(" ", row).rstrip() for row in rows]
            if shown == want or time.monotonic() > deadline:
                break
            browser.js("new Promise(requestAnimationFrame)")
        assert shown == want, f"asciinema-player {version}"
    finally:
        browser.close()
