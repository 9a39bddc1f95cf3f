"""Work spread over the machine's cores: forked worker processes that inherit the whole
build (the Site, the Jinja environment, the Markdown parser) instead of receiving it.

Only a large batch is worth it: forking and sending results back costs about 50 ms, so a
small site stays in one process (and is no slower for this). The order of the results is
the order of the items, whatever the workers' timing, so output stays deterministic.
"""

from __future__ import annotations

import os
import threading
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 300  # below this, one process is quicker than starting workers
CHUNK = 40  # items sent to a worker at a time: small enough to keep both cores busy to the end

# The batch function of the pool being run; set before forking, so workers inherit it
# (a closure cannot be pickled, and it need not be: fork copies it).
_batch: Callable | None = None


def cores() -> int:
    """The cores this process may run on; ALAGEN_JOBS overrides (1: no worker processes)."""
    wanted = os.environ.get("ALAGEN_JOBS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def beside(function: Callable[[], Result], large: bool) -> Callable[[], Result]:
    """Start function() in a forked process while this one goes on with other work; call the
    returned function for its result (sent back pickled). In this process, at once, when the
    work is small, when there is one core, when other threads run, or without fork."""
    if not large or cores() < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        result = function()
        return lambda: result
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its result into the pipe, then gone (no clean-up of the parent's)
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(pickle.dumps(function(), pickle.HIGHEST_PROTOCOL))
        finally:
            os._exit(0)
    os.close(write_end)

    def result() -> Result:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            return pickle.loads(data)
        except Exception:  # the worker failed: do the work here
            return function()

    return result


def run_all(
    function: Callable[[Item], Result], items: Sequence[Item], done: Callable[[int], None] | None = None
) -> list[Result]:
    """[function(item) for item in items], over forked workers when the batch is large and
    there is more than one core; in this process otherwise. `done(n)` is called in this
    process as results arrive (each item alone, or a worker's batch at once)."""
    workers = min(cores(), max(1, len(items) // CHUNK))
    # Forking while other threads run (a server, a file watcher) could copy a lock one of
    # them holds into the child, where nobody ever releases it: such a process works alone.
    alone = threading.active_count() > 1
    if workers >= 2 and len(items) >= MIN_ITEMS and not alone:
        import multiprocessing  # only for a batch worth forking for
    if workers < 2 or len(items) < MIN_ITEMS or alone or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for item in items:
            results.append(function(item))
            if done:
                done(1)
        return results
    global _batch
    # Workers get index ranges, not items: the items are already in their copy of memory.
    _batch = lambda span: [function(items[i]) for i in range(*span)]  # noqa: E731
    spans = [(i, min(i + CHUNK, len(items))) for i in range(0, len(items), CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results: list[Result] = []
            for batch in pool.imap(_run_batch, spans):
                results.extend(batch)
                if done:
                    done(len(batch))
            return results
    finally:
        _batch = None


def _run_batch(span: tuple[int, int]) -> list:
    assert _batch is not None
    return _batch(span)
