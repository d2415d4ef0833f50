"""The base form: every form of the platform gets clean text and bounded numbers."""

import importlib
import pkgutil

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

import participation
from participation.forms import CONTROL_CHARACTER, NUMBER_TOO_LARGE, Form, Subform, VisibleLetter


def _form_modules():
    for module in pkgutil.walk_packages(participation.__path__, "participation."):
        if module.name.endswith(".forms") and module.name != "participation.forms":
            yield importlib.import_module(module.name)


def test_every_form_of_the_platform_is_built_on_the_base_form():
    from flask_wtf import FlaskForm
    from wtforms import Form as PlainForm

    found = []
    for module in _form_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, PlainForm)
                and value.__module__ == module.__name__
            ):
                found.append(value)
                base = Form if issubclass(value, FlaskForm) else Subform
                assert issubclass(value, base), f"{value.__qualname__} is not a {base.__name__}"
    assert len(found) > 20


class Sample(Form):
    class Meta:
        csrf = False

    title = StringField(validators=[DataRequired(), Length(max=20)])
    body = TextAreaField()
    name = StringField(validators=[VisibleLetter()])
    back = HiddenField()
    count = IntegerField()
    password = PasswordField()


class Line(Subform):
    code = StringField()


class Sheet(Form):
    class Meta:
        csrf = False

    lines = FieldList(FormField(Line), min_entries=1)


def _sent(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = Sample(formdata=MultiDict(data))
        form.validate()
        return form


def test_bidirectional_and_zero_width_characters_are_removed(app):
    form = _sent(app, title="\u202eevil\u200b.exe", body="Ligne\u2066 une\r\nligne deux\t!")
    assert form.title.data == "evil.exe"
    assert form.body.data == "Ligne une\r\nligne deux\t!"
    assert not form.title.errors and not form.body.errors


def test_control_characters_are_refused_with_a_message(app):
    form = _sent(app, title="Des\x00 jardins", body="Du texte\x07", count="3")
    assert form.title.errors == [CONTROL_CHARACTER]
    assert form.body.errors == [CONTROL_CHARACTER]
    sheet_data = {"lines-0-code": "P-\x001"}
    with app.test_request_context(method="POST", data=sheet_data):
        sheet = Sheet(formdata=MultiDict(sheet_data))
        assert not sheet.validate()
        assert sheet.lines.entries[0].code.errors == [CONTROL_CHARACTER]


def test_hidden_fields_drop_control_characters_and_passwords_stay_as_typed(app):
    form = _sent(app, title="Un titre", back="/rounds/\x00x", password="mot\u202e de\x00passe")
    assert form.back.data == "/rounds/x"
    assert form.password.data == "mot\u202e de\x00passe"
    assert not form.password.errors


@pytest.mark.parametrize(
    ("count", "valid"),
    [("2147483647", True), ("-2147483648", True), ("2147483648", False), ("-" + "9" * 25, False)],
)
def test_integers_must_fit_the_database(app, count, valid):
    form = _sent(app, title="Un titre", count=count)
    assert (form.count.errors == []) is valid
    if not valid:
        assert form.count.errors == [NUMBER_TOO_LARGE]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Marie", True),
        ("Ève 2", True),
        ("李", True),
        ("42", False),
        ("--", False),
        ("\u3164\u3164", False),
    ],
)
def test_a_name_shows_a_letter(app, name, valid):
    form = _sent(app, title="Un titre", name=name)
    assert (form.name.errors == []) is valid


def test_wtforms_own_messages_are_in_the_pages_language_read_once_per_language(app):
    """A message of WTForms itself (a number that is not one) in the reader's language; each
    language's catalogue is read once, not on every request."""
    from participation.forms import _wtforms_translations

    _wtforms_translations.cache_clear()
    expected = {"fr": "N'est pas un entier valide.", "en": "Not a valid integer value."}
    for _ in range(2):
        for language, message in expected.items():
            data = {"title": "Un titre", "count": "douze"}
            headers = {"Accept-Language": language}
            # An application context of its own, as each request has (the locale is kept in g).
            request = app.test_request_context(method="POST", data=data, headers=headers)
            with app.app_context(), request:
                form = Sample(formdata=MultiDict(data))
                assert not form.validate()
                assert form.count.errors == [message]
    assert _wtforms_translations.cache_info().misses == 2
