"""The IPC lesson: each round, a worker receives a payload of `mb` megabytes, hashes it once
(little computation) and returns it. conctui calls `run` once per round, the way
`executor.map(run, payloads)` would: in threads the payload and the result are passed by
reference (nothing is copied); in processes both are pickled through a pipe each round."""
import hashlib

NAME = "transfer"
DESCRIPTION = "receive and return an mb-megabyte payload each round: threads share it, processes pickle it"
KIND = "data"
PARAMS = {"mb": 8, "rounds": 10}
CALLS = "rounds"  # the parameter that says how many times each worker is called


def payload(params):
    """Built in the parent (the runner), once per run, and sent to each worker as `data`."""
    return bytes(int(params["mb"] * 1024 * 1024))


def run(index, data, mb=8, rounds=10):
    hashlib.sha256(data).digest()  # one pass over every byte; releases the GIL
    return data
