"""alagen.model.urls: pretty URLs from source paths, and the rules that keep outputs inside build/."""

from __future__ import annotations

import pytest

from alagen.model import urls


@pytest.mark.parametrize(
    ("relative", "slug", "url"),
    [
        ("index.md", None, "/"),
        ("about/index.md", None, "/about/"),
        ("about/mission.md", None, "/about/mission/"),
        ("about/history/early-years.md", None, "/about/history/early-years/"),
        ("about/mission.md", "our-mission", "/about/our-mission/"),
        ("about/index.md", "who-we-are", "/who-we-are/"),  # a slug names the folder's page
        ("news/2025/index.md", "this-year", "/news/this-year/"),
        ("news/my first post.md", None, "/news/my-first-post/"),
        ("annual report/index.md", None, "/annual-report/"),
        ("café.md", None, "/café/"),
    ],
)
def test_url_for_source(relative, slug, url):
    assert urls.url_for_source(relative, slug) == url


@pytest.mark.parametrize("slug", ["annual-report", "2025", "café", "a.b"])
def test_check_slug_accepts(slug):
    assert urls.check_slug(slug) is None


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("", "slug '' is not a name; use lowercase words joined by hyphens, e.g. 'annual-report'"),
        (".", "slug '.' is not a name; use lowercase words joined by hyphens, e.g. 'annual-report'"),
        ("..", "slug '..' is not a name; use lowercase words joined by hyphens, e.g. 'annual-report'"),
        ("../x", "slug '../x' must be one part of a URL, without '/'; use 'url:' to set the whole URL"),
        ("a/b", "slug 'a/b' must be one part of a URL, without '/'; use 'url:' to set the whole URL"),
        ("a\\b", "slug 'a\\b' must be one part of a URL, without '/'; use 'url:' to set the whole URL"),
        ("annual report", "slug 'annual report' has characters a URL cannot hold; use lowercase words joined by hyphens"),
        ("q?a", "slug 'q?a' has characters a URL cannot hold; use lowercase words joined by hyphens"),
        ("100%", "slug '100%' has characters a URL cannot hold; use lowercase words joined by hyphens"),
        ("a\x00b", "slug 'a\x00b' has characters a URL cannot hold; use lowercase words joined by hyphens"),
    ],
)
def test_check_slug_refuses(slug, reason):
    assert urls.check_slug(slug) == reason


@pytest.mark.parametrize("url", ["/", "/about/", "/about/mission/", "/404.html", "/join", "/café/", "/a.../"])
def test_check_site_path_accepts(url):
    assert urls.check_site_path(url) is None


START = "must be a path on this site starting with one '/', e.g. /about/mission/"
DOTS = "may not contain '.' or '..' parts: it must stay inside the site"
CHARS = "has characters a URL path cannot hold (spaces, quotes, '?', '#', '%', '\\'); use hyphens"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("../../etc/x", f"url '../../etc/x' {START}"),
        ("about/", f"url 'about/' {START}"),
        ("//evil.example/x", f"url '//evil.example/x' {START}"),
        ("https://example.org/", f"url 'https://example.org/' {START}"),
        ("/a/../../x/", f"url '/a/../../x/' {DOTS}"),
        ("/./a/", f"url '/./a/' {DOTS}"),
        ("/a/..", f"url '/a/..' {DOTS}"),
        ("/a//b/", "url '/a//b/' has an empty part ('//'); remove the extra slash"),
        ("/a b/", f"url '/a b/' {CHARS}"),
        ("/a?b=1", f"url '/a?b=1' {CHARS}"),
        ("/a#top", f"url '/a#top' {CHARS}"),
        ("/%2e%2e/x/", f"url '/%2e%2e/x/' {CHARS}"),
        ("/a\\..\\..\\x", f"url '/a\\..\\..\\x' {CHARS}"),
    ],
)
def test_check_site_path_refuses(url, reason):
    assert urls.check_site_path(url) == reason


def test_check_site_path_names_what_it_checks():
    assert urls.check_site_path("old/page.cfm", "alias") == f"alias 'old/page.cfm' {START}"


@pytest.mark.parametrize(
    ("url", "normal", "output"),
    [
        ("/", "/", "index.html"),
        ("/about", "/about/", "about/index.html"),
        ("/about/", "/about/", "about/index.html"),
        ("/404.html", "/404.html", "404.html"),
        ("/feed.xml", "/feed.xml", "feed.xml"),
        ("/events.ICS", "/events.ICS", "events.ICS"),
        ("/old/page.cfm", "/old/page.cfm/", "old/page.cfm/index.html"),  # not a file we write as such
    ],
)
def test_normalize_and_output_path(url, normal, output):
    assert urls.normalize(url) == normal
    assert urls.output_path(normal) == output


@pytest.mark.parametrize(
    ("base", "url", "href"),
    [
        ("/", "/", "/"),
        ("/", "/about/", "/about/"),
        ("/sub/", "/", "/sub/"),
        ("/sub/", "/about/", "/sub/about/"),
        ("/sub/", "/about/#history", "/sub/about/#history"),
        ("/", "/café/", "/caf%C3%A9/"),
        ("/", "/a b/", "/a%20b/"),
        ("/", "/news/?page=2", "/news/?page=2"),
        ("/", "/Q&A/", "/Q&A/"),
        ("/", "/a%2Fb?q=a%26b", "/a%2Fb?q=a%26b"),  # escapes already written are kept
        ("/", "/100%/", "/100%25/"),  # a % that is no escape is encoded
        ("/caf%C3%A9/", "/a/", "/caf%C3%A9/a/"),
    ],
)
def test_href(base, url, href):
    assert urls.href(base, url) == href


def test_a_base_path_with_accents_is_not_doubled(site):
    from conftest import build_at, read

    root = site(
        {
            "data/site.yaml": "title: T\nbase_url: https://x.example/café/\n",
            "content/a.md": "---\ntitle: A\n---\n[home](index.md)\n",
            "content/index.md": "---\ntitle: Home\n---\nHi\n",
        }
    )
    build_at(root)
    page = read(root, "a/index.html")
    assert '<a href="/caf%C3%A9/">home</a>' in page
    assert "<loc>https://x.example/caf%C3%A9/a/</loc>" in read(root, "sitemap.xml")
