"""The site settings from data/site.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.model import urls

SETTINGS_FILE = "site"
# A BCP 47 tag as sites write them: a language, then script, region or variant parts.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
MAX_JOB_DAYS = 3650  # ten years: more is a mistake, and dates must stay in the calendar


@dataclass(frozen=True, slots=True)
class Settings:
    title: str
    base_url: str  # always ends with "/"
    base_path: str  # the path part of base_url: "/" or "/ala/"
    timezone: str
    language: str
    tagline: str = ""
    address: tuple[str, ...] = ()
    phone: str = ""
    copyright_start: int | None = None
    job_listing_days: int = 60
    warn_expiring_days: int = 30  # a link to a page expiring this soon is a warning
    raw_html: bool = True
    typographer: bool = True
    share_image: str | None = None  # link previews' picture for pages without their own: a path from content/
    share_image_alt: str = ""
    share_image_at: Location | None = field(default=None, compare=False)  # where share_image was written
    extra: Mapping[str, Any] = field(default_factory=schema.empty)
    source: str = "data/site.yaml"


def read_settings(data: tuple[DataFile, ...], problems: Problems) -> Settings:
    """Validate data/site.yaml; a missing file is an error that says what to write."""
    file = next((d for d in data if d.name == SETTINGS_FILE), None)
    if file is None:
        problems.error(Location("data/site.yaml"), "the site settings file is missing; create it with 'title:' and 'base_url:'")
        return Settings("Untitled", "http://localhost/", "/", "America/Chicago", "en")
    value = file.value if isinstance(file.value, dict) else {}
    if not isinstance(file.value, dict):
        problems.error(Location(file.source, 1, 1), "the site settings must be 'key: value' lines (a mapping)")
    pos = file.positions
    fields = schema.validate(value, pos, schema.SITE_FIELDS, problems, what="site setting")

    base_url = fields.get("base_url", "http://localhost/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        problems.error(pos.value("base_url"), f"base_url '{base_url}' must be a full address like https://www.example.org/")
        parts = urlsplit("http://localhost/")
    base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
    # Percent-encoded once here (/café/ -> /caf%C3%A9/), as every URL built on it is.
    base_path = urls.href("", base_path)
    base_url = f"{parts.scheme}://{parts.netloc}{base_path}"

    timezone = fields.get("timezone", "America/Chicago")
    if not schema.is_time_zone(timezone):
        problems.error(pos.value("timezone"), f"timezone '{timezone}' is not a known time zone; use a name like America/Chicago")
        timezone = "America/Chicago"

    language = fields.get("language", "en")
    if not LANGUAGE_TAG.match(language):  # it is the pages' lang="", which Pagefind reads too
        hyphened = str(language).replace("_", "-")
        hint = f"write '{hyphened}'" if LANGUAGE_TAG.match(hyphened) else "use one like en, en-US, es or fr-CA"
        problems.error(pos.value("language"), f"language '{str(language)[:40]}' is not a language tag; {hint}")
        language = "en"

    job_days = fields.get("job_listing_days", 60)
    if not 1 <= job_days <= MAX_JOB_DAYS:
        problems.error(
            pos.value("job_listing_days"),
            f"'job_listing_days' is how many days a job stays open; give a number from 1 to {MAX_JOB_DAYS}",
        )
        job_days = 60

    warn_days = fields.get("warn_expiring_days", 30)
    if not 0 <= warn_days <= MAX_JOB_DAYS:
        problems.error(
            pos.value("warn_expiring_days"),
            "'warn_expiring_days' is how many days before a page expires a link to it is a warning; "
            f"give a number from 0 to {MAX_JOB_DAYS}",
        )
        warn_days = 30

    markdown = fields.get("markdown", {})
    known = {f.name for f in schema.MARKDOWN_FIELDS}
    for key in markdown:
        if key not in known:  # `typografer: false` would otherwise change nothing, silently
            message = schema.unknown_key(key, schema.MARKDOWN_FIELDS, "markdown setting")
            problems.error(pos.key("markdown", key), message, span=len(str(key)))
    raw_html = markdown.get("raw_html", True)
    if not isinstance(raw_html, bool):
        problems.error(pos.value("markdown", "raw_html"), "markdown.raw_html must be true or false")
        raw_html = True
    typographer = markdown.get("typographer", True)
    if not isinstance(typographer, bool):
        problems.error(pos.value("markdown", "typographer"), "markdown.typographer must be true or false")
        typographer = True

    share_image = fields.get("share_image") or None
    share_image_alt = fields.get("share_image_alt", "").strip()
    if share_image and not share_image_alt:
        problems.error(pos.value("share_image"), "the share image needs 'share_image_alt:' saying what it shows", span=len(share_image))
    return Settings(
        title=fields.get("title", "Untitled"),
        base_url=base_url,
        base_path=base_path,
        timezone=timezone,
        language=language,
        tagline=fields.get("tagline", ""),
        address=fields.get("address", ()),
        phone=fields.get("phone", ""),
        copyright_start=fields.get("copyright_start"),
        job_listing_days=job_days,
        warn_expiring_days=warn_days,
        raw_html=raw_html,
        typographer=typographer,
        share_image=share_image,
        share_image_alt=share_image_alt,
        share_image_at=pos.value("share_image") if share_image else None,
        extra=fields.get("extra", MappingProxyType({})),
        source=file.source,
    )
