"""Hostile input never crashes, hangs or writes outside build/. Each case is a small site
with a few hostile pieces picked by `random.Random(SEED)` from the kinds that once broke
the build: deep nesting (YAML and Markdown), control characters, huge numbers and dates,
reserved and climbing addresses, odd file names and odd images. Every build must end in
success or in problems at file:line (never an exception other than BuildFailed, never an
"internal error"), within a time limit, and leave everything outside build/ and the cache
as it was. `ALAGEN_HOSTILE_SEED=N ALAGEN_HOSTILE=M` walks another or a larger choice."""

from __future__ import annotations

import os
import random
import struct
import time
import zlib
from pathlib import Path

from alagen.errors import BuildFailed
from conftest import build_at, make_site

SEED = int(os.environ.get("ALAGEN_HOSTILE_SEED", "17"))
COUNT = int(os.environ.get("ALAGEN_HOSTILE", "250"))
LIMIT = 60  # seconds: a build of a few small pages that takes longer has hung


def _png(width: int, height: int, data: bytes = b"\0" * 64) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")


FILE_NAMES = (
    "a\\b", "a b", "caf\u00e9", "#x", "x%20y", "-rf", "a" * 200, "x\ty", "x\ny", "a?b", "a:b", "\u65e5\u672c",
    "\U0001f600", "con", "a\u202eb", "x'y", 'x"y', "<b>", "..md", "a.md.md", "\u00a0", "a\u0301",
)

IMAGES = (
    ("bomb.png", _png(60_000, 60_000)),
    ("wide.png", _png(2_000_000, 1)),
    ("truncated.png", _png(10, 10)[:40]),
    ("noise.jpg", bytes(random.Random(1).randrange(256) for _ in range(2000))),
    ("empty.png", b""),
    ("zero.png", _png(0, 0)),
    ("script.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("entity.svg", b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'),
    ("onload.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("text.png", b"not an image at all\n"),
)

ADDRESSES = (
    "/pagefind/pagefind.js", "/_redirects", "/_headers", "/.alagen-build", "../../../etc", "//evil.example/",
    "/\\\\evil.example", "/%2e%2e/x", "/a/../../b", "javascript:alert(1)", "/" + "x" * 300, "/\u00e9t\u00e9/",
    "/a b/", "/a?b", "/a#b", "", "/",
)

SCALARS = (
    "1e400", "123456789012345678901234567890", "-1", "0001-01-01", "9999-12-31", "2025-02-30", "'\\x0b'",
    '"\\e[31m"', '"\\uFFFE"', '"\\0"', "[" * 80 + "]" * 80, "{a: " * 60 + "1" + "}" * 60, "&a [*a]", "!!python/none ''",
    "'" + "long " * 2000 + "'", "yes", "null", "[]", "{}",
)

BODIES = (
    ">" * 3000 + " deep",
    "".join("  " * n + "- item\n" for n in range(400)),
    "*" * 5000 + "a" + "*" * 5000,
    "[" * 3000 + "a" + "]" * 3000,
    "::: note\n" * 300,
    "text\x0bwith\x00controls\x1b[31m",
    "<script>alert(1)</script> <img src=x onerror=alert(1)>",
    "[a](javascript:alert(1)) [b](/pagefind/pagefind.js) [c](//evil.example/)",
    "## Same\n" * 2000,
    "`" * 5000,
    "\\" * 5000,
    "&#0; &#xD800; &#x110000; &nbsp" * 50,
)

FIELDS = ("title", "date", "publish", "expires", "weight", "url", "slug", "aliases", "summary", "image", "extra")
EVENT_FIELDS = ("title", "start", "end", "kind", "summary", "price", "location", "url", "id")


def a_case(rng: random.Random) -> dict[str, str | bytes]:
    """A small site's files with one to three hostile pieces."""
    files: dict[str, str | bytes] = {"content/index.md": "---\ntitle: Home\n---\nHi.\n"}
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(("name", "image", "address", "field", "body", "record", "data"))
        if kind == "name":
            folder = rng.choice(("content", "content/news", "data", "layouts/assets"))
            suffix = {"content": ".md", "content/news": ".md", "data": ".yaml", "layouts/assets": ".css"}[folder]
            body = "---\ntitle: Odd\n---\nx\n" if suffix == ".md" else "a: 1\n" if suffix == ".yaml" else "b{}\n"
            files[f"{folder}/{rng.choice(FILE_NAMES)}{suffix}"] = body
        elif kind == "image":
            name, data = rng.choice(IMAGES)
            files[f"content/{name}"] = data
            files["content/pic.md"] = f"---\ntitle: Pic\nimage: {name}\nimage_alt: A picture\n---\n![A picture]({name})\n"
        elif kind == "address":
            key = rng.choice(("url", "aliases", "slug"))
            value = rng.choice(ADDRESSES)
            files[f"content/addr{len(files)}.md"] = f"---\ntitle: Addr\n{key}: {value!r}\n---\nx\n".replace("'", '"', 2)
        elif kind == "field":
            files[f"content/f{len(files)}.md"] = f"---\ntitle: F\n{rng.choice(FIELDS)}: {rng.choice(SCALARS)}\n---\nx\n"
        elif kind == "body":
            files[f"content/b{len(files)}.md"] = "---\ntitle: B\n---\n" + rng.choice(BODIES) + "\n"
        elif kind == "record":
            event = {"title": "T", "kind": "webinar", "start": "2025-04-01", "summary": "S"}
            event[rng.choice(EVENT_FIELDS)] = rng.choice(SCALARS + ADDRESSES[:6])
            files["data/events.yaml"] = "- " + "\n  ".join(f"{k}: {v}" for k, v in event.items()) + "\n"
        else:
            files[f"data/x{len(files)}.yaml"] = f"a: {rng.choice(SCALARS)}\n"
    return files


def _tree(top: Path) -> dict[str, tuple[int, int]]:
    """Every path below top with its size and modification time, build/ and the cache aside."""
    found = {}
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("build", ".alagen-cache")]
        for name in names:
            stat = os.lstat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), top)] = (stat.st_size, stat.st_mtime_ns)
    return found


def test_hostile_sites_end_in_problems_or_a_build_never_a_crash(tmp_path):
    rng = random.Random(SEED)
    failures = []
    for number in range(COUNT):
        files = a_case(rng)
        root = tmp_path / f"case-{number}" / "site"
        try:
            make_site(root, files)
        except OSError:  # a name this file system cannot hold: not the build's to refuse
            continue
        before = _tree(tmp_path / f"case-{number}")
        started = time.perf_counter()
        outcome = None
        try:
            build_at(root, search=number % 10 == 0)  # some with Pagefind: it reads the output too
        except BuildFailed as failed:
            outcome = failed
            internal = [p for p in failed.problems if "internal error" in p.message]
            if internal or failed.__cause__ is not None:
                failures.append(f"case {number} {sorted(files)}: {internal or repr(failed.__cause__)}")
            elif (root / "build").exists():
                failures.append(f"case {number}: a failed build published build/")
        except Exception as err:  # noqa: BLE001 - what `alagen build` reports as an internal error
            failures.append(f"case {number} {sorted(files)}: {type(err).__name__}: {err}"[:600])
        took = time.perf_counter() - started
        if took > LIMIT:
            failures.append(f"case {number} {sorted(files)}: took {took:.0f} s")
        if _tree(tmp_path / f"case-{number}") != before:
            failures.append(f"case {number}: files outside build/ changed")
        if outcome is not None:
            unplaced = [str(p) for p in outcome.problems if not p.location.path]
            if unplaced:
                failures.append(f"case {number}: problems without a file: {unplaced}")
            broken = [str(p) for p in outcome.problems if "\n" in str(p)]
            if broken:  # a file name with a newline must not split (or fake) a line of the report
                failures.append(f"case {number}: a problem over several lines: {broken}")
    assert not failures, f"{len(failures)} of {COUNT} cases failed (seed {SEED}):\n" + "\n".join(failures)
