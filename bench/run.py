#!/usr/bin/env python3
"""Time alagen on generated sites of 1,000, 4,000 and 10,000 pages, with Hugo and Eleventy
building the same pages in the same run, and write the table to bench/results.md.

    bash ../shared/bench/install_peers.sh          # once: Hugo and Eleventy into $BENCH_WORK/peers
    python bench/run.py                            # every size, 3 rounds
    python bench/run.py --sizes 1000 --runs 1      # a quick run

For each size the corpus is written once (bench/corpus.py). Each round then times, in an
order that rotates from round to round, a clean build by alagen (build/ and .alagen-cache/
deleted first), Hugo and Eleventy; then alagen's rebuilds, each after one change to the
site: none, one page's text, the layout every post uses (layouts/page.html), and one data
file (a title in data/events/2025.yaml). The changes are undone after the round. Last,
bench/warm.py times a rebuild after one page changed inside a process that built the site
before, as `alagen serve` rebuilds: with serve's Builder, told the changed file as its watcher
would (no start-up, no walk of the site's folders, the cache already in memory). These
builds use --no-search (Hugo and Eleventy build no search index); every alagen build is as
of 2025-06-01.

Production builds always index the site with Pagefind (issue #18), so each round also times,
in its own copy of the site (corpora/N/alagen-search: its build/ and .alagen-cache/ never
meet the --no-search ones):
- `clean, search`: a clean build with the index, in the rotation with the other clean builds;
- `one page, search`: after it, one page's text changed, rebuilt with the index;
- `fresh clone, cache restored, one page`: what CI does with a restored cache. content/,
  data/ and layouts/ are copied into a new folder (plain copies: every file gets a new
  mtime, as a checkout gives), then the last build's .alagen-cache/ and build/ (plain copies
  too, as a cache restore makes), one page is changed there and it is built with the index.
  alagen's cache refuses a cache made at another absolute path ("was made for another site
  or output folder"), so today this is a clean build with the index, and the table says so;
- `hugo clean + pagefind CLI`: Hugo's clean build (the same run as `hugo clean`), then
  Pagefind's CLI over Hugo's public/ (`python -m pagefind --site public`), as a Hugo site
  gets its search index: wall times added, peak memory the larger of the two.
The bench layouts have no `data-pagefind-body`, so Pagefind indexes every page of both.

Time is wall time around the process. Memory is the peak, sampled every 20 ms, of the sum
of PSS over the whole process tree (the build and every process it started): PSS splits
pages that forked workers share between them, so the sum is what the processes take
together (a sum of RSS would count shared pages twice). The largest RSS of any one process
(wait4's ru_maxrss) is shown beside it. Ratios are taken round by round.

Environment: BENCH_WORK (default bench/work) holds peers/, corpora/ and results/;
BENCH_SHARED names the folder of gen_corpus.py (default ../shared/bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402  (bench/corpus.py, beside this file)

WORK = Path(os.environ.get("BENCH_WORK", HERE / "work")).resolve()
# alagen runs as an installed program does: Python keeps its compiled modules. A shell that
# sets PYTHONDONTWRITEBYTECODE would time the compiling of alagen's sources on every run.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
RESULTS = HERE / "results.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SCENARIOS = ("clean", "no change", "one page", "one layout", "one data file",
             "clean, search", "one page, search", "fresh clone, cache restored, one page")
PEERS = ("hugo", "eleventy")  # written by the shared generator, each in corpora/N/<name>
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Tool:
    name: str
    argv: list[str]
    folder: str  # under corpora/N/
    clean: tuple[str, ...]  # removed before a clean build
    version: str = "?"
    scenario: str = "clean"  # its clean build's name in the results: "<name>:<scenario>"

    @property
    def key(self) -> str:
        return f"{self.name}:{self.scenario}"


@dataclass
class Run:
    wall: float
    pss_mib: float  # peak sum of PSS over the process tree
    rss_mib: float  # largest RSS of one process
    rc: int


@dataclass
class Timings:
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, key: str, run: Run) -> None:
        self.runs.setdefault(key, []).append(run)


def tools(peers: list[str]) -> list[Tool]:
    """alagen without and with search, then the peers found; Pagefind's CLI right after Hugo
    (bench_size runs it over Hugo's output in Hugo's turn)."""
    version = _first_line([sys.executable, "-m", "alagen", "--version"])
    found = [
        Tool(
            "alagen",
            [sys.executable, "-m", "alagen", "build", "--no-search", "--quiet", "--now", corpus.NOW],
            "alagen",
            ("build", ".alagen-cache"),
            version,
        ),
        Tool(
            "alagen",
            [sys.executable, "-m", "alagen", "build", "--quiet", "--now", corpus.NOW],
            "alagen-search",
            ("build", ".alagen-cache"),
            version,
            "clean, search",
        ),
    ]
    hugo = os.environ.get("HUGO") or next(
        iter(glob.glob(str(WORK / "peers/venv/lib/python3*/site-packages/hugo/binaries/hugo"))), shutil.which("hugo")
    )
    if "hugo" in peers and hugo:
        version = _first_line([hugo, "version"]).split(" BuildDate")[0]
        found.append(Tool("hugo", [hugo, "--quiet"], "hugo", ("public", "resources"), version))
        # The interpreter that runs alagen's own Pagefind (search.py), so both index with one binary.
        pagefind = _first_line([sys.executable, "-m", "pagefind", "--version"])
        if pagefind.startswith("pagefind"):
            found.append(Tool("pagefind", [sys.executable, "-m", "pagefind", "--site", "public"], "hugo", (), pagefind,
                               "index public/"))
        else:
            print(f"bench: Pagefind's CLI did not run ({pagefind}); no Hugo + Pagefind row", file=sys.stderr)
    eleventy = WORK / "peers/eleventy/node_modules/@11ty/eleventy/cmd.cjs"
    node = shutil.which("node")
    if "eleventy" in peers and node and eleventy.exists():
        version = f"@11ty/eleventy {_first_line([node, str(eleventy), '--version'])}, node {_first_line([node, '--version'])}"
        found.append(Tool("eleventy", [node, str(eleventy), "--quiet"], "eleventy", ("_site", ".cache"), version))
    missing = [p for p in peers if p not in {t.name for t in found}]
    if missing:
        print(f"bench: {', '.join(missing)} not found under {WORK}/peers; run "
              f"BENCH_WORK={WORK} bash ../shared/bench/install_peers.sh", file=sys.stderr)
    return found


def _first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"? ({err})"
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    return lines[0].strip() if lines else "?"


# ------------------------------------------------------------------ measuring --

def _tree(pid: int) -> list[int]:
    """pid and all its descendants, from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in glob.glob(f"/proc/{current}/task/*/children"):
            try:
                todo += [int(c) for c in Path(children).read_text().split()]
            except OSError:
                pass
    return found


def _pss(pid: int) -> int:
    """Proportional set size of one process, in bytes (0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) * 1024 if match else 0


def timed(argv: list[str], cwd: Path, log: Path) -> Run:
    """Run argv in cwd; wall time, peak summed PSS of its process tree, largest RSS."""
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        peak = [0]
        done = threading.Event()
        started = time.monotonic()
        child = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)

        def sample() -> None:
            # Reading smaps walks every page of every process of the tree under the memory map's
            # lock: at 50 a second it slowed alagen's forked workers by 1-3 s at 10,000 pages.
            # Often at first (short builds), then 5 times a second (a long build's peak lasts).
            while not done.is_set():
                peak[0] = max(peak[0], sum(_pss(p) for p in _tree(child.pid)))
                done.wait(0.02 if time.monotonic() - started < 1 else 0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, peak[0] / 2**20, usage.ru_maxrss / 1024, child.returncode)


# ------------------------------------------------------------------- changes --

class Changes:
    """The edits between rebuilds, each undone by `undo()`."""

    def __init__(self, site: Path):
        self.site = site
        self.saved: dict[Path, bytes] = {}

    def _edit(self, path: Path, change) -> None:
        self.saved.setdefault(path, path.read_bytes())
        text = path.read_text(encoding="utf-8")
        new = change(text)
        assert new != text, f"the bench's change to {path} changed nothing"
        path.write_text(new, encoding="utf-8")

    def page(self, round_number: int) -> None:
        post = sorted((self.site / "content/posts").glob("*.md"))[len(self.saved) + 7]
        self._edit(post, lambda t: t + f"\nOne more sentence, added for bench round {round_number}.\n")

    def layout(self, round_number: int) -> None:
        self._edit(self.site / "layouts/page.html", lambda t: t.replace("<article>", f'<article class="r{round_number}">', 1))

    def data(self, round_number: int) -> None:
        self._edit(self.site / "data/events/2025.yaml", lambda t: t.replace('  title: "', f'  title: "Round {round_number}: ', 1))

    def undo(self) -> None:
        for path, data in self.saved.items():
            path.write_bytes(data)
        self.saved.clear()


# ---------------------------------------------------------------------- runs --

def bench_size(n: int, found: list[Tool], rounds: int, warmup: int) -> dict:
    root = WORK / "corpora" / str(n)
    started = time.monotonic()
    corpus.write_all(n, root, tuple(t.folder for t in found if t.name in PEERS))
    alagen, searched = found[0], found[1]
    # The builds with search in a copy of their own: the --no-search rebuilds below find their
    # own clean build's cache (a cache is kept per set of options, search among them).
    shutil.rmtree(root / searched.folder, ignore_errors=True)
    shutil.copytree(root / alagen.folder, root / searched.folder)
    print(f"## {n} pages: corpus written in {time.monotonic() - started:.1f} s", file=sys.stderr)
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    result = Timings()
    load_before = os.getloadavg()

    def clean(tool: Tool) -> Run:
        site = root / tool.folder
        for name in tool.clean:
            shutil.rmtree(site / name, ignore_errors=True)
        run = timed(tool.argv, site, logs / f"{tool.name}.log")
        print(f"  {tool.name:9s} {tool.scenario:13s} {run.wall:7.2f} s {run.pss_mib:7.0f} MiB rc={run.rc}", file=sys.stderr)
        return run

    # What takes one turn in the rotation: a tool's clean build, and Pagefind's CLI after Hugo's.
    turns: list[list[Tool]] = []
    for tool in found:
        if tool.name == "pagefind":
            turns[-1].append(tool)
        else:
            turns.append([tool])

    def turn(tools_of_turn: list[Tool]) -> None:
        first, *then = tools_of_turn
        runs = [clean(t) for t in tools_of_turn]
        result.add(first.key, runs[0])
        if then:  # one scenario: the walls added, the larger peak (the two never run at once)
            key = first.key + "".join(f" + {t.name} CLI" for t in then)
            result.add(key, Run(sum(r.wall for r in runs), max(r.pss_mib for r in runs),
                                max(r.rss_mib for r in runs), next((r.rc for r in runs if r.rc), 0)))

    for _ in range(warmup):
        for tool in found:
            clean(tool)
    site, search_site = root / alagen.folder, root / searched.folder
    for number in range(rounds):
        order = turns[number % len(turns):] + turns[: number % len(turns)]
        for tools_of_turn in order:
            turn(tools_of_turn)
        changes = Changes(site)
        for scenario, change in (
            ("no change", None),
            ("one page", changes.page),
            ("one layout", changes.layout),
            ("one data file", changes.data),
        ):
            if change:
                change(number)
            run = timed(alagen.argv, site, logs / "alagen.log")
            print(f"  alagen    {scenario:13s} {run.wall:7.2f} s {run.pss_mib:7.0f} MiB rc={run.rc}", file=sys.stderr)
            result.add(f"alagen:{scenario}", run)
        changes.undo()
        # With search: one page after this round's clean build with search, then CI's case.
        search_changes = Changes(search_site)
        search_changes.page(number)
        run = timed(searched.argv, search_site, logs / "alagen.log")
        print(f"  alagen    one page, search {run.wall:7.2f} s {run.pss_mib:7.0f} MiB rc={run.rc}", file=sys.stderr)
        result.add("alagen:one page, search", run)
        run = fresh_clone(search_site, root / "fresh-clone", searched.argv, number, logs / "alagen.log")
        print(f"  alagen    fresh clone, cache restored, one page {run.wall:7.2f} s {run.pss_mib:7.0f} MiB rc={run.rc}",
              file=sys.stderr)
        result.add("alagen:fresh clone, cache restored, one page", run)
        search_changes.undo()
    pages = _built_pages(site)
    # As `alagen serve` rebuilds: one page changed, in a process that built the site before.
    warm = subprocess.run([sys.executable, str(HERE / "warm.py"), str(site), corpus.NOW, str(rounds)],
                          capture_output=True, text=True, check=True)
    for line in warm.stdout.split("\n"):
        if line.strip():
            result.add("alagen:one page, warm process", Run(float(line.split()[0]), 0.0, 0.0, 0))
    print(f"  alagen    one page, warm process: {warm.stdout.split()}", file=sys.stderr)
    return {"n": n, "pages_built": pages, "load_before": load_before, "load_after": os.getloadavg(),
            "runs": {k: [r.__dict__ for r in v] for k, v in result.runs.items()}}


def fresh_clone(site: Path, clone: Path, argv: list[str], round_number: int, log: Path) -> Run:
    """CI's build: a new checkout of the site (another absolute path, every file a new mtime)
    with the last build's .alagen-cache/ and build/ restored beside it, one page changed."""
    shutil.rmtree(clone, ignore_errors=True)
    # copyfile, not copy2 (nor cp -a): neither a checkout nor a cache restore keeps mtimes.
    for name in ("content", "data", "layouts", ".alagen-cache", "build"):
        shutil.copytree(site / name, clone / name, copy_function=shutil.copyfile)
    Changes(clone).page(round_number)  # nobody undoes it: the clone goes
    try:
        return timed(argv, clone, log)
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def _built_pages(site: Path) -> int:
    """How many pages alagen made (posts, records, listings): its summary line says."""
    out = subprocess.run([sys.executable, "-m", "alagen", "build", "--no-search", "--now", corpus.NOW],
                         cwd=site, capture_output=True, text=True)
    match = re.search(r"^\s*([\d,]+) pages ", out.stdout, re.M)  # the summary's first row: "  12,622 pages"
    return int(match.group(1).replace(",", "")) if match else 0


# ------------------------------------------------------------------- report --

def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _span(runs: list[dict]) -> str:
    walls = [r["wall"] for r in runs]
    if len(walls) == 1:
        return f"{walls[0]:.2f}"
    return f"{statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f})"


def _ratio(size: dict, a: str, b: str) -> float | None:
    """Median of round-by-round ratios of build a to build b (results keys, "<tool>:<scenario>")."""
    ra, rb = size["runs"].get(a), size["runs"].get(b)
    if not ra or not rb:
        return None
    return statistics.median(x["wall"] / y["wall"] for x, y in zip(ra, rb))


def report(meta: dict, sizes: list[dict]) -> str:
    lines = [
        f"Run {meta['date']} on {meta['machine']}, Python {meta['python']}; {meta['rounds']} round(s) per size "
        f"after {meta['warmup']} warm-up build(s); median (min–max) wall seconds.",
        "",
        "| pages | build | wall s | pages/s | peak MiB (PSS, all processes) | max RSS MiB (one process) | exit |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for size in sizes:
        n = size["n"]
        for key, runs in size["runs"].items():
            tool, scenario = key.split(":")
            label = f"{tool} {scenario}"
            rate = f"{n / _median(runs, 'wall'):.0f}" if scenario.startswith("clean") else ""
            codes = sorted({r["rc"] for r in runs})
            pss, rss = max(r["pss_mib"] for r in runs), max(r["rss_mib"] for r in runs)
            lines.append(
                f"| {n} | {label} | {_span(runs)} | {rate} | {f'{pss:.0f}' if pss else '–'} | "
                f"{f'{rss:.0f}' if rss else '–'} | {'ok' if codes == [0] else codes} |"
            )
    lines += ["", "| pages | alagen pages built | alagen / Hugo (clean) | alagen / Eleventy (clean) | no change / Hugo clean | "
              "one page / Hugo clean | load avg before → after |", "|---:|---:|---:|---:|---:|---:|---|"]
    for size in sizes:
        hugo = size["runs"].get("hugo:clean")
        rel = {}
        for scenario in ("no change", "one page"):
            runs = size["runs"].get(f"alagen:{scenario}")
            rel[scenario] = f"{_median(runs, 'wall') / _median(hugo, 'wall'):.2f}" if runs and hugo else "–"
        ratios = [_ratio(size, "alagen:clean", f"{peer}:clean") for peer in PEERS]
        shown = [f"{r:.2f}" if r is not None else "–" for r in ratios]
        load = " ".join(f"{x:.1f}" for x in size["load_before"]) + " → " + " ".join(f"{x:.1f}" for x in size["load_after"])
        lines.append(f"| {size['n']} | {size['pages_built']} | {shown[0]} | {shown[1]} | {rel['no change']} | "
                     f"{rel['one page']} | {load} |")
    # Production builds, with the search index: alagen's against Hugo's with Pagefind's CLI after it.
    lines += ["", "| pages | alagen clean, search / Hugo clean + Pagefind CLI | alagen one page, search / Hugo clean + "
              "Pagefind CLI | fresh clone, cache restored, one page / alagen clean, search | search's cost: clean, search "
              "/ clean |", "|---:|---:|---:|---:|---:|"]
    for size in sizes:
        ratios = [
            _ratio(size, "alagen:clean, search", "hugo:clean + pagefind CLI"),
            _ratio(size, "alagen:one page, search", "hugo:clean + pagefind CLI"),
            _ratio(size, "alagen:fresh clone, cache restored, one page", "alagen:clean, search"),
            _ratio(size, "alagen:clean, search", "alagen:clean"),
        ]
        lines.append(f"| {size['n']} | " + " | ".join(f"{r:.2f}" if r is not None else "–" for r in ratios) + " |")
    per_page = {s["n"]: _median(s["runs"]["alagen:clean"], "wall") / s["n"] for s in sizes if "alagen:clean" in s["runs"]}
    if len(per_page) > 1:
        small, large = min(per_page), max(per_page)
        lines += ["", f"Growth: time per page at {large} is {per_page[large] / per_page[small]:.2f}x the time per page at {small}."]
    lines += ["", "| build | version | command (run in the site folder) |", "|---|---|---|"]
    for tool in meta["tools"]:
        lines.append(f"| {tool['name']} | {tool['version']} | `{' '.join(_shown(a) for a in tool['argv'])}` |")
    return "\n".join(lines) + "\n"


def _shown(arg: str) -> str:
    return Path(arg).name if os.path.isabs(arg) else arg


def write_results(table: str) -> None:
    """Replace the part of results.md between the bench markers; keep the notes around it."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"# Bench results\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    RESULTS.write_text(f"{head}{START}\n{table}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,10000", help="comma-separated page counts")
    parser.add_argument("--runs", type=int, default=3, help="rounds per size")
    parser.add_argument("--warmup", type=int, default=1, help="untimed clean builds of each tool per size")
    parser.add_argument("--peers", default="hugo,eleventy", help="peers to time beside alagen ('' for none)")
    parser.add_argument("--no-results", action="store_true", help="print the table; leave bench/results.md alone")
    parser.add_argument("--keep-corpora", action="store_true", help="keep corpora/N after timing it")
    args = parser.parse_args(argv)
    found = tools([p for p in args.peers.split(",") if p])
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * PAGE_SIZE / 2**30:.0f} GiB, "
                   f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "rounds": args.runs,
        "warmup": args.warmup,
        "tools": [{"name": t.name if t.scenario == "clean" else f"{t.name} ({t.scenario})", "version": t.version,
                   "argv": t.argv} for t in found],
    }
    sizes = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        sizes.append(bench_size(n, found, args.runs, args.warmup))
        if not args.keep_corpora:
            shutil.rmtree(WORK / "corpora" / str(n), ignore_errors=True)
    table = report(meta, sizes)
    (WORK / "results").mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (WORK / "results" / f"{stamp}.json").write_text(json.dumps({"meta": meta, "sizes": sizes}, indent=1))
    print(table)
    if not args.no_results:
        write_results(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
