"""The build date: `--now`, else SOURCE_DATE_EPOCH, else today in the site's time zone.

Everything that depends on time (publish dates, "3 months ago", open jobs) reads this one
value, so a build is reproducible for a given date.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from alagen.errors import OptionError
from alagen.schema import parse_when


@dataclass(frozen=True, slots=True)
class Clock:
    today: dt.date  # the build date in the site's time zone
    moment: dt.datetime  # an aware instant: start of `today`, or the exact epoch given


def parse_now(text: str) -> dt.date | dt.datetime:
    """Parse `--now`: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]. Raises ValueError with a hint."""
    try:
        return parse_when(text)  # the same rules and messages as dates in content
    except ValueError as err:
        reason = str(err).split(";")[0].split(": ", 1)[-1] if ": " in str(err) else ""
        detail = f" ({reason})" if reason and "not a date" not in reason else ""
        raise ValueError(
            f"--now {text!r} is not a date{detail}; write it as YYYY-MM-DD, e.g. --now 2025-03-01"
        ) from None


def make_clock(timezone: str, now: dt.date | dt.datetime | None = None, environ=os.environ) -> Clock:
    """The build clock for a site in `timezone`; raises OptionError on a bad SOURCE_DATE_EPOCH."""
    zone = ZoneInfo(timezone)
    if isinstance(now, dt.datetime):
        moment = now if now.tzinfo else now.replace(tzinfo=zone)
    elif isinstance(now, dt.date):
        moment = dt.datetime.combine(now, dt.time(), zone)
    elif environ.get("SOURCE_DATE_EPOCH"):
        raw = environ["SOURCE_DATE_EPOCH"]
        try:
            if not (raw.isascii() and raw.isdigit()):  # int() would take "-1", " 1", "1_000"
                raise ValueError(raw)
            moment = dt.datetime.fromtimestamp(int(raw), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise OptionError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since 1970") from None
    else:
        moment = dt.datetime.now(zone)
    moment = moment.astimezone(zone)
    return Clock(today=moment.date(), moment=moment)
