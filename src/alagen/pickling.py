"""Quick pickling of alagen's values: frozen dataclasses as (class, field values), mapping
proxies as dicts, time zones by name, and where each value was written (`where`: a key ->
Location mapping, of every page and record) as one flat tuple, unpacked on first use.
Loading calls the class, which is quicker than pickle's default for slotted dataclasses. Used for the build cache, which reads it back with its restricted
unpickler (state.py: only the value types it lists; a new type the cache stores goes on its
list), and for digests of values (a shared part is written once, so a YAML alias
repeated a billion times stays small)."""

from __future__ import annotations

import dataclasses
import io
import operator
import pickle
import types
from collections.abc import Mapping
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from alagen.errors import Location


def dump(value: Any) -> bytes:
    buffer = io.BytesIO()
    Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _proxy(values: dict) -> types.MappingProxyType:
    return types.MappingProxyType(values)


_EMPTY: types.MappingProxyType = types.MappingProxyType({})


def _empty() -> types.MappingProxyType:
    """The one empty mapping: most pages' `extra` and `check`, read back as one object."""
    return _EMPTY


class PackedWhere(Mapping):
    """A `where` read back from the cache: key -> Location, kept as (key, path, line, col,
    key, ...) until first used. Most pages kept by the cache never report a problem, and
    making their locations was a third of the time to read the cache."""

    __slots__ = ("packed", "_unpacked")

    def __init__(self, packed: tuple):
        self.packed = packed
        self._unpacked: dict | None = None

    def _map(self) -> dict:
        if self._unpacked is None:
            p = self.packed
            self._unpacked = {p[i]: Location(p[i + 1], p[i + 2], p[i + 3]) for i in range(0, len(p), 4)}
        return self._unpacked

    def __getitem__(self, key: str) -> Location:
        return self._map()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self.packed) // 4

    def __repr__(self) -> str:
        return f"PackedWhere({self._map()!r})"


def _packed(where: Mapping) -> tuple | None:
    """A where mapping as one flat tuple; None if it is another mapping."""
    packed: list = []
    for key, location in where.items():
        if type(location) is not Location or type(key) is not str:
            return None
        packed += (key, location.path, location.line, location.col)
    return tuple(packed)


class Pickler(pickle.Pickler):
    """Frozen dataclasses as (class, field values), mapping proxies as dicts, time zones by
    name (ZoneInfo(key) gives the shared instance): quicker to load than the default, and
    only what the cache's unpickler allows."""

    def reducer_override(self, obj):
        cls = type(obj)
        fields = _FIELDS.get(cls, _UNSEEN)
        if fields is _UNSEEN:
            fields = _FIELDS[cls] = _fields_of(cls)
        if fields is None:
            if cls is types.MappingProxyType:
                if not obj:
                    return _empty, ()
                packed = _packed(obj)
                return (PackedWhere, (packed,)) if packed else (_proxy, (dict(obj),))
            if cls is PackedWhere:
                return PackedWhere, (obj.packed,)
            if cls is ZoneInfo and obj.key:
                return ZoneInfo, (obj.key,)
            return NotImplemented
        return cls, fields(obj)


_UNSEEN = object()
_FIELDS: dict[type, Any] = {}


def _fields_of(cls: type):
    """A function giving an alagen dataclass's field values as a tuple; None for other types."""
    if not (dataclasses.is_dataclass(cls) and cls.__module__.startswith("alagen.")):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    if "where" in names:  # a record's where is a dict (pickle never asks about a dict): packed here
        at = names.index("where")
        get = operator.attrgetter(*names)

        def with_where(obj) -> tuple:
            values = get(obj)
            where = values[at]
            if type(where) is dict and where and (packed := _packed(where)):
                values = values[:at] + (PackedWhere(packed),) + values[at + 1 :]
            return values

        return with_where
    if len(names) == 1:
        return lambda obj: (getattr(obj, names[0]),)
    return operator.attrgetter(*names) if names else (lambda obj: ())


