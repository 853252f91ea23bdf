"""Real HTTP requests to a loopback server this workload starts itself (and always stops).

The server runs in a process of its own, so threads of the workers do not share its GIL;
it answers each request after `latency` seconds, like a slow remote server would.
"""
import asyncio
import contextlib
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

NAME = "http"
DESCRIPTION = "GET requests to a loopback HTTP server the tool starts on 127.0.0.1"
KIND = "io"
PARAMS = {"requests": 10, "latency": 0.2, "kb": 64}


def _query(latency, kb):
    return "/?latency=%s&kb=%s" % (latency, kb)


def run(index, report, requests=10, latency=0.2, kb=64, url=""):
    for done in range(requests):
        with urllib.request.urlopen(url + _query(latency, kb), timeout=30) as response:
            response.read()
        report((done + 1) / requests)


async def arun(index, report, requests=10, latency=0.2, kb=64, url=""):
    parsed = urlparse(url)
    for done in range(requests):
        reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
        writer.write(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (_query(latency, kb), parsed.netloc)).encode())
        await writer.drain()
        await reader.read()
        writer.close()
        await writer.wait_closed()
        report((done + 1) / requests)


@contextlib.contextmanager
def context(params):
    """Start the server for the run; every worker gets its address as `url`."""
    server = subprocess.Popen([sys.executable, __file__, "serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError("the loopback HTTP server did not start")
        yield {"url": "http://127.0.0.1:%s" % port}
    finally:
        server.stdin.close()  # the server exits when its stdin closes
        try:
            server.wait(2)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        time.sleep(float(query.get("latency", ["0"])[0]))
        body = bytes(int(query.get("kb", ["1"])[0]) * 1024)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # end of file: the runner is done, or gone


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    _serve()
