"""Publishing build/: one build at a time, atomically in every mode, only into a folder that is
alagen's, and a full or read-only disk said in words an operator can act on.

The builds that are stopped run in a subprocess with ALAGEN_TEST_PAUSE_AT=POINT (write.py): the
build says so on stderr and waits at that point of the write, where the test kills it with
SIGKILL (its whole process group) or lets it go on."""

from __future__ import annotations

import datetime as dt
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alagen import cache as cache_module
from alagen import write
from alagen.output import Output
from alagen.pipeline import BuildOptions, build
from conftest import make_site, run_cli

NOW = "2025-03-01"


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file of a built site but Pagefind's (which differ from run to run)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")
    }


def _events(title: str, ids: range) -> str:
    return "".join(
        f"- {{id: e{n}, title: {title} {n}, kind: meeting, start: 2025-04-{n:02d}, summary: The meeting number {n}.}}\n"
        for n in ids
    )


# Two versions of a small site: the second changes every page's text, removes a page and an
# event, adds a page, and renames every event (so every event's page and calendar changes).
V1 = {
    "content/index.md": "---\ntitle: Home\n---\nVersion one.\n",
    **{f"content/p{n}.md": f"---\ntitle: Page {n}\n---\nVersion one of page {n}.\n" for n in range(8)},
    "content/gone.md": "---\ntitle: Gone\n---\nOnly in version one.\n",
    "data/events.yaml": _events("Meeting", range(1, 13)),
}
V2 = {
    "content/index.md": "---\ntitle: Home\n---\nVersion two.\n",
    **{f"content/p{n}.md": f"---\ntitle: Page {n}\n---\nVersion two of page {n}.\n" for n in range(8)},
    "content/new.md": "---\ntitle: New\n---\nOnly in version two.\n",
    "data/events.yaml": _events("Session", range(1, 12)),
}


def _set(root: Path, version: dict[str, str]) -> None:
    for name in ({*V1, *V2} - version.keys()):
        (root / name).unlink(missing_ok=True)
    make_site(root, version)


def _build_in_process(root: Path, **options) -> None:
    build(BuildOptions(root=root, now=dt.date.fromisoformat(NOW), search=options.pop("search", False), **options))


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """The old site's files and the new site's, each from a clean build."""
    scratch = tmp_path_factory.mktemp("trees")
    root = make_site(scratch / "site", V1)
    _build_in_process(root, out=scratch / "old", cache=False)
    _set(root, V2)
    _build_in_process(root, out=scratch / "new", cache=False)
    old, new = _tree(scratch / "old"), _tree(scratch / "new")
    assert "events/calendar.ics" in old and old["events/calendar.ics"] != new["events/calendar.ics"]
    assert "events/e12.ics" in old and "events/e12.ics" not in new
    assert ".alagen-build" in old and ".alagen-build" in new
    return old, new


class Stopped:
    """`alagen build` in a subprocess of its own, stopped at a point of the write."""

    def __init__(self, root: Path, point: str, *args: str, env: dict | None = None):
        environ = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "ALAGEN_TEST_FAIL_AT")}
        environ.update(ALAGEN_TEST_PAUSE_AT=point, **(env or {}))
        self.point = point
        self.process = subprocess.Popen(
            [sys.executable, "-m", "alagen", "build", "--now", NOW, "--quiet", *args],
            cwd=root, env=environ, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True,  # its own process group: Pagefind is killed with it
        )
        self.said: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.said.put(line)
        self.said.put(None)

    def paused(self, timeout: float = 60) -> bool:
        """Wait until the build stops at its point (True) or ends without reaching it."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.said.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                return False
            if line == f"alagen-test: paused at {self.point}\n":
                return True
            self.stderr.append(line)

    def go_on(self) -> tuple[int, str]:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        code = self.process.wait(timeout=60)
        while (line := self.said.get(timeout=10)) is not None:
            self.stderr.append(line)
        return code, "".join(self.stderr)

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had ended
            pass
        self.process.wait(timeout=30)


def _beside(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


SITE_FOLDERS = [".alagen-cache", "build", "content", "data", "layouts"]

# --- 2. Atomic publication: a kill -9 at any moment of the write ----------------------------

# (how the killed build runs, where it is killed, which site build/ must hold then)
KILLS = [
    *(("incremental", point, "old") for point in ("locked", "synced", "file:1", "file:3", "staged", "swap")),
    *(("incremental", point, "new") for point in ("swapped", "kept", "published")),
    *(("incremental, no spare", point, "old") for point in ("file:2", "file:30", "synced", "staged")),
    ("incremental, no spare", "swapped", "new"),
    *(("clean", point, "old") for point in ("locked", "file:1", "file:25", "staged", "swap")),
    *(("clean", point, "new") for point in ("swapped", "kept")),
    ("incremental, search", "staged", "old"),
    ("incremental, search", "swapped", "new"),
    ("two renames", "swap", "old"),
    ("two renames", "between", None),  # no build/ for a moment: the next build puts the old one back
    ("two renames", "swapped", "new"),
]


@pytest.fixture
def kill_site(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the in-process builds trust stats at once
    return make_site(tmp_path / "site", V1)


@pytest.mark.parametrize("mode, point, holds", KILLS, ids=[f"{m}-{p}" for m, p, _ in KILLS])
def test_a_build_killed_at_any_point_of_the_write_leaves_the_old_site_or_the_new_one(kill_site, trees, mode, point, holds):
    root = kill_site
    old, new = trees
    search = "search" in mode
    _build_in_process(root, search=search)  # the old site, with its build cache
    assert _tree(root / "build") == old
    _set(root, V2)
    if mode == "incremental, no spare":
        shutil.rmtree(root / ".alagen-cache/build.spare")  # the update starts from hard links of build/
    args = [] if search else ["--no-search"]
    args += ["--no-cache"] if mode == "clean" else []
    env = {"ALAGEN_TEST_FAIL_AT": "exchange=ENOSYS"} if mode == "two renames" else {}
    stopped = Stopped(root, point, *args, env=env)
    assert stopped.paused(), stopped.stderr
    stopped.kill()
    if holds is None:
        assert not (root / "build").exists()
        [put_aside] = [p for p in root.iterdir() if p.name.startswith(".build.old-")]
        assert _tree(put_aside) == old
    else:
        assert _tree(root / "build") == (old if holds == "old" else new)
    # The next build finds whatever the killed one left, and makes the new site.
    _build_in_process(root, search=search)
    assert _tree(root / "build") == new
    assert _beside(root) == SITE_FOLDERS
    assert not [p for p in (root / ".alagen-cache").iterdir() if p.name not in ("build.lock", "build.parts", "build.spare", "build.state")]
    # And the cache it recorded is right: one more build changes nothing, and a clean one agrees.
    _set(root, V1)
    _build_in_process(root, search=search)
    assert _tree(root / "build") == old


def test_a_build_killed_while_pagefind_indexes_leaves_the_old_site(kill_site, trees):
    root = kill_site
    old, new = trees
    _build_in_process(root, search=True)
    _set(root, V2)
    stopped = Stopped(root, "staged")  # every file written; Pagefind is next
    assert stopped.paused()
    stopped.process.stdin.write("\n")
    stopped.process.stdin.flush()
    time.sleep(0.15)  # Pagefind is at work in the staged folder
    stopped.kill()
    assert _tree(root / "build") in (old, new)
    _build_in_process(root, search=True)
    assert _tree(root / "build") == new
    assert (root / "build/pagefind/pagefind.js").is_file()
    assert _beside(root) == SITE_FOLDERS


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_build_terminated_while_pagefind_indexes_stops_pagefind_and_leaves_nothing(kill_site):
    """SIGTERM (a cancelled CI job) to the build alone: Pagefind, its child, must not be left
    running, nor its staging folder left beside build/."""
    root = kill_site
    _build_in_process(root, search=True)
    old_with_search = _tree(root / "build")
    _set(root, V2)
    stopped = Stopped(root, "indexing")  # Pagefind has started in the staged folder
    assert stopped.paused(), stopped.stderr
    stopped.process.send_signal(signal.SIGTERM)
    code = stopped.process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _group_alive(stopped.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _group_alive(stopped.process.pid)
    stopped.kill()
    assert not alive, "Pagefind outlived the build"
    assert code == 130
    assert _tree(root / "build") == old_with_search
    assert _beside(root) == SITE_FOLDERS
    assert not [p.name for p in (root / ".alagen-cache").iterdir() if p.name.startswith(".build.new")]


def test_builds_killed_after_random_delays_leave_the_old_site_or_the_new_one(kill_site, trees):
    root = kill_site
    old, new = trees
    chance = random.Random(20250301)
    for _ in range(4):
        _set(root, V1)
        _build_in_process(root)
        _set(root, V2)
        stopped = Stopped(root, "none", "--no-search")  # a point never reached: the build runs on
        time.sleep(chance.uniform(0.2, 1.0))
        stopped.kill()
        assert _tree(root / "build") in (old, new)
        _build_in_process(root)
        assert _tree(root / "build") == new
        assert _beside(root) == SITE_FOLDERS


def test_the_swap_leaves_no_moment_without_the_output_folder(tmp_path):
    if write._exchanger() is None:
        pytest.skip("no renameat2 or renamex_np here: the swap is two renames")
    out = tmp_path / "build"
    versions = [b"<p>%d</p>" % n * 200 for n in range(2)]
    write.publish(write.stage((Output("index.html", versions[0]),), out))
    seen: list[bytes | None] = []
    done = threading.Event()

    def look() -> None:
        while not done.is_set():
            try:
                seen.append((out / "index.html").read_bytes())
            except FileNotFoundError:
                seen.append(None)

    reader = threading.Thread(target=look)
    reader.start()
    try:
        for n in range(60):
            write.publish(write.stage((Output("index.html", versions[n % 2]),), out))
    finally:
        done.set()
        reader.join()
    assert None not in seen
    assert set(seen) <= set(versions)


# --- 1. One build at a time per output folder ------------------------------------------------


def test_a_second_build_stops_at_once_while_another_writes_the_same_folder(kill_site, trees):
    root = kill_site
    _build_in_process(root)
    _set(root, V2)
    first = Stopped(root, "staged", "--no-search")
    assert first.paused()
    [staging] = [p for p in root.iterdir() if p.name.startswith(".build.new-")]
    second = run_cli("build", "--now", NOW, "--no-search", cwd=root)
    assert second.returncode == 2
    assert second.stderr == (
        f"alagen: another alagen build (process {first.process.pid}) is writing build/; "
        "wait for it to end, or build with --wait to wait for it\n"
    )
    assert staging.is_dir() and _tree(staging) == trees[1]  # the first build's folder is its own
    assert first.go_on() == (0, "")
    assert _tree(root / "build") == trees[1]
    assert _beside(root) == SITE_FOLDERS


def test_with_wait_the_second_build_waits_for_the_first_then_builds(kill_site, trees):
    root = kill_site
    _build_in_process(root)
    _set(root, V2)
    first = Stopped(root, "staged", "--no-search")
    assert first.paused()
    second = Stopped(root, "none", "--no-search", "--wait")
    told = second.said.get(timeout=60)
    assert told == f"alagen: another alagen build (process {first.process.pid}) is writing build/; waiting for it to end\n"
    time.sleep(0.3)
    assert second.process.poll() is None  # still waiting
    assert first.go_on() == (0, "")
    assert second.process.wait(timeout=60) == 0
    assert _tree(root / "build") == trees[1]
    assert _beside(root) == SITE_FOLDERS


def test_two_builds_started_together_never_make_a_broken_site(kill_site, trees):
    root = kill_site
    _set(root, V2)
    for _ in range(2):
        shutil.rmtree(root / "build", ignore_errors=True)
        shutil.rmtree(root / ".alagen-cache", ignore_errors=True)
        both = [
            subprocess.Popen([sys.executable, "-m", "alagen", "build", "--now", NOW, "--no-search", "--quiet", *extra],
                             cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for extra in ([], ["--wait"])
        ]
        results = [(p.wait(timeout=60), p.stderr.read()) for p in both]
        for code, stderr in results:
            assert code == 0 or (code == 2 and stderr.endswith("wait for it to end, or build with --wait to wait for it\n")), stderr
        assert results[1][0] == 0  # the one that waits always builds
        assert _tree(root / "build") == trees[1]
        assert _beside(root) == SITE_FOLDERS


def test_a_killed_builds_folder_is_removed_by_the_next_build_only(kill_site, trees):
    root = kill_site
    _build_in_process(root)
    _set(root, V2)
    first = Stopped(root, "staged", "--no-search")
    assert first.paused()
    first.kill()
    [leftover] = [p.name for p in root.iterdir() if p.name.startswith(".build.new-")]
    assert leftover.startswith(f".build.new-{first.process.pid}-")  # the owner's process id
    result = run_cli("build", "--now", NOW, "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    assert _beside(root) == SITE_FOLDERS
    assert _tree(root / "build") == trees[1]


def test_serve_rebuilds_wait_for_the_lock(site, tmp_path):
    from alagen.serve.builder import Builder

    root = site({"content/index.md": "---\ntitle: Home\n---\nHello.\n"})
    out = tmp_path / "served"
    held = write.lock(out, "served/")
    results = []
    rebuild = threading.Thread(target=lambda: results.append(Builder(root, out, dt.date(2025, 3, 1), False).rebuild()))
    rebuild.start()
    time.sleep(0.5)
    assert rebuild.is_alive() and not out.exists()
    held.release()
    rebuild.join(timeout=60)
    assert results[0].ok and (out / "index.html").is_file()


# --- 3. An output folder that is ours ---------------------------------------------------------


def test_a_folder_alagen_did_not_make_is_never_replaced(site, tmp_path):
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    docs = tmp_path / "x" / "docs"
    docs.mkdir(parents=True)
    (docs / "thesis.tex").write_text("\\chapter{One}\n")
    result = run_cli("build", "--now", NOW, "--no-search", "--out", str(docs), cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        f"alagen: {docs}/ was not made by alagen (it is not empty and has no .alagen-build file); a build would "
        "replace everything in it, so it was left as it was. Choose another folder with --out, or build with "
        "--force-out to replace it\n"
    )
    assert _tree(docs) == {"thesis.tex": b"\\chapter{One}\n"}
    assert sorted(p.name for p in docs.parent.iterdir()) == ["docs"]  # and nothing beside it
    forced = run_cli("build", "--now", NOW, "--no-search", "--out", str(docs), "--force-out", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert "thesis.tex" not in _tree(docs)
    assert (docs / ".alagen-build").read_bytes() == write.MARK_TEXT
    again = run_cli("build", "--now", NOW, "--no-search", "--out", str(docs), cwd=root)  # marked: ours from now on
    assert again.returncode == 0, again.stderr


def test_the_default_output_folder_is_refused_too_and_a_file_is_not_a_folder(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    (root / "build").mkdir()
    (root / "build/notes.txt").write_text("mine")
    result = run_cli("build", "--now", NOW, "--no-search", cwd=root)
    assert (result.returncode, result.stderr) == (2, (
        "alagen: build/ was not made by alagen (it is not empty and has no .alagen-build file); a build would "
        "replace everything in it, so it was left as it was. Choose another folder with --out, or build with "
        "--force-out to replace it\n"
    ))
    assert _tree(root / "build") == {"notes.txt": b"mine"}
    (root / "site.html").write_text("a file")
    result = run_cli("build", "--now", NOW, "--no-search", "--out", "site.html", cwd=root)
    assert (result.returncode, result.stderr) == (2, (
        "alagen: site.html is a file, not a folder alagen made; a build would replace it, so it was left as it "
        "was. Choose another folder with --out, or build with --force-out to replace it\n"
    ))
    assert (root / "site.html").read_text() == "a file"


def test_an_empty_folder_and_a_build_from_before_marks_are_accepted(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    (root / "build").mkdir()
    assert run_cli("build", "--now", NOW, "--no-search", cwd=root).returncode == 0
    # A build/ made before alagen marked its folders: the build cache beside it recorded it.
    (root / "build/.alagen-build").unlink()
    result = run_cli("build", "--now", NOW, "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "build/.alagen-build").is_file()


def test_the_mark_is_not_published_as_a_page(site):
    from alagen.serve.files import request_parts

    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    _build_in_process(root, search=True)
    assert ".alagen-build" not in (root / "build/sitemap.xml").read_text()
    assert request_parts("/.alagen-build") is None  # serve: hidden names are not found
    # Pagefind indexes HTML files only; Netlify's deploys leave out every dot-file but .well-known.


# --- 12. A full disk or a read-only folder: what to do, not "internal error" ------------------


@pytest.mark.parametrize("mode", ["incremental", "clean"])
def test_a_full_disk_while_writing_says_what_to_do_and_keeps_the_old_site(kill_site, trees, mode):
    root = kill_site
    _build_in_process(root)
    _set(root, V2)
    args = ["--no-search"] + (["--no-cache"] if mode == "clean" else [])
    result = run_cli("build", "--now", NOW, *args, cwd=root, env={"ALAGEN_TEST_FAIL_AT": "file:16=ENOSPC"})
    assert result.returncode == 2
    assert result.stderr == "alagen: cannot write build/ (No space left on device); free some space and build again; build/ was left as it was\n"
    assert _tree(root / "build") == trees[0]
    assert _beside(root) == SITE_FOLDERS
    result = run_cli("build", "--now", NOW, *args, cwd=root)
    assert result.returncode == 0, result.stderr
    assert _tree(root / "build") == trees[1]


def test_a_read_only_or_forbidden_folder_says_what_to_do(kill_site, trees):
    root = kill_site
    _build_in_process(root)
    _set(root, V2)
    for code, said in [
        ("EROFS", "Read-only file system); make it writable, or build into another folder with --out"),
        ("EACCES", "Permission denied); make it writable for this user, or build into another folder with --out"),
    ]:
        result = run_cli("build", "--now", NOW, "--no-search", cwd=root, env={"ALAGEN_TEST_FAIL_AT": f"file:1={code}"})
        assert (result.returncode, result.stderr) == (2, f"alagen: cannot write build/ ({said}; build/ was left as it was\n")
        assert _tree(root / "build") == trees[0]


def _mount_small_disk(place: Path, size: str) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    place.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(place)], capture_output=True).returncode == 0


def test_a_really_full_disk(tmp_path):
    """On a real, small disk (a tmpfs: Linux, as root, as in CI; skipped elsewhere)."""
    disk = tmp_path / "disk"
    if not _mount_small_disk(disk, "1m"):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        root = make_site(disk / "site", {"content/index.md": "---\ntitle: Home\n---\nHello.\n"})
        assert run_cli("build", "--now", NOW, "--no-search", cwd=root).returncode == 0
        before = _tree(root / "build")
        (root / "content/big.bin").write_bytes(os.urandom(600_000))  # in the sources, and once more in a new build/: too much
        (root / "content/index.md").write_text("---\ntitle: Home\n---\nChanged.\n")
        result = run_cli("build", "--now", NOW, "--no-search", cwd=root)
        assert (result.returncode, result.stderr) == (2, (
            "alagen: cannot write build/ (No space left on device); free some space and build again; build/ was left as it was\n"
        ))
        assert _tree(root / "build") == before
        assert _beside(root) == SITE_FOLDERS
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# --- The write stage's own rules ----------------------------------------------------------------


def test_an_update_never_writes_into_a_file_the_published_site_shares(tmp_path):
    out = tmp_path / "build"
    write.publish(write.stage((Output("a.html", b"one"), Output("b.html", b"same")), out), spare=True)
    spare = tmp_path / ".alagen-cache/build.spare"
    assert (spare / "a.html").stat().st_ino == (out / "a.html").stat().st_ino  # hard links
    write.publish(write.update(out, [Output("a.html", b"two")], ["b.html"]), spare=True)
    assert _tree(out) == {".alagen-build": write.MARK_TEXT, "a.html": b"two"}
    assert (spare / "a.html").read_bytes() == b"one"  # the old site, as it was published
    assert (spare / "b.html").read_bytes() == b"same"
    write.publish(write.update(out, [Output("c/index.html", b"three")], []), spare=True)
    assert _tree(out) == {".alagen-build": write.MARK_TEXT, "a.html": b"two", "c/index.html": b"three"}
    assert not (spare / "b.html").exists()  # the spare was brought up to date first


def test_a_spare_that_does_not_fit_the_output_folder_is_not_used(tmp_path):
    out = tmp_path / "build"
    write.publish(write.stage((Output("a.html", b"one"),), out), spare=True)
    assert (tmp_path / ".alagen-cache/build.spare/a.html").is_file()
    shutil.rmtree(out)  # another program replaced build/ since: the spare is no copy of it
    out.mkdir()
    (out / "z.html").write_bytes(b"other")
    staged = write.update(out, [Output("b.html", b"two")], [])
    assert _tree(staged.folder) == {"z.html": b"other", "b.html": b"two"}
    assert not (tmp_path / ".alagen-cache/build.spare").exists()
    write.discard(staged)


def test_without_exchange_the_swap_is_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = tmp_path / "build"
    write.publish(write.stage((Output("a.html", b"one"),), out))
    write.publish(write.stage((Output("a.html", b"two"),), out))
    assert _tree(out) == {".alagen-build": write.MARK_TEXT, "a.html": b"two"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_the_lock_is_not_held_by_forked_workers(tmp_path):
    held = write.lock(tmp_path / "build", "build/")
    started, go = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a worker, which must not keep the folder locked once the build ends
        os.write(go, b"x")
        time.sleep(1)
        os._exit(0)
    try:
        os.read(started, 1)  # the worker runs
        held.release()
        again = write.lock(tmp_path / "build", "build/")  # and the lock is free
        again.release()
    finally:
        os.waitpid(pid, 0)
        os.close(started)
        os.close(go)


def test_stopping_at_once_names_the_folder_and_the_flag(tmp_path):
    held = write.lock(tmp_path / "build", "build/")
    try:
        with pytest.raises(write.Busy) as busy:
            write.lock(tmp_path / "build", "build/")
        assert str(busy.value) == f"another alagen build (process {os.getpid()}) is writing build/; wait for it to end, or build with --wait to wait for it"
    finally:
        held.release()


def test_a_new_sites_spare_reuses_the_last_spares_folders(tmp_path):
    out = tmp_path / "build"
    spare = tmp_path / ".alagen-cache/build.spare"
    write.publish(write.stage((Output("a/index.html", b"a"), Output("b/index.html", b"b"), Output("b/c.txt", b"c")), out), spare=True)
    kept = spare.joinpath("a").stat().st_ino
    write.publish(write.stage((Output("a/index.html", b"A"), Output("d/index.html", b"D"), Output("b", b"now a file")), out), spare=True)
    assert _tree(spare) == {**_tree(out), ".alagen-spare": (spare / ".alagen-spare").read_bytes()}
    assert all(p.stat().st_ino == (out / p.relative_to(spare)).stat().st_ino for p in spare.rglob("*") if p.is_file() and p.name != ".alagen-spare")
    assert spare.joinpath("a").stat().st_ino == kept  # the same folder, emptied and filled again
    assert sorted(p.name for p in tmp_path.iterdir()) == [".alagen-cache", "build"]
