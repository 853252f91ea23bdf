"""The memory lesson: every worker bumps a module-level counter and appends to a module-level
list, without a lock. Threads share the runner's one copy (the parent ends with every worker's
bumps); processes, sub-interpreters and Dask workers each change their own copy (the parent's
stays 0). On a free-threaded build the unlocked `counter += 1` of threads loses updates."""
NAME = "shared"
DESCRIPTION = "bump a global counter and append to a global list, no lock: who sees the changes?"
KIND = "memory"
PARAMS = {"rounds": 100_000, "work": 200}
EXPECTED = {"counter": "rounds", "items": "rounds"}  # each worker adds `rounds` to each: lost updates show

counter = 0
items = []


def run(index, report, rounds=100_000, work=200):
    global counter
    steps = 50
    chunk = max(1, rounds // steps)
    done = 0
    while done < rounds:
        for _ in range(min(chunk, rounds - done)):
            value = index
            for step in range(work):  # a little arithmetic per round, a stand-in for real work
                value = (value * 31 + step) % 1_000_003
            counter += 1  # read, add, write back: not atomic without the GIL
            items.append(value)
        done += min(chunk, rounds - done)
        report(done / rounds)
