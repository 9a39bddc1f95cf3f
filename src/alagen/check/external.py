"""External links (--external): asked concurrently, each within a time limit, and good
answers remembered for a week in a cache file beside build/, so CI does not ask the same
sites on every run."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CACHE_NAME = ".alagen-links.json"  # beside build/; git ignores it
KEEP_GOOD_SECONDS = 7 * 24 * 3600
USER_AGENT = "alagen-check/1 (link checker of a static site)"
# Answers that say "not now" rather than "gone": neither a finding nor remembered.
NOT_NOW = {429, 503}


def cache_path(build: Path) -> Path:
    return build.parent / CACHE_NAME


def check_urls(urls: list[str], cache_file: Path, timeout: float = 10.0, workers: int = 8) -> dict[str, str | None]:
    """url -> None when it answered well, else what went wrong in a few words."""
    cache = _read_cache(cache_file)
    now = time.time()
    results: dict[str, str | None] = {}
    todo = []
    for url in sorted(set(urls)):
        if now - cache.get(url, 0) < KEEP_GOOD_SECONDS:
            results[url] = None
        else:
            todo.append(url)
    if todo:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for url, problem in zip(todo, pool.map(lambda u: ask(u, timeout), todo)):
                results[url] = problem
                if problem is None:
                    cache[url] = now
    _write_cache(cache_file, cache)
    return {u: (None if p == "not now" else p) for u, p in results.items()}


def ask(url: str, timeout: float) -> str | None:
    """Ask with HEAD, then with GET if the server will not answer HEAD."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(0)
                return None
        except urllib.error.HTTPError as err:
            if err.code in NOT_NOW:
                return "not now"
            if method == "HEAD" and err.code in (400, 403, 404, 405, 501):
                continue  # some servers answer HEAD wrongly; ask as a browser would
            return f"answers {err.code} {err.reason}"
        except (TimeoutError, socket.timeout):
            return f"did not answer within {timeout:g} s"
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return f"did not answer within {timeout:g} s"
            return f"could not be reached ({reason})"
        except (OSError, ValueError) as err:
            return f"could not be reached ({err})"
    return None


def _read_cache(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data.get("good", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_cache(path: Path, cache: dict[str, float]) -> None:
    try:
        temporary = path.with_name(path.name + f".{os.getpid()}")
        temporary.write_text(json.dumps({"good": dict(sorted(cache.items()))}, indent=1) + "\n", encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs time
