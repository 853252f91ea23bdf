"""For bench/reporter.py: one of bench/_loops.py's loops, run here under valgrind, which counts
the instructions it executes (a count no other load on the machine changes).

    python bench/_instructions.py FUNC N    # FUNC: bare, noop or reported

`reported` calls the very report() a worker gets: Outbox.reporter of the conctui this
interpreter imports (with a sender that drops the batches, and no flusher thread).
"""
from __future__ import annotations

import sys
import time

import _loops
from conctui.runner.channel import Outbox


def main() -> None:
    func, n = sys.argv[1], int(sys.argv[2])
    report = Outbox(lambda batch: None, time.monotonic()).reporter(0)
    getattr(_loops, func).loop(report, n)


if __name__ == "__main__":
    main()
