"""What `alagen build` prints: a progress bar on a terminal only, and a summary table."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from alagen.errors import Location, Problem
from alagen.pipeline import BuildOptions, BuildReport, build
from alagen.progress import Bar, shows_progress, summary_table
from conftest import run_cli

REPO = Path(__file__).resolve().parent.parent
SITE = {
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/a.md": "---\ntitle: A\n---\nText.\n",
    "data/jobs.yaml": "- {title: Librarian, employer: E, city: C, region: IL, posted: 2025-02-01, url: 'https://x.org/'}\n",
}


class Terminal(io.StringIO):
    """What a bar writes, as if to a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_summary_is_a_table_of_counts_and_stage_times(tmp_path):
    report = BuildReport(
        pages=1192,
        records=(("events", 57), ("jobs", 15), ("awards", 10), ("publications", 0)),
        data_files=18,
        files=1272,
        size=2_402_304,
        indexed=168,
        out=tmp_path / "build",
        timings=(("load", 0.04), ("model", 0.02), ("render", 0.444), ("write", 0.02), ("index", 1.3)),
        warnings=(Problem(Location("data/jobs.yaml", 3, 1), "x", "warning"),),
    )
    assert summary_table(report, "build/") == (
        "Built build/ in 1.82 s: 1,272 files, 2,346 KiB\n"
        "\n"
        "  1,192 pages             load      0.04 s\n"
        "     57 events            model     0.02 s\n"
        "     15 jobs              render    0.44 s\n"
        "     10 awards            write     0.02 s\n"
        "      0 publications      index     1.30 s\n"
        "     18 data files\n"
        "    168 pages searchable\n"
        "      1 warning"
    )


def test_the_table_ends_a_build_and_nothing_else_is_printed_off_a_terminal(site):
    root = site(SITE)
    result = run_cli("build", "--now", "2025-03-01", "--no-search", cwd=root)
    assert result.returncode == 0
    assert result.stderr == ""  # no bar: stderr is a pipe here, as in CI logs
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Built build/ in ")
    assert lines[2].split()[:3] == ["5", "pages", "load"]  # home, a, the job, the job list, the built-in 404
    assert lines[3].split()[:3] == ["0", "events", "model"]
    assert lines[4].split()[:3] == ["1", "jobs", "render"]
    assert lines[-1].split() == ["0", "warnings"]
    assert "\r" not in result.stdout


def test_a_bar_follows_the_stages_on_a_terminal(site):
    root = site(SITE)
    screen = Terminal()
    bar = Bar(screen, environ={"TERM": "xterm"}, delay=0)
    threads = threading.active_count()
    build(BuildOptions(root=root, now=dt.date(2025, 3, 1), search=False), bar)
    assert threading.active_count() == threads  # no monitor thread: workers may still be forked
    bar.close()
    shown = screen.getvalue()
    for stage in ("load", "model", "render", "write"):
        assert f"\r{stage} " in shown
    assert "render    0% |" in shown and "/5 pages" in shown
    assert shown.endswith("\r")  # the line is cleared for the summary


def test_a_quick_build_shows_no_bar(site):
    screen = Terminal()
    bar = Bar(screen, environ={"TERM": "xterm"}, delay=60)  # "more than a moment" never comes
    build(BuildOptions(root=site(SITE), now=dt.date(2025, 3, 1), search=False), bar)
    bar.close()
    assert screen.getvalue() == ""


def test_a_bar_only_on_an_interactive_terminal_outside_ci():
    assert shows_progress(Terminal(), {"TERM": "xterm"})
    assert not shows_progress(Terminal(), {"TERM": "xterm", "CI": "true"})
    assert not shows_progress(Terminal(), {"TERM": "dumb"})
    assert not shows_progress(io.StringIO(), {"TERM": "xterm"})


def test_in_ci_a_terminal_gets_no_bar_either(tmp_path):
    """A real pseudo-terminal as stderr, CI=true as CI runners set it: the build of the demo
    (longer than the bar's delay, with its search index) writes nothing there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}, "CI": "true", "TERM": "xterm"}
    command = [sys.executable, "-m", "alagen", "build", "--now", "2025-03-01", "--out", str(tmp_path / "out")]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    written = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the build has ended and closed the terminal
            break
        if not chunk:
            break
        written += chunk
    os.close(master)
    assert process.wait(timeout=120) == 0
    assert written == b""
    assert process.stdout.read().startswith(b"Built ")


class Recorder:
    """A progress display that remembers what it was told."""

    def __init__(self):
        self.stages: list[str] = []
        self.advanced: dict[str, int] = {}

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append(name)
        self.advanced[name] = 0

    def advance(self, count: int = 1) -> None:
        self.advanced[self.stages[-1]] += count

    def close(self) -> None:
        pass


def test_the_bar_counts_every_page_with_workers_and_with_the_cache(site, monkeypatch):
    from alagen import parallel

    files = {f"content/p{n:02}.md": f"---\ntitle: P{n}\n---\nText {n}.\n" for n in range(60)}
    root = site({**SITE, **files})
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "CHUNK", 7)
    monkeypatch.setenv("ALAGEN_JOBS", "2")
    options = BuildOptions(root=root, now=dt.date(2025, 3, 1), search=False)
    assert threading.active_count() == 1  # else run_all would render in this process alone
    shown = Recorder()
    report = build(options, shown)
    assert shown.stages == ["load", "model", "render", "write"]
    assert shown.advanced["render"] == report.pages == 65  # in the workers' batches
    (root / "content/p03.md").write_text("---\ntitle: P3\n---\nNew text.\n")
    shown = Recorder()
    report = build(options, shown)
    assert report.kept == report.pages - 1
    assert shown.advanced["render"] == report.pages  # the kept ones at once, then the one rendered
