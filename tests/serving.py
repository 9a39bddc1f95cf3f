"""Helpers for tests of `alagen serve`: start it in a subprocess on a copy of a small site,
fetch raw paths, follow its live-reload events, and wait (bounded) for what a user would see."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASIC = Path(__file__).parent / "sites" / "basic"


def copy_site(target: Path, base_url: str = "https://example.org/") -> Path:
    """tests/sites/basic without its expected output, at `base_url`."""
    shutil.copytree(BASIC, target, ignore=shutil.ignore_patterns("expected"))
    settings = target / "data/site.yaml"
    settings.write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", settings.read_text()))
    return target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def until(check, what: str, seconds: float = 60):
    """Poll `check` until it returns something true; fail, saying `what`, after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Server:
    """`python -m alagen serve` on `root`; its terminal output is collected in `output`."""

    def __init__(self, root: Path, tmp: Path, *args: str):
        self.root = root
        self.tmp = tmp  # the server's TMPDIR, so a test can see that it is left empty
        tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "alagen", "serve", "--port", str(self.port), "--now", "2025-03-01", *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.until(lambda: "Serving " in self.output or self.process.poll() is not None, "the server to start")
        assert self.process.poll() is None, self.output
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def until(self, check, what: str, seconds: float = 60):
        """`until`, telling what the server printed if it gives up."""
        try:
            return until(check, what, seconds)
        except AssertionError as err:
            raise AssertionError(f"{err}; the server printed:\n{self.output}") from None

    def get(self, path: str, method: str = "GET", headers: dict | None = None) -> Response:
        """One request with `path` sent exactly as given (no normalising, no redirects)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        finally:
            connection.close()

    def status(self) -> dict:
        return json.loads(self.get("/_alagen/status").body)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Events:
    """The live-reload channel as a tab sees it: one state (a dict) per event."""

    def __init__(self, server: Server):
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.connection.request("GET", "/_alagen/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> dict:
        event, data = None, None
        while True:
            line = self.response.fp.readline().decode("utf-8")
            assert line, "the event stream closed"
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif not line and event == "state":
                return json.loads(data)

    def close(self) -> None:
        self.connection.close()


def edit(path: Path, old: str, new: str) -> None:
    """Save a change to a file, as an editor does."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def strip_live(page: bytes) -> bytes:
    """A served page without what serve adds to it."""
    added = rb'<link rel="stylesheet" href="/_alagen/live.css">(<div id="alagen-overlay".*?</div>)?<script src="/_alagen/live.js"[^>]*></script>'
    return re.sub(added, b"", page, flags=re.S)


def hammer(port: int, path: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """`clients` at once, each asking for `path` again and again on a new connection (as a
    browser's parallel fetches do) for `seconds`: every answer's time, and what went wrong."""
    import asyncio

    async def client(stop: float, times: list[float], errors: list[str]) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), 5)
                writer.close()
                if not answer.startswith(b"HTTP/1.1 200 "):
                    errors.append(answer[:40].decode("latin-1"))
            except (OSError, asyncio.TimeoutError) as err:
                errors.append(repr(err))
            times.append(time.perf_counter() - started)

    async def main() -> tuple[list[float], list[str]]:
        stop = time.monotonic() + seconds
        times: list[float] = []
        errors: list[str] = []
        await asyncio.gather(*(client(stop, times, errors) for _ in range(clients)))
        return sorted(times), errors

    return asyncio.run(main())
