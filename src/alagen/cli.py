"""The command line: parse arguments, call the pipeline, print. No build logic lives here."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from alagen import __version__

if TYPE_CHECKING:
    from alagen.errors import BuildFailed
    from alagen.pipeline import BuildOptions, BuildReport

# The rest of alagen is loaded by the command that needs it: `alagen build` begins looking
# at the files' stats in a worker meanwhile (filestats.look_ahead).


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.command(args)
    except UsageError as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 2


class UsageError(Exception):
    """A wrong option value: the command stops with exit code 2 and this message."""


def build_date(value: str | None):
    """--now as the build date, or None for the default."""
    from alagen.clock import parse_now

    try:
        return parse_now(value) if value else None
    except ValueError as err:
        raise UsageError(str(err)) from None


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt


def _default_sigterm() -> None:
    # In a forked worker (render's, calendars', the look-ahead): multiprocessing ends its
    # workers with SIGTERM, which must kill them at once, as the kernel does by default. A
    # Python handler runs only when the worker's interpreter gets to it, and a worker that
    # never did kept a build waiting for it forever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def handle_sigterm() -> None:
    """A CI job cancelled, a container stopped: SIGTERM ends a build as Ctrl-C does, so
    Pagefind is stopped with it and the staged folder removed (the default would leave both
    behind); in forked workers it stays the default."""
    signal.signal(signal.SIGTERM, _terminated)
    if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
        os.register_at_fork(after_in_child=_default_sigterm)


def run() -> None:
    """The `alagen` command: main(), then leave at once. The build's objects need no freeing
    one by one at exit (a third of a second at 10,000 pages; see pipeline._last)."""
    if not sys.flags.utf8_mode and sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
        # Under LC_ALL=C, Python would read 'café.md' as undecodable bytes that no page can
        # be written with: start again in Python's UTF-8 mode, whatever the locale.
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])
    handle_sigterm()
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
        "--no-cache", action="store_true",
        help="build everything, without the build cache (resized photos are still kept in .alagen-cache/images/)",
    )
    build_cmd.add_argument("--site", metavar="DIR", type=Path, default=Path("."), help="the site's folder (default: here)")
    build_cmd.add_argument("--wait", action="store_true", help="if another build is writing the same folder, wait for it (default: stop at once)")
    build_cmd.add_argument(
        "--force-out", action="store_true",
        help="replace the output folder even if alagen did not make it (it has no .alagen-build file)",
    )
    build_cmd.add_argument("--quiet", action="store_true", help="print nothing but problems")
    build_cmd.add_argument("--verbose", action="store_true", help="show tracebacks behind errors")
    build_cmd.set_defaults(command=cmd_build)

    serve_cmd = commands.add_parser("serve", help="preview the site at http://127.0.0.1:8000/, rebuilt on every save")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--now", metavar="DATE", help="the build date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)")
    serve_cmd.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    serve_cmd.add_argument("--site", metavar="DIR", type=Path, default=Path("."), help="the site's folder (default: here)")
    serve_cmd.set_defaults(command=cmd_serve)

    new_cmd = commands.add_parser("new", help="start a page, news item, event, job or award from its template")
    new_cmd.add_argument("kind", choices=("page", "news", "event", "job", "award"), metavar="KIND",
                         help="page, news, event, job or award")
    new_cmd.add_argument("path", metavar="PATH", help="e.g. about/history.md, events/spring.yaml, data/jobs.yaml")
    new_cmd.add_argument("--title", help="the title (default: made from the file name)")
    new_cmd.add_argument("--date", metavar="DATE", help="the date to write, YYYY-MM-DD (default: today)")
    new_cmd.add_argument("--site", metavar="DIR", type=Path, default=Path("."), help="the site's folder (default: here)")
    new_cmd.set_defaults(command=cmd_new)

    init_cmd = commands.add_parser("init", help="start a new, minimal site in DIR")
    init_cmd.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init_cmd.set_defaults(command=cmd_init)

    check_cmd = commands.add_parser("check", help="build, then check links, HTML, accessibility and feeds")
    check_cmd.add_argument("--build-dir", metavar="DIR", type=Path, help="the built site to check (default: build/)")
    check_cmd.add_argument("--no-build", action="store_true", help="check the existing build as it is")
    check_cmd.add_argument("--external", action="store_true", help="also ask other websites whether links to them work")
    check_cmd.add_argument("--a11y", action="store_true", help="also run axe-core in Chromium on one page of each type")
    check_cmd.add_argument("--format", choices=("text", "json", "github"), default="text", help="how to print the report")
    check_cmd.add_argument("--now", metavar="DATE", help="the build date, YYYY-MM-DD (as for build)")
    check_cmd.add_argument("--site", metavar="DIR", type=Path, default=Path("."), help="the site's folder (default: here)")
    check_cmd.add_argument("--verbose", action="store_true", help="show tracebacks behind errors")
    check_cmd.set_defaults(command=cmd_check)

    schema_cmd = commands.add_parser("schema", help="write JSON Schema files for editors' tools")
    schema_cmd.add_argument("folder", type=Path, metavar="DIR", help="where to write *.schema.json")
    schema_cmd.set_defaults(command=cmd_schema)
    return parser


def cmd_new(args: argparse.Namespace) -> int:
    import datetime as dt

    from alagen.scaffold import ScaffoldError, new

    try:
        today = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        print(f"alagen: --date {args.date} is not a date; write it as YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        written = new(args.kind, args.path, args.site.resolve(), today, args.title)
    except ScaffoldError as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 1
    what = ("added a new " if written.appended else "wrote a new ") + ("news item" if args.kind == "news" else args.kind)
    print(f"{written.path}:{written.line}: {what}; fill in its fields, then run: alagen build")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from alagen.scaffold import ScaffoldError, init

    try:
        files = init(args.folder)
    except ScaffoldError as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 1
    print(f"Started a new site in {args.folder} ({len(files)} files). Next:")
    print(f"  cd {args.folder} && alagen build    # then open build/index.html")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from alagen.schema_export import write_schemas

    for path in write_schemas(args.folder):
        print(path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from alagen.serve import CannotServe, ServeOptions, run

    now = build_date(args.now)
    if not 0 <= args.port <= 65535:
        print(f"alagen: --port {args.port} is not a port number (0 to 65535)", file=sys.stderr)
        return 2
    options = ServeOptions(root=args.site.resolve(), host=args.host, port=args.port, now=now, drafts=args.drafts)
    try:
        run(options, say=lambda text: print(text, flush=True), warn=lambda text: print(text, file=sys.stderr, flush=True))
    except CannotServe as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug in alagen, not an editor's mistake
        print(f"alagen: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        traceback.print_exc()
        print("Please report it.", file=sys.stderr)
        return 3
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # the process ends after the build: collecting cycles on the way out only costs time
    root = args.site.resolve()
    if not args.no_cache:
        from alagen import filestats

        filestats.look_ahead((args.out or root / "build").absolute())  # the default of BuildOptions.out
    from alagen.errors import BuildFailed, OptionError, excerpt
    from alagen.pipeline import BuildOptions
    from alagen.progress import Bar, Silent
    from alagen.search import SearchFailed
    from alagen.write import OutputError

    now = build_date(args.now)
    options = BuildOptions(
        root=root,
        out=args.out,
        now=now,
        drafts=args.drafts,
        strict=args.strict,
        search=not args.no_search,
        cache=not args.no_cache,
        wait=args.wait,
        force_out=args.force_out,
    )
    try:
        report = _build(options, Silent() if args.quiet else Bar(sys.stderr))
    except BuildFailed as failed:
        _print_problems(failed, root, args.verbose)
        return 1
    except SearchFailed as err:
        print(f"alagen: {err}; the previous build was left as it was", file=sys.stderr)
        return 1
    except OutputError as err:  # another build at work, a folder that is not ours, a full or read-only disk
        print(f"alagen: {err}", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 2
    except OptionError as err:  # a wrong option, such as --out pointing at the sources
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


def _build(options: BuildOptions, progress) -> BuildReport:
    """The build, with the progress bar cleared before anything else is printed."""
    from alagen.pipeline import build

    def waiting(text: str) -> None:
        print(f"alagen: {text}", file=sys.stderr, flush=True)

    try:
        return build(options, progress, waiting)
    finally:
        progress.close()


def cmd_check(args: argparse.Namespace) -> int:
    from alagen.check import a11y, check_build
    from alagen.check.report import FORMATS
    from alagen.errors import BuildFailed, OptionError, excerpt
    from alagen.pipeline import BuildOptions, build, read_site
    from alagen.search import SearchFailed
    from alagen.write import OutputError

    now = build_date(args.now)
    root = args.site.resolve()
    out = (args.build_dir or root / "build").absolute()
    if args.a11y:
        missing = a11y.unavailable(root)
        if missing:
            print(f"alagen: --a11y cannot run: {missing}", file=sys.stderr)
            return 2
    options = BuildOptions(root=root, out=out, now=now)
    try:
        if not args.no_build:
            for warning in build(options).warnings:
                print(excerpt(warning, root), file=sys.stderr)
        elif not out.is_dir():
            print(f"alagen: {out} does not exist; run 'alagen build' first, or leave out --no-build", file=sys.stderr)
            return 2
        site = read_site(options)
        report = check_build(root, out, site, check_external=args.external, a11y=a11y.runner(root) if args.a11y else None)
    except BuildFailed as failed:
        _print_problems(failed, root, args.verbose)
        return 1
    except (SearchFailed, OptionError, OutputError) as err:
        print(f"alagen: {err}", file=sys.stderr)
        return 1 if isinstance(err, SearchFailed) else 2
    except KeyboardInterrupt:
        print("alagen: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in alagen, not a problem of the site
        print(f"alagen: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        print("Run with --verbose for the traceback, and report it.", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 3
    print(FORMATS[args.format](report))
    return 1 if report.findings else 0


def _print_problems(failed: BuildFailed, root: Path, verbose: bool) -> None:
    from alagen.errors import excerpt

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
    from alagen.progress import summary_table

    try:
        out = report.out.relative_to(root).as_posix() + "/"
    except ValueError:
        out = str(report.out)
    return summary_table(report, out)
