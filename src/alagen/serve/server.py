"""The HTTP side of `alagen serve`: the built site, its 404 page, the search index, and the
live-reload channel. GET and HEAD only; the reload script is added to HTML as it is sent."""

from __future__ import annotations

import http.server
import ipaddress
import json
import queue
import shutil
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from alagen.serve.files import Found, content_type, locate, request_parts
from alagen.serve.live import (
    EVENTS_URL,
    HEARTBEAT_SECONDS,
    LIVE_CSS,
    LIVE_JS,
    LIVE_PREFIX,
    SCRIPT_URL,
    STATUS_URL,
    STYLE_URL,
    Live,
    inject,
)
from alagen.serve.search import SearchIndex

NOT_FOUND_PAGE = "404.html"
SMALL_FILE = 1 << 20  # bytes: a file up to this size is read whole and sent with its head
FIRST_BUILD_WAIT = 10.0  # seconds a request made during the first build waits for it
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class PreviewServer(http.server.ThreadingHTTPServer):
    """Serves the folder `site` while the session rebuilds it; `idle` is clear during a build."""

    daemon_threads = True  # a tab's event stream must never keep the process alive
    # A browser opening a site asks for dozens of files at once; with the default 5, a burst
    # overflows the queue and connections wait a second or more for the retry.
    request_queue_size = 1024
    spare_threads = 64  # threads kept waiting for the next connection (see process_request)

    def __init__(self, host: str, port: int, site: Path, live: Live, search: SearchIndex) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self._waiting = 0  # before the socket: a port in use closes the server at once
        self._handoff: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        super().__init__((host.strip("[]"), port), Handler)
        self.site = site
        self.live = live
        self.search = search
        self.base_path = "/"
        self.idle = threading.Event()
        self.idle.set()
        self.first_build = threading.Event()  # set once the first build has ended, well or not
        # Only our own names on a loopback address, so another web page cannot reach the
        # preview through a DNS name of its own (DNS rebinding).
        self.hosts = _allowed_hosts(host, self.server_address[1])

    def process_request(self, request, client_address) -> None:
        """Hand the connection to a thread that is waiting for one, or start a thread: starting
        one for every request was a third of a static file's time under load."""
        with self._lock:
            if self._waiting:
                self._waiting -= 1
                self._handoff.put((request, client_address))
                return
        threading.Thread(target=self._serve_connections, args=(request, client_address), daemon=True).start()

    def _serve_connections(self, request, client_address) -> None:
        job = (request, client_address)
        while job is not None:
            self.process_request_thread(*job)
            with self._lock:
                if self._waiting >= self.spare_threads:
                    return
                self._waiting += 1
            job = self._handoff.get()

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            for _ in range(self._waiting):
                self._handoff.put(None)
            self._waiting = 0

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a tab closed mid-response
        print(f"alagen serve: error answering a request: {type(error).__name__}: {error}", file=sys.stderr, flush=True)


def _allowed_hosts(host: str, port: int) -> set[str] | None:
    try:
        loopback = host in _LOOPBACK_NAMES or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return None  # serving to a network on purpose (--host): any name may lead here
    names = _LOOPBACK_NAMES | {host}
    return names | {f"{name}:{port}" for name in names} | {""}  # HTTP/1.0 clients send no Host


class Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "alagen-serve"

    def log_message(self, format, *args) -> None:  # the terminal is for build messages
        pass

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _refuse_method(self) -> None:
        self._send_text(405, "Only GET and HEAD are allowed.\n", True, allow="GET, HEAD")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def _answer(self, body: bool) -> None:
        if len(self.headers.get_all("Host", ())) > 1:  # which one would a proxy have checked?
            self._send_text(400, "A request may name one Host.\n", body)
            return
        hosts = self.server.hosts
        if hosts is not None and self.headers.get("Host", "").lower() not in hosts:
            self._send_text(421, "This preview answers only to localhost.\n", body)
            return
        path, _, query = self.path.partition("#")[0].partition("?")
        if not path.startswith("/"):  # the absolute form, GET http://host/path
            path = urlsplit(path).path or "/"
        if path.startswith(LIVE_PREFIX):
            self._live(path, body)
            return
        if not self.server.first_build.wait(timeout=FIRST_BUILD_WAIT):
            self._send_building(body)  # a tab opened at once: it asks again every second
            return
        base = self.server.base_path
        if base != "/" and not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                self._redirect(base + (f"?{query}" if query else ""), body)
            else:
                self._not_found(body)
            return
        rest = path[len(base) - 1 :]
        parts = request_parts(rest)
        if parts is None:
            self._not_found(body)
            return
        found = self._find(parts, rest.endswith("/"), base)
        if found is None and parts[:1] == ["pagefind"]:
            self._search_missing(parts, body)
        elif found is None:
            if not self.server.live.state.build:
                self._send_page(500, b"<!doctype html><html lang=\"en\"><title>Build failed</title><body></body></html>", body)
            else:
                self._not_found(body)
        elif found.redirect:
            self._redirect(found.redirect + (f"?{query}" if query else ""), body)
        else:
            self._send_file(found.file, body)

    def _find(self, parts: list[str], slash: bool, base: str) -> Found | None:
        """The file, looked up again after a rebuild that was swapping the site in."""
        for attempt in (1, 2):
            if parts[:1] == ["pagefind"]:
                found = self._find_search_file(parts[1:], slash, base)
            else:
                found = locate(self.server.site, parts, slash, base)
            if found is not None or self.server.idle.is_set() or attempt == 2:
                return found
            self.server.idle.wait(timeout=30)
        return None

    def _find_search_file(self, parts: list[str], slash: bool, base: str) -> Found | None:
        """From the newest search index, or an older one that a tab may still be using."""
        for bundle in self.server.search.bundles:
            found = locate(bundle, parts, slash, base + "pagefind/")
            if found is not None:
                return found
        return None

    def _send_building(self, body: bool) -> None:
        page = (
            b'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1">'
            b"<title>Building\xe2\x80\xa6</title></head><body><p>alagen is building the site; this page "
            b"reloads by itself in a moment.</p></body></html>"
        )
        self._send(503, "text/html; charset=utf-8", page, body, retry_after="1")

    def _search_missing(self, parts: list[str], body: bool) -> None:
        """A Pagefind file that is not there (yet): its own type, never a page of the site."""
        ready = self.server.search.generation > 0
        note = "not in the search index" if ready else "the search index is being made; ask again in a moment"
        kind = content_type(Path(parts[-1])) if len(parts) > 1 else "text/plain; charset=utf-8"
        if kind.startswith(("text/javascript", "text/css")):
            data = f"/* {note} */\n".encode()  # a comment: the page's script or style does nothing
        else:
            kind = "text/plain; charset=utf-8" if kind.startswith("text/html") else kind
            data = f"{note[0].upper()}{note[1:]}.\n".encode()
        self._send(404 if ready else 503, kind, data, body, **({} if ready else {"retry_after": "2"}))

    def _not_found(self, body: bool) -> None:
        page = self.server.site / NOT_FOUND_PAGE
        try:
            data = page.read_bytes()
        except OSError:
            self._send_text(404, "Not found.\n", body)
            return
        self._send_page(404, data, body)

    def _send_file(self, file: Path, body: bool) -> None:
        kind = content_type(file)
        if kind.startswith("text/html"):
            try:
                data = file.read_bytes()
            except OSError:
                self._not_found(body)
                return
            self._send_page(200, data, body)
            return
        try:
            handle = file.open("rb")
        except OSError:
            self._not_found(body)
            return
        with handle:
            size = handle.seek(0, 2)
            handle.seek(0)
            if size <= SMALL_FILE:  # one write with the head: the most a browser asks for
                self._send(200, kind, handle.read(), body)
                return
            self._head(200, kind, size)
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send_page(self, status: int, page: bytes, body: bool) -> None:
        data = inject(page, self.server.live.tag())
        self._send(status, "text/html; charset=utf-8", data, body)

    def _send_text(self, status: int, text: str, body: bool, **headers: str) -> None:
        data = text.encode("utf-8")
        self._send(status, "text/plain; charset=utf-8", data, body, **headers)

    def _redirect(self, location: str, body: bool) -> None:
        self._send_text(301, f"Moved to {location}\n", body, location=location)

    def _send(self, status: int, kind: str, data: bytes, body: bool, **headers: str) -> None:
        """A whole answer in one write: head and body (the body left out for HEAD)."""
        self._head(status, kind, len(data), data if body else b"", **headers)

    def _head(self, status: int, kind: str, length: int, then: bytes = b"", **headers: str) -> None:
        """The status line and headers, with `then` (the start of the body) in the same write."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a saved change must show on reload
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name.capitalize(), value)
        self._headers_buffer.append(b"\r\n" + then)  # end_headers() with the body: one send, not two
        self.flush_headers()

    def _live(self, path: str, body: bool) -> None:
        if path in (SCRIPT_URL, STYLE_URL):
            data = (LIVE_JS if path == SCRIPT_URL else LIVE_CSS).encode("utf-8")
            kind = "text/javascript" if path == SCRIPT_URL else "text/css"
            self._send(200, f"{kind}; charset=utf-8", data, body)
        elif path == STATUS_URL:
            state, search = self.server.live.state, self.server.search
            status = {"build": state.build, "problems": list(state.problems), "search": search.generation}
            data = json.dumps(status).encode("utf-8")
            self._send(200, "application/json", data, body)
        elif path == EVENTS_URL and body:
            self._events()
        else:
            self._send_text(404, "Not found.\n", body)

    def _events(self) -> None:
        """The live-reload channel: the current state at once, then every change."""
        live = self.server.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        live.listening(+1, self.connection)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not live.closing:
                state = live.wait(seen, HEARTBEAT_SECONDS)
                if live.closing:
                    break
                if state.version == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    self.wfile.write(state.message().encode("utf-8"))
                    seen = state.version
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            live.listening(-1, self.connection)
