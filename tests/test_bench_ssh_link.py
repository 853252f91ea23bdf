"""bench/_ssh_link.py, which ssh_bytes --ssh counts with: the client's pty yields exactly what
the remote program wrote (nothing added by ssh or the local terminal), the socket's count is
the larger encrypted stream, and a program that never quit is stopped with the server."""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from _ssh_link import SSHD, sshd  # noqa: E402  (bench/ is scripts, not a package)

pytestmark = [pytest.mark.process,
              pytest.mark.skipif(not (Path(SSHD).exists() and shutil.which("ssh") and shutil.which("ssh-keygen")),
                                 reason="needs Debian's openssh-server and openssh-client")]


def test_the_pty_yields_exactly_the_remote_bytes_and_the_socket_more():
    payload = "x" * 3000 + "end"
    with sshd() as link:
        client = link.client(["sh", "-c", f"printf %s {payload}; read _"])
        client.wait_for("end")
        assert client.output() == payload.encode()
        received = link.tcp_received()
        port = link.tcp_port(client)
        client.close(quit_keys=b"\r")
    if received is None:
        pytest.skip("no `ss` (iproute2) to read the socket's count")
    assert received[port] > len(payload)


def test_a_program_that_never_quits_is_stopped_with_the_server():
    with sshd() as link:
        client = link.client(["sh", "-c", "echo ready; exec sleep 300"])
        client.wait_for("ready")  # printed by sh just before it execs sleep: wait for the exec too
        deadline, sleepers = time.monotonic() + 10, []
        while not sleepers and time.monotonic() < deadline:
            sleepers = [p for p in psutil.Process(link.server.pid).children(recursive=True) if p.name() == "sleep"]
            time.sleep(0.02)
        assert sleepers, "sleep never ran under the server"
        (sleeper,) = sleepers
    client.close()
    assert link.server.returncode is not None
    assert not sleeper.is_running() or sleeper.status() == psutil.STATUS_ZOMBIE
