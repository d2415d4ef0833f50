import pytest


def test_home_page_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="fr">' in response.data


def test_unknown_url_gives_404_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404


def test_dates_are_localised_with_the_french_ordinal(app):
    from datetime import date

    from participation.templating import localdate

    # A fresh app context each time: Flask-Babel keeps the locale on ``g``.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        assert localdate(date(2018, 12, 1)) == "1er décembre 2018"
        assert localdate(date(2018, 12, 11)) == "11 décembre 2018"
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert localdate(date(2018, 12, 11)) == "December 11, 2018"


def test_moments_on_the_first_of_a_month_are_written_with_the_french_ordinal(app):
    """A moment is shown in Paris time: the 30th at 23:30 UTC is the 1st in Paris, in winter."""
    from datetime import datetime

    from participation.templating import MOMENT, localdatetime

    first = datetime(2026, 11, 30, 23, 30)  # UTC, naive as SQLite gives it back
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        assert localdatetime(first, "long").startswith("1er décembre 2026")
        assert localdatetime(first, "medium").startswith("1er déc. 2026")
        assert localdatetime(first, MOMENT) == "1er déc. 2026, 00:30"
        assert localdatetime(first, "short").startswith("01/12/2026")
        assert localdatetime(datetime(2026, 12, 11, 10, 0), "long").startswith("11 décembre")
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert localdatetime(first, "long").startswith("December 1, 2026")


def test_times_are_shown_in_paris_time_as_flask_babel_would(app):
    from datetime import UTC, datetime

    import flask_babel

    from participation.templating import localdatetime

    summer = datetime(2026, 7, 14, 20, 5, tzinfo=UTC)
    winter_naive = datetime(2026, 1, 1, 23, 30)  # as SQLite gives it back: UTC, naive
    for language, text in (
        ("fr", "14 juillet 2026, 22:05:00 UTC+2"),
        ("en", "July 14, 2026, 10:05:00 PM GMT+2"),
    ):
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            assert localdatetime(summer).replace("\u202f", " ").startswith(text[:20])
            for value in (summer, winter_naive):
                for fmt in ("short", "medium", "long"):
                    assert localdatetime(value, fmt) == flask_babel.format_datetime(value, fmt)
            assert localdatetime(None) == ""


def test_days_are_told_as_flask_babel_tells_them_in_paris_time(app):
    """A day is Flask-Babel's ``format_date`` (a moment rebased to Paris time first), with the
    French ordinal: the 31st of December at 23:30 UTC is the 1st of January in Paris."""
    from datetime import UTC, date, datetime

    import flask_babel

    from participation.templating import _first_as_ordinal, localdate

    values = (
        date(2026, 3, 1),
        datetime(2026, 12, 31, 23, 30),  # naive UTC, as SQLite gives it back
        datetime(2026, 7, 14, 22, 30, tzinfo=UTC),
    )
    for language in ("fr", "en"):
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            for value in values:
                for fmt in ("short", "medium", "long", "full"):
                    expected = flask_babel.format_date(value, fmt)
                    assert localdate(value, fmt) == _first_as_ordinal(expected, fmt, language)
            assert localdate(None) == ""
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        assert localdate(datetime(2026, 12, 31, 23, 30)) == "1er janvier 2027"
        assert localdate(datetime(2026, 7, 14, 22, 30, tzinfo=UTC), "short") == "15/07/2026"


def test_a_moment_on_a_page_is_told_to_the_minute(app):
    """ "moment": the day as Babel's "medium" writes it, the time to the minute, in Paris time."""
    from datetime import UTC, datetime

    from participation.templating import localdatetime

    summer = datetime(2026, 7, 14, 20, 5, 9, tzinfo=UTC)
    winter_naive = datetime(2026, 1, 1, 23, 30, 41)  # naive UTC, as SQLite gives it back
    for language, texts in (
        ("fr", ("14 juil. 2026, 22:05", "2 janv. 2026, 00:30")),
        ("en", ("Jul 14, 2026, 10:05 PM", "Jan 2, 2026, 12:30 AM")),
    ):
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            shown = [
                localdatetime(v, "moment").replace("\u202f", " ") for v in (summer, winter_naive)
            ]
            assert tuple(shown) == texts


def test_machine_readable_times_are_utc_to_the_second_and_days_as_is():
    from datetime import UTC, date, datetime, timedelta, timezone

    from participation.templating import machine_time

    stored = datetime(2026, 11, 29, 21, 6, 21, 225905)  # naive UTC, microseconds (SQLite)
    assert machine_time(stored) == "2026-11-29T21:06:21Z"
    paris = datetime(2026, 7, 14, 22, 5, 9, 123, tzinfo=timezone(timedelta(hours=2)))
    assert machine_time(paris) == machine_time(paris.astimezone(UTC)) == "2026-07-14T20:05:09Z"
    assert machine_time(date(2027, 3, 1)) == "2027-03-01"
    assert machine_time(None) == ""


def test_templates_follow_a_forced_language_within_a_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Home') }} · {{ ngettext('%(num)s comment', '%(num)s comments', 1234) }}"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == "Accueil · 1\u202f234 commentaires"
        # A mail in its reader's language, in the middle of a French request: its words and
        # its numbers.
        with force_locale("en"):
            assert render_template_string(template) == "Home · 1,234 comments"
        assert render_template_string(template) == "Accueil · 1\u202f234 commentaires"


def test_the_codes_counts_are_written_the_languages_way(app):
    """A message built in the code (a flash, an error) writes its count as the templates do."""
    from flask_babel import force_locale

    from participation.i18n import ngettext

    def imported(n):
        return ngettext(
            "%(num)s card imported: %(first)s to %(last)s.",
            "%(num)s cards imported: %(first)s to %(last)s.",
            n,
            first="P-1",
            last=f"P-{n}",
        )

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert imported(1200) == "1\u202f200 cartes importées\u00a0: de P-1 à P-1200."
        assert imported(1) == "1 carte importée\u00a0: P-1 à P-1."
        with force_locale("en"):
            assert imported(1200) == "1,200 cards imported: P-1 to P-1200."


def test_every_template_compiles_before_the_first_request(app, tmp_path):
    # gunicorn's master compiles them once for its workers (gunicorn.conf.py).
    from jinja2 import TemplateSyntaxError

    from participation import ROOT
    from participation.templating import compile_templates

    files = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert compile_templates(app) == len(files)
    # A template that does not compile stops the server at its start, not at a page.
    (tmp_path / "broken.html").write_text("{% if %}")
    app.jinja_loader.searchpath.append(str(tmp_path))
    try:
        with pytest.raises(TemplateSyntaxError):
            compile_templates(app)
    finally:
        app.jinja_loader.searchpath.remove(str(tmp_path))
