"""Shared test helpers: write a small site from a dict of files, build it, read the output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alagen.errors import BuildFailed
from alagen.pipeline import BuildOptions, BuildReport, build

SITE_YAML = """\
title: Test Association
base_url: https://example.org/
timezone: America/Chicago
"""

# The divisions tests name in `unit:` (an unknown unit is an error).
DIVISIONS_YAML = "".join(
    f"- {{id: {unit}, name: {unit.upper()} division, short_name: {unit.upper()}}}\n"
    for unit in ("aasl", "acrl", "alsc", "core", "pla", "rusa", "yalsa")
)

# Small layouts, so a test's expected HTML stays short; tests of the real theme build the demo.
LAYOUTS = {
    "layouts/base.html": (
        "<!doctype html>\n<html lang=\"en\">\n<head><title>{{ page.title }}</title></head>\n"
        "<body>\n<main>\n{% block main %}{% endblock %}\n</main>\n</body>\n</html>\n"
    ),
    "layouts/page.html": (
        '{% extends "base.html" %}\n{% block main %}<h1>{{ page.title }}</h1>\n{{ content }}{% endblock %}\n'
    ),
    "layouts/list.html": (
        '{% extends "base.html" %}\n{% block main %}<h1>{{ page.title }}</h1>\n{{ content }}'
        "<ul>{% for child in site.children(page) %}<li><a href=\"{{ child.url|url }}\">{{ child.title }}</a></li>"
        "{% endfor %}</ul>\n{% endblock %}\n"
    ),
    "layouts/home.html": '{% extends "page.html" %}\n',
}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (path -> text or bytes) under root; return root."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def make_site(root: Path, files: dict[str, str | bytes], *, defaults: bool = True) -> Path:
    """A site with settings and small layouts, plus `files` (which override them)."""
    base: dict[str, str | bytes] = {"data/site.yaml": SITE_YAML, "data/divisions.yaml": DIVISIONS_YAML, **LAYOUTS} if defaults else {}
    return write_files(root, {**base, **files})


def build_at(root: Path, now: str = "2025-03-01", **options) -> BuildReport:
    """Build the site at root (raises BuildFailed)."""
    import datetime as dt

    options.setdefault("search", False)  # most tests are not about search; it costs 0.2 s a build
    return build(BuildOptions(root=root, now=dt.date.fromisoformat(now), **options))


def problems_of(root: Path, now: str = "2025-03-01", **options) -> list[str]:
    """The build's problems as 'path:line:col: message' lines; fails the test if it built."""
    with pytest.raises(BuildFailed) as failed:
        build_at(root, now, **options)
    return [str(p) for p in failed.value.problems]


def at(source: str, needle: str, nth: int = 1) -> str:
    """'line:col' (1-based) of the nth occurrence of needle in source: where an error must point."""
    index = -1
    for _ in range(nth):
        index = source.index(needle, index + 1)
    line = source.count("\n", 0, index) + 1
    col = index - (source.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


def read(root: Path, path: str) -> str:
    return (root / "build" / path).read_text(encoding="utf-8")


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m alagen ARGS` in cwd, as an editor would from a terminal."""
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "alagen", *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def site(tmp_path):
    """site({path: text}) -> root of a fresh fixture site."""
    return lambda files=None, **kw: make_site(tmp_path / "site", files or {}, **kw)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The demo site (content/, data/, layouts/ of this repository) built once for the whole
    test run on 2025-03-01, with its search index, as `alagen build` makes it. Read it; never
    change it (tests that change a build make their own)."""
    repo = Path(__file__).resolve().parent.parent
    folder = tmp_path_factory.mktemp("demo") / "build"
    result = run_cli("build", "--now", "2025-03-01", "--out", str(folder), cwd=repo)
    assert result.returncode == 0, result.stderr
    return folder
