"""The command line: parse arguments, call the pipeline, print. No build logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from alagen import __version__
from alagen.clock import parse_now
from alagen.errors import BuildFailed, excerpt
from alagen.pipeline import BuildOptions, BuildReport, build
from alagen.search import SearchFailed


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return args.command(args)


def run() -> None:
    """The `alagen` command: main(), then leave at once. The build's objects need no freeing
    one by one at exit (a third of a second at 10,000 pages; see pipeline._last)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alagen", description="Build the association's website.")
    parser.add_argument("--version", action="version", version=f"alagen {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into build/")
    build_cmd.add_argument("--now", metavar="DATE", help="the build date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)")
    build_cmd.add_argument("--out", metavar="DIR", type=Path, help="where to write the site (default: build/)")
    build_cmd.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    build_cmd.add_argument("--strict", action="store_true", help="fail on warnings too (doubtful data)")
    build_cmd.add_argument("--no-search", action="store_true", help="skip search indexing (quicker local builds)")
    build_cmd.add_argument(
        "--no-cache", action="store_true", help="build everything, without reading or writing .alagen-cache/"
    )
    build_cmd.add_argument("--site", metavar="DIR", type=Path, default=Path("."), help="the site's folder (default: here)")
    build_cmd.add_argument("--quiet", action="store_true", help="print nothing but problems")
    build_cmd.add_argument("--verbose", action="store_true", help="show tracebacks behind errors")
    build_cmd.set_defaults(command=cmd_build)

    schema_cmd = commands.add_parser("schema", help="write JSON Schema files for editors' tools")
    schema_cmd.add_argument("folder", type=Path, metavar="DIR", help="where to write *.schema.json")
    schema_cmd.set_defaults(command=cmd_schema)
    return parser


def cmd_schema(args: argparse.Namespace) -> int:
    from alagen.schema_export import write_schemas

    for path in write_schemas(args.folder):
        print(path)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    try:
        now = parse_now(args.now) if args.now else None
    except ValueError as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 2
    root = args.site.resolve()
    options = BuildOptions(
        root=root,
        out=args.out,
        now=now,
        drafts=args.drafts,
        strict=args.strict,
        search=not args.no_search,
        cache=not args.no_cache,
    )
    try:
        report = build(options)
    except BuildFailed as failed:
        _print_problems(failed, root, args.verbose)
        return 1
    except SearchFailed as err:
        print(f"alagen: {err}; the previous build was left as it was", file=sys.stderr)
        return 1
    except ValueError as err:  # a wrong option, such as --out pointing at the sources
        print(f"alagen: {err}", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 2
    except KeyboardInterrupt:
        print("alagen: interrupted; build/ was left as it was", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in alagen, not an editor's mistake
        print(f"alagen: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("build/ was left as it was. Run with --verbose for the traceback, and report it.", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 3
    for note in report.notes:
        print(f"alagen: {note}", file=sys.stderr)
    for warning in report.warnings:
        print(excerpt(warning, root), file=sys.stderr)
    if not args.quiet:
        print(summary(report, root))
    return 0


def _print_problems(failed: BuildFailed, root: Path, verbose: bool) -> None:
    for problem in failed.problems:
        print(excerpt(problem, root), file=sys.stderr)
    errors = sum(1 for p in failed.problems if p.severity == "error")
    warnings = len(failed.problems) - errors
    counts = f"{errors} error{'s' if errors != 1 else ''}"
    if warnings:
        counts += f" and {warnings} warning{'s' if warnings != 1 else ''}"
    print(f"\nBuild failed with {counts}; the previous build was left as it was.", file=sys.stderr)
    if verbose and failed.__cause__:
        traceback.print_exception(failed.__cause__)


def summary(report: BuildReport, root: Path) -> str:
    try:
        out = report.out.relative_to(root).as_posix() + "/"
    except ValueError:
        out = str(report.out)
    total = sum(seconds for _, seconds in report.timings)
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.timings)
    records = ", ".join(f"{count} {name}" for name, count in report.records if count)
    return (
        f"Built {report.pages} pages ({records or 'no records'}; {report.data_files} data files) into {out}: "
        f"{report.files} files, {report.size / 1024:.0f} KiB"
        + (f", {report.indexed} pages searchable" if report.indexed is not None else "")
        + (f", {report.kept} pages unchanged" if report.kept else "")
        + f" in {total:.2f} s ({stages})"
    )
