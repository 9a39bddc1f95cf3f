"""The incremental build cache: what the last build read, made and wrote, so that the next
one redoes only what changed, and the result is the same, byte for byte, as a clean build.

It lives beside the output folder: build/ has .alagen-cache/build.state. What it keeps:

- every input file's stat (mtime, ctime, size, inode): a page whose file is unchanged is not
  read or parsed again; its validated Page comes from the cache. A file changed less than
  RACY_NS before the last build started is read again anyway: the clock that stamps files
  is coarse, so a second edit in the same tick could leave the same mtime.
- for every page's output, a render key: its own values, the templates its layout loads,
  and the parts of the site those templates can see (dependencies.py), with the links its
  Markdown and filters resolved and what they resolved to. A page is rendered again when
  the key differs or a link now resolves differently.
- for every output file, its digest and stat: a file whose bytes did not change is not
  rewritten, and a file changed or deleted by hand is made again.
- the digest of what the search index was built from, to index again only when an indexed
  page changed.

A cache that cannot be read, or was made by another version of alagen or for another site
or output folder, is ignored with a note, never trusted. It is read with a restricted
unpickler that makes only alagen's own value types, so a crafted file cannot run code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import io
import os
import pickle
import sys
import time
import types
import zlib
from pathlib import Path
from typing import Any, Callable

import jinja2

from alagen import __version__, dependencies
from alagen.pickling import dump as _dump
from alagen.errors import Problem, Problems
from alagen.load import DataFile, Document, read_data, read_document
from alagen.model.pages import Page, read_page
from alagen.model.records import data_file_is_record, read_records
from alagen.output import Output
from alagen.yamlfile import Positions

FOLDER = ".alagen-cache"
FORMAT = 1
MAGIC = b"alagen-cache"
RACY_NS = 2_000_000_000
SHARDS = 64  # pages and renders are stored in this many parts; a part is rewritten when one of its entries changed
SEARCH_MARK = b"data-pagefind-body"
_LIBRARIES = ("jinja2", "markdown-it-pyrs", "pyyaml", "icalendar", "feedgen", "markupsafe")
_KNOWN_SITE_FIELDS = {
    "settings", "clock", "pages", "hidden", "data", "menus", "statics", "by_source", "by_url",
    "children_by_url", "records", "current", "news_items", "divisions", "topics", "redirects",
}

# The last state this process wrote or read, by file: `alagen serve` builds again and again
# in one process, and need not read back what it just wrote.
_memory: dict[str, tuple] = {}


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def _sig(path: Path | str) -> tuple | None:
    """What changes when a file's bytes change: (mtime_ns, ctime_ns, size, inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _out_sig(st: os.stat_result) -> tuple:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _tree(directory: str, prefix: str, visit: Callable, skip: set[str] = frozenset()) -> None:
    """visit("a/b.html", entry) for every file below directory, with paths from prefix."""
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not (prefix == "" and entry.name in skip):
                _tree(entry.path, f"{prefix}{entry.name}/", visit)
        else:
            visit(prefix + entry.name, entry)


_code: bytes | None = None


def code_fingerprint() -> bytes:
    """alagen's own source and the versions of the libraries that shape the output."""
    global _code
    if _code is None:
        parts = [__version__.encode(), sys.version.encode()]
        package = Path(__file__).parent
        for path in sorted(package.rglob("*.py")):
            parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
        for name in _LIBRARIES:
            try:
                parts.append(f"{name} {importlib.metadata.version(name)}".encode())
            except importlib.metadata.PackageNotFoundError:
                parts.append(name.encode())
        _code = _digest(*parts)
    return _code


class _Unpickler(pickle.Unpickler):
    _ALLOWED = {
        ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
        ("datetime", "timezone"), ("decimal", "Decimal"), ("zoneinfo", "ZoneInfo"), ("zoneinfo._zoneinfo", "ZoneInfo"),
        ("alagen.pickling", "_proxy"), ("builtins", "frozenset"), ("builtins", "set"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        if module.startswith("alagen.") and not name.startswith("_"):
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a value alagen stores")




def _fingerprint(value: Any) -> bytes:
    """A digest of a value's contents. Pickled, not repr'd: pickle writes a shared part once,
    so a YAML alias repeated a billion times stays small."""
    return _digest(_dump(value))


def _load(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


class Lookups:
    """The resolver that turns links into URLs, recording what each page asked and got, so
    a later build can check that every link of a kept page still leads to the same place."""

    def __init__(self, resolve: Callable[[str, str], str]):
        self.resolve = resolve
        self.log: list | None = None

    def __call__(self, target: str, source: str) -> str:
        try:
            result = self.resolve(target, source)
        except ValueError as err:
            if self.log is not None:
                self.log.append((target, source, None, str(err)))
            raise
        if self.log is not None:
            self.log.append((target, source, result, None))
        return result

    def start(self) -> None:
        self.log = []

    def stop(self) -> str:
        """What the page asked, as one string (one object to store, not thousands):
        target, source, answer or error, each lookup once, in order."""
        log, self.log = self.log or [], None
        fields = []
        for target, source, result, error in dict.fromkeys(log):
            fields += [target, source, "+" + result if error is None else "-" + error]
        if any(_SEPARATOR in field for field in fields):
            return _UNCHECKABLE
        return _SEPARATOR.join(fields)

    def still(self, log: str) -> bool:
        """Whether every lookup of `stop()`'s record gets the same answer now."""
        if log == _UNCHECKABLE:
            return False
        fields = log.split(_SEPARATOR) if log else []
        for index in range(0, len(fields), 3):
            target, source, answer = fields[index : index + 3]
            try:
                now = "+" + self.resolve(target, source)
            except ValueError as err:
                now = "-" + str(err)
            if now != answer:
                return False
        return True


_SEPARATOR = "\x00"
_UNCHECKABLE = "\x00\x00"  # a lookup held the separator itself: check by rendering again


class Cache:
    """One build's view of the last build's cache, and the record of this build for the next."""

    def __init__(self, root: Path, out: Path, options_key: tuple):
        self.root, self.out = root, out
        self.file = out.parent / FOLDER / f"{out.name}.state"
        self.options_key = options_key
        self.notes: list[str] = []
        self.started = time.time_ns()
        self._old_big: dict | None = None
        self._old_big_bytes: tuple | None = None  # (file bytes, where the shards start, their index)
        self._old_shards: dict[tuple[str, int], tuple[dict, bytes]] = {}
        self.old = self._read()
        self.actual: dict[str, tuple] = self._scan() if self.old else {}
        self._inputs = self.inputs()  # before anything is read: an edit during the build shows next time
        # This build's record.
        self.pages: dict[str, tuple] = {}  # source -> (sig, key, page, warnings, digests)
        self.renders: dict[str, tuple] = {}  # output -> (key, lookups)
        self.records: dict[str, tuple] = {}  # "records" -> (key, Records, warnings)
        self.groups: dict[str, tuple] = {}  # "calendars" -> (key, paths)
        self.kept: set[str] = set()  # outputs left as the last build wrote them
        self._sigs: dict[str, tuple | None] = {}
        self._stubs: dict[str, Document] = {}
        self._page_source: dict[int, str] = {}
        self._render_keys: dict[str, bytes] = {}
        self._facets: dict[str, bytes] = {}
        self._reach: dict[str, tuple[bytes, frozenset]] = {}
        self._data_digests: dict[str, bytes] = {}
        self._made_digests: dict[int, tuple[Page, tuple[bytes, bytes]]] = {}  # pages made by the model
        self.lookups: Lookups | None = None

    # ------------------------------------------------------------------ reading --

    @property
    def incremental(self) -> bool:
        """The last build's output is there to be updated."""
        return self.old is not None and self.out.is_dir()

    def _read(self) -> dict | None:
        shown = self.file.relative_to(self.root).as_posix() if self.file.is_relative_to(self.root) else str(self.file)
        sig = _sig(self.file)
        if sig is None:
            return None
        remembered = _memory.get(str(self.file))
        if remembered and remembered[0] == sig and remembered[1]["root"] == str(self.root):
            self._old_big, self._old_shards = remembered[2], remembered[3]
            return remembered[1]
        try:
            raw = self.file.read_bytes()
        except OSError as err:
            self._note(shown, f"cannot be read ({err.strerror})")
            return None
        try:
            # alagen-cache FORMAT small-length small-crc index-length index-crc, a newline,
            # then the small part (what every build needs), the index of the shards, the shards.
            header, _, _ = raw[:200].partition(b"\n")
            magic, version, *sizes = header.split(b" ")
            if magic != MAGIC:
                raise ValueError("not an alagen cache")
            if int(version) != FORMAT:
                self._note(shown, "was made by another version of alagen")
                return None
            small_length, small_crc, index_length, index_crc = (int(x) for x in sizes)
            start = len(header) + 1
            small_data = raw[start : start + small_length]
            index_data = raw[start + small_length : start + small_length + index_length]
            if zlib.crc32(small_data) != small_crc or zlib.crc32(index_data) != index_crc:
                raise ValueError("the checksum does not match")
            small, index = _load(small_data), _load(index_data)
            if not isinstance(small, dict) or not isinstance(index, list):
                raise ValueError("no build record")
        except Exception:  # anything at all: a damaged cache is never trusted
            self._note(shown, "is damaged")
            return None
        if small.get("code") != code_fingerprint():
            self._note(shown, "was made by another version of alagen")
            return None
        if small.get("root") != str(self.root) or small.get("out") != str(self.out):
            self._note(shown, "was made for another site or output folder")
            return None
        self._old_big_bytes = (raw, start + small_length + index_length, index)
        return small

    def _note(self, shown: str, why: str) -> None:
        self.notes.append(f"warning: the build cache {shown} {why}; it was ignored and everything was built")

    def _big(self) -> dict:
        """The part of the last state that holds pages and renders, read on first need.
        It is stored in shards, so that a build that changed one page writes one shard anew."""
        if self._old_big is None:
            self._old_big = {"pages": {}, "renders": {}, "records": {}}
            if self._old_big_bytes:
                raw, offset, index = self._old_big_bytes
                try:
                    for kind, number, length, crc in index:
                        data = raw[offset : offset + length]
                        offset += length
                        if zlib.crc32(data) != crc:
                            raise ValueError("a shard's checksum does not match")
                        part = _load(data)
                        self._old_big.setdefault(kind, {}).update(part)
                        self._old_shards[(kind, number)] = (part, data)
                except Exception:  # a damaged shard: read every page again
                    self._old_big, self._old_shards = {"pages": {}, "renders": {}, "records": {}}, {}
                    self.notes.append("warning: the build cache's pages are damaged; every page was read again")
                self._old_big_bytes = None
        return self._old_big

    def _scan(self) -> dict[str, tuple]:
        """Every file in the output folder but Pagefind's, with its stat."""
        found: dict[str, tuple] = {}
        _tree(str(self.out), "", lambda path, entry: found.__setitem__(path, _out_sig(entry.stat(follow_symlinks=False))),
              skip={"pagefind"})
        return found

    def _trusted(self, sig: tuple | None) -> bool:
        return sig is not None and self.old is not None and max(sig[0], sig[1]) < self.old["started"] - RACY_NS

    def inputs(self) -> dict[str, tuple | None]:
        """The stat of every file under content/, data/ and layouts/."""
        found: dict[str, tuple | None] = {}
        for top in ("content", "data", "layouts"):
            _tree(str(self.root / top), top + "/", lambda path, entry: found.__setitem__(path, _sig(entry.path)))
        return found

    def unchanged_site(self) -> dict | None:
        """The last build's report when nothing it read or wrote has changed since, and the
        same options ask for the same site; None otherwise."""
        if not self.incremental or self.old.get("options") != self.options_key or not self.options_key[0]:
            return None
        if self._inputs != self.old.get("inputs") or not all(self._trusted(s) for s in self._inputs.values()):
            return None
        if self.actual != {path: entry[1] for path, entry in self.old["outputs"].items()}:
            return None
        if self.old.get("search") is not None and not (self.out / "pagefind").is_dir():
            return None
        return self.old.get("report")

    # ------------------------------------------------------------------ load and model --

    def reuse_document(self, source: str, path: str) -> Document | DataFile | None:
        """For load: an unchanged page, or record file (events, jobs, ...) is not read; a
        stand-in takes its place, which read_page or read_records know."""
        if source.startswith("data/"):
            return self._reuse_data(source, path)
        sig = self._inputs[source] if source in self._inputs else _sig(path)
        self._sigs[source] = sig
        if not self.old or not self._trusted(sig):
            return None
        entry = self._big()["pages"].get(source)
        if entry is None or entry[0] != sig:
            return None
        stub = Document(source, types.MappingProxyType({}), Positions(source, types.MappingProxyType({})), "", 1, True)
        self._stubs[source] = stub
        return stub

    def _reuse_data(self, source: str, path: str) -> DataFile | None:
        name = source.removeprefix("data/").rsplit(".", 1)[0]
        if not data_file_is_record(name):
            return None  # settings, menus and other data are small and always read
        sig = self._inputs[source] if source in self._inputs else _sig(path)
        self._sigs[source] = sig
        entry = self._big()["records"].get("records") if self.old else None
        if entry is None or not self._trusted(sig) or (source, sig) not in entry[0][0]:
            return None
        stub = DataFile(source, name, None, Positions(source, types.MappingProxyType({})))
        self._stubs[source] = stub
        return stub

    def read_records(self, data, timezone: str, job_days: int, problems: Problems):
        """For the model: last build's records when every record file and the settings they
        depend on are unchanged; else read_records, remembered for next time."""
        files = [d for d in data if data_file_is_record(d.name)]
        key = (tuple((d.source, self._sigs.get(d.source)) for d in files), timezone, job_days)
        entry = self._big()["records"].get("records") if self.old else None
        if entry is not None and entry[0] == key and all(self._stubs.get(d.source) is d for d in files):
            _replay(entry[2], problems)
            self.records["records"] = entry
            return entry[1]
        real = []
        for file in data:
            if self._stubs.get(file.source) is file:
                file = read_data(self.root / file.source, file.source, problems)
            if file is not None:
                real.append(file)
        captured = Problems()
        found = read_records(tuple(real), timezone, job_days, captured)
        _replay(captured.warnings + captured.errors, problems)
        if not captured.errors and all(sig for _, sig in key[0]):
            self.records["records"] = (key, found, captured.warnings)
        return found

    def read_page(self, document: Document, defaults, layouts: tuple[str, ...], problems: Problems) -> Page | None:
        """For the model: the cached Page of an unchanged file whose folder defaults and the
        layouts it may pick are unchanged too; else read_page, remembered for next time."""
        source = document.source
        key = (self._defaults_key(source), tuple(layouts))
        if self._stubs.get(source) is document:
            entry = self._big()["pages"][source]
            if entry[1] == key:
                _replay(entry[3], problems)
                self._keep_page(source, entry)
                return entry[2]
            found = read_document(self.root / source, source, problems)
            if found is None:
                return None
            document = found
        captured = Problems()
        page = read_page(document, defaults, layouts, captured)
        _replay(captured.warnings + captured.errors, problems)
        if page is not None and not captured.errors and self._sigs.get(source):
            self._keep_page(source, (self._sigs[source], key, page, captured.warnings, None))
        return page

    def _keep_page(self, source: str, entry: tuple) -> None:
        self.pages[source] = entry
        self._page_source[id(entry[2])] = source

    def _defaults_key(self, source: str) -> tuple:
        """The stat of every _defaults.yaml above the page: what its values may come from."""
        parts = source.split("/")[:-1]
        key = []
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth]) + "/_defaults.yaml"
            if name not in self._sigs:
                self._sigs[name] = _sig(self.root / name)
            sig = self._sigs[name]
            if sig is not None:
                if not self._trusted(sig):
                    return ("changed just now", self.started)  # never equal to a stored key
                key.append((name, sig))
        return tuple(key)

    # ------------------------------------------------------------------ render --

    def track(self, resolve: Callable[[str, str], str]) -> Lookups:
        """The link resolver to render with: it records what each page asks."""
        self.lookups = Lookups(resolve)
        return self.lookups

    def plan(self, site, env: jinja2.Environment, assets) -> list[Page]:
        """The pages to render: those whose render key changed, whose links now resolve
        elsewhere, whose photos changed, or whose output file is not as the last build left it."""
        assert self.lookups is not None, "track() the resolver first"
        self._site = site
        self._global = _digest(code_fingerprint(), _fingerprint(site.settings), _fingerprint(sorted(assets.items())))
        old = self._big()["renders"] if self.incremental else {}
        # What links can lead to: when none of it changed, every recorded answer still holds.
        self._links = _digest(
            site.settings.base_path.encode(),
            "\n".join(f"{source}\t{page.url}" for source, page in site.by_source.items()).encode(),
            _fingerprint((sorted(site.hidden.items()), sorted(s.source for s in site.statics))),
        )
        same_links = self.incremental and self.old.get("links") == self._links
        todo = []
        for page in site.pages:
            key = self._render_key(env, page)
            self._render_keys[page.output] = key
            entry = old.get(page.output)
            if (
                entry
                and entry[0] == key
                and self.intact(page.output)
                and (same_links or self.lookups.still(entry[1]))
                and self._same_photos(entry[2])
            ):
                self.renders[page.output] = entry
                self.kept.add(page.output)
            else:
                todo.append(page)
        return todo

    def rendered(self, page: Page, lookups: str, photos: tuple[str, ...] = ()) -> None:
        """Remember a page rendered now: its key, its link answers, and the photo files it
        named (render/images.py) with their stat."""
        stats = tuple((source, _sig(self.root / source)) for source in photos)
        self.renders[page.output] = (self._render_keys[page.output], lookups, stats)

    def _same_photos(self, stats: tuple) -> bool:
        """Every photo a page named is the same file as when it was rendered (or still missing)."""
        for source, sig in stats:
            now = _sig(self.root / source)
            if now != sig or (now is not None and not self._trusted(now)):
                return False
        return True

    def kept_photos(self) -> list[str]:
        """The photos named by the pages this build keeps: their resized files are published again."""
        return [source for path in sorted(self.kept) for source, _ in self.renders.get(path, (None, None, ()))[2]]

    def keep_group(self, name: str, facets: tuple[str, ...]) -> bool:
        """Whether a group of outputs made from site-wide values (the calendars) can stay."""
        key = _digest(self._global, *(f.encode() + self._facet(f) for f in facets))
        self.groups[name] = (key, ())
        old = self.old["groups"].get(name) if self.incremental else None
        if old and old[0] == key and all(self.intact(p) for p in old[1]):
            self.groups[name] = old
            self.kept.update(old[1])
            return True
        return False

    def made_group(self, name: str, outputs) -> None:
        self.groups[name] = (self.groups[name][0], tuple(o.path for o in outputs))

    def intact(self, path: str) -> bool:
        """The output file is as the last build wrote it."""
        entry = self.old["outputs"].get(path) if self.old else None
        return entry is not None and self.actual.get(path) == entry[1]

    def _render_key(self, env: jinja2.Environment, page: Page) -> bytes:
        templates, facets = self._reach_of(env, f"{page.layout}.html")
        meta, body = self._page_digests(page)
        parts = [self._global, meta, body, templates]
        for facet in sorted(facets):
            value = self._facet_of_page(facet, page) if facet.endswith(":page") else self._facet(facet)
            parts += [facet.encode(), value]
        return _digest(*parts)

    def _facet_of_page(self, name: str, page: Page) -> bytes:
        """A facet of one page: the values (not the text) of its children, or ancestors, or
        the division whose microsite it is on (its name, menu and footer)."""
        site = self._site
        if name == "microsite:page":
            division = site.microsite(page)
            if division is None:
                return b""
            key = f"microsite:{division.id}"
            if key not in self._facets:
                self._facets[key] = _fingerprint(division)
            return self._facets[key]
        neighbours = site.children(page) if name == "children:page" else site.ancestors(page)
        return _digest(*(self._page_digests(p)[0] for p in neighbours))

    def _reach_of(self, env: jinja2.Environment, layout: str) -> tuple[bytes, frozenset]:
        if layout not in self._reach:
            reach = dependencies.reach(env, layout)
            parts = []
            for name in reach.templates:
                try:
                    parts += [name.encode(), env.loader.get_source(env, name)[0].encode()]  # type: ignore[union-attr]
                except jinja2.TemplateError:
                    parts += [name.encode(), b"(missing)"]
            self._reach[layout] = (_digest(*parts), reach.facets)
        return self._reach[layout]

    def _page_digests(self, page: Page) -> tuple[bytes, bytes]:
        """(everything but the body, the body) of a page; kept with a cached page."""
        source = self._page_source.get(id(page))
        entry = self.pages.get(source) if source else None
        if entry and entry[2] is page and entry[4]:
            return entry[4]
        if id(page) in self._made_digests:
            return self._made_digests[id(page)][1]
        values = tuple(
            self._items_digest(page.items) if f.name == "items" else getattr(page, f.name)
            for f in dataclasses.fields(page)
            if f.name != "body"
        )
        digests = (_fingerprint((values, sorted(page.where.items()))), _digest(page.body.encode()))
        if entry and entry[2] is page:
            self.pages[source] = entry[:4] + (digests,)
        else:
            self._made_digests[id(page)] = (page, digests)  # the page kept alive: its id stays its own
        return digests

    def _items_digest(self, items: tuple) -> bytes:
        """A listing's items: its pages by their digests (their values and text), not pickled
        whole. Pickling writes an object met twice once, so whole pages gave other bytes when
        some came from the cache (sharing strings) and some were read anew."""
        return _digest(*(b"".join(self._page_digests(i)) if isinstance(i, Page) else _fingerprint(i) for i in items))

    def _facet(self, name: str) -> bytes:
        if name not in self._facets:
            self._facets[name] = self._compute_facet(name)
        return self._facets[name]

    def _compute_facet(self, name: str) -> bytes:
        site = self._site
        if name == "all":
            parts = [
                self._facet(n)
                for n in ("pages", "bodies", "menus", "data", "records", "current", "moment", "divisions", "topics", "redirects")
            ]
            for field in dataclasses.fields(site):
                if field.name not in _KNOWN_SITE_FIELDS:  # a part of the site added after this module
                    parts.append(_fingerprint(getattr(site, field.name)))
            return _digest(*parts)
        if name == "pages":
            metas = b"".join(self._page_digests(p)[0] for p in site.pages)
            return _digest(metas, _fingerprint((sorted(site.hidden.items()), tuple(s.source for s in site.statics))))
        if name == "bodies":
            return _digest(b"".join(self._page_digests(p)[1] for p in site.pages))
        if name == "news":
            return _digest(b"".join(self._page_digests(p)[0] for p in site.news_items))
        if name == "titles":
            return _fingerprint(tuple((p.url, p.title) for p in site.pages))
        if name == "menus":
            return _fingerprint(site.menus)
        if name == "data":
            return _fingerprint(sorted(site.data.items()))
        if name.startswith("data:"):
            return _fingerprint(site.data.get(name[5:]))
        if name == "records":
            return _fingerprint(site.records)
        if name.startswith("records:"):
            return _fingerprint(getattr(site.records, name[8:], None))
        if name == "current":
            return _fingerprint(site.current)
        if name == "units":
            return _fingerprint(sorted(site.unit_names.items()))
        if name in ("divisions", "topics", "redirects"):  # with the divisions' menus and footers
            return _fingerprint(getattr(site, name))
        if name == "today":
            return site.clock.today.isoformat().encode()
        if name == "year":
            return str(site.clock.today.year).encode()
        if name == "moment":
            return site.clock.moment.isoformat().encode()
        return _digest(self._facet("all"), name.encode())  # unknown: everything, and never equal to another

    # ------------------------------------------------------------------ write --

    def digest_of(self, output: Output) -> bytes:
        if output.path not in self._data_digests:
            if output.data is not None:
                self._data_digests[output.path] = _digest(output.data)
            else:
                sig = _sig(output.copy_from)
                self._data_digests[output.path] = _digest(b"copy", repr(sig).encode())
        return self._data_digests[output.path]

    def unchanged(self, output: Output) -> bool:
        """The output folder already holds exactly this file."""
        if not self.intact(output.path):
            return False
        entry = self.old["outputs"][output.path]
        if output.copy_from is not None and not self._trusted(_sig(output.copy_from)):
            return False
        return entry[0] == self.digest_of(output)

    def kept_size(self) -> int:
        return sum(self.old["outputs"][p][1][1] for p in self.kept)

    def stale(self, outputs) -> list[str]:
        """Files in the output folder that this build does not make."""
        wanted = {o.path for o in outputs} | self.kept
        return sorted(p for p in self.actual if p not in wanted)

    def search_key(self, outputs) -> bytes:
        """What Pagefind reads: the pages marked for indexing (every page if none is)."""
        entries = self._output_entries(outputs)
        html = {p: e for p, e in entries.items() if p.endswith(".html")}
        marked = {p: e for p, e in html.items() if e[2]}
        chosen = marked or html
        return _digest(*(p.encode() + chosen[p][0] for p in sorted(chosen)))

    def _output_entries(self, outputs) -> dict[str, tuple]:
        """(digest, stat or None, marked for search, 0) of every output of this build."""
        entries: dict[str, tuple] = {}
        for path in self.kept:
            old = self.old["outputs"][path]
            entries[path] = (old[0], old[1], old[2], 0)
        for output in outputs:
            data = output.data
            if data is None and output.path.endswith(".html"):
                data = Path(output.copy_from).read_bytes()
            entries[output.path] = (self.digest_of(output), None, bool(data and SEARCH_MARK in data), 0)
        return entries

    def search_unchanged(self, outputs) -> int | None:
        """Pages indexed by the last build when the search index still fits this build."""
        old = self.old.get("search") if self.incremental else None
        if old and old[0] == self.search_key(outputs) and (self.out / "pagefind").is_dir():
            return old[1]
        return None

    # ------------------------------------------------------------------ saving --

    def save(self, outputs, written: set[str] | None, indexed: int | None, report: dict) -> None:
        """Record this build. `written`: the files this build wrote in place (None: the whole
        output folder is new, and is read again)."""
        entries = self._output_entries(outputs)
        actual = self._scan() if written is None else self.actual
        final = {}
        for path, (digest, _, marked, _) in entries.items():
            if written is None:
                sig = actual.get(path)
            elif path in written:
                try:
                    sig = _out_sig(os.stat(self.out / path))
                except OSError:
                    sig = None
            else:
                sig = actual.get(path)
            if sig is not None:
                final[path] = (digest, sig, marked, 0)
        small = {
            "format": FORMAT,
            "code": code_fingerprint(),
            "root": str(self.root),
            "out": str(self.out),
            "started": self.started,
            "options": self.options_key,
            "inputs": self._inputs,
            "outputs": final,
            "groups": self.groups,
            "search": (self.search_key(outputs), indexed) if indexed is not None else None,
            "links": getattr(self, "_links", None),
            "report": report,
        }
        shards: list[bytes] = []
        index: list[tuple[str, int, int, int]] = []
        kept: dict[tuple[str, int], tuple[dict, bytes]] = {}
        for kind, entries in (("pages", self.pages), ("renders", self.renders), ("records", self.records)):
            parts: list[dict] = [{} for _ in range(SHARDS)]
            for name, entry in entries.items():
                parts[zlib.crc32(name.encode()) % SHARDS][name] = entry
            for number, part in enumerate(parts):
                old = self._old_shards.get((kind, number))
                same = old is not None and old[0].keys() == part.keys() and all(old[0][k] is v for k, v in part.items())
                data = old[1] if same else _dump(part)
                shards.append(data)
                index.append((kind, number, len(data), zlib.crc32(data)))
                kept[(kind, number)] = (part, data)
        small_data, index_data = _dump(small), _dump(index)
        header = b" ".join(
            [MAGIC, str(FORMAT).encode()]
            + [str(n).encode() for n in (len(small_data), zlib.crc32(small_data), len(index_data), zlib.crc32(index_data))]
        )
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}")
        try:
            with open(temporary, "wb") as handle:
                for data in (header + b"\n", small_data, index_data, *shards):
                    handle.write(data)
            os.replace(temporary, self.file)
        except OSError as err:  # a cache that cannot be written only makes the next build slower
            self.notes.append(f"warning: the build cache could not be written ({err.strerror})")
            temporary.unlink(missing_ok=True)
            return
        _memory.clear()  # one site at a time: keep memory small
        sig = _sig(self.file)
        if sig:
            _memory[str(self.file)] = (sig, small, {"pages": self.pages, "renders": self.renders, "records": self.records}, kept)


def _replay(problems: tuple[Problem, ...], into: Problems) -> None:
    """Problems found when the page was read, reported again (warnings stay warnings unless
    this build is --strict)."""
    for problem in problems:
        if problem.severity == "warning":
            into.warning(problem.location, problem.message, problem.span)
        else:
            into.add(problem)


def options_key(now: dt.date | dt.datetime | None, drafts: bool, strict: bool, search: bool) -> tuple:
    """What, beside the files, decides the site. Its first item is false when the build date
    is the wall clock, which is never the same twice."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    fixed = bool(now) or bool(epoch)
    return (fixed, repr(now), epoch, drafts, strict, search)


