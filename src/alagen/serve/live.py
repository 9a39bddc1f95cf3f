"""What open tabs are told while serving: which build they should show, and the problems of
the latest build attempt. Tabs listen with Server-Sent Events (`/_alagen/events`); the
script and the overlay are added to HTML responses only, never to the built files."""

from __future__ import annotations

import html
import json
import secrets
import select
import socket
import threading
from dataclasses import dataclass

LIVE_PREFIX = "/_alagen/"
SCRIPT_URL = LIVE_PREFIX + "live.js"
STYLE_URL = LIVE_PREFIX + "live.css"
EVENTS_URL = LIVE_PREFIX + "events"
STATUS_URL = LIVE_PREFIX + "status"
HEARTBEAT_SECONDS = 15.0  # a comment line now and then notices tabs that went away

# Reloads the tab when the build it shows is replaced; shows or clears the problems overlay.
# The overlay arrives as HTML already escaped by overlay_html(), the one place that escapes it.
# No inline script or style anywhere, so a page with a strict Content-Security-Policy
# (script-src 'self'; style-src 'self') still gets its reloads and overlay.
LIVE_JS = """\
// alagen serve: reload after each rebuild, show build problems over the page.
(() => {
  const shown = document.currentScript.dataset.build;
  const events = new EventSource(%(events)s);
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.build && state.build !== shown) {
      events.close();
      location.reload();
      return;
    }
    document.getElementById("alagen-overlay")?.remove();
    if (state.overlay) document.body.insertAdjacentHTML("beforeend", state.overlay);
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest?.("[data-alagen-hide]")) document.getElementById("alagen-overlay")?.remove();
  });
  // A page that searches, opened before the first index is made: say so, reload when it is.
  if (!document.querySelector('script[src*="/pagefind/"]')) return;
  let notice = null;
  const ask = () => fetch(%(status)s).then((answer) => answer.json()).then((status) => {
    if (status.search) {
      if (notice) location.reload();
      return;
    }
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "alagen-search-notice";
      notice.setAttribute("role", "status");
      notice.textContent = "The search index is being made; this page reloads when it is ready.";
      (document.querySelector("main") || document.body).prepend(notice);
    }
    setTimeout(ask, 1000);
  }).catch(() => setTimeout(ask, 2000));
  ask();
})();
""" % {"events": json.dumps(EVENTS_URL), "status": json.dumps(STATUS_URL)}

LIVE_CSS = """\
#alagen-overlay { position: fixed; inset: 0; z-index: 2147483647; overflow: auto; margin: 0; padding: 1.5rem;
  background: rgba(20, 20, 20, .94); color: #fff; font: 16px/1.5 system-ui, sans-serif; text-align: left; }
#alagen-overlay p { margin: 0; color: #fff; }
#alagen-overlay pre { white-space: pre-wrap; font: 14px/1.5 ui-monospace, monospace; color: #ffd7d7;
  background: #000; padding: 1rem; border-left: 4px solid #e33; margin: 1rem 0; }
#alagen-overlay button { font: inherit; padding: .3rem 1rem; cursor: pointer; }
#alagen-search-notice { margin: 1rem 0; padding: .75rem 1rem; background: #fff4ce; color: #1a1a1a;
  border-left: 4px solid #8a6d00; font: 16px/1.5 system-ui, sans-serif; }
"""


def overlay_html(problems: tuple[str, ...], has_site: bool) -> str:
    """The problems as an overlay over the page; every message is escaped."""
    if not problems:
        return ""
    if has_site:
        lead = "The last change broke the build, so this is the last good version of the site. Fix it and save: the page reloads by itself."
    else:
        lead = "The site could not be built. Fix the problems below and save: the page reloads by itself."
    return (
        '<div id="alagen-overlay" role="alert">'
        f"<p><strong>alagen serve:</strong> {html.escape(lead)}</p>"
        f"<pre>{html.escape(chr(10).join(problems))}</pre>"
        '<button type="button" data-alagen-hide>Hide</button>'
        "</div>"
    )


@dataclass(frozen=True, slots=True)
class State:
    version: int  # goes up on every change, so a listener knows what it has seen
    build: str  # the id of the build being served; "" before the first good build
    problems: tuple[str, ...]  # of the latest build attempt, as printed in the terminal

    def message(self) -> str:
        """The Server-Sent Event for this state (JSON keeps it on one data line)."""
        overlay = overlay_html(self.problems, bool(self.build))
        data = json.dumps({"build": self.build, "problems": list(self.problems), "overlay": overlay})
        return f"event: state\ndata: {data}\n\n"


class Live:
    """The state every tab follows, and the means to wait for its next change."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._state = State(0, "", ())
        self._run = secrets.token_hex(4)  # a restarted server's builds never match an old tab's
        self._builds = 0
        self.closing = False
        self._tabs: set = set()  # the event streams' sockets

    @property
    def state(self) -> State:
        with self._changed:
            return self._state

    def built(self) -> None:
        """A build succeeded: tabs reload, and any overlay goes."""
        with self._changed:
            self._builds += 1
            self._set(f"{self._run}-{self._builds}", ())

    def failed(self, problems: tuple[str, ...]) -> None:
        """A build failed: tabs keep their page and show the problems over it."""
        with self._changed:
            self._set(self._state.build, problems)

    def _set(self, build: str, problems: tuple[str, ...]) -> None:
        self._state = State(self._state.version + 1, build, problems)
        self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> State:
        """The state once it is newer than version `seen`, or as it is after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self._state.version != seen or self.closing, timeout)
            return self._state

    def listening(self, change: int, connection) -> None:
        with self._changed:
            (self._tabs.add if change > 0 else self._tabs.discard)(connection)

    def open_tabs(self) -> int:
        """The tabs listening now. A closed tab is noticed only at the next heartbeat, so each
        stream is asked: an event stream never sends, so a readable socket has been closed."""
        with self._changed:
            tabs = list(self._tabs)
        return sum(1 for connection in tabs if not _closed(connection))

    def close(self) -> None:
        """Let every listener go: the server is stopping."""
        with self._changed:
            self.closing = True
            self._changed.notify_all()

    def tag(self) -> bytes:
        """What goes into a served HTML page: the script, and the overlay if the build is broken."""
        state = self.state
        style = f'<link rel="stylesheet" href="{STYLE_URL}">'
        script = f'<script src="{SCRIPT_URL}" data-build="{html.escape(state.build)}"></script>'
        return (style + overlay_html(state.problems, bool(state.build)) + script).encode("utf-8")


def _closed(connection) -> bool:
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def inject(page: bytes, tag: bytes) -> bytes:
    """`tag` before the page's last </body>, or at its end if it has none."""
    at = page.lower().rfind(b"</body")
    return page + tag if at < 0 else page[:at] + tag + page[at:]
