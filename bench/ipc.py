"""ipc: conctui's processes mode moving a payload, beside ProcessPoolExecutor and the raw pipe.

conctui: `transfer` in the processes mode (1 worker, MB megabytes out and back per round), its
MB/s (bytes per IPC second, pickling and moving both ways). Reference: the same bytes round-
tripped through `concurrent.futures.ProcessPoolExecutor` (`submit(identity, payload)`), MB/s
of the whole round trip; and the raw Unix socket pair conctui measures after a run (no
pickling). Target: conctui within 2x of ProcessPoolExecutor either way (it carries values the
way the real executors do, so it should cost about what they cost).

    python bench/ipc.py [--quick] [--json] [--mb MB] [--rounds N]
"""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from _common import Row, interleave, parser, ready, report, run_once
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.runner.crossing import carrier_mb_s


def identity(value: bytes) -> bytes:
    return value


def pool_mb_s(pool: ProcessPoolExecutor, mb: int, rounds: int) -> float:
    payload = bytes(mb * 1024 * 1024)
    began = time.perf_counter()
    for _ in range(rounds):
        pool.submit(identity, payload).result()
    return 2 * mb * 1.048576 * rounds / (time.perf_counter() - began)


def conctui_mb_s(mb: int, rounds: int) -> float:
    ref = parse_workload("transfer")
    spec = RunSpec(ref, "processes", 1, parse_params(ref, [f"mb={mb}", f"rounds={rounds}"]))
    return run_once(spec)["ipc"]["mb_s"]


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--mb", type=int, default=16)
    parse.add_argument("--rounds", type=int, default=5)
    args = parse.parse_args()
    ready(args)
    repeats = 2 if args.quick else 5
    with ProcessPoolExecutor(1) as pool:
        pool.submit(identity, b"").result()  # started before the clock
        figures = interleave({"conctui": partial(conctui_mb_s, args.mb, args.rounds),
                              "pool": partial(pool_mb_s, pool, args.mb, args.rounds),
                              "raw": partial(carrier_mb_s, "socketpair")}, repeats)
    rows = [Row(f"processes: {args.mb} MB out and back, MB/s", "MB/s", figures["conctui"],
                "ProcessPoolExecutor, same bytes", figures["pool"], "0.5x to 2x of the pool")]
    rows[0].met = rows[0].ratio is not None and 0.5 <= rows[0].ratio <= 2
    rows.append(Row("raw socketpair, no pickling, MB/s", "MB/s", figures["raw"]))
    report("ipc", args, rows, [f"{repeats} rounds of each, interleaved; {args.rounds} round trips a measure; "
                               f"raw median {statistics.median(figures['raw']):.0f} MB/s is the carrier's limit"])


if __name__ == "__main__":
    main()
