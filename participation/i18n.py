"""Language choice: the visitor's explicit choice, then the account's, then Accept-Language."""

from functools import lru_cache

from babel.numbers import format_decimal
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def translations():
    """The catalogue of the language in use, found once per locale and request.

    Flask-Babel looks it up again at each string (its context, the locale's name, the cache):
    15 µs, and a page shows hundreds of strings. Kept beside Flask-Babel's own per-request state
    with the locale it was found for, so that ``force_locale`` (a mail in its reader's language)
    gets its own.
    """
    state = g.get("_flask_babel")
    if state is not None:
        kept = getattr(state, "participation_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
    found = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.participation_translations = (getattr(state, "babel_locale", None), found)
    return found


def formatted_number(number) -> str:
    """``number`` the language's way, by Babel: "157 019" in French, "157,019" in English.

    Below a thousand neither language groups digits, and a page of cards shows dozens of
    counts: those are written as they are, the others kept once formatted."""
    if isinstance(number, int) and -1000 < number < 1000:
        return str(number)
    return _formatted(number, str(get_locale()))


@lru_cache(maxsize=4096)
def _formatted(number, locale: str) -> str:
    return format_decimal(number, locale=locale)


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """Flask-Babel's ``ngettext`` with ``num`` written the language's way, as the templates'
    is: its strings say ``%(num)s``."""
    variables.setdefault("num", formatted_number(num))
    return translations().ungettext(singular, plural, num) % variables


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/../translations"),
    )
    # The templates' _(), gettext and ngettext, as Flask-Babel installs them, on the kept
    # catalogue.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # A count in a sentence is the language's number ("%(num)s"): Jinja's ngettext would put
    # the bare integer, "157019 soutiens".
    counted = app.jinja_env.globals["ngettext"]

    @pass_context
    def counted_ngettext(context, singular: str, plural: str, num: int, /, **variables):
        variables.setdefault("num", formatted_number(num))
        return counted(context, singular, plural, num, **variables)

    app.jinja_env.globals["ngettext"] = counted_ngettext
