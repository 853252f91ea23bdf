"""conctui watch's screen, as a person sees it: fed a fixed stream (deterministic), at 80x24."""
from __future__ import annotations

from conctui.watch_app import WatchApp
from fixtures.watch_stream import stream


def _app(events: list, launched: bool = True) -> WatchApp:
    pending = [events]
    return WatchApp(lambda: pending.pop() if pending else [], lambda: 5.0, launched=launched, ticking=False)


async def test_the_screen_shows_processes_threads_verdict_and_never_obeys_their_text() -> None:
    app = _app(stream())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = "\n".join(line.plain for line in app.threads_pane.lines)
        assert "4242 main" in screen and "4300 multiprocessing worker" in screen
        assert "cruncher_0" in screen and "\x1b" not in screen and "evil␛[2J" in screen
        assert "ran Python under one GIL" in str(app.results_pane.render())
        header = str(app.header_pane.render())
        assert header.startswith("watching pid 4242 · python app.py · CPython 3.11.7 · GIL on · 2 cores")
        await pilot.press("t")  # a mode key: greyed, it says why and changes nothing
        assert any("runs as it was written" in n.message for n in app._notifications)


async def test_an_ended_program_says_its_code_and_keeps_its_figures() -> None:
    app = _app(stream(ended=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "ended with code 0 after 5.0 s" in str(app.header_pane.render())
        assert any("cruncher_0" in line.plain for line in app.threads_pane.lines)


async def test_x_on_an_attached_program_is_refused() -> None:
    app = _app(stream(), launched=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        assert any("never signals a program it attached to" in n.message for n in app._notifications)


def test_snapshot_of_a_recorded_watch(snap_compare) -> None:
    async def settle(pilot) -> None:
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(stream()), terminal_size=(80, 24), run_before=settle)
