"""The session model's fold: what a batch changed, each ended run's figures computed once (and
again only for a word about the run after its end), a restart, and the time the clocks show."""
from __future__ import annotations

from conctui.engine import model
from conctui.engine.events import GilWorkers, Output, Progress, RunFinished, Sample
from conctui.engine.model import SessionModel, fold
from fixtures import demo


def _counted(monkeypatch) -> list[int]:
    computed: list[int] = []
    figures = model.run_figures
    monkeypatch.setattr(model, "run_figures", lambda run: computed.append(run.started.run) or figures(run))
    return computed


def test_a_batch_names_what_it_changed() -> None:
    stream = demo.download_threads()
    end = next(i for i, event in enumerate(stream) if isinstance(event, RunFinished))
    session = SessionModel()
    changes = fold(session, stream[:end], 1.0)
    assert changes.workers == {0, 1, 2} and changes.hosts == {""} and not changes.ended
    assert [line for line in changes.lines if line[1].startswith("worker 0")]  # what the workers printed
    changes = fold(session, [Output(2.5, 1, "late line")], 2.5)
    assert changes.workers == {1} and changes.lines == [(1, "late line")] and not changes.hosts
    changes = fold(session, stream[end:], 3.0)
    assert [run.started.run for run in changes.ended] == [1] and session.figures[0]["status"] == "done"


def test_an_ended_runs_figures_are_computed_at_its_end_and_for_a_late_word_only(monkeypatch) -> None:
    computed = _counted(monkeypatch)
    session = SessionModel()
    fold(session, demo.download_threads(), 3.0)
    assert computed == [1]
    for k in range(3):  # idle samples after the run: nothing about it changed
        assert not fold(session, [Sample(4.0 + k, [1.0] * 4, [], 1.5)], 4.0 + k).ended
    assert computed == [1] and session.figures[0]["gil_held"] is None
    late = GilWorkers(7.5, [[i, 0.1, 0.0, 0.9] for i in range(3)], 0.3, None, "py-spy", True)  # the sampler's last word
    assert [run.started.run for run in fold(session, [late], 7.5).ended] == [1]
    assert computed == [1, 1] and session.figures[0]["gil_held"] == 0.3


def test_a_restart_empties_the_model_and_says_so_once() -> None:
    session = SessionModel()
    fold(session, demo.download_threads(), 3.0)
    session.restart()
    assert session.state.runs == [] and session.figures == []
    assert fold(session, [], 0.0).restart
    assert not fold(session, [], 0.0).restart


def test_the_clocks_move_with_the_heartbeat_else_once_a_tick() -> None:
    session = SessionModel(tick=1.0)
    first = fold(session, [], 2.4)
    assert (first.now, first.ticked) == (2.0, True)
    assert not fold(session, [], 2.9).ticked  # the same tick: time-driven cells stay
    beat = fold(session, [Progress(3.0, 0, 0.5), Sample(3.25, [1.0], [], 1.0)], 3.3)
    assert (beat.now, beat.ticked) == (3.25, True)  # the sampler's heartbeat, not the tick


def test_every_fold_handler_is_named_for_an_event_so_none_is_silently_skipped() -> None:
    """A misspelt handle_<wire name> would be left out of the fold's tables without a word."""
    from conctui.engine import state

    for module, table in ((state, state.FOLD), (model, model.MARKS)):
        defined = {name for name in vars(module) if name.startswith("handle_")}
        assert defined == {handle.__name__ for handle in table.values()}, module.__name__
    assert len(state.FOLD) == 16  # every event type changes the state but a watched program's output line


def test_a_watched_programs_events_fold_into_the_same_model() -> None:
    """conctui watch's stream: its figures on the model's watch, its cores as a host's, its output
    lines for the log; the panes of a run see no run."""
    from fixtures.watch_stream import stream

    session = SessionModel()
    changes = fold(session, stream(ended=True), 6.0)
    watch = session.state.watch
    assert watch is not None and watch.started.pid == 4242 and watch.ended.code == 0
    assert changes.program and changes.hosts == {""} and session.state.hosts[""].now == [99.0, 98.0]
    assert [line for _, line in changes.lines][0] == "3199992"
    assert session.state.runs == [] and session.figures == []
    assert not fold(session, [], 7.0).program  # nothing new: the watch's panes stay as they are
