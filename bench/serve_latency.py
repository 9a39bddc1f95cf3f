"""How long an editor waits in `alagen serve`: from saving one page of the demo site until
the reload event reaches an open tab, and until the new text is served.

    python bench/serve_latency.py [--runs 7]

Starts `python -m alagen serve` on a temporary copy of the demo site (content/, data/,
layouts/), follows the live-reload channel like a tab, edits content/about/index.md a few
times, and prints the median and maximum of each wait. The target is under 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = "content/about/index.md"
URL = "/about/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="edits for each measurement (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as folder:
        site = Path(folder) / "site"
        for name in ("content", "data", "layouts"):
            shutil.copytree(REPO / name, site / name)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "alagen", "serve", "--port", str(port), "--now", "2025-03-01"],
            cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines: list[str] = []
        threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True).start()
        try:
            _wait(lambda: any("Search is ready" in line for line in lines), 120, "the server to start")
            events = _follow_events(port)
            first, _ = events.get(timeout=30)  # the state the tab starts with
            seen_build = first["build"]
            to_event, to_served = [], []
            # Odd runs follow only the event stream; even runs only poll the page (every 10 ms),
            # so neither measurement slows the server down for the other.
            for run in range(args.runs * 2):
                page = site / PAGE
                marker = f"Latency probe {run}."
                text = re.sub(r"Latency probe \d+\.\n?", "", page.read_text())
                page.write_text(text.rstrip("\n") + f"\n\n{marker}\n")
                saved = time.perf_counter()
                if run % 2:
                    to_served.append(_wait(lambda: marker in _get(port, URL), 30, "the edited page", 0.01) - saved)
                while True:
                    state, arrived = events.get(timeout=30)
                    if state["build"] != seen_build:
                        seen_build = state["build"]
                        break
                if not run % 2:
                    to_event.append(arrived - saved)
                    assert marker in _get(port, URL), "the reload event came before the new page"
                time.sleep(1.5)  # let search indexing of this edit finish before the next
            rebuilds = [float(m) for m in re.findall(r"rebuilt in ([\d.]+) s", "".join(lines))]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    print(f"alagen serve on the demo site, {args.runs * 2} edits of {PAGE}:")
    _report("save -> reload event sent to the tab", to_event)
    _report("save -> new page served", to_served)
    _report("of which the rebuild (pipeline build())", rebuilds)
    return 0


def _report(what: str, seconds: list[float]) -> None:
    print(f"  {what}: median {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms")


def _get(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()


def _follow_events(port: int) -> "queue.Queue":
    """States from the live-reload channel as they arrive (with their arrival time)."""
    states: queue.Queue = queue.Queue()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/_alagen/events")
    response = connection.getresponse()

    def read() -> None:
        for raw in response.fp:
            line = raw.decode("utf-8")
            if line.startswith("data: "):
                states.put((json.loads(line[6:]), time.perf_counter()))

    threading.Thread(target=read, daemon=True).start()
    return states


def _wait(check, seconds: float, what: str, every: float = 0.002) -> float:
    """Poll `check` until it holds; the time it first held."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(every)
    return time.perf_counter()


if __name__ == "__main__":
    raise SystemExit(main())
