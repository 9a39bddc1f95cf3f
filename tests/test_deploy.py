"""Deployment: netlify.toml is read as Netlify reads it, and the built demo is served with its
headers to a real browser, so the Content-Security-Policy that is tested is the one deployed."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import tomllib
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import Quiet, browser_page

REPO = Path(__file__).resolve().parent.parent
NETLIFY = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
IMMUTABLE = "public, max-age=31536000, immutable"
# A content hash in a file name: site.1a2b3c4d5e.css (alagen), en_11a8c08.pf_fragment (Pagefind).
HASHED = re.compile(r"(\.[0-9a-f]{10}\.[a-z0-9]+$)|(^[a-z]+_[0-9a-f]{7,}\.pf_[a-z]+$)")


@pytest.fixture(scope="module")
def demo(demo_build) -> Path:
    """The demo site with its search index, built as Netlify builds it."""
    return demo_build


def headers_for(path: str, rules: list[dict] | None = None) -> dict[str, list[str]]:
    """The headers of every [[headers]] rule whose `for` matches `path` (a splat `*` matches
    the rest of the path). Values of overlapping rules are all kept, as Netlify may combine
    them, so a test sees a conflict instead of one rule silently winning."""
    found: dict[str, list[str]] = {}
    for rule in NETLIFY["headers"] if rules is None else rules:
        pattern = "^" + re.escape(rule["for"]).replace(r"\*", ".*") + "$"
        if re.match(pattern, path):
            for name, value in rule["values"].items():
                found.setdefault(name.lower(), []).append(" ".join(str(value).split()))
    return found


def csp_directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def test_netlify_installs_alagen_builds_and_publishes_build():
    build = NETLIFY["build"]
    assert build["publish"] == "build"
    steps = [step.strip() for step in build["command"].split("&&")]
    assert re.fullmatch(r"python3 -m pip install .*\.", steps[0])
    assert steps[-1] == "python3 -m alagen build"
    version = build["environment"]["PYTHON_VERSION"]
    required = re.search(r'requires-python = ">=([\d.]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert tuple(map(int, version.split("."))) >= tuple(map(int, required.split(".")))


def test_netlify_keeps_the_build_cache_and_the_last_build_between_deploys():
    """The local build plugin netlify.toml names, run with node and a stand-in for Netlify's
    utils: it restores before the build and saves after it exactly what CI keeps."""
    import json
    import shutil
    import subprocess

    from test_workflow import CACHED

    [plugin] = NETLIFY["plugins"]
    assert plugin["package"] == "./netlify/plugins/alagen-cache"
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "scripts/test installs node"
    script = """
      const plugin = require(process.argv[1]);
      const calls = [];
      const utils = {cache: {restore: async (p) => calls.push(["restore", p]), save: async (p) => calls.push(["save", p])}};
      (async () => { await plugin.onPreBuild({utils}); await plugin.onPostBuild({utils}); console.log(JSON.stringify(calls)); })();
    """
    done = subprocess.run([node, "-e", script, str(REPO / plugin["package"] / "index.js")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["restore", CACHED], ["save", CACHED]]
    # Netlify Build refuses a plugin exporting anything but event handlers ("Invalid event").
    exported = subprocess.run([node, "-e", "console.log(JSON.stringify(Object.keys(require(process.argv[1]))))",
                               str(REPO / plugin["package"] / "index.js")], capture_output=True, text=True, timeout=60)
    assert json.loads(exported.stdout) == ["onPreBuild", "onPostBuild"]
    assert (REPO / plugin["package"] / "manifest.yml").read_text().count("name: alagen-cache") == 1


def test_every_page_gets_the_security_headers():
    for path in ("/", "/events/acrl-2025/", "/search/", "/pagefind/pagefind-worker.js", "/assets/css/x.css"):
        headers = headers_for(path)
        for name in ("content-security-policy", "strict-transport-security", "x-content-type-options",
                     "referrer-policy", "permissions-policy"):
            assert len(headers.get(name, ())) == 1, (path, name)
        assert headers["x-content-type-options"] == ["nosniff"]
        hsts = headers["strict-transport-security"][0]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
        assert "camera=()" in headers["permissions-policy"][0]
    csp = csp_directives(headers_for("/")["content-security-policy"][0])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]


def test_hashed_files_are_cached_for_a_year_and_pages_are_not(demo):
    """Every file a long-cache rule covers has a content hash in its name (so a change is a
    new URL), and no page, feed, calendar or Pagefind entry file is cached long."""
    long_cached = []
    for file in sorted(p for p in demo.rglob("*") if p.is_file()):
        url = "/" + file.relative_to(demo).as_posix()
        cache = headers_for(url).get("cache-control", [])
        assert len(cache) <= 1, f"{url} matches two Cache-Control rules: {cache}"
        if cache and "immutable" in cache[0]:
            assert cache == [IMMUTABLE]
            assert HASHED.search(file.name), f"{url} is cached forever but its name has no content hash"
            long_cached.append(url)
        else:
            assert cache == [], url  # Netlify's default: public, max-age=0, must-revalidate
    assert any(u.startswith("/assets/css/site.") for u in long_cached)
    assert any(u.startswith("/pagefind/fragment/") for u in long_cached)
    assert any(u.startswith("/pagefind/index/") for u in long_cached)
    for url in ("/", "/events/", "/search/", "/pagefind/pagefind-entry.json", "/pagefind/pagefind.js"):
        assert "cache-control" not in headers_for(url), url


def test_redirects_are_the_ones_alagen_writes(demo):
    assert "redirects" not in NETLIFY  # one source: build/_redirects, read by Netlify
    assert "/old-cms/strategic-plan.cfm /about/strategic-plan/ 301!" in (demo / "_redirects").read_text()


# --- The CSP in a real browser --------------------------------------------------------------------


@contextmanager
def serve_with_headers(folder: Path, rules: list[dict]):
    """Serve `folder` on 127.0.0.1 with the headers of `rules`, as Netlify would."""

    class Handler(Quiet):
        def end_headers(self):
            for name, values in headers_for(self.path.split("?", 1)[0], rules).items():
                self.send_header(name, ", ".join(values))
            super().end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# Every CSP violation in the page, and in Pagefind's worker (which reports through the page
# when it fails and falls back), is recorded here as well as on the console.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def search_under(demo: Path, rules: list[dict]) -> tuple[list[str], list[str], list[str], list[str]]:
    """(result titles, CSP violations, console errors and warnings, workers started) for a
    search for 'Minneapolis' on /search/ served with `rules`."""
    with serve_with_headers(demo, rules) as base, browser_page() as page:
        messages: list[str] = []
        workers: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and messages.append(m.text))
        page.on("worker", lambda w: workers.append(w.url))
        page.add_init_script(WATCH_CSP)
        response = page.goto(f"{base}/search/?q=Minneapolis")
        assert "content-security-policy" in response.headers
        titles: list[str] = []
        try:
            page.locator(".pagefind-ui__result-title").first.wait_for(timeout=10000)
            titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
        except Exception:  # no results: the caller says whether that was expected
            pass
        page.wait_for_timeout(300)  # late reports from the worker
        return titles, page.evaluate("window.__csp"), messages + page.problems, workers


@pytest.mark.browser
def test_search_works_under_the_deployed_csp(demo):
    titles, violations, messages, workers = search_under(demo, NETLIFY["headers"])
    assert "ACRL 2025 Conference" in titles
    assert violations == []
    assert messages == []
    assert any(w.endswith("/pagefind/pagefind-worker.js") for w in workers)  # the worker ran, no fallback


@pytest.mark.browser
def test_the_browser_test_would_see_a_csp_that_breaks_search(demo):
    """Without 'wasm-unsafe-eval' Pagefind cannot run: the same check reports it."""
    rules = [dict(rule, values=dict(rule["values"])) for rule in NETLIFY["headers"]]
    policy = rules[0]["values"]["Content-Security-Policy"]
    rules[0]["values"]["Content-Security-Policy"] = policy.replace(" 'wasm-unsafe-eval'", "")
    titles, violations, messages, _ = search_under(demo, rules)
    assert violations or any("Content Security Policy" in m for m in messages)
    assert "ACRL 2025 Conference" not in titles
