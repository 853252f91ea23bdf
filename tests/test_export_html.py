"""`conctui export --html` (one self-contained page with its own player) and `--svg-animated`
(SMIL, no script, for GitHub's README) play the recording in a real browser.

The browser tests drive Debian's headless chromium over the DevTools pipe (tests/chromium.py)
and compare what the page shows with the replay app's own screen at the same moment.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import chromium
import pytest
from conctui.cli import main
from conctui.engine.recording import Recording, read_recording
from conctui.export import render_frames, render_screen

RECORDING = Path(__file__).resolve().parent.parent / "screenshots" / "compare-download.jsonl"
SIZE = (100, 30)
HOSTILE = '<img src=x onerror="document.title=1"></script><b>&amp;\x1b]52;c;aGk=\x07\x1b[2J'


def _hostile_recording(tmp_path: Path) -> Path:
    """The real compare recording with every printed line replaced by markup."""
    lines = RECORDING.read_text().splitlines()
    rows = [lines[0]]
    for line in lines[1:]:
        event = json.loads(line)
        if event["type"] == "output":
            event["line"] = HOSTILE
        rows.append(json.dumps(event))
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(rows) + "\n")
    return path


def _export(recording: Path, out: Path, kind: str = "--html") -> str:
    assert main(["export", str(recording), kind, str(out), "--size", "x".join(map(str, SIZE))]) == 0
    return out.read_text()


async def _screen_at(recording: Recording, at: float) -> list[str]:
    """The replay app's screen at `at` seconds, as plain rows: what the page must show then."""
    shown: list[str] = []
    await render_frames(recording, SIZE, at, lambda app, _: shown.extend(render_screen(app, None).split("\n")))
    return [row.rstrip() for row in shown]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("html") / "compare.html")


@pytest.fixture(scope="module")
def html(page: Path) -> str:
    return _export(RECORDING, page)


@pytest.fixture
def browser(tmp_path: Path):
    executable = chromium.find()
    if executable is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium); the page's player is untested here")
    profile = tmp_path / "profile"
    profile.mkdir()
    try:
        browser = chromium.Chromium(executable, profile)
    except chromium.BrowserError as exc:
        pytest.skip(f"chromium would not start headless here: {exc}")
    yield browser
    browser.close()


def test_the_page_loads_nothing_and_holds_only_changed_rows(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=|https?:|//[a-z]""", html.replace("http-equiv", ""), re.I)
    assert "default-src 'none'" in html and "script-src 'sha256-" in html
    data = json.loads(re.search(r'<script type="application/json" id="frames">(.*?)</script>', html, re.S)[1])
    assert (data["width"], data["height"]) == SIZE
    frames = data["frames"]
    assert [f[0] for f in frames] == sorted(f[0] for f in frames) and len(frames) > 10
    assert len(frames[0]) == 1 + 2 * SIZE[1]  # the first frame draws every row
    written = sum((len(f) - 1) // 2 for f in frames[1:])
    assert written < 0.5 * SIZE[1] * (len(frames) - 1)  # later frames write only the rows that changed


def test_recorded_text_is_escaped_and_cannot_run(tmp_path: Path) -> None:
    html = _export(_hostile_recording(tmp_path), tmp_path / "hostile.html")
    assert HOSTILE not in html and "<img" not in html and html.count("</script>") == 2
    assert "&lt;img src=x onerror=" in html.replace("\\u003c", "<").replace("\\u0026", "&")
    assert "\x1b" not in html and "\x07" not in html and "\u241b]52;c;aGk=" in html  # ␛: shown, not obeyed


@pytest.mark.process
async def test_two_moments_show_that_moments_figures(browser: chromium.Chromium, page: Path, html: str,
                                                     tmp_path: Path) -> None:
    recording = read_recording(RECORDING)
    shown = {}
    for at in (3.0, 9.0):
        browser.open(f"{page.as_uri()}?t={at:g}")
        rows = browser.js("document.getElementById('screen').innerText").split("\n")
        shown[at] = [row.rstrip() for row in rows]
        assert shown[at] == await _screen_at(recording, at)
        assert re.search(f"[▶⏸] {at:.0f}/", shown[at][0])  # the header's clock says the moment (paused or not)
        assert browser.js("document.getElementById('time').textContent").startswith(f"{at:.1f} /")
        png = browser.screenshot(tmp_path / f"at-{at:g}.png")
        assert png.startswith(b"\x89PNG")
    assert shown[3.0] != shown[9.0]


WAIT = """new Promise((done, fail) => {{  // resolves once the condition holds, on an animation frame
  const end = performance.now() + 20000;
  const check = () => ({condition}) ? done(true)
      : performance.now() > end ? fail("timed out") : requestAnimationFrame(check);
  check();
}})"""
CLOCK = "Number(document.getElementById('slider').value)"


def _rate(browser: chromium.Chromium) -> float:
    """Recorded seconds played per second of the page's own clock, over a second of frames (a busy
    machine's frames come late, and the last one may not have been played yet: 4x can read 2-3x)."""
    return browser.js(f"""new Promise((done) => {{
  const t0 = performance.now(), c0 = {CLOCK};
  const check = () => performance.now() - t0 < 1000 ? requestAnimationFrame(check)
      : done(({CLOCK} - c0) / ((performance.now() - t0) / 1000));
  requestAnimationFrame(check);
}})""")


@pytest.mark.process
async def test_controls_play_pause_seek_and_speed(browser: chromium.Chromium, page: Path, html: str) -> None:
    browser.open(page.as_uri())
    assert browser.js(WAIT.format(condition=f"{CLOCK} > 0.3"))  # it opens playing
    assert browser.js("document.getElementById('play').textContent") == "pause"
    browser.js("document.getElementById('play').click()")
    paused_at = browser.js(CLOCK)
    assert _rate(browser) == 0 and browser.js(CLOCK) == paused_at
    recording = read_recording(RECORDING)
    for at in (9.0, 3.0):  # forward, then back: the page refolds from the start
        browser.js(f"""(() => {{ const s = document.getElementById('slider');
                                 s.value = {at}; s.dispatchEvent(new Event('input')); }})()""")
        rows = [row.rstrip() for row in browser.js("document.getElementById('screen').innerText").split("\n")]
        assert rows == await _screen_at(recording, at)
    browser.js("""(() => { const s = document.getElementById('speed');
                           s.value = '4'; s.dispatchEvent(new Event('change')); })()""")
    browser.js("document.getElementById('play').click()")
    assert _rate(browser) > 1.5  # 4x; 1x can never read above 1
    browser.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: ' '}))")  # space pauses
    assert browser.js("document.getElementById('play').textContent") == "play"
    before = browser.js(CLOCK)
    browser.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft'}))")
    assert browser.js(CLOCK) == pytest.approx(max(0.0, before - 5), abs=0.05)


SHOWN_ROWS = """Array.from(document.querySelectorAll('use'))
  .filter(use => getComputedStyle(use).visibility === 'visible')
  .sort((a, b) => a.y.baseVal.value - b.y.baseVal.value)
  .map(use => Array.from(document.querySelector(use.getAttribute('href')).querySelectorAll('text'),
                         text => text.textContent).join(' '))"""


@pytest.fixture(scope="module")
def animated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = Path(tmp_path_factory.mktemp("svg") / "compare.svg")
    _export(RECORDING, out, "--svg-animated")
    return out


@pytest.mark.process
async def test_the_animated_svg_shows_each_moment_and_has_no_script(browser: chromium.Chromium,
                                                                     animated: Path) -> None:
    out, svg = animated, animated.read_text()
    assert "<script" not in svg and not re.search(r"""href="(?!#)""", svg)
    recording = read_recording(RECORDING)
    browser.open(out.as_uri())
    shown = {}
    for at in (3.0, 9.0):
        browser.js(f"(() => {{ const s = document.documentElement; s.pauseAnimations(); s.setCurrentTime({at}); }})()")
        browser.js("new Promise(requestAnimationFrame)")
        shown[at] = browser.js(SHOWN_ROWS)
        assert len(shown[at]) == SIZE[1]  # one drawing visible per row
        # runs are drawn apart, each from its first visible cell: compare what is drawn, spaces aside
        assert [re.sub(r"\s", "", row) for row in shown[at]] == [re.sub(r"\s", "", row)
                                                                  for row in await _screen_at(recording, at)]
    assert shown[3.0] != shown[9.0]
