"""Rules over the built site's other files: sitemap.xml, Atom feeds, .ics calendars and
Netlify's _redirects. Each reads the file as its consumer would."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Iterator
from urllib.parse import unquote, urlsplit

from alagen.check.findings import Issue
from alagen.check.links import BuiltSite
from alagen.check.parse import line_of

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_SITEMAP_URLS = 50_000
_W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
REDIRECT_STATUSES = {"200", "301", "302", "303", "307", "308", "404", "410", "451"}


def is_feed(output: str, data: bytes) -> bool:
    """An Atom (or RSS) feed among the built .xml files."""
    if not output.endswith((".xml", ".atom", ".rss")) or output.rsplit("/", 1)[-1].startswith("sitemap"):
        return False
    head = data[:2000]
    return b"<feed" in head or b"<rss" in head or "feed" in output.rsplit("/", 1)[-1]


def _internal(url: str, site: BuiltSite) -> str | None:
    """The site path of an absolute address on this site, else None."""
    if not url.startswith(site.base_url):
        return None
    return site.base_path.rstrip("/") + "/" + unquote(urlsplit(url).path)[len(urlsplit(site.base_url).path):]


def sitemap(output: str, data: bytes, site: BuiltSite) -> Iterator[Issue]:
    """sitemap.xml: well-formed, the sitemaps namespace, absolute addresses of pages that
    exist and may be indexed, W3C dates, no address twice."""
    text = data.decode("utf-8", errors="replace")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        line, col = err.position
        yield Issue("sitemap", f"sitemap.xml is not well-formed XML: {err}", line, col)
        return
    if root.tag != SITEMAP_NS + "urlset":
        yield Issue("sitemap", f"the root element is {root.tag}, not <urlset> in the sitemaps.org namespace", 1)
        return
    entries = root.findall(SITEMAP_NS + "url")
    if len(entries) > MAX_SITEMAP_URLS:
        yield Issue("sitemap", f"{len(entries)} addresses; a sitemap may hold at most {MAX_SITEMAP_URLS}", 1)
    seen: set[str] = set()
    for entry in entries:
        loc = (entry.findtext(SITEMAP_NS + "loc") or "").strip()
        line = line_of(text, f"<loc>{_xml_escape(loc)}</loc>") or line_of(text, loc)
        if not loc:
            yield Issue("sitemap", "a <url> without a <loc> address", line)
            continue
        if loc in seen:
            yield Issue("sitemap", f"{loc} is listed twice", line_of(text, loc, text.find(loc) + 1))
        seen.add(loc)
        path = _internal(loc, site)
        if path is None:
            yield Issue("sitemap", f"{loc} is not an address of this site ({site.base_url})", line)
        else:
            target = site.output_for(path)
            if target is None:
                yield Issue("sitemap", f"{loc} is not in the built site", line)
            elif target.endswith(".html") and site.noindex(target):
                yield Issue("sitemap", f"{loc} is marked noindex; leave it out of the sitemap", line)
        lastmod = entry.findtext(SITEMAP_NS + "lastmod")
        if lastmod is not None and not _W3C_DATE.match(lastmod.strip()):
            yield Issue("sitemap", f"lastmod '{lastmod}' of {loc} is not a W3C date (YYYY-MM-DD)", line + 1 if line else 0)


def feed(output: str, data: bytes, site: BuiltSite) -> Iterator[Issue]:
    """An Atom feed as a feed reader reads it (feedparser): well-formed, with the elements
    RFC 4287 requires, unique entry ids, and links that lead somewhere."""
    import feedparser

    text = data.decode("utf-8", errors="replace")
    parsed = feedparser.parse(data)
    if parsed.bozo:
        err = parsed.bozo_exception
        line = getattr(err, "getLineNumber", lambda: 0)()
        yield Issue("feed", f"the feed does not parse: {err}", line)
        return
    head = parsed.feed
    for key, name in (("id", "<id>"), ("title", "<title>"), ("updated_parsed", "<updated> date")):
        if not head.get(key):
            yield Issue("feed", f"the feed has no {name}", 2)
    ids: set[str] = set()
    for entry in parsed.entries:
        entry_id = entry.get("id", "")
        line = line_of(text, f"<id>{_xml_escape(entry_id)}</id>") if entry_id else 0
        label = entry.get("title") or entry_id or "an entry"
        if not entry_id:
            yield Issue("feed", f"the entry '{label}' has no <id>", line)
        elif entry_id in ids:
            yield Issue("feed", f"the entry id {entry_id} is used twice; readers would show only one", line)
        ids.add(entry_id)
        if not entry.get("title"):
            yield Issue("feed", f"the entry {entry_id} has no <title>", line)
        if not entry.get("updated_parsed"):
            yield Issue("feed", f"the entry '{label}' has no valid <updated> date", line)
        link = entry.get("link", "")
        if not link:
            yield Issue("feed", f"the entry '{label}' has no link to its page", line)
        else:
            path = _internal(link, site)
            if path is not None and site.output_for(path) is None:
                yield Issue("feed", f"the entry '{label}' links to {link}, which is not in the built site", line_of(text, link) or line)


def calendar(output: str, data: bytes, site: BuiltSite) -> Iterator[Issue]:
    """An iCalendar file as calendar apps read it (RFC 5545): CRLF lines of at most 75
    octets, VERSION and PRODID, and each event's UID, DTSTAMP and DTSTART."""
    from icalendar import Calendar

    text = data.decode("utf-8", errors="replace")
    for number, raw in enumerate(data.split(b"\n"), 1):
        if raw and not raw.endswith(b"\r"):
            yield Issue("calendar", "lines must end with CRLF (\\r\\n)", number)
            break
        octets = len(raw.rstrip(b"\r"))
        if octets > 75:
            yield Issue("calendar", f"a line of {octets} octets; fold lines at 75", number)
            break
    try:
        cal = Calendar.from_ical(data)
    except Exception as err:  # icalendar raises ValueError and friends for broken input
        yield Issue("calendar", f"the calendar does not parse: {err}", 1)
        return
    if cal.name != "VCALENDAR":
        yield Issue("calendar", f"the file holds a {cal.name}, not a VCALENDAR", 1)
        return
    if str(cal.get("VERSION", "")) != "2.0":
        yield Issue("calendar", "VERSION:2.0 is missing", 1)
    if not cal.get("PRODID"):
        yield Issue("calendar", "PRODID is missing", 1)
    zones = {str(z.get("TZID")) for z in cal.walk("VTIMEZONE")}
    uids: set[str] = set()
    for event in cal.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        line = line_of(text, f"UID:{uid}") if uid else 0
        label = str(event.get("SUMMARY", "")) or uid or "an event"
        for prop in ("UID", "DTSTAMP", "DTSTART"):
            if not event.get(prop):
                yield Issue("calendar", f"the event '{label}' has no {prop}", line)
        if uid and uid in uids:
            yield Issue("calendar", f"the UID {uid} is used twice; calendar apps would keep one event", line)
        uids.add(uid)
        start, end = event.get("DTSTART"), event.get("DTEND")
        if start and end and _comparable(start.dt) and _comparable(end.dt) and _comparable(end.dt) <= _comparable(start.dt):
            yield Issue("calendar", f"the event '{label}' ends (DTEND) before it starts (DTSTART)", line)
        for prop in (start, end):
            tzid = prop.params.get("TZID") if prop is not None else None
            if tzid and tzid not in zones:
                yield Issue("calendar", f"the event '{label}' uses the time zone {tzid}, which has no VTIMEZONE", line)
        url = str(event.get("URL", ""))
        path = _internal(url, site) if url else None
        if path is not None and site.output_for(path) is None:
            yield Issue("calendar", f"the event '{label}' links to {url}, which is not in the built site", line_of(text, url))


def redirects(output: str, data: bytes, site: BuiltSite) -> Iterator[Issue]:
    """Netlify's _redirects: 'from to [status]' lines, from a site path to a site path that
    exists (or a full address), a known status, no address redirected twice, no loops."""
    rules: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(data.decode("utf-8", errors="replace").split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 2:
            yield Issue("redirects", f"'{line}' needs an old address and a new one: '/old/ /new/ 301'", number)
            continue
        source, target = parts[0], parts[1]
        status = next((p for p in parts[2:] if "=" not in p), "301")
        needles = (source,)
        if not source.startswith("/") and not re.match(r"^https?://", source):
            yield Issue("redirects", f"the old address '{source}' must start with /", number, needles=needles)
        if status.rstrip("!") not in REDIRECT_STATUSES:
            yield Issue("redirects", f"'{status}' is not a redirect status; use 301 (moved for good) or 302", number, needles=needles)
        if source in rules:
            yield Issue("redirects", f"{source} is redirected twice (also at line {rules[source][1]}); the first rule wins", number, needles=needles)
            continue
        rules[source] = (target, number)
    for source, (target, number) in rules.items():
        needles = (source,)
        if target.startswith("/") and "*" not in target and ":" not in target:
            if site.output_for(unquote(urlsplit(target).path)) is None and target not in rules:
                yield Issue("redirects", f"{source} leads to {target}, which is not in the built site", number, needles=needles)
        elif not target.startswith("/") and not re.match(r"^https?://", target):
            yield Issue("redirects", f"the new address '{target}' must start with / or https://", number, needles=needles)
    for source, (target, number) in rules.items():
        seen, step = {source}, target
        while step in rules and step not in seen:
            seen.add(step)
            step = rules[step][0]
        if step in seen and step in rules:
            yield Issue("redirects", f"{source} is part of a redirect loop; visitors would never arrive", number, needles=(source,))


def _comparable(value):
    """Dates and times as naive-or-aware datetimes that compare with each other."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg(output: str, data: bytes, site: BuiltSite) -> Iterator[Issue]:
    """An SVG as a browser would run it on the site's origin: no scripts, handlers or
    outside references (the build refuses them in content/; this finds any that slipped in)."""
    from alagen.model.svg import problems_in

    for problem in problems_in(data, output):
        yield Issue("svg", problem.message, problem.location.line, problem.location.col)
