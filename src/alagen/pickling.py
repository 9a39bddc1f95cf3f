"""Quick pickling of alagen's values: frozen dataclasses as (class, field values), mapping
proxies as dicts. Loading calls the class, which is quicker than pickle's default for
slotted dataclasses. Used for the build cache, which reads it back with its restricted
unpickler, and for digests of values (a shared part is written once, so a YAML alias
repeated a billion times stays small)."""

from __future__ import annotations

import dataclasses
import io
import operator
import pickle
import types
from typing import Any


def dump(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _proxy(values: dict) -> types.MappingProxyType:
    return types.MappingProxyType(values)


class _Pickler(pickle.Pickler):
    """Frozen dataclasses as (class, field values), mapping proxies as dicts: quicker to
    load than the default, and only what _Unpickler allows."""

    def reducer_override(self, obj):
        cls = type(obj)
        fields = _FIELDS.get(cls, _UNSEEN)
        if fields is _UNSEEN:
            fields = _FIELDS[cls] = _fields_of(cls)
        if fields is None:
            if cls is types.MappingProxyType:
                return _proxy, (dict(obj),)
            return NotImplemented
        return cls, fields(obj)


_UNSEEN = object()
_FIELDS: dict[type, Any] = {}


def _fields_of(cls: type):
    """A function giving an alagen dataclass's field values as a tuple; None for other types."""
    if not (dataclasses.is_dataclass(cls) and cls.__module__.startswith("alagen.")):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    if len(names) == 1:
        return lambda obj: (getattr(obj, names[0]),)
    return operator.attrgetter(*names) if names else (lambda obj: ())


