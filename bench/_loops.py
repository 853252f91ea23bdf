"""Workloads for bench/reporter.py: one pure-Python loop (~1e6 iterations/s), three ways.

`bare` never reports, `noop` calls a do-nothing function each iteration (the floor any
Python call costs), `reported` calls conctui's report() each iteration. Each prints its
loop's own wall and thread-CPU seconds (start-up and flushing are outside them).
"""
import time


def _work(i):
    total = 0
    for j in range(16):
        total += i * j % 7
    return total


def _timed(loop):
    def run(index, report, n=1_000_000):
        wall, cpu = time.perf_counter(), time.thread_time()
        loop(report, n)
        print("loop wall_s=%f cpu_s=%f" % (time.perf_counter() - wall, time.thread_time() - cpu))
    run.loop = loop  # the loop alone, for bench/_instructions.py (not __wrapped__: the signature would follow it)
    return run


@_timed
def bare(report, n):
    total = 0
    for i in range(n):
        total += _work(i)
    return total


def _nothing(fraction=None):
    pass


@_timed
def noop(report, n):
    total, step = 0, 1.0 / n
    for i in range(n):
        total += _work(i)
        _nothing(i * step)
    return total


@_timed
def reported(report, n):
    total, step = 0, 1.0 / n
    for i in range(n):
        total += _work(i)
        report(i * step)
    return total
