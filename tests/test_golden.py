"""Golden output: tests/sites/NAME/ is built and compared, file by file and byte for byte,
with tests/sites/NAME/expected/. After a deliberate change of output, rewrite the expected
files with `ALAGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from alagen.pipeline import BuildOptions, build

SITES = Path(__file__).parent / "sites"
NOW = dt.date(2025, 3, 1)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(p.name for p in SITES.iterdir() if p.is_dir()))
def test_build_matches_expected_output(name, tmp_path):
    site = SITES / name
    out = tmp_path / "build"
    build(BuildOptions(root=site, out=out, now=NOW, search=False))
    expected = site / "expected"
    if os.environ.get("ALAGEN_UPDATE_GOLDEN"):
        # Never a pass: the output compared with itself proves nothing. The run that checks is
        # the next one, without the variable, after the diff has been read.
        changed = _files(out) != _files(expected)
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
        pytest.fail(f"{'rewrote' if changed else 'rewrote (unchanged)'} {expected}; review `git diff` and run again without ALAGEN_UPDATE_GOLDEN")
    built, wanted = _files(out), _files(expected)
    assert sorted(built) == sorted(wanted)
    for path, data in wanted.items():
        assert built[path].decode() == data.decode(), f"{path} differs from expected/{path}"
