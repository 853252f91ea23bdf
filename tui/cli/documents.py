"""The JSON documents `run`, `compare`, `sweep` and `replay --json` print: one shape for a run's
figures whether it ran now or was read back from a recording."""
from __future__ import annotations

from conctui.engine.events import PythonInfo
from conctui.engine.figures import freethreading_cost, run_figures, summarize
from conctui.engine.recording import Reader
from conctui.engine.state import SessionState, apply
from conctui.engine.sweep import of_session
from conctui.engine.verdict import verdict


def header(python: PythonInfo, start_method: str) -> dict:
    return {**python.as_dict(), "start_method": start_method}


def run_document(head: dict, runs: list[dict]) -> dict:
    return {"header": head, "runs": runs, "verdict": verdict(summarize(runs))}


def compare_document(head: dict, rows: list[dict], runs: list[dict], pythons: list[PythonInfo],
                     unavailable: dict[str, str]) -> dict:
    return {"header": head, "summary": rows, "runs": runs, "pythons": [p.as_dict() for p in pythons],
            "unavailable": unavailable, "verdict": verdict(rows), "freethreading_cost": freethreading_cost(rows)}


def unavailable_modes(skipped: list[tuple[str, str, str]], several: bool) -> dict[str, str]:
    """{mode: reason} from (python's path, mode, reason); with several interpreters each reason names its Python."""
    reasons: dict[str, list[str]] = {}
    for python, mode, reason in skipped:
        reasons.setdefault(mode, []).append(f"{python}: {reason}" if several else reason)
    return {mode: "; ".join(texts) for mode, texts in reasons.items()}


def replay_figures(path: str) -> tuple[dict, str | None]:
    """Fold a recording as it is read (bounded memory): the JSON document and where it stopped."""
    reader = Reader(path)
    state = SessionState()
    for event in reader:
        apply(state, event)
    runs = [run_figures(run) for run in state.runs]
    first = state.runs[0].started if state.runs else None
    head = header(first.python, first.start_method) if first else reader.header["machine"]
    rows = summarize(runs)
    document = {"recording": reader.header, "header": head, "summary": rows, "runs": runs,
                "verdict": verdict(rows)}
    if state.sweeps:  # a recorded sweep: the same document `sweep --json` printed
        document["sweep"] = of_session(*state.sweeps[-1], runs, running=False)
    return document, reader.note
