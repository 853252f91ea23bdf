"""The claims screen: the tutorial's claims, each with the figure this session measured, or the
key that runs exactly the case measuring it (engine/claims.py holds the claims and cases)."""
from __future__ import annotations

from conctui.engine.claims import CLAIMS, measured
from conctui.engine.untrusted import visible
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def claims_table(runs: list[dict], usable_cores: int, can_measure: bool) -> Table:
    """Claim by claim: its key, its words, and what was measured (or how to measure it)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=2)
    table.add_column(ratio=1)
    for claim, figure in measured(runs, usable_cores):
        cases = "; ".join(case.describe(usable_cores) for case in claim.cases)
        if figure is not None:
            said = Text.assemble(("measured: ", "green"), visible(figure))
        elif can_measure:
            said = Text.assemble(("not measured yet: ", "yellow"), "press ", (claim.key, "bold"),
                                 f" to measure ({cases})")
        else:
            said = Text(f"not measured in this recording ({cases})", "yellow")
        table.add_row(Text(claim.key, "bold"), Text.assemble((claim.text, "bold"), "\n", said))
    return table


class ClaimsScreen(ModalScreen[str | None]):
    """Returns the key of the claim to measure, None if closed."""

    BINDINGS = [Binding("escape,T,q", "dismiss(None)", "close"),
                *[Binding(claim.key, f"measure('{claim.key}')", show=False) for claim in CLAIMS]]

    def __init__(self, runs: list[dict], usable_cores: int, can_measure: bool) -> None:
        super().__init__()
        self._table = claims_table(runs, usable_cores, can_measure)
        self._can_measure = can_measure

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="claims") as claims:
            claims.border_title = "claims: " + ("a number measures its claim, " if self._can_measure else "") + \
                "escape closes"
            yield Static(Text("The tutorial's claims, measured here", "bold underline"))
            yield Static(self._table)

    def action_measure(self, key: str) -> None:
        if self._can_measure:
            self.dismiss(key)
        else:
            self.notify("replaying: nothing runs", severity="warning", timeout=3)
