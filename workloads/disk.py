"""Write, fsync and read back a temporary file, a round at a time: the waits for the disk (fsync) dominate."""
import os
import tempfile

NAME = "disk"
DESCRIPTION = "write + fsync + read back a temp file (removed afterwards)"
KIND = "io"
PARAMS = {"mb": 1, "rounds": 300}


def run(index, report, mb=1, rounds=300):
    block = os.urandom(1024 * 1024)
    fd, path = tempfile.mkstemp(prefix="conctui-disk-%d-" % index)
    try:
        for done in range(rounds):
            os.lseek(fd, 0, os.SEEK_SET)
            for _ in range(mb):
                os.write(fd, block)
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
            while os.read(fd, 1024 * 1024):
                pass
            report((done + 1) / rounds)
    finally:
        os.close(fd)
        os.unlink(path)
