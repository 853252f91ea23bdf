"""sha256 over large buffers: C code that releases the GIL, so threads do run in parallel."""
import hashlib

NAME = "hashlib"
DESCRIPTION = "sha256 of large buffers: C that releases the GIL, threads scale"
KIND = "cpu-nogil"
PARAMS = {"mb": 8, "rounds": 560}


def run(index, report, mb=8, rounds=560):
    data = bytes(mb * 1024 * 1024)
    for done in range(rounds):
        hashlib.sha256(data).hexdigest()  # the GIL is released for buffers over 2 KiB
        report((done + 1) / rounds)
