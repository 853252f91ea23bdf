"""The tutorial's "download": a sleep. It waits; it computes nothing and uses no core."""
import asyncio
import time

NAME = "download"
DESCRIPTION = "the tutorial's simulated download: time.sleep, no CPU at all"
KIND = "io"
PARAMS = {"seconds": 2.0, "steps": 20}


def run(index, report, seconds=2.0, steps=20):
    print("worker %d: starting download" % index)
    for step in range(steps):
        time.sleep(seconds / steps)
        report((step + 1) / steps)
    print("worker %d: download complete" % index)


async def arun(index, report, seconds=2.0, steps=20):
    print("worker %d: starting download" % index)
    for step in range(steps):
        await asyncio.sleep(seconds / steps)
        report((step + 1) / steps)
    print("worker %d: download complete" % index)
