"""SVGs under content/ are published on the site's origin: they may draw, and nothing else."""

from __future__ import annotations

from alagen.model.svg import problems_in

CLEAN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">\n'
    b'  <defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>\n'
    b'  <rect width="10" height="10" style="fill: url(#g)"/>\n'
    b'  <use href="#g"/><image xlink:href="data:image/png;base64,iVBORw0KGgo="/>\n'
    b"  <!-- a comment --><title>A box</title>\n"
    b"</svg>\n"
)


def test_a_drawing_is_published():
    assert problems_in(CLEAN, "content/box.svg") == []


def test_scripts_handlers_and_outside_references_are_refused_at_their_line():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        b'  <rect width="10" height="10" onload="alert(1)"/>\n'
        b"  <script>alert(2)</script>\n"
        b'  <image xlink:href="https://evil.example/x.png"/>\n'
        b"  <style>rect { background: url(https://evil.example/t.gif) } @import 'x.css';</style>\n"
        b'  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="//x.example/"/></foreignObject>\n'
        b"</svg>\n"
    )
    assert [str(p) for p in problems_in(svg, "content/bad.svg")] == [
        "content/bad.svg:2:32: an SVG may not hold the event handler onload= (it would run on the site); remove it",
        "content/bad.svg:3:3: an SVG may not hold a <script> (it would run on the site); remove it",
        "content/bad.svg:4:22: this SVG refers to https://evil.example/x.png, outside the file; "
        "draw it in, or link it from the page instead",
        "content/bad.svg:5:33: this SVG's style loads https://evil.example/t.gif, outside the file; remove it",
        "content/bad.svg:5:63: this SVG's style imports another file (@import); remove it",
        "content/bad.svg:6:3: an SVG may not hold a <foreignObject> (it would run on the site); remove it",
        "content/bad.svg:6:18: an SVG may not hold an <iframe> (it would run on the site); remove it",
        "content/bad.svg:6:68: this SVG refers to //x.example/, outside the file; "
        "draw it in, or link it from the page instead",
    ]


def test_entities_and_broken_files_are_refused_without_expanding_anything():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>\n'
    )
    assert [str(p) for p in problems_in(bomb, "content/bomb.svg")] == [
        "content/bomb.svg:2:1: this SVG declares a DTD or entities; save it again without a DOCTYPE"
    ]
    broken = b'<svg xmlns="http://www.w3.org/2000/svg">\n<rect>\n</svg>\n'
    [problem] = problems_in(broken, "content/broken.svg")
    assert str(problem) == (
        "content/broken.svg:3:7: this SVG is not well-formed XML (Opening and ending tag mismatch: rect line 2 and svg, "
        "line 3, column 7); open it in a drawing program and save it again"
    )
    assert problem.message.endswith("open it in a drawing program and save it again")


def test_the_build_refuses_an_svg_with_a_script_and_check_flags_one_that_slipped_in(site):
    import datetime as dt

    from alagen.check import check_build
    from alagen.pipeline import BuildOptions, read_site
    from conftest import build_at, problems_of

    bad = b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>\n'
    root = site({"content/index.md": "---\ntitle: Home\n---\n![A box](box.svg)\n", "content/box.svg": bad})
    assert problems_of(root) == [
        "content/box.svg:2:1: an SVG may not hold a <script> (it would run on the site); remove it"
    ]
    (root / "content/box.svg").write_bytes(CLEAN)
    build_at(root)
    (root / "build/box.svg").write_bytes(bad)  # changed after the build, on the way to the host
    report = check_build(root, root / "build", read_site(BuildOptions(root=root, now=dt.date(2025, 3, 1))))
    assert [str(f) for f in report.findings if f.rule == "svg"] == [
        "build/box.svg:2: svg: an SVG may not hold a <script> (it would run on the site); remove it"
    ]
