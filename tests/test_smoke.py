from conftest import build_at, read


def test_a_page_is_built_at_its_pretty_url(site):
    root = site({"content/about/mission.md": "---\ntitle: Our mission\n---\nWe serve *everyone*.\n"})
    build_at(root)
    html = read(root, "about/mission/index.html")
    assert "<h1>Our mission</h1>" in html
    assert "<p>We serve <em>everyone</em>.</p>" in html
