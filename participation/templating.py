"""Names every template can use."""

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from babel import dates as babel_dates
from flask import Flask
from flask_babel import get_locale, get_timezone

from .i18n import formatted_number
from .models import MasterplanStatus, Role, RoundPhase, utcnow
from .utils import current_path


class Menu(NamedTuple):
    """What the main menu shows a person: the section of the site it marks as the current page,
    and besides the links it gives everyone, the signed-in staff's pages by the rulebook's
    verdicts, or a visitor's (signing in and up). It is the key of the menu kept rendered
    (``fragments``): a few dozen menus in all."""

    current: str
    signed_in: bool
    facilitates: bool = False
    moderates: bool = False
    administers: bool = False


# The menu's sections: the first part of a page's endpoint, or the whole endpoint.
_SECTIONS = {
    "main.home": "home",
    "rounds": "rounds",
    "proposals": "rounds",
    "pillars": "pillars",
    "deliberations": "deliberations",
    "masterplan": "masterplan",
    "opendata.statistics": "statistics",
    "workshops": "workshops",
    "moderation": "moderation",
    "admin": "admin",
    "accounts.sign_in": "sign_in",
    "accounts.sign_up": "sign_up",
}


def site_menu(user, endpoint: str | None) -> Menu:
    from .rulebook import rulebook

    endpoint = endpoint or ""
    current = _SECTIONS.get(endpoint) or _SECTIONS.get(endpoint.partition(".")[0], "")
    if not (user and user.is_authenticated):
        return Menu(current, signed_in=False)
    return Menu(
        current,
        signed_in=True,
        facilitates=bool(rulebook.workshops.can_facilitate(user)),
        moderates=bool(rulebook.policy.is_moderator(user)),
        administers=bool(rulebook.policy.is_admin(user)),
    )


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def localdate(value, fmt: str = "long") -> str:
    if not value:
        return ""
    return _formatted_date(value, fmt, get_timezone(), get_locale())


@lru_cache(maxsize=8192)
def _formatted_date(value, fmt: str, zone, locale) -> str:
    """Babel's text for a day, kept as moments are (``_formatted_datetime``): the moderators'
    queues show two hundred. A moment is the day it is in the person's time zone, as Flask-Babel's
    ``format_date`` tells it."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(zone)
    text = babel_dates.format_date(value, fmt, locale=locale)
    return _first_as_ordinal(text, fmt, locale.language)


# The formats that write the day as a number before the month's name, in French.
WRITTEN_MONTH = ("medium", "long", "full")


def _first_as_ordinal(text: str, fmt: str, language: str) -> str:
    """French writes the first day of a month as an ordinal: « 1er novembre 2026 ». The day is
    read from the text, which is in Paris time, not from the value, which may be in UTC."""
    if fmt in WRITTEN_MONTH and language == "fr":
        return re.sub(r"(^|\s)1(\s)", r"\g<1>1er\2", text, count=1)
    return text


# When something happened, as a page tells it: the day as "medium" writes it, the time to the
# minute (« 30 nov. 2026, 14:58 », "Nov 30, 2026, 2:58 PM"); Babel's "medium" adds the seconds.
MOMENT = "moment"


def localdatetime(value, fmt: str = "long") -> str:
    # Stored in UTC (naive from SQLite: UTC too), shown in the person's time zone (Europe/Paris)
    # the locale's way: the same text as Flask-Babel's ``format_datetime`` (``MOMENT``: its
    # parts, combined as the locale combines a date and a time).
    if not value:
        return ""
    return _formatted_datetime(value, fmt, get_timezone(), get_locale())


@lru_cache(maxsize=8192)
def _formatted_datetime(value, fmt: str, zone, locale) -> str:
    """Babel's text for a moment, kept: a page of comments shows dozens of moments, the same
    ones to every reader, and formatting one costs about as much as a SQL query."""
    if fmt != MOMENT:
        text = babel_dates.format_datetime(value, fmt, tzinfo=zone, locale=locale)
        return _first_as_ordinal(text, fmt, locale.language)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    day = babel_dates.format_date(local, "medium", locale=locale)
    return (
        babel_dates.get_datetime_format("medium", locale=locale)
        .replace("'", "")
        .replace("{0}", babel_dates.format_time(local, "short", tzinfo=zone, locale=locale))
        .replace("{1}", _first_as_ordinal(day, "medium", locale.language))
    )


def machine_time(value) -> str:
    """A ``<time datetime="…">`` value: a day as is, a moment in UTC to the second (HTML takes
    at most three digits of a second; stored moments are UTC, naive from SQLite)."""
    if not value:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def init_app(app: Flask) -> None:
    # Numbers the locale's way: "100 000" in French, "100,000" in English.
    app.jinja_env.filters.update(
        localdate=localdate,
        localdatetime=localdatetime,
        machine_time=machine_time,
        number=formatted_number,
    )
    from .fragments import fragment
    from .mail import public_url
    from .proposals.services import cards_key
    from .proposals.trail import trail_label
    from .rulebook import rulebook

    app.jinja_env.globals.update(
        # Templates ask the same rules that routes and services enforce: rules.proposals.can_edit…
        rules=rulebook,
        fragment=fragment,
        cards_key=cards_key,
        trail_label=trail_label,
        # Links in mails: from the configured public address, never from the request.
        public_url=public_url,
        now=utcnow,
        current_locale=current_locale,
        current_path=current_path,
        site_menu=site_menu,
        Role=Role,
        RoundPhase=RoundPhase,
        MasterplanStatus=MasterplanStatus,
    )


def compile_templates(app: Flask) -> int:
    """Compile every template now rather than at its first use: gunicorn's master does it once,
    before forking the workers, so that a new worker's first pages are not slower. How many."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
