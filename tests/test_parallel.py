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
        "layouts/page.html:1:63: 'Page object' has no attribute 'nope'; check the name, or guard it with 'is defined'",
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


def test_photos_of_pages_rendered_by_workers_are_published(tmp_path, monkeypatch):
    """Markdown photos found by forked workers reach the site, clean and incremental, and the
    bytes are one process's."""
    import os

    from alagen import cache as cache_module
    from alagen.render import images as images_module
    from test_images import photo

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    files: dict[str, str | bytes] = {"content/index.md": "---\ntitle: Home\n---\nPosts below.\n"}
    for n in range(60):
        picture = f"\n![Photo number {n % 4}](pic{n % 4}.jpg)\n" if n % 3 == 0 else ""
        files[f"content/posts/p{n:03}.md"] = f"---\ntitle: Post {n}\n---\nText {n}.\n{picture}"
    for n in range(4):
        files[f"content/posts/pic{n}.jpg"] = photo(700 + 100 * n, 500, colour=(40 * n, 100, 60))
    root = make_site(tmp_path / "site", files)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    pids = tmp_path / "pids"
    real_save = images_module._save

    def save(*args):  # which process resized a photo (workers cannot tell this one otherwise)
        with open(pids, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_save(*args)

    monkeypatch.setattr(images_module, "_save", save)

    def one_process(name: str) -> dict[str, bytes]:
        monkeypatch.setenv("ALAGEN_JOBS", "1")
        build_at(root, out=tmp_path / name / "out", cache=False)
        monkeypatch.setenv("ALAGEN_JOBS", "2")
        return _tree(tmp_path / name / "out")

    wanted = one_process("one")
    assert sum(1 for path in wanted if path.startswith("assets/img/")) == 2 + 2 + 3 + 3  # 700, 800, 900, 1000 px wide
    pids.unlink()
    build_at(root, out=tmp_path / "workers" / "out", cache=False)  # its own photo cache: resized anew
    assert {int(p) for p in pids.read_text().split()} - {os.getpid()}, "the workers resized the photos"
    assert _tree(tmp_path / "workers" / "out") == wanted

    build_at(root)  # with the cache, by workers, into a new folder
    assert _tree(root / "build") == wanted
    post = root / "content/posts/p001.md"
    post.write_text(post.read_text().replace("Text 1.", "Text one."))  # the pages with photos are kept
    report = build_at(root)
    assert report.kept == report.pages - 1
    assert _tree(root / "build") == one_process("two")
    layout = root / "layouts/page.html"
    layout.write_text(layout.read_text().replace("{{ content }}", "<div>{{ content }}</div>"))  # all again, by workers
    report = build_at(root)
    assert report.kept < 5
    assert _tree(root / "build") == one_process("three")
    (root / "content/posts/pic2.jpg").write_bytes(photo(640, 480, colour=(1, 2, 3)))
    build_at(root)
    assert _tree(root / "build") == one_process("four")


def test_the_command_ends_its_workers_and_exits(tmp_path):
    """`alagen build` as a command, with workers: the pool ends them with SIGTERM, which the
    command's own SIGTERM handling (stop Pagefind, remove the staged folder) must leave to
    its main process. Raising in a worker left another waiting for a lock, forever."""
    import os
    import subprocess
    import sys

    files = {"content/index.md": "---\ntitle: Home\n---\nHi.\n"}
    for n in range(700):
        files[f"content/posts/p{n:03}.md"] = f"---\ntitle: Post {n}\n---\nText {n}.\n"
    site = make_site(tmp_path / "site", files)
    env = {**os.environ, "ALAGEN_JOBS": "2"}
    done = subprocess.run(
        [sys.executable, "-m", "alagen", "build", "--no-search", "--now", "2025-03-01", "--quiet"],
        cwd=site, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (site / "build/posts/p699/index.html").is_file()


def test_forked_workers_keep_the_default_sigterm_while_the_command_catches_it():
    """The pool ends its workers with SIGTERM: a worker must die of it at once (the kernel's
    default), whatever the command's own handler does. A Python handler in a worker runs
    only when that worker's interpreter gets to it, and one that did not kept a 10,000-page
    build waiting forever."""
    import subprocess
    import sys

    script = (
        "import os, signal\n"
        "from alagen import cli, parallel\n"
        "cli.handle_sigterm()\n"
        "os.environ['ALAGEN_JOBS'] = '2'\n"
        "parallel.MIN_ITEMS, parallel.CHUNK = 2, 1\n"
        "seen = parallel.run_all(lambda n: (os.getpid(), signal.getsignal(signal.SIGTERM) == signal.SIG_DFL), list(range(8)))\n"
        "workers = {pid for pid, _ in seen if pid != os.getpid()}\n"
        "print(len(workers) >= 1, all(default for pid, default in seen if pid != os.getpid()),\n"
        "      signal.getsignal(signal.SIGTERM) is cli._terminated)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
