"""The write stage: all or nothing, and never outside the build folder."""

from __future__ import annotations

import pytest

from alagen.output import Output
from alagen.write import Staged, publish, stage


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
    assert _tree(out) == {"a/index.html": b"<p>a</p>", "img/photo.png": b"\x89PNG"}
    assert (written.files, written.size) == (2, 12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "photo.png"]
    assert oct(out.stat().st_mode & 0o777) == "0o755"


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../x", "a\\..\\x", ""])
def test_an_output_outside_the_build_folder_is_refused_and_nothing_changes(tmp_path, path):
    out = tmp_path / "build"
    write((Output("index.html", b"good"),), out)
    with pytest.raises(ValueError, match="outside the build folder"):
        write((Output("fine.html", b"x"), Output(path, b"bad")), out)
    assert _tree(out) == {"index.html": b"good"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_failure_midway_keeps_the_previous_build(tmp_path):
    out = tmp_path / "build"
    write((Output("index.html", b"good"),), out)
    with pytest.raises(FileNotFoundError):
        write((Output("new.html", b"new"), Output("gone.png", copy_from=tmp_path / "missing.png")), out)
    assert _tree(out) == {"index.html": b"good"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_leftovers_of_a_killed_build_are_cleared(tmp_path):
    (tmp_path / ".build.new-abc123").mkdir()
    (tmp_path / ".build.new-abc123" / "half.html").write_text("half")
    (tmp_path / ".build.old-999").mkdir()
    write((Output("index.html", b"ok"),), tmp_path / "build")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
