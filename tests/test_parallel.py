"""Pages rendered by forked workers are the pages one process renders, byte for byte."""

from __future__ import annotations

from pathlib import Path

from alagen import parallel
from conftest import build_at, make_site


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workers_write_the_same_site_as_one_process(tmp_path, monkeypatch):
    files = {"content/index.md": "---\ntitle: Home\n---\nSee [the first](posts/p000.md).\n"}
    for n in range(120):
        files[f"content/posts/p{n:03}.md"] = (
            f"---\ntitle: Post {n}\n---\n## Part {n}\n\nText with a [link](p{(n + 1) % 120:03}.md) and *emphasis*.\n"
        )
    events = "".join(
        f"- {{title: Meeting {n}, kind: meeting, start: 2025-0{1 + n % 9}-1{n % 10}T10:00, summary: Meeting number {n}.}}\n"
        for n in range(60)
    )
    site = make_site(tmp_path / "site", {**files, "data/events.yaml": events})
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    monkeypatch.setenv("ALAGEN_JOBS", "1")
    build_at(site, out=tmp_path / "one", search=False)
    monkeypatch.setenv("ALAGEN_JOBS", "2")
    calls = []
    real = parallel.run_all

    def counted(function, items, *more):
        calls.append(len(items))
        return real(function, items, *more)

    monkeypatch.setattr(parallel, "run_all", counted)
    build_at(site, out=tmp_path / "two", search=False)
    assert calls and max(calls) >= 120  # the pages went through the pool
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert len(one) > 180 and one == two


def test_a_mistake_found_by_a_worker_is_reported_once(tmp_path, monkeypatch):
    files = {f"content/p{n:02}.md": f"---\ntitle: P{n}\n---\nText.\n" for n in range(40)}
    files["content/p07.md"] = "---\ntitle: P7\n---\nA [broken link](nowhere.md).\n"
    files["layouts/page.html"] = '{% extends "base.html" %}{% block main %}{{ content }}{{ page.nope }}{% endblock %}\n'
    site = make_site(tmp_path / "site", files)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 4)
    monkeypatch.setenv("ALAGEN_JOBS", "2")
    from conftest import problems_of

    found = [str(p) for p in problems_of(site)]
    assert found == [
        "content/p07.md:4:17: links to content/nowhere.md, which does not exist",
        "layouts/page.html:1:1: 'Page object' has no attribute 'nope'; check the name, or guard it with 'is defined'",
    ], found


def test_no_worker_is_forked_while_other_threads_run(monkeypatch):
    import os
    import threading

    monkeypatch.setenv("ALAGEN_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    items = list(range(200))
    assert set(parallel.run_all(lambda _: os.getpid(), items)) != {os.getpid()}  # workers did it
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # as `alagen serve` has its server and watcher
    server.start()
    try:
        assert set(parallel.run_all(lambda _: os.getpid(), items)) == {os.getpid()}
    finally:
        stop.set()
        server.join()
