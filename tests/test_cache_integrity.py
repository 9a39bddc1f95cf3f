"""What the build cache keeps is checked before it is used: a resized photo in
.alagen-cache/images/ that was cut short, changed or swapped for another is made again with a
warning (with or without the build cache), and a state file naming anything but the value types
alagen stores is refused, with a warning, and has no effect: the build is a clean one."""

from __future__ import annotations

import datetime as dt
import pickle
import pickletools
import shutil
import sys
from pathlib import Path

import pytest
from PIL import Image

from alagen import cache as cache_module
from alagen import pickling, state
from alagen.model.pages import Page
from alagen.pipeline import BuildOptions, build
from conftest import make_site, run_cli
from test_images import photo

REPO = Path(__file__).resolve().parent.parent
NOW = ("--now", "2025-03-01", "--no-search")

PHOTO_SITE = {
    "content/index.md": "---\ntitle: Home\n---\n![A red room](room.jpg)\n",
    "content/about.md": "---\ntitle: About\n---\n![A green hall](hall.jpg)\n",
    "content/room.jpg": photo(1000, 600),
    "content/hall.jpg": photo(900, 600, colour=(20, 200, 20)),
}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _resized(root: Path, stem: str) -> dict[int, Path]:
    """The cache files of a photo's resized copies, by width, as the published names tell."""
    found = {}
    for published in (root / "build/assets/img").glob(f"{stem}-*w.*"):
        width, key, ending = published.name.removeprefix(f"{stem}-").split(".")
        found[int(width[:-1])] = root / ".alagen-cache/images" / f"{key}.{ending}"
    return found


def _warning(cached: Path, root: Path, source: str, width: int) -> str:
    return (
        f"{cached.relative_to(root).as_posix()}: warning: this copy of {source}, {width} px wide, was damaged "
        "(cut short, changed or replaced by another file); made it again"
    )


def _fresh(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site built with an empty photo cache of its own: every photo resized now."""
    shutil.rmtree(tmp_path / "fresh", ignore_errors=True)
    out = tmp_path / "fresh/build"
    result = run_cli("build", *NOW, "--no-cache", "--out", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    return _tree(out)


def _truncate(cached: Path, other: Path) -> None:
    cached.write_bytes(cached.read_bytes()[: cached.stat().st_size // 2])


def _scramble(cached: Path, other: Path) -> None:
    data = bytearray(cached.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(reversed(data[middle : middle + 64]))  # still a JPEG that opens
    cached.write_bytes(bytes(data))


def _swap(cached: Path, other: Path) -> None:
    """Another good resized picture (the other photo's, of its own width) in its place."""
    cached.write_bytes(other.read_bytes())


def _swap_with_digest(cached: Path, other: Path) -> None:
    """The other picture together with its own digest file: the digest names what it was made as."""
    _swap(cached, other)
    Path(f"{cached}.digest").write_bytes(Path(f"{other}.digest").read_bytes())


DAMAGES = {"truncated": _truncate, "scrambled": _scramble, "swapped": _swap, "swapped-with-digest": _swap_with_digest}


@pytest.fixture
def photos(tmp_path):
    """A site with two photos, built once; returns (root, the room's cache files, the hall's)."""
    root = make_site(tmp_path / "site", PHOTO_SITE)
    first = run_cli("build", *NOW, cwd=root)
    assert first.returncode == 0, first.stderr
    room, hall = _resized(root, "room"), _resized(root, "hall")
    assert sorted(room) == [480, 800, 1000] and sorted(hall) == [480, 800, 900]
    with Image.open(hall[480]) as image:  # a swapped file is a real picture: only its digest tells
        image.verify()
    return root, room, hall


# How the next build meets the damaged file: a build that renders again with the cache (the
# page is kept and its photos are published again), --no-cache, and a build into an empty
# build/ with the photo cache kept (as CI restores .alagen-cache/images/).
WAYS = {
    "cache": lambda root: (root / "content/about.md").write_text("---\ntitle: About us\n---\n![A green hall](hall.jpg)\n"),
    "no-cache": lambda root: None,
    "restored": lambda root: (shutil.rmtree(root / "build"), (root / ".alagen-cache/build.state").unlink()),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
@pytest.mark.parametrize("way", WAYS.keys())
def test_a_damaged_resized_photo_is_made_again_with_a_warning(photos, tmp_path, damage, way):
    root, room, hall = photos
    damage(room[800], hall[480])
    WAYS[way](root)
    result = run_cli("build", *NOW, *(["--no-cache"] if way == "no-cache" else []), cwd=root)
    assert result.returncode == 0, result.stderr
    assert _warning(room[800], root, "content/room.jpg", 800) in result.stderr.splitlines()
    assert result.stderr.count("was damaged") == 1  # the other files were as they were made
    assert _tree(root / "build") == _fresh(root, tmp_path)  # what is published is a fresh resize
    again = run_cli("build", *NOW, cwd=root)
    assert again.returncode == 0 and "warning" not in again.stderr  # made again: found once, told once
    assert "0 warnings" in again.stdout
    assert _tree(root / "build") == _fresh(root, tmp_path)


def test_a_damaged_photo_is_a_warning_with_strict_too(photos, tmp_path):
    root, room, hall = photos
    _truncate(room[480], hall[480])
    result = run_cli("build", *NOW, "--strict", "--no-cache", cwd=root)
    assert result.returncode == 0, result.stderr  # not the editor's mistake
    assert _warning(room[480], root, "content/room.jpg", 480) in result.stderr.splitlines()
    assert _tree(root / "build") == _fresh(root, tmp_path)


def test_a_photo_without_its_digest_is_made_again_quietly(photos, tmp_path):
    """As an older alagen left its cache, or a build stopped between the file and its digest."""
    root, room, hall = photos
    for cached in [*room.values(), *hall.values()]:
        Path(f"{cached}.digest").unlink()
    _scramble(room[1000], hall[480])  # no digest to tell: made again anyway
    result = run_cli("build", *NOW, "--no-cache", cwd=root)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    assert _tree(root / "build") == _fresh(root, tmp_path)
    assert all(Path(f"{c}.digest").is_file() for c in [*room.values(), *hall.values()])


def test_a_damaged_photo_of_a_page_a_worker_renders_is_told_by_the_build(tmp_path):
    """Pages are rendered in forked workers from 300 on; the build that publishes the photos
    finds the damaged file and makes it again."""
    files = {f"content/p{n:03}.md": f"---\ntitle: Page {n}\n---\nText {n}.\n" for n in range(320)}
    files["content/p319.md"] = "---\ntitle: Last\n---\n![A red room](room.jpg)\n"
    root = make_site(tmp_path / "site", {**files, "content/room.jpg": photo(1000, 600)})
    assert run_cli("build", *NOW, cwd=root, env={"ALAGEN_JOBS": "2"}).returncode == 0
    room = _resized(root, "room")
    _scramble(room[800], room[480])
    result = run_cli("build", *NOW, "--no-cache", cwd=root, env={"ALAGEN_JOBS": "2"})
    assert result.returncode == 0, result.stderr
    assert _warning(room[800], root, "content/room.jpg", 800) in result.stderr.splitlines()
    assert _tree(root / "build") == _fresh(root, tmp_path)


# ---------------------------------------------------------------- the state's values --


def _global(module: str, name: str, old: bool = False) -> bytes:
    """The opcodes that push module.name: STACK_GLOBAL (protocol 4), or GLOBAL as older pickles write it."""
    if old:
        return pickle.GLOBAL + f"{module}\n{name}\n".encode()
    return _text(module) + _text(name) + pickle.STACK_GLOBAL


def _text(value: str) -> bytes:
    data = value.encode()
    return pickle.SHORT_BINUNICODE + bytes([len(data)]) + data


def _call(module: str, name: str, *args, old: bool = False) -> bytes:
    """module.name(*args), each arg a str or a list of str."""
    code = _global(module, name, old) + pickle.MARK
    for arg in args:
        code += _text(arg) if isinstance(arg, str) else pickle.EMPTY_LIST + pickle.MARK + b"".join(map(_text, arg)) + pickle.APPENDS
    return code + pickle.TUPLE + pickle.REDUCE


def _record(value: bytes) -> bytes:
    """A pickled record {"parts": {"stats": value}}: what state.read looks for."""
    code = pickle.PROTO + b"\x04" + pickle.EMPTY_DICT + _text("parts") + pickle.EMPTY_DICT + _text("stats") + value
    code += pickle.SETITEM + pickle.SETITEM + pickle.STOP
    list(pickletools.genops(code))  # well formed (read without running it)
    return code


def _write_record(file: Path, data: bytes) -> None:
    """A state file whose first line matches its bytes: only the unpickler can refuse it."""
    file.write_bytes(b"alagen-cache %d %d %s\n" % (state.FORMAT, len(data), state.digest(data).hex().encode()) + data)


def _effects(tmp_path: Path) -> dict[str, bytes]:
    """Crafted values, each of which would leave a file behind if it ran."""
    mark = str(tmp_path / "ran")
    return {
        "os.system": _call("os", "system", f"touch {mark}"),
        "posix.system": _call("posix", "system", f"touch {mark}", old=True),
        "builtins.eval": _call("builtins", "eval", f"open({mark!r}, 'w')"),
        "builtins.exec": _call("builtins", "exec", f"open({mark!r}, 'w')", old=True),
        "subprocess.Popen": _call("subprocess", "Popen", ["touch", mark]),
        "alagen.cli.main": _call("alagen.cli", "main", ["init", mark]),
        "alagen.model.pages.Path": _call("alagen.model.pages", "Path", mark),  # a module of values: not its other names
        "alagen.output.Output": _call("alagen.output", "Output", mark, mark),  # a dataclass the cache never stores
        "alagen.state._maker": _call("alagen.state", "_maker", mark),
        "alagen.state._text": _call("alagen.state", "_text", mark),  # only the model's texts, only in the model
        "copyreg._reconstructor": _call("copyreg", "_reconstructor", mark),
    }


def _crafted_site(tmp_path: Path) -> Path:
    root = make_site(tmp_path / "site", {"content/index.md": "---\ntitle: Home\n---\nWelcome.\n"})
    return root


def _options(root: Path) -> BuildOptions:
    return BuildOptions(root=root, now=dt.date(2025, 3, 1), search=False)


@pytest.mark.parametrize("name", list(_effects(Path("x"))))
def test_a_state_naming_anything_else_is_refused_and_does_nothing(tmp_path, name):
    root = _crafted_site(tmp_path)
    build(_options(root))
    cache_module._memory.clear()  # as a new process
    _write_record(root / ".alagen-cache/build.state", _record(_effects(tmp_path)[name]))
    modules = set(sys.modules)
    report = build(_options(root))
    assert report.notes == (
        f"warning: the build cache .alagen-cache/build.state names {name}, which is not a value alagen stores "
        "(the file was made by something else); it was ignored and everything was built",
    )
    assert report.kept == 0 and "Welcome." in (root / "build/index.html").read_text()
    assert not (tmp_path / "ran").exists()  # nothing it named ran
    assert {m for m in set(sys.modules) - modules if m.startswith("alagen")} == set()  # nothing was imported


def test_a_part_naming_anything_else_is_refused_and_does_nothing(tmp_path):
    """A part whose digest in the record matches: the unpickler alone stands in the way."""
    root = _crafted_site(tmp_path)
    build(_options(root))
    cache_module._memory.clear()
    file = root / ".alagen-cache/build.state"
    record, parts = state.read(file)
    crafted = pickle.PROTO + b"\x04" + _call("os", "system", f"touch {tmp_path / 'ran'}") + pickle.STOP
    part = state.Part.of("model", crafted)
    (state.parts_folder(file) / part.file).write_bytes(crafted)
    record["parts"]["model"] = part.entry()
    _write_record(file, pickling.dump(record))
    (root / "content/index.md").write_text("---\ntitle: Home\n---\nHello.\n")  # the model is read for this
    report = build(_options(root))
    assert report.notes == (
        "warning: the build cache .alagen-cache/build.state names os.system, which is not a value alagen stores "
        "(the file was made by something else); it was ignored and everything was built",
    )
    assert not (tmp_path / "ran").exists()
    assert "Hello." in (root / "build/index.html").read_text()


@pytest.mark.parametrize("entry", [
    pickle.MARK + _text("stats.part") + pickle.TUPLE,  # not a name, a length and a digest
    pickle.MARK + _text("../../../outside.part") + pickle.BININT1 + b"\x01" + pickle.SHORT_BINBYTES + b"\x10" + bytes(16) + pickle.TUPLE,
], ids=["one-value", "outside"])
def test_a_record_naming_a_part_it_cannot_have_is_damaged(tmp_path, entry):
    root = _crafted_site(tmp_path)
    build(_options(root))
    cache_module._memory.clear()
    _write_record(root / ".alagen-cache/build.state", _record(entry))
    assert len(pickle.loads(_record(entry))["parts"]["stats"]) in (1, 3)  # plain values: safe to load here
    with pytest.raises(state.Damaged):
        state.read(root / ".alagen-cache/build.state")
    report = build(_options(root))
    assert report.notes == ("warning: the build cache .alagen-cache/build.state is damaged; it was ignored and everything was built",)


def test_the_command_refuses_a_state_naming_alagen_main(tmp_path):
    """The issue's file: importing alagen.__main__ ran a second build inside the first."""
    root = _crafted_site(tmp_path)
    assert run_cli("build", *NOW, cwd=root).returncode == 0
    _write_record(root / ".alagen-cache/build.state", _record(_call("alagen.__main__", "run")))
    result = run_cli("build", *NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "alagen: warning: the build cache .alagen-cache/build.state names alagen.__main__.run, which is not a value "
        "alagen stores (the file was made by something else); it was ignored and everything was built\n"
    )
    assert result.stdout.count("Built build/") == 1 and "pages unchanged" not in result.stdout  # one build, a clean one


@pytest.mark.parametrize("target", ["alagen.pickling PackedWhere", "pathlib PosixPath", "alagen.model.pages Page"])
def test_a_state_cannot_change_a_class_it_may_name(target):
    """pickle's BUILD sets attributes on what is on its stack, the class a file names too."""
    module, name = target.split()
    state.load(pickling.dump(Page_of()))  # its maker is made, and kept
    maker = state._makers[Page]
    before = {key: getattr(cls, key, None) for cls in (pickling.PackedWhere, Path, type(Path()), maker)
              for key in ("__len__", "__fspath__", "__kwdefaults__")}
    for attribute in ("__len__", "__fspath__", "__kwdefaults__", "__setstate__"):
        slots = pickle.NONE + pickle.EMPTY_DICT + _text(attribute) + _global("builtins", "set") + pickle.SETITEM
        crafted = pickle.PROTO + b"\x04" + _global(module, name) + slots + pickle.TUPLE2 + pickle.BUILD + pickle.STOP
        with pytest.raises(state.Damaged):
            state.load(crafted)
    after = {key: getattr(cls, key, None) for cls in (pickling.PackedWhere, Path, type(Path()), maker)
             for key in ("__len__", "__fspath__", "__kwdefaults__")}
    assert after == before
    assert len(pickling.PackedWhere(("k", "a.md", 1, 2))) == 1  # as it was
    assert state.load(pickling.dump(Page_of())) == Page_of()


def Page_of() -> Page:
    return Page(source="content/a.md", url="/a/", output="a/index.html", title="A", layout="page", body="Text.", body_line=1)


# ------------------------------------------------------------ the list is the real one --


def test_every_value_type_listed_is_a_dataclass_of_its_module():
    import dataclasses
    import importlib

    for module, names in state.VALUE_TYPES.items():
        for name in names:
            cls = getattr(importlib.import_module(module), name)
            assert dataclasses.is_dataclass(cls) and (cls.__module__, cls.__qualname__) == (module, name)


def _names_in(cache: Path, monkeypatch) -> set[tuple[str, str]]:
    """Every name the unpickler is asked for while the record and all its parts are read."""
    asked: set[tuple[str, str]] = set()
    real = state._Unpickler.find_class

    def find_class(self, module, name):
        asked.add((module, name))
        return real(self, module, name)

    monkeypatch.setattr(state._Unpickler, "find_class", find_class)
    file = cache / "build.state"
    record, parts = state.read(file)
    state.read_stats(file, record, parts)
    for kind, part in parts.items():
        if kind != "stats":
            state.load(part.data(state.parts_folder(file)), lambda source: "", cache.parent)
    return asked


def test_real_caches_name_exactly_the_listed_types(tmp_path, monkeypatch):
    """The demo (pages, every kind of record, menus, divisions, topics, redirects, photos) and a
    site with warnings: everything they store is listed, and everything listed is stored."""
    demo = tmp_path / "demo"
    for folder in ("content", "data", "layouts"):
        shutil.copytree(REPO / folder, demo / folder)
    result = run_cli("build", *NOW, cwd=demo)
    assert result.returncode == 0, result.stderr
    warned = make_site(tmp_path / "warned", {
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "data/events.yaml": "- {id: f, title: 'Forum: Forum: budgets', kind: meeting, start: 2025-04-02, summary: S.}\n",
    })
    result = run_cli("build", *NOW, cwd=warned)
    assert result.returncode == 0 and "repeats its own first words" in result.stderr
    asked = _names_in(demo / ".alagen-cache", monkeypatch) | _names_in(warned / ".alagen-cache", monkeypatch)
    alagen_types = {(m, n) for m, names in state.VALUE_TYPES.items() for n in names}
    allowed = alagen_types | set(state.STANDARD_TYPES) | set(state._HELPERS) | {state._TEXT, state._SITE_PATH}
    assert asked <= allowed
    assert alagen_types <= asked  # no type is listed that the cache does not store
    page = demo / "content/about/index.md"
    page.write_text(page.read_text() + "\nOne more line.\n")  # a new process reads the cache's parts
    again = run_cli("build", *NOW, cwd=demo)
    assert again.returncode == 0 and "warning" not in again.stderr, again.stderr
    assert "pages unchanged" in again.stdout


# ------------------------------------------------------------------- state parts --


def test_swapped_parts_are_found_by_their_digest(tmp_path):
    root = make_site(tmp_path / "site", {f"content/p{n}.md": f"---\ntitle: P{n}\n---\nText {n}.\n" for n in range(40)})
    build(_options(root))
    cache_module._memory.clear()
    folder = root / ".alagen-cache/build.parts"
    first, second = sorted(folder.glob("documents-*.part"))[:2]
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)
    second.write_bytes(one)  # each a good part, in the other's place
    (root / "content/p0.md").write_text("---\ntitle: P0\n---\nChanged.\n")
    report = build(_options(root))
    assert report.notes == ("warning: the build cache .alagen-cache/build.state is damaged; it was ignored and everything was built",)
    assert report.kept == 0 and "Changed." in (root / "build/p0/index.html").read_text()
