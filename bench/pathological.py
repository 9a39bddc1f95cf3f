"""Times alagen's Markdown on the pathological inputs of cmark's test suite.

An editor's page (or a pasted log) can be any text, and a build must not hang or crash on
one. cmark's test/pathological_tests.py lists the inputs that made Markdown parsers
quadratic, exponential or stack-hungry; here each is built at several sizes up to 1 MB and
rendered with `Markdown().render`, the way a page is rendered in a build.

    python bench/pathological.py                    # every case, 125 KB .. 1 MB (2-5 minutes)
    python bench/pathological.py --only backticks --only "nested block"
    python bench/pathological.py --sizes 50k,100k --timeout 10

A case passes when it renders at 1 MB (or the largest size given under it) in under 1 s, the time
grows about linearly (1 MB against 500 KB at most 2.6x; a doubling of a linear time is 2x),
it raises nothing and the HTML is not empty. Each case runs in a child process with a
timeout, so a hang or a segfault of one case is reported (TIMEOUT, CRASH) and the rest run;
a size that takes over a quarter of the timeout is a case's last (SLOW: stopped after ...).
Prints a Markdown table; exits 1 when a case fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time

KB, MB = 1000, 1000 * 1000
SIZES = (125 * KB, 250 * KB, 500 * KB, 1 * MB)
LIMIT = 1.0  # seconds at 1 MB
NONLINEAR = 1.3  # time ratio above 1.3x the size ratio (2.6 for a doubling)
NOISE = 0.05  # below 50 ms at the largest size a ratio is mostly timer noise: not flagged
BUDGET = 1.0  # seconds of rendering per size: best of 3 runs, or fewer when slow


def rep(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """`unit` repeated to fill `size` characters."""
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


def triangle(piece, size: int) -> str:
    """piece(1) + piece(2) + ... until `size`: for cases whose runs grow along the input."""
    out, total = [], 0
    for k in itertools.count(1):
        out.append(piece(k))
        total += len(out[-1])
        if total >= size:
            return "".join(out)


def _badhash(key: str) -> bool:
    # cmark's reference map hash, 16 buckets: keys for which it is 0 all land in one bucket.
    h = 0
    for c in key:
        h = (ord(c) + ((h << 6) & 0xFFFFFFFF) + ((h << 16) & 0xFFFFFFFF) - h) & 0xFFFFFFFF
    return h % 16 == 0


_COLLIDING = (k for k in (f"x{i}" for i in itertools.count()) if _badhash(k))
_KEYS: list[str] = []


def collisions(size: int) -> str:
    """cmark's "reference collisions": definitions whose labels share one hash bucket, each
    followed by a reference to the first label. Keys are computed once, for every size."""
    out, total = [], 0
    for i in itertools.count(1):
        while len(_KEYS) <= i:
            _KEYS.append(next(_COLLIDING))
        out.append(f"[{_KEYS[i]}]: /url\n\n[{_KEYS[0]}]\n\n")
        total += len(out[-1])
        if total >= size:
            return "".join(out)


def many_references(size: int) -> str:
    # cmark's (disabled there) "many references": 16 definitions for each reference to [0].
    n = size // (16 * 11 + 4)
    return "".join(f"[{x}]: u\n" for x in range(1, 16 * n)) + "[0] " * n


def paragraph(size: int) -> str:
    # One paragraph of plain words, soft-wrapped at ~70 columns as an editor writes it.
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\n"
    return rep(line, size)


# name -> (origin, size -> input). "cmark" cases are cmark's test/pathological_tests.py
# (the "nested inlines" one is its round-trip case), "cmark-gfm" its GFM-only ones, and
# "extra" the unclosed-HTML, autolink, reference and big-paragraph shapes it does not have.
CASES = {
    "nested strong emph": ("cmark", lambda s: "*a **a " * (s // 14) + "b" + " a** a*" * (s // 14)),
    "many emph closers with no openers": ("cmark", lambda s: rep("a_ ", s)),
    "many emph openers with no closers": ("cmark", lambda s: rep("_a ", s)),
    "many link closers with no openers": ("cmark", lambda s: rep("a]", s)),
    "many link openers with no closers": ("cmark", lambda s: rep("[a", s)),
    "mismatched openers and closers": ("cmark", lambda s: rep("*a_ ", s)),
    "issue #389": ("cmark", lambda s: "*a " * (s // 8) + "_a*_ " * (s // 8)),
    "openers and closers multiple of 3": ("cmark", lambda s: rep("c* ", s, head="a**b")),
    "link openers and emph closers": ("cmark", lambda s: rep("[ a_", s)),
    "pattern [ (]( repeated": ("cmark", lambda s: rep("[ (](", s)),
    "pattern ![[]() repeated": ("cmark", lambda s: rep("![[]()", s)),
    # cmark's is one line; repeated, every line's delimiters meet the earlier lines' ones.
    "hard link/emph case": ("cmark", lambda s: rep("**x [a*b**c*](d)\n", s)),
    "nested brackets": ("cmark", lambda s: "[" * (s // 2) + "a" + "]" * (s // 2)),
    "nested block quotes": ("cmark", lambda s: rep("> ", s, tail="a")),
    "deeply nested lists": ("cmark", lambda s: triangle(lambda k: "  " * (k - 1) + "* a\n", s)),
    "U+0000 in input": ("cmark", lambda s: rep("abc\u0000de\u0000", s)),
    "backticks": ("cmark", lambda s: triangle(lambda k: "e" + "`" * k, s)),
    "unclosed links A": ("cmark", lambda s: rep("[a](<b", s)),
    "unclosed links B": ("cmark", lambda s: rep("[a](b", s)),
    "unclosed <!--": ("cmark", lambda s: rep("<!--", s, head="</")),
    "empty lines in deeply nested lists": ("cmark", lambda s: "- " * (s // 3) + "x" + "\n" * (s // 3)),
    "empty lines in deeply nested lists in blockquote": (
        "cmark", lambda s: "> " + "- " * (s // 4) + "x\n" + ">\n" * (s // 4)),
    "emph in deep blockquote": ("cmark", lambda s: ">" * (s // 3) + "a*" * (s // 3)),
    "reference collisions": ("cmark", collisions),
    "nested inlines": ("cmark", lambda s: "*" * (s // 2) + "a" + "*" * (s // 2)),
    "tables": ("cmark-gfm", lambda s: rep("aaa\rbbb\n-\v\n", s)),
    "many image openers": ("cmark-gfm", lambda s: rep("![p", s, tail="\n")),
    "unclosed <?": ("extra", lambda s: rep("<?", s, head="</")),
    "unclosed <![CDATA[": ("extra", lambda s: rep("<![CDATA[", s, head="</")),
    "unclosed <!X": ("extra", lambda s: rep("<!X", s, head="</")),
    "many <a tag openers": ("extra", lambda s: rep("<a ", s, head="x ")),
    "many <http autolink openers": ("extra", lambda s: rep("<http://a", s, head="x ")),
    "unclosed email autolink": ("extra", lambda s: rep("a.", s, head="x <a@")),
    "many references": ("extra", many_references),
    "same-label references": (
        "extra", lambda s: rep("[a]: /u\n[ A ]: /v\n[a\n]: /w\n", s // 2) + rep("[a] ", s // 2)),
    "plain paragraph": ("extra", paragraph),
}
PARAGRAPH_BIG = 5 * MB  # the plain paragraph also runs at 5 MB: a long page must stay linear


def markdown():
    """alagen's Markdown as a build makes it, and which parser is underneath."""
    try:
        import alagen.markdown
    except ImportError:  # not installed: the tree this script is in
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
        import alagen.markdown
    try:
        md, typographer = alagen.markdown.Markdown(raw_html=True, image=None, typographer=True), "typographer on"
    except TypeError:  # the engine before the typographer option
        md, typographer = alagen.markdown.Markdown(raw_html=True, image=None), "no typographer option"
    parser = next(sys.modules[name] for name in ("markdown_it_pyrs", "markdown_it") if name in sys.modules)
    return md, f"{parser.__name__} {getattr(parser, '__version__', '')}, {typographer}"


def child(name: str, sizes: list[int], timeout: float) -> None:
    """Render one case at each size; one JSON line per size, flushed, so the parent keeps
    the sizes done before a hang or a crash. A size that took over a quarter of the timeout
    is the last: the next (twice as long, if linear) would only run into the timeout."""
    md, engine = markdown()
    print(json.dumps({"engine": engine}), flush=True)
    build = CASES[name][1]
    for size in sizes:
        text = build(size)
        best, spent, runs = float("inf"), 0.0, 0
        try:
            while runs < 3 and (runs == 0 or spent < BUDGET):
                # CPU time: on a shared machine, waiting for a core is not the parser's time
                started, cpu = time.perf_counter(), time.process_time()
                rendered = md.render(text, "content/a.md", 1, lambda target, source: target)
                html = rendered.html
                took, wall = time.process_time() - cpu, time.perf_counter() - started
                best, spent, runs = min(best, took), spent + wall, runs + 1
        except BaseException as error:  # RecursionError, MemoryError, a Rust panic: a FAIL
            message = f"{type(error).__name__}: {error}"[:120]
            print(json.dumps({"want": size, "size": len(text), "error": message}), flush=True)
            return
        bad = "empty output" if not html.strip() else "NUL in output" if "\x00" in html else None
        # a problem (too deep, say) is the engine refusing part of the page: noted, not failed
        problems = [p.message for p in rendered.problems]
        point = {"want": size, "size": len(text), "time": best, "runs": runs, "bad": bad}
        print(json.dumps(point | {"problems": problems[:1], "n_problems": len(problems)}), flush=True)
        if wall > timeout / 4 and size != sizes[-1]:
            print(json.dumps({"stopped": f"SLOW: stopped after {label(size)}, {best:.1f} s there"}), flush=True)
            return


def run_case(name: str, sizes: list[int], timeout: float) -> dict:
    """Run `child` for one case in its own process; read its lines, whatever became of it."""
    with tempfile.TemporaryFile("w+") as out:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--sizes", ",".join(map(str, sizes)),
               "--timeout", str(timeout)]
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        try:
            _, err = proc.communicate(timeout=timeout)
            status = None if proc.returncode == 0 else f"CRASH({proc.returncode})"
        except subprocess.TimeoutExpired:
            proc.kill()  # only this case's child
            _, err = proc.communicate()
            status = f"TIMEOUT(>{timeout:g} s)"
        out.seek(0)
        lines = [json.loads(line) for line in out if line.startswith("{") and line.endswith("}\n")]  # not a cut line
    engine = next((line["engine"] for line in lines if "engine" in line), "?")
    points = [line for line in lines if "size" in line]
    if status and status.startswith("CRASH") and err.strip():
        status += " " + err.strip().splitlines()[-1][:80]
    stopped = next((line["stopped"] for line in lines if "stopped" in line), None)
    return {"name": name, "engine": engine, "points": points, "status": status or stopped}


def verdict(case: dict, sizes: list[int]) -> tuple[str, str, str, bool]:
    """(ratio, under 1 s at 1 MB?, result, failed?) of one case's run."""
    points, status = case["points"], case["status"]
    timed = [p for p in points if "time" in p and p["want"] in sizes]
    errors = [p["error"] for p in points if "error" in p] + [p["bad"] for p in points if p.get("bad")]
    ratio, flags = "-", []
    if len(timed) >= 2:
        (a, b) = timed[-2:]
        r = b["time"] / max(a["time"], 1e-6)
        expected = b["size"] / a["size"]
        ratio = f"{r:.2f}" + (f" (x{expected:.1f} size)" if abs(expected - 2) > 0.1 else "")
        if r > NONLINEAR * expected and b["time"] >= NOISE:
            flags.append("NONLINEAR")
    ref = reference(sizes)
    at_ref = next((p for p in timed if p["want"] == ref), None)
    fast = "yes" if at_ref and at_ref["time"] < LIMIT else "no"
    if at_ref and at_ref["time"] >= LIMIT:
        flags.append("SLOW")
    if errors:
        flags.append("FAIL: " + errors[0])
    if status:
        flags.append(status)
    if not at_ref and not flags:
        flags.append("no 1 MB point")
    noted = next((p for p in reversed(timed) if p.get("n_problems")), None)
    message = noted["problems"][0] if noted else ""
    message = message if len(message) <= 60 else message[:60].rsplit(" ", 1)[0] + " ..."
    note = f" ({noted['n_problems']} problem(s): {message})" if noted else ""
    return ratio, fast, (", ".join(flags) or "ok") + note, bool(flags)


def reference(sizes: list[int]) -> int:
    """The size the 1 s limit applies at: 1 MB, or the largest size under it (else the smallest)."""
    return max((s for s in sizes if s <= MB), default=sizes[0])


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def label(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size / KB:g} KB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 125k,250k,500k,1m")
    parser.add_argument("--only", action="append", help="a case (or part of its name); repeatable")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case (default 20)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted(int(float(s[:-1]) * {"k": KB, "m": MB}[s[-1].lower()]) if s[-1] in "kKmM" else int(s)
                   for s in args.sizes.split(","))
    if args.child:
        child(args.child, sizes, args.timeout)
        return 0
    engine = markdown()[1]  # fails here, once, if alagen cannot be imported
    names = [n for n in CASES if not args.only or any(o.lower() in n.lower() for o in args.only)]
    if not names:
        parser.error(f"no case matches {args.only}; cases: {', '.join(CASES)}")

    rows, failed, started, load = [], [], time.perf_counter(), f"{os.getloadavg()[0]:.1f}"
    for name in names:
        case_sizes = sizes + ([PARAGRAPH_BIG] if name == "plain paragraph" and PARAGRAPH_BIG > sizes[-1] else [])
        case = run_case(name, case_sizes, args.timeout)
        done = {p["want"] for p in case["points"]}
        if case["status"] and "(" in case["status"]:  # say which size hung or crashed
            at = next((s for s in case_sizes if s not in done), case_sizes[-1])
            # after an exception the child only exits: a crash then is in freeing what it made
            where = "on exit" if any("error" in p for p in case["points"]) else f"at {label(at)}"
            case["status"] = case["status"].replace("(", f" {where} (", 1)
        ratio, fast, result, bad = verdict(case, sizes)
        by_size = {p["want"]: p for p in case["points"]}
        cells = [fmt(by_size[s]["time"]) if s in by_size and "time" in by_size[s]
                 else "FAIL" if s in by_size else "-" for s in sizes]
        if len(case_sizes) > len(sizes):  # the 5 MB paragraph: its time, and linear from the largest?
            big, last = by_size.get(PARAGRAPH_BIG, {}), by_size.get(sizes[-1], {})
            if "time" in big and "time" in last:
                r, expected = big["time"] / max(last["time"], 1e-6), big["size"] / last["size"]
                result += f"; {label(PARAGRAPH_BIG)}: {fmt(big['time'])}, {r:.1f}x {label(sizes[-1])}"
                result += f" for x{expected:.1f} size"
                if r > NONLINEAR * expected and big["time"] >= NOISE:
                    result, bad = result + " NONLINEAR", True
            else:
                result, bad = result + f"; {label(PARAGRAPH_BIG)}: " + big.get("error", "not done"), True
        rows.append(f"| {name} | {CASES[name][0]} | " + " | ".join(cells) + f" | {ratio} | {fast} | {result} |")
        print(f"{name}: {result}", file=sys.stderr, flush=True)  # progress while the table waits
        if bad:
            failed.append(name)

    # other work on the machine slows every case alike: the load average says how much there was
    print(f"alagen.markdown ({engine}); sizes in characters; CPU time, best of up to 3 runs; "
          f"{time.perf_counter() - started:.0f} s in all; load average {load} before, "
          f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} cores\n")
    columns = " | ".join(map(label, sizes))
    print(f"| case | from | {columns} | ratio last two | < 1 s at {label(reference(sizes))} | result |")
    print("|---|---|" + "---:|" * len(sizes) + "---:|---|---|")
    print("\n".join(rows))
    print(f"\n{len(names) - len(failed)} of {len(names)} cases pass", end="")
    print(f"; failing: {', '.join(failed)}" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
