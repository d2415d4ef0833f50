"""The base of every form: what comes in through any field is text a person typed, and numbers
the database can hold.

Every form of the platform is a ``Form`` (a sub-form in a ``FormField`` is a ``Subform``). Their
``Meta.bind_field`` gives each field, whatever its form declares:

- a text field: a filter, run first, that removes bidirectional controls and zero-width
  characters (``text.strip_invisible``), and a validator that refuses any other control character
  (NUL included; tab and line breaks are text) with a message beside the field;
- a hidden field (nobody types it): a filter that drops every control character;
- an integer field: a validator that refuses a number beyond the database's INTEGER.

Passwords are left as typed: they are never stored nor shown, and one containing such a character
must keep working.
"""

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form as PlainForm
from wtforms import HiddenField, IntegerField, PasswordField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from .text import control_characters, has_visible_letter, strip_controls, strip_invisible
from .views import MAX_INT

CONTROL_CHARACTER = _l(
    "This text contains an invisible control character: remove it and send it again."
)
NUMBER_TOO_LARGE = _l("This number is too large.")


def _strip_invisible(value):
    return strip_invisible(value) if isinstance(value, str) else value


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _strip_controls(value):
    return strip_controls(value) if isinstance(value, str) else value


def refuse_control_characters(_form, field) -> None:
    if isinstance(field.data, str) and control_characters(field.data):
        raise ValidationError(CONTROL_CHARACTER)


def fits_the_database(_form, field) -> None:
    if isinstance(field.data, int) and not -MAX_INT - 1 <= field.data <= MAX_INT:
        raise ValidationError(NUMBER_TOO_LARGE)


class VisibleLetter:
    """A name must show at least one letter (not only spaces, signs or invisible characters)."""

    def __init__(self, message=None):
        self.message = message or _l("The name must contain at least one letter.")

    def __call__(self, _form, field) -> None:
        if isinstance(field.data, str) and field.data and not has_visible_letter(field.data):
            raise ValidationError(self.message)


def optional_id(value) -> int | None:
    """An id sent by a form: a positive integer the database can hold, else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_INT else None


class CleanInput:
    """The ``Meta`` of every form (see the module's docstring)."""

    def get_translations(self, form):
        """WTForms' own messages in the page's language (Flask-WTF's way, which reads their
        catalogue from disk again on every request), read once per language."""
        return _wtforms_translations(str(get_locale()))

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, PasswordField):
            return field
        if isinstance(field, HiddenField):
            field.filters = (_strip_controls, *field.filters)
        elif isinstance(field, StringField):
            field.filters = (_strip_invisible, *field.filters)
            field.validators = [refuse_control_characters, *field.validators]
        elif isinstance(field, IntegerField):
            field.validators = [*field.validators, fits_the_database]
        return field


class Form(FlaskForm):
    """Every form of the platform: Flask-WTF's (CSRF, request data), with clean input."""

    Meta = CleanInput


class Subform(PlainForm):
    """A form repeated inside another (``FormField``): no CSRF token of its own, clean input."""

    Meta = CleanInput
