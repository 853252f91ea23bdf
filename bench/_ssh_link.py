"""A real `ssh localhost` link for the benches: a private sshd on a loopback port, and ssh
clients each in an 80x24 pty the bench owns and reads (_pty_terminal.PtyTerminal).

Runs in the bench process. The server is Debian's /usr/sbin/sshd as the current user, with a
throwaway host key, client key and config in a temp dir (no PAM, only that key, nothing from
/etc/ssh), always stopped with everything it started. What a client's pty master yields is
what a user's terminal receives over the link, decrypted; the kernel's byte count of the
client's TCP socket is the same traffic encrypted, as it crossed the wire.
"""
from __future__ import annotations

import os
import pwd
import re
import shlex
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from _common import ensure_tool
from _pty_terminal import PtyTerminal

SSHD = "/usr/sbin/sshd"  # Debian's; sshd re-executes itself, so it must be named by absolute path
PRIVSEP_DIR = Path("/run/sshd")  # compiled into Debian's sshd: root's sshd needs it (its service makes it)
TCP_BYTES = re.compile(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:(\d+).*?\bbytes_received:(\d+)")


def free_port() -> int:
    """A loopback port nobody listens on now (the kernel's choice for a throwaway bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sshd_config(folder: Path, port: int, user: str) -> str:
    """A self-contained server config: key login for `user` only, the session env a Debian
    client sends (LANG, LC_*), and no MOTD, last-login line or forwarding."""
    return "\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host'}", "PidFile none",
        f"AuthorizedKeysFile {folder / 'authorized_keys'}", "StrictModes no", "UsePAM no",
        "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password", f"AllowUsers {user}", "PrintMotd no", "PrintLastLog no",
        "AcceptEnv LANG LC_*", "X11Forwarding no", "AllowTcpForwarding no", "LogLevel INFO", ""])


@dataclass
class Link:
    """A running private sshd and what a client needs to reach it."""

    server: subprocess.Popen
    folder: Path
    port: int
    user: str
    ssh: str
    ss: str | None  # iproute2's `ss`, which reads a socket's byte counts; None if missing

    def client(self, remote: list[str], size: tuple[int, int] = (80, 24)) -> PtyTerminal:
        """`ssh -tt` running `remote` here, in a pty of `size` (ssh passes it on, and TERM)."""
        return PtyTerminal([self.ssh, "-tt", "-F", "/dev/null", "-p", str(self.port), "-l", self.user,
                            "-i", str(self.folder / "client"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                            "-o", "LogLevel=ERROR", "-o", "SendEnv=LANG LC_*", "-e", "none", "127.0.0.1",
                            shlex.join(remote)], size)

    def tcp_port(self, client: PtyTerminal) -> int:
        """The local port of a client's socket to this server."""
        return next(conn.laddr.port for conn in psutil.Process(client.process.pid).net_connections("tcp")
                    if conn.raddr and conn.raddr.port == self.port)

    def tcp_received(self) -> dict[int, int] | None:
        """Bytes each client socket to this server received so far, by its local port, as the
        kernel counts them (`ss -ti`: tcp_info's bytes_received); None without `ss`."""
        if self.ss is None:
            return None
        text = subprocess.run([self.ss, "-tinHO", "state", "established", "dst", f"127.0.0.1:{self.port}"],
                              capture_output=True, text=True, check=False).stdout
        return {int(local): int(count) for local, remote, count in TCP_BYTES.findall(text)
                if int(remote) == self.port}


@contextmanager
def sshd() -> Iterator[Link]:
    """Debian's sshd on a free loopback port, run as the current user with throwaway keys,
    listening when this yields; stopped, with every process under it, on the way out."""
    if not Path(SSHD).exists():
        ensure_tool("sshd", "openssh-server")
    ssh = ensure_tool("ssh", "openssh-client")
    if not Path(SSHD).exists() or ssh is None:
        raise SystemExit("sshd or ssh is missing and could not be installed "
                         "(apt-get install openssh-server openssh-client)")
    if os.geteuid() == 0:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    user = pwd.getpwuid(os.geteuid()).pw_name
    with tempfile.TemporaryDirectory(prefix="conctui-sshd-") as name:
        folder = Path(name)
        for key in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"conctui-bench-{key}",
                            "-f", str(folder / key)], check=True)
        (folder / "authorized_keys").write_text((folder / "client.pub").read_text())
        port = free_port()
        (folder / "sshd_config").write_text(sshd_config(folder, port, user))
        log = folder / "sshd.log"
        with log.open("wb") as errors:
            server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(folder / "sshd_config")], stdin=subprocess.DEVNULL,
                                      stdout=errors, stderr=errors, start_new_session=True)
        try:
            _wait_listening(server, log)
            yield Link(server, folder, port, user, ssh, ensure_tool("ss", "iproute2"))
        finally:
            _stop(server)


def _wait_listening(server: subprocess.Popen, log: Path, timeout: float = 15.0) -> None:
    """Poll sshd's log (it signals readiness nowhere else) until it says it listens."""
    deadline = time.monotonic() + timeout
    while b"Server listening on" not in log.read_bytes():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"sshd did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to sshd and everything still under it (sessions whose program did not quit),
    SIGKILL to whatever outlives 5 s; sshd itself is reaped here."""
    try:
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    for process in tree:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(tree[1:], timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
