"""Workload for bench/latency.py: reports every `every` s and notes when (wall clock) in a file.

The file `out` gets one line per report, `index k time`, so the bench can tell when the
report() that a frame shows was made (the fraction k/reports names it)."""
import time


def stamped(index, report, reports=100, every=0.01, out=""):
    stamps = []
    for k in range(1, reports + 1):
        time.sleep(every)
        stamps.append("%d %d %.6f" % (index, k, time.time()))
        report(k / reports)
    with open("%s.%d" % (out, index), "w") as handle:
        handle.write("\n".join(stamps) + "\n")
