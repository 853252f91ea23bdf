"""The launched program's parent (run as a script: python -I shim.py CONCTUI_PID STATUS_FD CMD...).

A fresh single-threaded process, so it may fork: it asks for SIGUSR1 when conctui dies
(PR_SET_PDEATHSIG, even on SIGKILL) and then kills its whole process group; starts the program,
which first declares conctui its tracer (PR_SET_PTRACER, for Yama's ptrace_scope 1); reports
"pid N" and then "exit CODE" on the status fd. The group's SIGINT and SIGTERM are for the
program: the shim catches them (a handler, reset by exec, never SIG_IGN, which the program
would inherit) and exits once the program has.
"""
import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1
PR_SET_PTRACER = 0x59616D61


def die(*_):
    os.killpg(0, signal.SIGKILL)


def main():
    parent, status = int(sys.argv[1]), int(sys.argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    signal.signal(signal.SIGUSR1, die)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGUSR1)
    if os.getppid() != parent:  # conctui died before the request took effect
        die()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: None)
    try:
        child = subprocess.Popen(sys.argv[3:], preexec_fn=lambda: libc.prctl(PR_SET_PTRACER, parent, 0, 0, 0))
    except OSError as exc:
        os.write(status, ("error %s\n" % (exc.strerror or exc)).encode())
        sys.exit(127)
    os.write(status, b"pid %d\n" % child.pid)
    os.write(status, b"exit %d\n" % child.wait())


if __name__ == "__main__":
    main()
