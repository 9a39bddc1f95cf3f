"""The bench corpus laid out as an alagen site, next to Hugo's and Eleventy's copies.

The pages come from the shared generator (../shared/bench/gen_corpus.py), so every
generator builds the same Markdown. `write_alagen` replaces the generator's own alagen
layout with alagen's real one: data/site.yaml, data/menus.yaml, content/index.md (the home
page, listing every post), content/posts/*.md with `topics` (alagen's word for tags, listed
in data/topics.yaml), and
records: events in data/events/<year>.yaml and jobs in data/jobs.yaml, 1,000 events and
500 jobs at 10,000 pages, in proportion for smaller sites.

    python3 bench/corpus.py N DIR     # writes DIR/alagen, DIR/hugo, DIR/eleventy
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BENCH_SHARED", REPO.parent / "shared" / "bench"))
NOW = "2025-06-01"  # the build date of every bench build: half the events are past


def shared_generator():
    """The shared gen_corpus module (BENCH_SHARED=DIR names its folder)."""
    path = SHARED / "gen_corpus.py"
    if not path.exists():
        raise SystemExit(f"bench: {path} is missing; set BENCH_SHARED to the folder of gen_corpus.py")
    spec = importlib.util.spec_from_file_location("gen_corpus", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


SITE_YAML = """\
title: Bench Library Association
base_url: https://bench.example.org/
timezone: America/Chicago
language: en
"""

MENUS_YAML = """\
main:
  - {title: Home, page: index.md}
  - {title: Events, url: "https://bench.example.org/events/"}
  - {title: Jobs, url: "https://bench.example.org/jobs/"}
"""

# The same shell as the peers' sites (title, date, tags, body; one home page listing every
# page), with the main menu, plus layouts for the records and their listings.
LAYOUTS = {
    "base.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{{ page.title }} | {{ site.settings.title }}{% endblock %}</title></head>
<body><header><a href="{{ '/'|url }}">{{ site.settings.title }}</a>
<nav>{% for item in site.menus.main %}<a href="{{ item.url }}">{{ item.title }}</a> {% endfor %}</nav></header>
<main>{% block main %}{% endblock %}</main>
</body></html>
""",
    "page.html": """{% extends "base.html" %}
{% block main %}<article><h1>{{ page.title }}</h1>
<p><time>{{ page.date }}</time></p>
<ul class="tags">{% for t in page.topics %}<li>{{ t }}</li>{% endfor %}</ul>
{{ content }}
</article>{% endblock %}
""",
    "home.html": """{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
<ul>{% for p in site.children(page) %}<li><a href="{{ p.url|url }}">{{ p.title }}</a> <time>{{ p.date }}</time></li>
{% endfor %}</ul>{% endblock %}
""",
    "list.html": """{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
{{ content }}
<ul>{% for p in site.children(page) %}<li><a href="{{ p.url|url }}">{{ p.title }}</a></li>
{% endfor %}</ul>{% endblock %}
""",
    "event.html": """{% extends "base.html" %}
{% block main %}{% set e = page.record %}<article><h1>{{ e.title }}</h1>
<p>{{ e|event_when }} · {{ e.kind_label }}{% if e.location %} · {{ e.location.label }}{% endif %}</p>
<p>{{ e.summary }}</p>
{{ content }}
</article>{% endblock %}
""",
    "events.html": """{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
{% for month, events in page.items|by_month %}<h2>{{ month|date('%B %Y') }}</h2>
<ul>{% for e in events %}<li><a href="{{ e.page_url|url }}">{{ e.title }}</a> {{ e|event_when }}</li>
{% endfor %}</ul>{% endfor %}{% endblock %}
""",
    "job.html": """{% extends "base.html" %}
{% block main %}{% set j = page.record %}<article><h1>{{ j.title }}</h1>
<p>{{ j.employer }}, {{ j.city }}, {{ j.region }}</p>
<p>Posted {{ j.posted|date }}; apply by {{ j.closes|date }}</p>
<p>{{ j.summary }}</p>
{{ content }}
</article>{% endblock %}
""",
    "jobs.html": """{% extends "base.html" %}
{% block main %}<h1>{{ page.title }}</h1>
<ul>{% for j in page.items %}<li><a href="{{ j.page_url|url }}">{{ j.title }}</a>, {{ j.employer }} (closes {{ j.closes|date }})</li>
{% endfor %}</ul>{% endblock %}
""",
}

EVENT_KINDS = ("webinar", "conference", "course", "meeting", "e-forum")
CITIES = (("Chicago", "IL"), ("Denver", "CO"), ("Portland", "OR"), ("Atlanta", "GA"), ("Boston", "MA"))


def records_for(n: int) -> tuple[int, int]:
    """(events, jobs): 1,000 and 500 at 10,000 pages, in proportion below."""
    return n // 10, n // 20


def write_alagen(root: Path, pages: list, gen) -> None:
    files = {"data/site.yaml": SITE_YAML, "data/menus.yaml": MENUS_YAML, "data/topics.yaml": _topics(gen)}
    files.update({f"layouts/{name}": text for name, text in LAYOUTS.items()})
    files["content/index.md"] = "---\ntitle: Bench\n---\n"
    for p in pages:
        front = (
            f"---\ntitle: {gen._q(p.title)}\ndate: {p.date}\n"
            f"topics: [{', '.join(gen._q(t) for t in p.tags)}]\nsummary: {gen._q(p.summary)}\n---\n\n"
        )
        files[f"content/posts/{p.slug}.md"] = front + gen._links(p.body, "/posts/{slug}/")
    events, jobs = records_for(len(pages))
    files.update(_events(events, gen))
    files["data/jobs.yaml"] = _jobs(jobs, gen)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _topics(gen) -> str:
    """Every tag of the generator as a topic: a page's topics must be listed in data/topics.yaml
    (each gets a paginated page, as Hugo makes one for each tag)."""
    return "".join(f"- {{id: {tag}, name: {tag.replace('-', ' ').capitalize()}, summary: Pages about {tag}.}}\n" for tag in gen.TAGS)


def _events(count: int, gen) -> dict[str, str]:
    """Events from 2024 to 2026 (the bench builds as of 2025-06-01), one file per year."""
    rng = random.Random(f"events:{count}")
    by_year: dict[int, list[str]] = {}
    for i in range(count):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 3 * 365))
        kind = EVENT_KINDS[i % len(EVENT_KINDS)]
        lines = [
            f"- id: event-{i}",
            f"  title: {gen._q(f'{kind.capitalize()} {i}: ' + gen._title(rng))}",
            f"  kind: {kind}",
            f"  start: {start.isoformat()}T{10 + i % 7:02d}:00",
            f"  end: {start.isoformat()}T{12 + i % 7:02d}:30",
            f"  summary: {gen._q(gen._sentence(rng, 16))}",
            f"  topics: [{gen._q(rng.choice(gen.TAGS))}]",
        ]
        if kind == "conference":
            city, region = CITIES[i % len(CITIES)]
            lines += ["  location:", f"    venue: {gen._q(city + ' Convention Center')}", f"    city: {city}", f"    region: {region}"]
        else:
            lines += ["  location: {online: zoom}"]
        if i % 3 == 0:
            body = "\n\n".join(gen._paragraph(rng, ["x"], None).replace("\x00LINK:x\x00", "/posts/") for _ in range(2))
            lines += ["  body: |"] + ["    " + line if line else "" for line in body.split("\n")]
        by_year.setdefault(start.year, []).append("\n".join(lines))
    return {f"data/events/{year}.yaml": "\n\n".join(items) + "\n" for year, items in sorted(by_year.items())}


def _jobs(count: int, gen) -> str:
    """Jobs posted over the year before the build date; those of the last 60 days are open."""
    rng = random.Random(f"jobs:{count}")
    items = []
    for i in range(count):
        posted = dt.date(2025, 6, 1) - dt.timedelta(days=rng.randrange(0, 365))
        city, region = CITIES[i % len(CITIES)]
        items.append(
            "\n".join(
                [
                    f"- id: job-{i}",
                    f"  title: {gen._q(f'Job {i}: ' + gen._title(rng))}",
                    f"  employer: {gen._q(city + ' Public Library')}",
                    f"  city: {city}",
                    f"  region: {region}",
                    f"  posted: {posted.isoformat()}",
                    f"  url: https://jobs.example.org/{i}",
                    "  kind: full-time",
                    f"  summary: {gen._q(gen._sentence(rng, 18))}",
                ]
            )
        )
    return "\n\n".join(items) + "\n"


def write_all(n: int, folder: Path, peers: tuple[str, ...] = ("hugo", "eleventy"), seed: int = 20240601) -> None:
    """DIR/alagen, and DIR/<peer> for each peer, from the same pages."""
    gen = shared_generator()
    pages = gen.make_corpus(n, seed)
    for name in ("alagen", *peers):
        target = folder / name
        if target.exists():
            import shutil

            shutil.rmtree(target)
        if name == "alagen":
            write_alagen(target, pages, gen)
        else:
            gen.WRITERS[name](str(target), pages)
    (folder / "corpus.json").write_text(json.dumps({"pages": n, "seed": seed, "records": records_for(n)}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    write_all(int(sys.argv[1]), Path(sys.argv[2]))
