"""The build cache on disk: a small record that every build reads, and parts that only a
build with something to do reads.

    .alagen-cache/build.state         'alagen-cache FORMAT LENGTH DIGEST', a newline, the record
    .alagen-cache/build.parts/*.part  the parts it names: the stats of files, the site's
                                      model, documents, page texts, renders

The record (a pickled dict) holds the options, digests and report of the last build, what
changed in the stats of files since their base part (the stat of every source and output
file and output folder: what a build needs to see whether anything changed), and names each
part with its length and digest. A part is never changed: a build writes the parts that
changed as new files, then replaces the record (one rename), then removes the parts no
record names, so a build stopped at any point leaves the old record with its parts, or the
new one with its parts.

Every file carries a digest (blake2b) checked before it is used: the record's in its first
line, each part's in the record, beside its length. A file whose length or digest does not
match is damaged (Damaged), and a damaged cache is never trusted: it is ignored, with a
warning, and made again by the build.

Values are read with a restricted unpickler that makes only the value types listed in
VALUE_TYPES and STANDARD_TYPES (found without importing any module a file names), and the
stats with marshal, which makes only Python's plain values: a crafted file cannot run code,
import a module or change a class; naming anything else makes it damaged (Refused).
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import marshal
import os
import pickle
import types
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from alagen import pickling
from alagen.pickling import Pickler, dump

FORMAT = 3  # 3: blake2b digests instead of CRC-32 checksums; only the listed value types
MAGIC = b"alagen-cache"
# The record's stats of files (path -> tuple of numbers): tens of thousands of plain values,
# kept with marshal, which writes and reads them quicker than pickle (and makes nothing but
# Python's own plain values). They are kept as a base (the "stats" part) and what changed
# since (in the record), so a build that changed a few files writes a few stats.
STATS = ("inputs", "outputs", "folders")
BASE = "stats base"  # in a record read: (the base's part, its stats), for the next write
_NEW_BASE = 0.1  # a new base once the changes are this share of it
SHARDS = 64  # a store of many entries is kept in this many parts: one changed entry rewrites one part


class Damaged(Exception):
    """A cache file is not what its record says (cut short, changed, unreadable)."""


class Foreign(Exception):
    """The cache was written by another version of alagen (another format)."""


# ---------------------------------------------------------------------- reading --


class Refused(Damaged):
    """A cache file names something that is not a value alagen stores (a module, a
    function, a class of another library): crafted, or made by something else."""

    def __init__(self, module: str, name: str):
        self.name = f"{module}.{name}"
        super().__init__(f"{self.name} is not a value alagen stores")


# The value types the cache stores, and nothing else: alagen's (frozen dataclasses, made
# slot by slot) by module, and the standard library's. A module is imported only when a
# file names a type listed here (never because a file names it). tests/test_cache_integrity.py
# checks that every type listed is a dataclass of its module and is found in real caches,
# and that real caches name nothing else; a type missing here makes every cache that holds
# it "damaged" (ignored with a warning), never a crash or a wrong site.
VALUE_TYPES: dict[str, tuple[str, ...]] = {
    "alagen.clock": ("Clock",),
    "alagen.errors": ("Location", "Problem"),
    "alagen.load": ("StaticFile",),
    "alagen.model.divisions": ("Division",),
    "alagen.model.menus": ("MenuColumn", "MenuItem"),
    "alagen.model.pages": ("Page", "Pager"),
    "alagen.model.records": ("Award", "Current", "Event", "Job", "Place", "Publication", "Records", "Winner"),
    "alagen.model.redirects": ("Redirect",),
    "alagen.model.settings": ("Settings",),
    "alagen.model.site": ("Site",),
    "alagen.model.topics": ("Topic",),
}
# Standard value types, as pickle names them (pickling.py writes mapping proxies, `where`
# mappings and time zones its own way, below), and where each is: a module is imported when
# a file names one of its types (the look-ahead worker of `alagen build` reads a record that
# has none). Sets are written with their own opcodes; named by module, they are allowed too.
STANDARD_TYPES: dict[tuple[str, str], tuple[str, str]] = {
    ("datetime", "date"): ("datetime", "date"),
    ("datetime", "datetime"): ("datetime", "datetime"),
    ("datetime", "time"): ("datetime", "time"),
    ("datetime", "timedelta"): ("datetime", "timedelta"),
    ("datetime", "timezone"): ("datetime", "timezone"),
    ("decimal", "Decimal"): ("decimal", "Decimal"),
    ("zoneinfo", "ZoneInfo"): ("zoneinfo", "ZoneInfo"),
    ("zoneinfo._zoneinfo", "ZoneInfo"): ("zoneinfo", "ZoneInfo"),  # as the pure-Python one names itself
    ("pathlib", "PosixPath"): ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"): ("pathlib", "WindowsPath"),
    ("pathlib", "PurePosixPath"): ("pathlib", "PurePosixPath"),
    ("pathlib", "PureWindowsPath"): ("pathlib", "PureWindowsPath"),
    ("builtins", "frozenset"): ("builtins", "frozenset"),
    ("builtins", "set"): ("builtins", "set"),
}
_HELPERS = {  # how pickling.py writes mapping proxies and `where` mappings
    ("alagen.pickling", "_proxy"): pickling._proxy,
    ("alagen.pickling", "_empty"): pickling._empty,
    ("alagen.pickling", "PackedWhere"): pickling.PackedWhere,
}
_TEXT = ("alagen.state", "_text")  # a page's text, kept apart from the model (see dump_model)
_SITE_PATH = ("alagen.state", "_site_path")  # a path inside the site, kept relative (see dump_model)


def _refuse_build(state: Any) -> None:
    raise pickle.UnpicklingError("a value alagen stores is never changed after it is made")


def _guarded(make: Callable) -> Callable:
    """What the unpickler is given for a name it allows. pickle's BUILD sets the attributes
    of whatever is on its stack, a class or function named by the file too: a crafted file
    could change a class for the whole process. So a class of Python code is never given
    out, only a function that makes its values, and each function (a copy, used by the
    unpickler alone) has a __setstate__ that refuses BUILD. Immutable types (date, Decimal,
    set, ZoneInfo, ...) are given as they are: nothing can be set on them."""
    if isinstance(make, type):
        if make.__flags__ & _IMMUTABLE_TYPE:
            return make
        cls = make

        def make(*args):
            return cls(*args)

    else:
        make = _copy(make)
    make.__setstate__ = _refuse_build
    return make


_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE


def _copy(function: types.FunctionType) -> types.FunctionType:
    made = types.FunctionType(function.__code__, function.__globals__, function.__name__, function.__defaults__, function.__closure__)
    made.__kwdefaults__ = dict(function.__kwdefaults__) if function.__kwdefaults__ else None
    return made


_allowed: dict[tuple[str, str], Callable] = {}


def _allowed_maker(module: str, name: str) -> Callable | None:
    """What makes a value of the type the file names, if the type is listed; else None."""
    key = (module, name)
    found = _allowed.get(key)
    if found is None:
        if key in STANDARD_TYPES:
            where, attribute = STANDARD_TYPES[key]
            found = getattr(importlib.import_module(where), attribute)
        elif key in _HELPERS:
            found = _HELPERS[key]
        elif name in VALUE_TYPES.get(module, ()):
            cls = getattr(importlib.import_module(module), name)  # one of alagen's modules of values
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module):
                return None
            found = _maker(cls)
        else:
            return None
        found = _allowed[key] = _guarded(found)
    return found


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, texts: Callable[[str], str] | None = None, root: Path | None = None):
        super().__init__(io.BytesIO(data))
        if texts is not None:  # a function of this load alone (see load_model)
            texts.__setstate__ = _refuse_build
        self._texts = texts
        self._in_site = None
        if root is not None:

            def in_site(relative: str) -> Path:
                return root / relative

            in_site.__setstate__ = _refuse_build
            self._in_site = in_site

    def find_class(self, module: str, name: str):
        found = _allowed_maker(module, name)
        if found is not None:
            return found
        if (module, name) == _TEXT and self._texts is not None:
            return self._texts
        if (module, name) == _SITE_PATH and self._in_site is not None:
            return self._in_site
        raise Refused(module, name)


_makers: dict[type, Any] = {}


def _maker(cls: type):
    """What makes a stored dataclass from its field values (pickling.py stores them in order):
    for a slotted one, a function that sets each slot without calling __init__, as pickle
    makes objects, a third quicker than the class (the cache holds tens of thousands of
    pages); the class itself when __init__ would do more than set its fields."""
    if cls not in _makers:
        fields = dataclasses.fields(cls)
        names = [f.name for f in fields]
        if hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__ or not all(f.init for f in fields) or not names:
            _makers[cls] = cls
        else:
            scope = {"new": object.__new__, "cls": cls, **{f"set{n}": getattr(cls, name).__set__ for n, name in enumerate(names)}}
            setters = ", ".join(f"set{n}=set{n}" for n in range(len(names)))
            lines = [f"def make({', '.join(f'v{n}' for n in range(len(names)))}, *, new=new, cls=cls, {setters}):", "    made = new(cls)"]
            lines += [f"    set{n}(made, v{n})" for n in range(len(names))]
            exec("\n".join(lines + ["    return made"]), scope)
            _makers[cls] = scope["make"]
    return _makers[cls]


def load(data: bytes, texts: Callable[[str], str] | None = None, root: Path | None = None) -> Any:
    """Unpickle a record or part (only the value types listed above); raise Damaged for
    anything wrong (Refused: it names something else)."""
    try:
        return _Unpickler(data, texts, root).load()
    except Damaged:
        raise
    except Exception as err:  # anything at all: a damaged file is never trusted
        raise Damaged(str(err)) from err


# ---------------------------------------------------------------------- parts --


def digest(data: bytes) -> bytes:
    """What a cache file's bytes are checked against before they are used."""
    return blake2b(data, digest_size=16).digest()


try:  # hashlib's blake2b, without loading OpenSSL (3 ms of the look-ahead worker's start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b


class Part:
    """One file of the cache's parts folder: its name, length and digest, and its bytes
    once read (or written by this process)."""

    __slots__ = ("file", "length", "digest", "_data")

    def __init__(self, file: str, length: int, digest: bytes, data: bytes | None = None):
        if not (type(file) is str and type(length) is int and type(digest) is bytes and len(digest) == 16):
            raise Damaged("a part's entry is not a name, a length and a digest")
        if "/" in file or "\\" in file or file.startswith(".") or not file.endswith(".part"):
            raise Damaged(f"{file!r} is not the name of a part")
        self.file, self.length, self.digest, self._data = file, length, digest, data

    @classmethod
    def of(cls, kind: str, data: bytes) -> Part:
        found = digest(data)
        return cls(f"{kind}.{found[:8].hex()}.{len(data)}.part", len(data), found, data)

    def data(self, folder: Path) -> bytes:
        if self._data is None:
            try:
                data = (folder / self.file).read_bytes()
            except OSError as err:
                raise Damaged(f"{self.file} cannot be read ({err.strerror})") from err
            if len(data) != self.length or digest(data) != self.digest:
                raise Damaged(f"{self.file} does not match its digest")
            self._data = data
        return self._data

    def release(self) -> None:
        """Forget the bytes (they are in the file): a part read into memory is not kept twice."""
        self._data = None

    def entry(self) -> tuple[str, int, bytes]:
        return (self.file, self.length, self.digest)


class Shards:
    """A mapping kept in SHARDS parts by key, each part read on first need. A store made from
    another with `derive()` shares its parts until it changes one, so the last build's store
    stays as it was if this build fails; `parts()` writes only the parts that changed."""

    def __init__(self, kind: str, folder: Path, parts: Mapping[int, Part] | None = None):
        self.kind, self.folder = kind, folder
        self._parts: dict[int, Part | None] = dict(parts or {})
        self._values: dict[int, dict] = {}  # the shards read (or changed) so far
        self._own: set[int] = set()  # shards this store changed: not shared with the one it came from
        self.damaged = False  # a part could not be read: its entries are missing
        self._base: Shards | None = None  # the store this one was derived from

    @staticmethod
    def number(key: str) -> int:
        return zlib.crc32(key.encode()) % SHARDS

    def derive(self) -> Shards:
        other = Shards(self.kind, self.folder, self._parts)
        other._base = self
        return other

    def _shard(self, number: int) -> dict:
        if number not in self._values and self._base is not None and number not in self._own:
            self._values[number] = self._base._shard(number)  # shared until changed
            self.damaged |= self._base.damaged
        if number not in self._values:
            part = self._parts.get(number)
            try:
                value = load(part.data(self.folder)) if part is not None else {}
                if not isinstance(value, dict):
                    raise Damaged(f"a {self.kind} part holds no entries")
            except Damaged:
                self.damaged, value = True, {}
                self._parts[number] = None  # written again, without what it held
                self._own.add(number)
            if part is not None:
                part.release()  # its entries are in memory now
            self._values[number] = value
        return self._values[number]

    def _writable(self, number: int) -> dict:
        shard = self._shard(number)
        if number not in self._own:
            shard = self._values[number] = dict(shard)
            self._own.add(number)
            self._parts[number] = None  # to be written
        return shard

    def get(self, key: str) -> Any:
        return self._shard(self.number(key)).get(key)

    def set(self, key: str, value: Any) -> None:
        number = self.number(key)
        if self._shard(number).get(key) is not value:
            self._writable(number)[key] = value

    def drop(self, keys: Iterable[str]) -> None:
        for key in keys:
            number = self.number(key)
            if key in self._shard(number):
                del self._writable(number)[key]

    def items(self) -> Iterator[tuple[str, Any]]:
        for number in range(SHARDS):
            yield from self._shard(number).items()

    def keys(self) -> set[str]:
        return {key for key, _ in self.items()}

    def parts(self) -> dict[str, Part]:
        """Every part of the store, new ones made from the shards that changed. The store no
        longer refers to the one it was derived from (which can go)."""
        if self._base is not None:
            for number, value in self._base._values.items():
                self._values.setdefault(number, value)
            self._base = None
        found = {}
        for number in range(SHARDS):
            part = self._parts.get(number)
            if part is None and number in self._values:
                shard = self._values[number]
                if not shard:
                    continue
                part = self._parts[number] = Part.of(f"{self.kind}-{number}", dump(shard))
            if part is not None:
                found[f"{self.kind}-{number}"] = part
        return found


def shards_of(kind: str, folder: Path, parts: Mapping[str, Part]) -> Shards:
    prefix = kind + "-"
    return Shards(kind, folder, {int(name[len(prefix):]): p for name, p in parts.items() if name.startswith(prefix)})


# ---------------------------------------------------------------------- the model --


def _text(source: str) -> str:
    """Stands in for a page's text in a pickled model; the unpickler gives the text itself."""
    raise RuntimeError("only the cache's unpickler reads page texts")


def _site_path(relative: str) -> Path:
    """Stands in for a path inside the site; the unpickler joins it to the site's root."""
    raise RuntimeError("only the cache's unpickler reads site paths")


def dump_model(value: Any, texts: Mapping[str, str], page_type: type, root: Path) -> bytes:
    """Pickle the site's model with every page's text (its Markdown body) written as a
    reference to its file: an edit of a page's text leaves these bytes as they are. A path
    inside `root` (a static file's) is written relative to it: the model read back in a
    clone of the site elsewhere (CI restores the cache into a fresh checkout) names that
    clone's files."""
    names = tuple(f.name for f in dataclasses.fields(page_type) if f.init)
    body = names.index("body")
    source = names.index("source")
    path_type = type(root)

    class TextPickler(Pickler):
        def reducer_override(self, obj):
            if type(obj) is path_type and obj.is_relative_to(root):
                return _site_path, (obj.relative_to(root).as_posix(),)
            reduced = super().reducer_override(obj)
            if type(obj) is page_type:
                fields = reduced[1]
                text = texts.get(fields[source])
                # The page's own text, not an equal one: listings made from an editor's page
                # share its text object, and its later pages have "" (never a reference).
                if text and fields[body] is text:
                    reduced = (page_type, fields[:body] + (_TextOf(fields[source]),) + fields[body + 1 :])
            return reduced

    buffer = io.BytesIO()
    TextPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _TextOf:
    __slots__ = ("source",)

    def __init__(self, source: str):
        self.source = source

    def __reduce__(self):
        return _text, (self.source,)


def load_model(data: bytes, text: Callable[[str], str | None], root: Path) -> Any:
    """The model dumped by dump_model, with `text(source)` for each page's text (Damaged
    when it gives None) and its paths inside the site below `root`."""

    def checked(source: str) -> str:
        found = text(source)
        if found is None:
            raise Damaged(f"the text of {source} is missing")
        return found

    return load(data, checked, root)


# ---------------------------------------------------------------------- the record --


def read(file: Path) -> tuple[dict, dict[str, Part]]:
    """The record and its parts (not read yet). Raises FileNotFoundError, OSError, Foreign or
    Damaged."""
    raw = file.read_bytes()
    header, _, rest = raw.partition(b"\n")
    fields = header.split(b" ")
    if len(fields) != 4 or fields[0] != MAGIC:
        raise Damaged("not an alagen cache")
    try:
        version, length = int(fields[1]), int(fields[2])
    except ValueError:
        raise Damaged("not an alagen cache") from None
    if version != FORMAT:
        raise Foreign(f"format {version}")
    if len(rest) != length or digest(rest).hex().encode() != fields[3]:
        raise Damaged("the digest does not match")
    record = load(rest)
    if not isinstance(record, dict) or not isinstance(record.get("parts"), dict) or "stats" not in record["parts"]:
        raise Damaged("no build record")
    try:
        parts = {name: Part(*entry) for name, entry in record["parts"].items()}
    except TypeError as err:
        raise Damaged("a part's entry is not a name, a length and a digest") from err
    return record, parts


def read_stats(file: Path, record: dict, parts: Mapping[str, Part]) -> None:
    """Put the stats of files (STATS) into a record from `read`, from their base part and the
    changes the record holds. Raises Damaged."""
    if BASE in record:
        return
    base = _stats(parts["stats"].data(parts_folder(file)))
    changed, removed = _stats(record.pop("stats")), record.pop("removed", ())
    for name, old, new in zip(STATS, base, changed):
        merged = dict(old)
        merged.update(new)
        for key in removed[STATS.index(name)] if removed else ():
            merged.pop(key, None)
        record[name] = merged
    record[BASE] = (parts["stats"], base)


def _stats(data: bytes) -> tuple[dict, ...]:
    """Stats written with marshal: one mapping for each of STATS."""
    try:
        found = marshal.loads(data)
    except (EOFError, ValueError, TypeError) as err:
        raise Damaged(str(err)) from err
    if not isinstance(found, tuple) or len(found) != len(STATS) or not all(isinstance(f, dict) for f in found):
        raise Damaged("no stats of files")
    return found


_GONE = object()


def write(file: Path, record: dict, parts: Mapping[str, Part], previous: dict | None = None) -> None:
    """Write the parts that are new, then the record naming them, then remove the parts no
    longer named. `previous`: the record this build began from (its stats are the base of
    this one's). Raises OSError (and leaves the last cache as it was)."""
    folder = parts_folder(file)
    folder.mkdir(parents=True, exist_ok=True)
    for part in parts.values():
        target = folder / part.file
        if part._data is not None and not target.exists():
            _write_new(target, part._data)
    stats = tuple(record[name] for name in STATS)
    base = (previous or {}).get(BASE)
    changed = removed = ()
    if base is not None:
        changed = tuple({k: v for k, v in new.items() if old.get(k, _GONE) != v} for new, old in zip(stats, base[1]))
        removed = tuple(old.keys() - new.keys() for new, old in zip(stats, base[1]))
    if base is None or sum(map(len, changed + removed)) > _NEW_BASE * sum(map(len, base[1])):
        base = (Part.of("stats", marshal.dumps(stats)), stats)
        changed, removed = ({},) * len(STATS), (set(),) * len(STATS)
        _write_new(folder / base[0].file, base[0]._data)
    rest = {name: value for name, value in record.items() if name not in STATS and name != BASE}
    named = {**parts, "stats": base[0]}
    data = dump({**rest, "stats": marshal.dumps(changed), "removed": removed, "parts": {n: p.entry() for n, p in named.items()}})
    header = b" ".join([MAGIC, str(FORMAT).encode(), str(len(data)).encode(), digest(data).hex().encode()])
    _write_new(file, header + b"\n" + data)
    record[BASE] = base
    named = {part.file for part in named.values()}
    for entry in os.scandir(folder):
        if entry.name not in named:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def parts_folder(file: Path) -> Path:
    return file.with_name(file.name.removesuffix(".state") + ".parts")


def _write_new(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
