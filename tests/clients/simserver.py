"""Start a simulator's `serve` example on loopback and talk to its /__sim/ control endpoint."""

import json
import queue
import subprocess
import threading
import urllib.request


class Sim:
    def __init__(self, serve, *extra):
        self.proc = subprocess.Popen(
            [serve, "--port", "0", "--exit-on-stdin-eof", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        first = lines.get(timeout=60)
        if not first.startswith("listening on "):
            raise RuntimeError(f"simulator did not start: {first!r}")
        self.url = first.split()[-1]
        host = self.url.split("://", 1)[1]
        if not host.startswith("127.0.0.1:"):
            raise RuntimeError(f"simulator is not on loopback: {self.url}")
        self.context = None

    def control(self, method, path, body=None):
        """Call /__sim/<path>; returns the decoded JSON answer (or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/__sim/{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30, context=self.context) as r:
            text = r.read().decode()
        return json.loads(text) if text else None

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
