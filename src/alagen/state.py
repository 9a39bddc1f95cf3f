"""The build cache on disk: a small record that every build reads, and parts that only a
build with something to do reads.

    .alagen-cache/build.state         'alagen-cache FORMAT LENGTH CRC', a newline, the record
    .alagen-cache/build.parts/*.part  the parts it names: the stats of files, the site's
                                      model, documents, page texts, renders

The record (a pickled dict) holds the options, digests and report of the last build, what
changed in the stats of files since their base part (the stat of every source and output
file and output folder: what a build needs to see whether anything changed), and names each
part with its length and checksum. A part is never changed: a build writes the parts that
changed as new files, then replaces the record (one rename), then removes the parts no
record names, so a build stopped at any point leaves the old record with its parts, or the
new one with its parts.

Values are read with a restricted unpickler that makes only alagen's own value types, and
the stats with marshal, which makes only Python's plain values: a crafted file cannot run
code. A file whose length or checksum does not match is damaged (Damaged), and a damaged
cache is never trusted.
"""

from __future__ import annotations

import dataclasses
import io
import marshal
import os
import pickle
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from alagen.pickling import Pickler, dump

FORMAT = 2
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


class _Unpickler(pickle.Unpickler):
    _ALLOWED = {
        ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
        ("datetime", "timezone"), ("decimal", "Decimal"), ("zoneinfo", "ZoneInfo"), ("zoneinfo._zoneinfo", "ZoneInfo"),
        ("pathlib", "PosixPath"), ("pathlib", "PureWindowsPath"), ("pathlib", "WindowsPath"), ("pathlib", "PurePosixPath"),
        ("alagen.pickling", "_proxy"), ("alagen.pickling", "_empty"), ("alagen.pickling", "PackedWhere"),
        ("builtins", "frozenset"), ("builtins", "set"),
    }

    def __init__(self, data: bytes, texts: Callable[[str], str] | None = None):
        super().__init__(io.BytesIO(data))
        self._texts = texts

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        if (module, name) == ("alagen.state", "_text") and self._texts is not None:
            return self._texts  # a page's text, kept apart from the model (see dump_model)
        if module.startswith("alagen.") and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return _maker(found)
        raise pickle.UnpicklingError(f"{module}.{name} is not a value alagen stores")


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


def load(data: bytes, texts: Callable[[str], str] | None = None) -> Any:
    """Unpickle a record or part (only alagen's value types); raise Damaged for anything wrong."""
    try:
        return _Unpickler(data, texts).load()
    except Exception as err:  # anything at all: a damaged file is never trusted
        raise Damaged(str(err)) from err


# ---------------------------------------------------------------------- parts --


class Part:
    """One file of the cache's parts folder: its name, length and checksum, and its bytes
    once read (or written by this process)."""

    __slots__ = ("file", "length", "crc", "_data")

    def __init__(self, file: str, length: int, crc: int, data: bytes | None = None):
        self.file, self.length, self.crc, self._data = file, length, crc, data

    @classmethod
    def of(cls, kind: str, data: bytes) -> Part:
        crc = zlib.crc32(data)
        return cls(f"{kind}.{crc:08x}.{len(data)}.part", len(data), crc, data)

    def data(self, folder: Path) -> bytes:
        if self._data is None:
            try:
                data = (folder / self.file).read_bytes()
            except OSError as err:
                raise Damaged(f"{self.file} cannot be read ({err.strerror})") from err
            if len(data) != self.length or zlib.crc32(data) != self.crc:
                raise Damaged(f"{self.file} does not match its checksum")
            self._data = data
        return self._data

    def release(self) -> None:
        """Forget the bytes (they are in the file): a part read into memory is not kept twice."""
        self._data = None

    def entry(self) -> tuple[str, int, int]:
        return (self.file, self.length, self.crc)


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


def dump_model(value: Any, texts: Mapping[str, str], page_type: type) -> bytes:
    """Pickle the site's model with every page's text (its Markdown body) written as a
    reference to its file: an edit of a page's text leaves these bytes as they are."""
    names = tuple(f.name for f in dataclasses.fields(page_type) if f.init)
    body = names.index("body")
    source = names.index("source")

    class TextPickler(Pickler):
        def reducer_override(self, obj):
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


def load_model(data: bytes, text: Callable[[str], str | None]) -> Any:
    """The model dumped by dump_model, with `text(source)` for each page's text (Damaged
    when it gives None)."""

    def checked(source: str) -> str:
        found = text(source)
        if found is None:
            raise Damaged(f"the text of {source} is missing")
        return found

    return load(data, checked)


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
        version, length, crc = (int(x) for x in fields[1:])
    except ValueError:
        raise Damaged("not an alagen cache") from None
    if version != FORMAT:
        raise Foreign(f"format {version}")
    if len(rest) != length or zlib.crc32(rest) != crc:
        raise Damaged("the checksum does not match")
    record = load(rest)
    if not isinstance(record, dict) or not isinstance(record.get("parts"), dict) or "stats" not in record["parts"]:
        raise Damaged("no build record")
    parts = {name: Part(*entry) for name, entry in record["parts"].items()}
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
    header = b" ".join([MAGIC, str(FORMAT).encode(), str(len(data)).encode(), str(zlib.crc32(data)).encode()])
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
