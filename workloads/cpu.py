"""Pure-Python arithmetic: holds the GIL the whole time, so threads take turns on it."""
NAME = "cpu"
DESCRIPTION = "pure-Python arithmetic loop: holds the GIL, only processes use every core"
KIND = "cpu"
PARAMS = {"n": 48_000_000, "steps": 50}


def run(index, report, n=48_000_000, steps=50):
    total = 0
    chunk = max(1, n // steps)
    for step in range(steps):
        for i in range(step * chunk, (step + 1) * chunk):
            total += i * i % 7
        report((step + 1) / steps)
    return total
