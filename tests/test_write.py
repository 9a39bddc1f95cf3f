"""The write stage: all or nothing, and never outside the build folder. (Locking, killed
builds, the mark and full disks: tests/test_publish.py.)"""

from __future__ import annotations

import os

import pytest

from alagen.output import Output
from alagen.write import MARK, MARK_TEXT, Staged, clear_leftovers, lock, publish, stage, update


def write(outputs: tuple[Output, ...], out) -> Staged:
    """Stage, then publish: what the pipeline does around search indexing."""
    staged = stage(outputs, out)
    publish(staged)
    return staged


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_writes_every_output_and_replaces_the_old_build(tmp_path):
    out = tmp_path / "build"
    write((Output("old.html", b"old"),), out)
    source = tmp_path / "photo.png"
    source.write_bytes(b"\x89PNG")
    written = write((Output("a/index.html", b"<p>a</p>"), Output("img/photo.png", copy_from=source)), out)
    assert _tree(out) == {"a/index.html": b"<p>a</p>", "img/photo.png": b"\x89PNG", MARK: MARK_TEXT}
    assert (written.files, written.size) == (3, 12 + len(MARK_TEXT))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "photo.png"]
    assert oct(out.stat().st_mode & 0o777) == "0o755"


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../x", "a\\..\\x", ""])
def test_an_output_outside_the_build_folder_is_refused_and_nothing_changes(tmp_path, path):
    out = tmp_path / "build"
    write((Output("index.html", b"good"),), out)
    with pytest.raises(ValueError, match="outside the build folder"):
        write((Output("fine.html", b"x"), Output(path, b"bad")), out)
    with pytest.raises(ValueError, match="outside the build folder"):
        update(out, [Output("fine.html", b"x"), Output(path, b"bad")], [])
    assert _tree(out) == {"index.html": b"good", MARK: MARK_TEXT}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_failure_midway_keeps_the_previous_build(tmp_path):
    out = tmp_path / "build"
    write((Output("index.html", b"good"),), out)
    with pytest.raises(FileNotFoundError):
        write((Output("new.html", b"new"), Output("gone.png", copy_from=tmp_path / "missing.png")), out)
    with pytest.raises(FileNotFoundError):
        update(out, [Output("new.html", b"new"), Output("gone.png", copy_from=tmp_path / "missing.png")], ["index.html"])
    assert _tree(out) == {"index.html": b"good", MARK: MARK_TEXT}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_an_update_changes_only_what_it_is_told_and_removes_emptied_folders(tmp_path):
    out = tmp_path / "build"
    write((Output("index.html", b"home"), Output("a/b/index.html", b"deep"), Output("c.html", b"c")), out)
    before = (out / "c.html").stat()
    staged = update(out, [Output("index.html", b"new home"), Output("d/index.html", b"d")], ["a/b/index.html"])
    assert _tree(out) == {"index.html": b"home", "a/b/index.html": b"deep", "c.html": b"c", MARK: MARK_TEXT}  # not yet
    publish(staged)
    assert _tree(out) == {"index.html": b"new home", "d/index.html": b"d", "c.html": b"c", MARK: MARK_TEXT}
    assert not (out / "a").exists()
    after = (out / "c.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # a hard link of the same file


def test_leftovers_of_a_killed_build_are_cleared_by_the_build_holding_the_lock(tmp_path):
    (tmp_path / ".build.new-abc123").mkdir()  # from alagen before the lock: no process id
    (tmp_path / ".build.new-abc123" / "half.html").write_text("half")
    (tmp_path / f".build.new-{os.getpid()}-1a2b").mkdir()
    (tmp_path / ".build.old-999").mkdir()
    out = tmp_path / "build"
    out.mkdir()
    held = lock(out, "build/")
    try:
        clear_leftovers(out, held)
    finally:
        held.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # and the lock, released, is gone


def test_a_swap_stopped_between_its_two_renames_is_undone(tmp_path):
    """Where the two folders cannot be exchanged in one step: build/ is missing, the old site
    is beside it; the next build puts it back before anything else."""
    (tmp_path / ".build.old-999-ab").mkdir()
    (tmp_path / ".build.old-999-ab" / "index.html").write_text("old site")
    (tmp_path / ".build.new-999-cd").mkdir()
    out = tmp_path / "build"
    held = lock(out, "build/")
    try:
        clear_leftovers(out, held)
    finally:
        held.release()
    assert _tree(out) == {"index.html": b"old site"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # and the lock, released, is gone


def test_a_second_rename_that_fails_puts_the_old_site_back(tmp_path, monkeypatch):
    """Where the folders cannot be exchanged in one step, the swap is two renames: build/ to
    a name beside it, then the new folder to build/. When the second fails (a full disk, a
    folder held open on some systems), the first is undone at once: build/ is the old site."""
    import errno

    from alagen import write as write_module

    out = tmp_path / "build"
    write((Output("index.html", b"old site"),), out)
    monkeypatch.setattr(write_module, "_exchange", lambda a, b: False)
    real = os.rename

    def rename(source, target):
        if os.fspath(target) == os.fspath(out) and ".build.new-" in os.fspath(source):
            raise OSError(errno.EIO, "input/output error", os.fspath(target))
        return real(source, target)

    monkeypatch.setattr(write_module.os, "rename", rename)
    with pytest.raises(OSError):
        write((Output("index.html", b"new site"),), out)
    assert _tree(out) == {"index.html": b"old site", MARK: MARK_TEXT}
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".build.old-")]
