"""The incremental build cache: what the last build read, made and wrote, so that the next
one redoes only what changed, and the result is the same, byte for byte, as a clean build.

It lives beside the output folder (build/ has .alagen-cache/build.state, see state.py). It
keeps:

- the stat of every source file (filestats.py): a page whose file is unchanged is not read
  or parsed again; its validated Page comes from the cache. A file changed less than
  RACY_NS before the last build started is read again anyway: the clock that stamps files
  is coarse, so a second edit in the same tick could leave the same mtime.
- the last build's model (the Site, every page as read, the records), stored without the
  pages' texts, which are kept by file with the head (front matter) each was read with.
  When the only changes since are texts of pages whose front matter is as it was, the
  model is the same but for those texts: the build takes it as it is, with the new texts,
  and neither loads nor models the site again (`reuse_site`).
- for every page's output, a render key: its own values, the templates its layout loads,
  and the parts of the site those templates can see (dependencies.py), with the links its
  Markdown and filters resolved and what they resolved to. A page is rendered again when
  the key differs or a link now resolves differently.
- for every output file, its digest and stat, and the stat of every output folder: a file
  whose bytes did not change is not rewritten, and a file changed, added or deleted by hand
  is made again or removed, without walking the whole output folder.
- the digest of what the search index was built from, to index again only when an indexed
  page changed.

A file whose stat changed but whose bytes are the ones recorded (a fresh clone with the
cache restored, as CI has it; a checkout that touched it) counts as unchanged: the record
keeps a digest of every source file's bytes, and of every output's. Paths in the record
and the model are relative to the site, so the cache works in a clone at another place.
A cache that cannot be read, or was made by another version of alagen or for another
output folder, is ignored with a note, never trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import sys
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from alagen import __version__, filestats, parallel, state
from alagen import load as load_stage
from alagen.errors import LinkWarning, Problem, Problems
from alagen.load import DataFile, Document, StaticFile, read_data
from alagen.model.pages import Page, read_page
from alagen.model.records import data_file_is_record, read_records
from alagen.clock import make_clock
from alagen.model.site import days_seen, share_image_source, with_texts
from alagen.output import Output
from alagen.pickling import dump as _dump
from alagen.yamlfile import Positions

if TYPE_CHECKING:
    import jinja2

FOLDER = filestats.CACHE_FOLDER
RACY_NS = 2_000_000_000
SEARCH_MARK = b"data-pagefind-body"
_LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "icalendar", "feedgen", "markupsafe")
_KNOWN_SITE_FIELDS = {
    "settings", "clock", "pages", "hidden", "data", "menus", "statics", "by_source", "by_url",
    "children_by_url", "records", "current", "news_items", "divisions", "topics", "redirects",
    "title_contexts",  # made from the pages' values and the divisions, both in "all"
    "feed_entries",  # made from the news pages' values and the jobs, both in "all"
}
# Facets made from the site's values alone, not from the pages' texts (see _compute_facet).
_FACETS_WITHOUT_TEXTS = {
    "pages", "news", "titles", "menus", "data", "records", "current", "units", "divisions", "topics",
    "redirects", "today", "year", "moment", "shares",
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


_sig = filestats.sig


def _output_digest(path: Path) -> bytes | None:
    """An output file's digest as digest_of made it from the bytes written."""
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


def _file_digest(path: Path) -> bytes | None:
    """The digest of a file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).digest()
    except OSError:
        return None
OUTPUTS_BESIDE = 2000  # output files from which their stats are taken in a worker process


def _updated(mapping: dict, changes: dict) -> dict:
    """A copy of `mapping` with `changes`, where None removes a key."""
    found = dict(mapping)
    for key, value in changes.items():
        if value is None:
            found.pop(key, None)
        else:
            found[key] = value
    return found


def _without_texts(facet: str, moment: bool = False) -> bool:
    """Whether a facet's value is made without the pages' texts (and, with `moment`, without
    the build clock's moment)."""
    if moment and facet == "moment":
        return False
    return facet in _FACETS_WITHOUT_TEXTS or facet.startswith(("data:", "records:", "microsite:"))


_code: bytes | None = None


def code_fingerprint() -> bytes:
    """alagen's own source and the versions of the libraries that shape the output."""
    global _code
    if _code is None:
        parts = [__version__.encode(), sys.version.encode()]
        package = Path(__file__).parent
        for path in sorted(package.rglob("*.py")):
            parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
        parts += [version.encode() for version in _library_versions()]
        _code = _digest(*parts)
    return _code


def _library_versions() -> list[str]:
    """'name version' of each library in _LIBRARIES, from the names of the installed
    distributions' .dist-info folders on sys.path (the first found, as imports do).
    importlib.metadata would take longer to load than a build with nothing to do."""

    def normal(name: str) -> str:
        return name.lower().replace("-", "_").replace(".", "_")

    wanted = {normal(name) for name in _LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                distribution, _, version = name[: -len(".dist-info")].partition("-")
                key = normal(distribution)
                if key in wanted and key not in found:
                    found[key] = version
    return [f"{name} {found.get(normal(name), '')}" for name in _LIBRARIES]


def _fingerprint(value: Any) -> bytes:
    """A digest of a value's contents. Pickled, not repr'd: pickle writes a shared part once,
    so a YAML alias repeated a billion times stays small."""
    return _digest(_dump(value))


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
                # A link with a warning (markdown.LinkWarning) renders again in every build, so
                # its warning is said each time, and its page changes on the day the link goes.
                warned = isinstance(err, LinkWarning)
                self.log.append((target, source, None, (_WARNED if warned else "") + str(err)))
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
            if answer.startswith("-" + _WARNED):
                return False
            try:
                now = "+" + self.resolve(target, source)
            except ValueError as err:
                now = "-" + str(err)
            if now != answer:
                return False
        return True


def _expiring(site) -> list[str]:
    """The pages a link to which is a warning on the build's day (render/html.py)."""
    return sorted(source for source in site.by_source if site.schedule(source))


def _warned(log: str) -> bool:
    """Whether a page's lookups hold a link given with a warning: such a page renders again."""
    return (_SEPARATOR + "-" + _WARNED) in (_SEPARATOR + log)


_SEPARATOR = "\x00"
_WARNED = "\x01"  # before the answer of a link that was given with a warning
_UNCHECKABLE = "\x00\x00"  # a lookup held the separator itself: check by rendering again


class Cache:
    """One build's view of the last build's cache, and the record of this build for the next.

    `changed`: the source files changed since this process's last build, as a file watcher
    saw them (`alagen serve`); with it, the sources are not walked again and the output
    folder, this process's own, is taken to be as the last build left it."""

    def __init__(self, root: Path, out: Path, options_key: tuple, changed: tuple[str, ...] | None = None):
        self.root, self.out = root, out
        self._site_root = root.resolve()  # as load names the site's files (StaticFile.path)
        self.file = filestats.state_file(out)
        self.options_key = options_key
        self.notes: list[str] = []
        self.recognised = 0  # source files whose stat changed but not their bytes (_same_bytes)
        self._by_content: set[tuple] = set()  # their recorded stats
        self.started = time.time_ns()
        self._verified = False  # the parts were checked, or written, by this process
        self._record_sig: tuple | None = None
        self.old: dict | None = None  # the last build's record
        self._parts: dict[str, state.Part] = {}
        self._model: dict | None = None  # the last build's model, as it is in memory (or None: unread)
        folder = state.parts_folder(self.file)
        self._documents, self._texts, self._renders = (state.Shards(k, folder) for k in ("documents", "texts", "renders"))
        remembered = self._read()
        ahead = filestats.looked_ahead(self.file, self._record_sig)  # `alagen build` began it early
        if self.old is not None and remembered and changed is not None:
            self._inputs = filestats.sources_after(self.old["inputs"], root, changed)
            self.actual = {path: entry[1] for path, entry in self.old["outputs"].items()}
            self.folders = dict(self.old["folders"])
        else:
            # Before anything is read: an edit during the build shows next time. The output
            # is looked at in a worker meanwhile: both are mostly waiting for the disk.
            recorded = {path: entry[1] for path, entry in self.old["outputs"].items()} if self.old else {}
            folders = self.old["folders"] if self.old else {}
            if ahead is None:  # in a worker, unless this process holds the last build (a large one to fork)
                worth = len(recorded) > OUTPUTS_BESIDE and not remembered
                ahead = parallel.beside(lambda: filestats.outputs_changed(out, recorded, folders), worth)
            self._inputs = filestats.sources(root)
            changed_files, moved = ahead() or filestats.outputs_changed(out, recorded, folders)
            self.actual = _updated(recorded, changed_files)
            self.folders = _updated(folders, moved)
            if self.old is not None:
                self._same_bytes(changed_files)
        # This build's record.
        self.documents = self._documents.derive()  # source -> (sig, key, head digest, warnings, text digest)
        self.texts = self._texts.derive()  # source -> the page's text (its Markdown body)
        self.renders = self._renders.derive()  # output -> (key, lookups)
        self.photos: dict[str, tuple] = {}  # output -> the photo files it named, with their stat
        self.records: tuple | None = None  # (key, Records, warnings)
        self.groups: dict[str, tuple] = {}  # "calendars" -> (key, paths)
        self.kept: set[str] = set()  # outputs left as the last build wrote them
        self.assets: tuple[str, ...] = ()
        self._read_pages: dict[str, Page] = {}  # source -> the page read from it
        self._texts_only: dict[str, str] | None = None  # the pages whose text alone changed: their texts
        self._look: set[str] = set()  # with _texts_only: the outputs whose keys may have changed
        self._new_moment = False  # with _texts_only: the build clock's moment is another (the same day)
        self._stubs: dict[str, Document | DataFile] = {}
        self._render_keys: dict[str, bytes] = {}
        self._facets: dict[str, bytes] = {}
        self._reach: dict[str, tuple[bytes, frozenset]] = {}
        self._data_digests: dict[str, bytes] = {}
        self._digests: dict[int, tuple[Page, tuple[bytes, bytes]]] = {}  # id(page) -> (page, (meta, text))
        self._stored: dict = {}  # the model whose pages' digests were stored (see _stored_digests)
        self._index: dict[int, int] = {}  # id(page) -> its place among that model's pages
        self._site = None
        self._model_now: dict | None = None  # the model this build uses (reuse_site)
        self._global = b""
        self._links = b""
        self._stale: list[str] = []
        self.lookups: Lookups | None = None

    # ------------------------------------------------------------------ reading --

    @property
    def incremental(self) -> bool:
        """The last build's output is there to be updated."""
        return self.old is not None and self.out.is_dir()

    def _shown(self) -> str:
        return self.file.relative_to(self.root).as_posix() if self.file.is_relative_to(self.root) else str(self.file)

    def _read(self) -> bool:
        """Read the last build's record; True when it came from this process's memory."""
        sig = self._record_sig = _sig(self.file)
        if sig is None:
            return False
        remembered = _memory.get(str(self.file))
        if remembered and remembered[0] == sig and remembered[1]["root"] == str(self.root):
            _, self.old, self._parts, self._model, self._documents, self._texts, self._renders = remembered
            self._verified = True
            return True
        try:
            record, parts = state.read(self.file)
        except OSError as err:
            self._note(f"cannot be read ({err.strerror})")
            return False
        except state.Foreign:
            self._note("was made by another version of alagen")
            return False
        except state.Damaged as err:
            self._note(_damaged(err))
            return False
        if record.get("code") != code_fingerprint():
            self._note("was made by another version of alagen")
            return False
        if record.get("out") != self._out_name():
            self._note("was made for another output folder")
            return False
        try:
            state.read_stats(self.file, record, parts)
        except state.Damaged:
            self._note("is damaged")
            return False
        self.old, self._parts = record, parts
        folder = state.parts_folder(self.file)
        self._documents, self._texts, self._renders = (state.shards_of(k, folder, parts) for k in ("documents", "texts", "renders"))
        return False

    def _out_name(self) -> str:
        """The output folder as the record names it: from the site's root when it is inside,
        so a clone of the site at another place (a CI checkout) can use its restored cache."""
        return os.path.relpath(self.out, self.root) if self.out.is_relative_to(self.root) else str(self.out)

    def _note(self, why: str) -> None:
        self.notes.append(f"warning: the build cache {self._shown()} {why}; it was ignored and everything was built")

    def _forget(self, why: str) -> None:
        """Ignore the last build's cache from here on: everything is built."""
        self._note(why)
        self.old, self._parts, self._model = None, {}, None
        self.actual, self.folders = {}, {}
        folder = state.parts_folder(self.file)
        self._documents, self._texts, self._renders = (state.Shards(k, folder) for k in ("documents", "texts", "renders"))
        self.documents, self.texts, self.renders = self._documents.derive(), self._texts.derive(), self._renders.derive()

    def _check_parts(self, kinds: tuple[str, ...]) -> bool:
        """Read the parts of the last cache of these kinds and check them; a damaged one makes
        all of the cache ignored."""
        folder = state.parts_folder(self.file)
        try:
            for name, part in self._parts.items():
                if not self._verified and name.startswith(kinds):
                    part.data(folder)
        except state.Damaged:
            self._forget("is damaged")
            return False
        return True

    def _same_bytes(self, changed_outputs: dict) -> None:
        """Files whose stat changed but not their bytes: a fresh clone with the cache restored
        (CI), a checkout or a copy that touched them. A source file keeps the stat the last
        build recorded (every part of the cache names a file by it), so it counts as
        unchanged; an output file's record takes its new stat."""
        contents, old = self.old.get("contents") or {}, self.old["inputs"]
        for source, sig in self._inputs.items():
            before = old.get(source)
            known = contents.get(source)
            if sig is None or sig == before or known is None or known[0] != before:
                continue
            path = self.root / source
            if _file_digest(path) == known[1] and _sig(path) == sig:  # the same bytes, not changed meanwhile
                self._inputs[source] = before
                self._by_content.add(before)  # trusted: its bytes were compared, not its clock
                self.recognised += 1
        outputs = self.old["outputs"]
        for path, sig in changed_outputs.items():
            entry = outputs.get(path)
            # A copied file's digest is of its source's stat (digest_of): it never matches here.
            if sig is not None and entry is not None and _output_digest(self.out / path) == entry[0]:
                outputs[path] = (entry[0], sig, entry[2])

    def _contents(self) -> dict[str, tuple]:
        """source -> (its stat, the digest of its bytes), for `_same_bytes` next time. Taken
        again only for files whose stat is not the one recorded with their digest, and kept
        only when the stat after reading is still the build's: an edit during the build is
        never recorded as what the build read."""
        known = (self.old.get("contents") or {}) if self.old else {}
        contents = {}
        for source, sig in self._inputs.items():
            if sig is None:
                continue
            entry = known.get(source)
            if entry is not None and entry[0] == sig:
                contents[source] = entry
                continue
            path = self.root / source
            digest = _file_digest(path)
            if digest is not None and _sig(path) == sig:
                contents[source] = (sig, digest)
        return contents

    def _trusted(self, sig: tuple | None) -> bool:
        if sig in self._by_content:
            return True
        return sig is not None and self.old is not None and max(sig[0], sig[1]) < self.old["started"] - RACY_NS

    def _suspects(self) -> set[str]:
        """Source files added, removed or changed since the last build, or changed so shortly
        before it that their stat cannot tell."""
        old = self.old["inputs"]
        found = {path for path, sig in self._inputs.items() if old.get(path, ()) != sig or not self._trusted(sig)}
        return found | (old.keys() - self._inputs.keys())

    def unchanged_site(self) -> dict | None:
        """The last build's report when nothing it read or wrote has changed since, and the
        same options ask for the same site; None otherwise."""
        if not self.incremental or self.old.get("options") != self.options_key or not self.options_key[0]:
            return None
        if self._inputs != self.old.get("inputs") or not all(self._trusted(s) for s in self._inputs.values()):
            return None
        if self.actual != {path: entry[1] for path, entry in self.old["outputs"].items()}:
            return None
        if self.old.get("search") is not None and not (self.out / filestats.SEARCH_FOLDER).is_dir():
            return None
        return self.old.get("report")

    def reuse_site(self, problems: Problems):
        """The last build's site when only the texts of pages changed since (their front
        matter as it was, no file added or removed, the same options and a fixed build date),
        with the new texts: the same site a load and model of the files would make, since
        the model never reads a page's text. Its warnings are reported again. None otherwise
        (then load and model the site)."""
        if self.old is None or not self._check_parts(("model", "documents", "renders")):
            return None
        if not self.incremental or self.old["options"] != self.options_key:
            return None
        changed: dict[str, str] = {}  # source -> its new text
        for source in self._suspects():
            if not (source.startswith("content/") and source.endswith(".md")):
                return None
            if source not in self._inputs or source not in self.old["inputs"]:
                return None  # added or removed
            entry = self._documents.get(source)
            if entry is None:
                return None  # not read last time
            found = load_stage.read_head_and_body(self.root / source, source)
            if found is None or _digest(found[0].encode()) != entry[2]:
                return None
            changed[source] = found[1]
        for source, text in changed.items():
            _, key, head, warnings, _ = self._documents.get(source)
            self.documents.set(source, (self._inputs[source], key, head, warnings, _digest(text.encode())))
            self.texts.set(source, text)
        model = self._last_model(changed, lazily=True)
        if model is None:
            return None
        if not self.options_key[0]:  # the wall clock: the same site if it is the same day, as the model sees days
            site = model["site"]
            clock = make_clock(site.settings.timezone)
            if days_seen(site, clock) != days_seen(site, site.clock):
                return None
            model = {**model, "site": dataclasses.replace(site, clock=clock)}
            self._remember_digests(model)
            self._new_moment = True
        self._texts_only = changed
        self._look = look = self._to_look_at(model["site"])
        missing = model["missing"]
        if missing:  # texts not read (they are not rendered): read those this build may show
            if any(not self._textless(p.layout) for p in model["site"].pages if p.output in look):
                wanted = set(missing)  # a layout that shows other pages' texts: all of them
            else:
                wanted = {p.source for p in model["site"].pages if p.output in look and p.source in missing}
            if wanted:
                texts = {source: self._texts.get(source) for source in wanted}
                if self._texts.damaged or None in texts.values():
                    self._forget("is damaged")
                    return None
                model = self._with_texts(model, texts)
        if self.texts.damaged or self.documents.damaged:
            self._forget("is damaged")
            return None
        self._model_now = model
        self._read_pages = dict(model["read"])
        self.records = model["records"]
        self.assets = self.old["assets"]
        _replay(self.old["report"]["warnings"], problems)
        return model["site"]

    def _textless(self, layout: str) -> bool:
        """Pages of this layout show no other page's text (as the last build found its
        templates), nor the build clock's moment when it changed."""
        reach = self.old["reach"].get(f"{layout}.html")
        return reach is not None and all(_without_texts(f, self._new_moment) or f.endswith(":page") for f in reach[1])

    def _to_look_at(self, site) -> set[str]:
        """With only texts changed: the outputs whose keys may differ from the last build's.
        The pages whose text changed, listings of those, pages of layouts that show other
        pages' texts, and pages whose output is not as the last build left it."""
        texts = self._texts_only
        outputs, actual = self.old["outputs"], self.actual
        textless = {layout: self._textless(layout) for layout in {p.layout for p in site.pages}}
        look = set()
        for page in site.pages:
            entry = outputs.get(page.output)
            if (
                page.source in texts
                or page.items and any(type(i) is Page and i.source in texts for i in page.items)
                or not textless[page.layout]
                or entry is None
                or actual.get(page.output) != entry[1]
            ):
                look.add(page.output)
        return look

    def reused_sources(self) -> tuple[tuple[StaticFile, ...], int]:
        """For a site reused: the theme's files (layouts/assets/) and the number of data files,
        as the last load found them."""
        return tuple(StaticFile(source, self.root / source) for source in self.assets), self.old["report"]["data_files"]

    def _last_model(self, new_texts: dict[str, str] | None = None, lazily: bool = False) -> dict | None:
        """The last build's model (site, pages read by file, records, the pages' digests),
        with the page texts as they are now (`new_texts` where they changed). `lazily`: the
        other texts are not read from the cache; a stand-in takes each one's place, and the
        model's "missing" names them. None if there is no model."""
        if self._model is not None:
            if new_texts:
                return self._with_texts(self._model, new_texts)  # in memory: quicker than reading it again
            if self._stored is not self._model:
                self._remember_digests(self._model)
            return self._model
        part = self._parts.get("model")
        if part is None:
            return None
        texts: dict[str, str] = dict(new_texts or {})
        missing: set[str] = set()

        def text(source: str) -> str | None:
            if source not in texts:
                if lazily:
                    texts[source] = f"(the text of {source}, not read)"  # one object per page: replaced by identity
                    missing.add(source)
                else:
                    texts[source] = self._texts.get(source)
            return texts[source]

        try:
            if not self._check_parts(("model",)):
                return None
            model = state.load_model(part.data(state.parts_folder(self.file)), text, self._site_root)
            if self._texts.damaged or self._documents.damaged:
                raise state.Damaged("a part")
        except state.Damaged as err:
            self._forget(_damaged(err))
            return None
        model.update(texts=texts, missing=missing)
        self._remember_digests(model)
        if not new_texts and not missing:
            self._model = model
        return model

    def _with_texts(self, model: dict, new_texts: dict[str, str]) -> dict:
        """The model with some pages' new texts (see model.site.with_texts)."""
        old = model["texts"]
        site, swapped = with_texts(model["site"], {s: (old[s], t) for s, t in new_texts.items()}, model["read"].values())
        read = {source: swapped.get(id(page), page) for source, page in model["read"].items()}
        texts = {**old, **new_texts}
        model = {**model, "site": site, "read": read, "texts": texts, "missing": model["missing"] - new_texts.keys()}
        self._remember_digests(model)  # the same order of pages: their digests are where they were
        return model

    def _remember_digests(self, model: dict) -> None:
        """Where the model's stored digests of its pages are: each is read on first need."""
        self._stored = model
        self._index = {id(page): index for index, page in enumerate(model["site"].pages)}

    def _stored_digests(self, page: Page) -> tuple[bytes, bytes] | None:
        """A page's digests as the last build stored them, if it is a page of its model: the
        digest of its text is its file's (as recorded now) when it holds its file's text."""
        index = self._index.get(id(page))
        model = self._stored
        if index is None or model["site"].pages[index] is not page:
            return None
        text = model["bodies"].get(index)
        if text is None:
            if page.body and page.body is model["texts"].get(page.source):
                text = self.documents.get(page.source)[4]
            else:
                text = _digest(page.body.encode())
        return model["metas"][16 * index : 16 * index + 16], text

    # ------------------------------------------------------------------ load and model --

    def reuse_document(self, source: str, path: str) -> Document | DataFile | None:
        """For load: an unchanged page, or record file (events, jobs, ...) is not read; a
        stand-in takes its place, which read_page or read_records know."""
        if source.startswith("data/"):
            return self._reuse_data(source, path)
        sig = self._inputs[source] if source in self._inputs else _sig(path)
        if not self.old or not self._trusted(sig):
            return None
        entry = self._documents.get(source)
        model = self._last_model() if entry is not None and entry[0] == sig else None
        if model is None or source not in model["read"]:
            return None
        stub = Document(source, types.MappingProxyType({}), Positions(source, types.MappingProxyType({})), "", 1, True)
        self._stubs[source] = stub
        return stub

    def _reuse_data(self, source: str, path: str) -> DataFile | None:
        name = source.removeprefix("data/").rsplit(".", 1)[0]
        if not data_file_is_record(name):
            return None  # settings, menus and other data are small and always read
        sig = self._inputs[source] if source in self._inputs else _sig(path)
        model = self._last_model() if self.old else None
        entry = model["records"] if model else None
        if entry is None or not self._trusted(sig) or (source, sig) not in entry[0][0]:
            return None
        stub = DataFile(source, name, None, Positions(source, types.MappingProxyType({})))
        self._stubs[source] = stub
        return stub

    def read_records(self, data, timezone: str, job_days: int, problems: Problems):
        """For the model: last build's records when every record file and the settings they
        depend on are unchanged; else read_records, remembered for next time."""
        files = [d for d in data if data_file_is_record(d.name)]
        key = (tuple((d.source, self._inputs.get(d.source)) for d in files), timezone, job_days)
        model = self._last_model() if self.old else None
        entry = model["records"] if model else None
        if entry is not None and entry[0] == key and all(self._stubs.get(d.source) is d for d in files):
            _replay(entry[2], problems)
            self.records = entry
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
            self.records = (key, found, captured.warnings)
        return found

    def read_page(self, document: Document, defaults, layouts: tuple[str, ...], problems: Problems) -> Page | None:
        """For the model: the cached Page of an unchanged file whose folder defaults and the
        layouts it may pick are unchanged too; else read_page, remembered for next time."""
        source = document.source
        key = (self._defaults_key(source), tuple(layouts))
        if self._stubs.get(source) is document:
            entry = self._documents.get(source)
            if entry[1] == key:
                _replay(entry[3], problems)
                page = self._read_pages[source] = self._last_model()["read"][source]
                return page
            found = load_stage.read_document(self.root / source, source, problems)
            if found is None:
                return None
            document = found
        captured = Problems()
        page = read_page(document, defaults, layouts, captured)
        _replay(captured.warnings + captured.errors, problems)
        sig = self._inputs.get(source)
        if page is not None and not captured.errors and sig:
            text = document.body
            self.documents.set(source, (sig, key, _digest(document.head.encode()), captured.warnings, _digest(text.encode())))
            self.texts.set(source, text)
            self._read_pages[source] = page
        return page

    def _defaults_key(self, source: str) -> tuple:
        """The stat of every _defaults.yaml above the page: what its values may come from."""
        parts = source.split("/")[:-1]
        key = []
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth]) + "/_defaults.yaml"
            sig = self._inputs.get(name)
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
        elsewhere, whose photos changed, or whose output file is not as the last build left it.
        When only texts changed (reuse_site), the keys of the other pages are as they were,
        unless their layout shows other pages' texts: only those pages are looked at."""
        assert self.lookups is not None, "track() the resolver first"
        self._site = site
        texts_only = self._texts_only is not None
        if texts_only:
            # The site is the last one but for some texts: what the keys are made of is too.
            self._global, self._links = self.old["global"], self.old["links"]
            self._reach = dict(self.old["reach"])
            self._facets = {n: value for n, value in self.old["facets"].items() if _without_texts(n, self._new_moment)}
        else:
            self._global = _digest(code_fingerprint(), _fingerprint(site.settings), _fingerprint(sorted(assets.items())))
            # What links can lead to: when none of it changed, every recorded answer still holds.
            self._links = _digest(
                site.settings.base_path.encode(),
                "\n".join(f"{source}\t{page.url}" for source, page in site.by_source.items()).encode(),
                _fingerprint((sorted(site.hidden.items()), sorted(s.source for s in site.statics))),
                _fingerprint(_expiring(site)),
            )
        same_links = self.incremental and self.old.get("links") == self._links
        old_photos = self.old["photos"] if self.incremental else {}
        todo = []
        for page in site.pages:
            if texts_only and page.output not in self._look:
                self.kept.add(page.output)  # its key is as it was (see _to_look_at)
                if page.output in old_photos:
                    self.photos[page.output] = old_photos[page.output]
                continue
            key = self._render_key(env, page)
            self._render_keys[page.output] = key
            entry = self._renders.get(page.output) if self.incremental else None
            if (
                entry
                and entry[0] == key
                and self.intact(page.output)
                and ((same_links and not _warned(entry[1])) or self.lookups.still(entry[1]))
                and self._same_photos(old_photos.get(page.output, ()))
            ):
                self.kept.add(page.output)
                if page.output in old_photos:
                    self.photos[page.output] = old_photos[page.output]
            else:
                todo.append(page)
        return todo

    def rendered(self, page: Page, lookups: str, photos: tuple[str, ...] = ()) -> None:
        """Remember a page rendered now: its key, its link answers, and the photo files it
        named (render/images.py) with their stat."""
        self.renders.set(page.output, (self._render_keys[page.output], lookups))
        if photos:
            self.photos[page.output] = tuple((source, self._inputs.get(source)) for source in photos)
        else:
            self.photos.pop(page.output, None)

    def _same_photos(self, stats: tuple) -> bool:
        """Every photo a page named is the same file as when it was rendered (or still missing)."""
        for source, sig in stats:
            now = self._inputs.get(source)
            if now != sig or (now is not None and not self._trusted(now)):
                return False
        return True

    def kept_photos(self) -> list[str]:
        """The photos named by the pages this build keeps: their resized files are published again."""
        return [source for path in sorted(self.photos) if path in self.kept for source, _ in self.photos[path]]

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
        if page.items:  # the texts of a listing's items: a layout could show them whole
            parts.append(_digest(*(self._page_digests(i)[1] for i in page.items if type(i) is Page)))
        for facet in sorted(facets):
            value = self._facet_of_page(facet, page) if facet.endswith(":page") else self._facet(facet)
            parts += [facet.encode(), value]
        return _digest(*parts)

    def _facet_of_page(self, name: str, page: Page) -> bytes:
        """A facet of one page: the values (not the text) of its children, or ancestors, or
        the division whose microsite it is on (its name, menu and footer), or what tells its
        title apart from other pages' (Site.title_context), or the feeds it links, or its
        division's share image."""
        site = self._site
        if name == "title:page":  # what tells its title apart from another page's
            return _fingerprint(site.title_context(page))
        if name == "feeds:page":  # the feeds it links
            return _fingerprint(tuple((feed.url, feed.title) for feed in site.feeds_for(page)))
        if name == "share:page":  # the share images shown when it has no image of its own: by their bytes
            division = site.division_of(page)
            shown = [(site.settings.share_image, site.settings.share_image_alt)]
            if division is not None:
                shown.append((division.share_image, division.share_image_alt))
            return _digest(*(self._share_file(path) + (alt or "").encode() for path, alt in shown))
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

    def _share_file(self, path: str | None) -> bytes:
        """A share image (data/site.yaml, data/divisions.yaml) by its path and the digest of
        its bytes, read once a build: a page shows its resized copy when it has no image of
        its own, and the copy's name changes with the bytes."""
        if not path:
            return b""
        key = f"share-file:{path}"
        if key not in self._facets:
            source = share_image_source(path)
            self._facets[key] = _digest(source.encode(), _file_digest(self.root / source) or b"(missing)")
        return self._facets[key]

    def _reach_of(self, env: jinja2.Environment, layout: str) -> tuple[bytes, frozenset]:
        if layout not in self._reach:
            import jinja2

            from alagen import dependencies

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
        """(everything but the text, the text) of a page. A listing's items count by their
        values alone: a layout that shows another page's text reads the "bodies" facet."""
        known = self._digests.get(id(page))
        if known is not None and known[0] is page:
            return known[1]
        stored = self._stored_digests(page)
        if stored is not None:
            self._digests[id(page)] = (page, stored)
            return stored
        # `where` as its items: a mapping read back from the cache is another type than one made now.
        values = tuple(
            self._items_digest(page.items) if f.name == "items" else getattr(page, f.name)
            for f in dataclasses.fields(page)
            if f.name not in ("body", "where")
        )
        digests = (_fingerprint((values, sorted(page.where.items()))), _digest(page.body.encode()))
        self._digests[id(page)] = (page, digests)  # the page kept alive: its id stays its own
        return digests

    def _items_digest(self, items: tuple) -> bytes:
        """A listing's items: its pages by their digests, not pickled whole. Pickling writes an
        object met twice once, so whole pages gave other bytes when some came from the cache
        (sharing strings) and some were read anew."""
        return _digest(*(self._page_digests(i)[0] if isinstance(i, Page) else _fingerprint(i) for i in items))

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
        if name == "shares":  # every share image, by its bytes, and the divisions it is of
            shown = [(site.settings.share_image, site.settings.share_image_alt)]
            shown += [(d.share_image, d.share_image_alt) for d in site.divisions]
            return _digest(self._facet("divisions"), *(self._share_file(path) + (alt or "").encode() for path, alt in shown))
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
        outputs = self.old["outputs"]
        return sum([outputs[path][1][1] for path in self.kept])

    def stale(self, outputs) -> list[str]:
        """Files in the output folder that this build does not make."""
        wanted = {o.path for o in outputs} | self.kept
        self._stale = sorted(p for p in self.actual if p not in wanted)
        return self._stale

    def search_key(self, outputs) -> bytes:
        """What Pagefind reads: the pages marked for indexing (every page if none is)."""
        entries = self._output_entries(outputs)
        html = {p: e for p, e in entries.items() if p.endswith(".html")}
        marked = {p: e for p, e in html.items() if e[2]}
        chosen = marked or html
        return _digest(*(p.encode() + chosen[p][0] for p in sorted(chosen)))

    def _output_entries(self, outputs) -> dict[str, tuple]:
        """(digest, stat or None, marked for search) of every output of this build."""
        old = self.old["outputs"] if self.old else {}
        entries: dict[str, tuple] = {path: old[path] for path in self.kept}
        for output in outputs:
            data = output.data
            if data is None and output.path.endswith(".html"):
                data = Path(output.copy_from).read_bytes()
            entries[output.path] = (self.digest_of(output), None, bool(data and SEARCH_MARK in data))
        return entries

    def search_unchanged(self, outputs) -> int | None:
        """Pages indexed by the last build when the search index still fits this build."""
        old = self.old.get("search") if self.incremental else None
        if old and old[0] == self.search_key(outputs) and (self.out / filestats.SEARCH_FOLDER).is_dir():
            return old[1]
        return None

    # ------------------------------------------------------------------ saving --

    def _without_own_warnings(self, report: dict) -> dict:
        """The report for the next build to show again, without the warnings about files of
        the cache folder (a resized photo found damaged and made again, render/images.py):
        they were this build's, and the next one does not find them."""
        folder = self.file.parent
        warnings = tuple(w for w in report["warnings"] if not (self.root / w.location.path).is_relative_to(folder))
        return report if len(warnings) == len(report["warnings"]) else {**report, "warnings": warnings}

    def save(self, outputs, written: set[str] | None, indexed: int | None, report: dict, assets=(), moved: bool = False,
             known_folders: dict | None = None) -> None:
        """Record this build. `written`: the files this build wrote (None: the whole
        output folder is new, and is read again). `moved`: the output folder is a new one
        whose other files are hard links of the last one's (write.update): the same files,
        in other folders, whose stats are taken again but for `known_folders`'.
        `assets`: the theme's files, as loaded."""
        entries = self._output_entries(outputs)
        if written is None:  # a new folder, with only this build's files: their stats, and their folders'
            actual, folders = {}, {}
            filestats.restat(self.out, [*entries, ""], actual, folders)
        else:
            actual, folders = dict(self.actual), dict(self.folders)
            if moved:
                base, known = str(self.out), known_folders or {}
                for folder in list(folders):
                    try:
                        folders[folder] = known.get(folder) or filestats.folder_sig(os.stat(f"{base}/{folder}" if folder else base))
                    except OSError:
                        del folders[folder]
            filestats.restat(self.out, [*written, *self._stale, ""], actual, folders)
        final = {}
        for path, entry in entries.items():
            sig = actual.get(path)
            if sig is not None:
                final[path] = entry if entry[1] == sig else (entry[0], sig, entry[2])
        site = self._site
        texts_only = self._texts_only is not None
        if not texts_only:
            self.assets = tuple(a.source for a in assets)
            read = {source: self._read_pages[source] for source in sorted(self._read_pages)}
            self.documents.drop(self.documents.keys() - read.keys())
            self.texts.drop(self.texts.keys() - read.keys())
            self.renders.drop(self.renders.keys() - {p.output for p in site.pages})
        facets = dict(self.old["facets"]) if texts_only else {}
        facets.update(self._facets)
        record = {
            "code": code_fingerprint(),
            "root": str(self.root),
            "out": self._out_name(),
            "started": self.started,
            "options": self.options_key,
            "inputs": self._inputs,
            "contents": self._contents(),
            "outputs": final,
            "folders": folders,
            "groups": self.groups,
            "search": (self.search_key(outputs), indexed) if indexed is not None else None,
            "links": self._links,
            "global": self._global,
            "facets": facets,
            "reach": self._reach,
            "photos": self.photos,
            "assets": self.assets,
            "report": self._without_own_warnings(report),
        }
        parts = {**self.documents.parts(), **self.texts.parts(), **self.renders.parts()}
        if texts_only:
            parts["model"] = self._parts["model"]  # the same model: its bytes do not hold the texts
            model = self._model_now if not self._model_now["missing"] else None  # in memory: only whole
        else:
            texts = {source: page.body for source, page in read.items()}  # a page's text is its file's
            digests = [self._page_digests(p) for p in site.pages]
            model = {
                "site": site,
                "read": read,
                "records": self.records,
                "metas": b"".join(meta for meta, _ in digests),
                # A text's digest is kept with its file's entry; other bodies' (records', listings') here.
                "bodies": {
                    n: body for n, (p, (_, body)) in enumerate(zip(site.pages, digests)) if not (p.body and p.body is texts.get(p.source))
                },
            }
            parts["model"] = state.Part.of("model", state.dump_model(model, texts, Page, self._site_root))
            model.update(texts=texts, missing=set())
        try:
            state.write(self.file, record, parts, self.old)
        except OSError as err:  # a cache that cannot be written only makes the next build slower
            self.notes.append(f"warning: the build cache could not be written ({err.strerror})")
            return
        _memory.clear()  # one site at a time: keep memory small
        sig = _sig(self.file)
        if sig is not None:
            _memory[str(self.file)] = (sig, record, parts, model, self.documents, self.texts, self.renders)


def _damaged(err: Exception) -> str:
    """Why a cache file was not trusted, in the words of a note."""
    if isinstance(err, state.Refused):
        return f"names {err.name}, which is not a value alagen stores (the file was made by something else)"
    return "is damaged"


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
