"""One `alagen serve` from start to Ctrl-C: a temporary folder, the first build, the server,
then rebuild on every saved change until stopped. Everything it made goes when it stops."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import watchfiles

from alagen.serve.builder import Builder, Result
from alagen.serve.live import Live
from alagen.serve.search import SearchIndex
from alagen.serve.server import PreviewServer

# The folders load.py reads: content/ and data/, and layouts/ with its assets/.
WATCHED = ("content", "data", "layouts")
SKIPPED_DIRS = ("__pycache__", "node_modules")


class CannotServe(Exception):
    """The address cannot be listened on: a port in use, a host name that is not this computer."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    now: dt.date | dt.datetime | None = None
    drafts: bool = False


class Session:
    """The server, the live state and the builder of one `alagen serve`."""

    def __init__(self, options: ServeOptions, workdir: Path, say: Callable[[str], None], warn: Callable[[str], None]):
        self.root = options.root
        self.say, self.warn = say, warn
        self.builder = Builder(options.root, workdir / "site", options.now, options.drafts)
        self.live = Live()
        self.search = SearchIndex(workdir, say)
        try:
            self.server = PreviewServer(options.host, options.port, workdir / "site", self.live, self.search)
        except OSError as err:
            self.search.stop()
            raise CannotServe(
                f"cannot serve at {options.host}:{options.port}: {err.strerror or err}; try another --port"
            ) from err
        except BaseException:
            self.search.stop()
            raise
        self._warnings: tuple[str, ...] = ()
        self._broken = False

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}{self.builder.base_path}"

    def rebuild(self, changed: tuple[str, ...] = ()) -> Result:
        """Build again, then tell the tabs and the terminal; queue search indexing if needed."""
        self.server.idle.clear()
        try:
            result = self.builder.rebuild(changed)
        finally:
            self.server.idle.set()
            self.server.first_build.set()
        what = f"{', '.join(changed[:3])}{' and more' if len(changed) > 3 else ''} changed: " if changed else ""
        if not result.ok:
            self.live.failed(result.problems)
            for problem in result.problems:
                self.warn(problem)
            errors = result.errors
            kept = "still serving the last good build" if self.live.state.build else "nothing to serve yet"
            self.warn(f"{what}build failed with {errors} error{'s' if errors != 1 else ''}; {kept}.")
            self._broken = True
            return result
        self.server.base_path = self.builder.base_path
        self.live.built()
        if result.warnings != self._warnings:
            for warning in result.warnings:
                self.warn(warning)
            self._warnings = result.warnings
        if changed or self._broken:
            tabs = self.live.open_tabs()
            fixed = "fixed; " if self._broken else ""
            self.say(f"{what}{fixed}rebuilt in {result.seconds:.2f} s, reloading {tabs} tab{'s' if tabs != 1 else ''}.")
        else:
            report = result.report
            self.say(f"Built {report.pages} pages in {result.seconds:.2f} s.")
        self._broken = False
        self.search.refresh(self.builder.options.out)
        return result

    def watch(self, stop: threading.Event, ready: Callable[[], None]) -> None:
        """Build, call `ready`, then rebuild after every batch of saved changes until `stop`
        is set or Ctrl-C. The watcher starts first, so no save is missed, not even during the
        first build."""
        folders = [self.root / name for name in WATCHED if (self.root / name).is_dir()]
        relevant = functools.partial(_relevant, self.root)
        polling, built = False, False
        while not stop.is_set():
            try:
                # An empty batch every 100 ms when nothing changed: the first one says the watcher is on.
                for changes in watchfiles.watch(
                    *folders, watch_filter=relevant, stop_event=stop, step=30, rust_timeout=100,
                    yield_on_timeout=True, force_polling=polling or None,
                ):
                    if not built:
                        built = True
                        self.rebuild()
                        ready()
                    elif changed := _changed_files(changes, self.root):
                        self.rebuild(changed)
            except OSError as err:  # no more inotify watches or instances, a network drive
                if polling:
                    raise
                self.warn(f"alagen: cannot watch the files for changes ({err}); checking them every 0.3 s instead")
                polling = True

    def close(self) -> None:
        self.live.close()
        self.server.shutdown()
        self.server.server_close()
        self.search.stop()


def _changed_files(changes: set[tuple[watchfiles.Change, str]], root: Path) -> tuple[str, ...]:
    """The files a batch changed, without the temporary files editors save through
    (created, then renamed away, within the batch)."""
    kinds: dict[str, set[watchfiles.Change]] = {}
    for kind, path in changes:
        kinds.setdefault(path, set()).add(kind)
    temporary = {watchfiles.Change.added, watchfiles.Change.deleted}
    return tuple(
        sorted(
            Path(path).relative_to(root).as_posix()
            for path, seen in kinds.items()
            if not (temporary <= seen and not os.path.lexists(path))
        )
    )


def _relevant(root: Path, change: watchfiles.Change, path: str) -> bool:
    """Changes load.py would see: not hidden files, editor backups or lock files."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    name = parts[-1] if parts else ""
    if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx")):
        return False
    return not any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1])


def run(options: ServeOptions, say: Callable[[str], None], warn: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (or SIGTERM, SIGHUP), then remove everything this run made.
    Raises CannotServe when the address cannot be used (a port in use)."""
    if not any((options.root / name).is_dir() for name in WATCHED):
        raise CannotServe(f"{options.root} has no content/, data/ or layouts/ folder; run alagen serve in the site's folder or give --site DIR")
    workdir = Path(tempfile.mkdtemp(prefix=f"alagen-serve-{os.getpid()}-", dir=_scratch_place()))
    stop = threading.Event()
    # Closing the terminal (SIGHUP) or `kill` (SIGTERM) cleans up as Ctrl-C does.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    previous[signal.SIGINT] = signal.getsignal(signal.SIGINT)
    session = None
    try:
        session = Session(options, workdir, say, warn)
        threading.Thread(target=session.server.serve_forever, name="alagen-http", daemon=True).start()

        def ready() -> None:
            say(f"Serving {options.root} at {session.url} (Ctrl-C to stop); watching {', '.join(n + '/' for n in WATCHED)}")
            if options.host not in ("127.0.0.1", "localhost", "::1"):
                warn(f"warning: --host {options.host}: other computers on the network can see this preview")

        session.watch(stop, ready)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        stop.set()
        if session is not None:
            session.close()
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("Stopped.")


def _scratch_place() -> str | None:
    """Memory (/dev/shm) when the system has it: a rebuild makes and removes hundreds of
    folders, which a busy disk makes several times slower. TMPDIR, when set, decides."""
    memory = "/dev/shm"
    if "TMPDIR" not in os.environ and os.path.isdir(memory) and os.access(memory, os.W_OK | os.X_OK):
        return memory
    return None  # tempfile's choice


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
