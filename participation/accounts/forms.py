from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

EMAIL_REQUIRED = _l("Enter your e-mail address.")
EMAIL_INVALID = _l("Enter an e-mail address in the form name@example.fr.")
PASSWORD_REQUIRED = _l("Enter your password.")


class PasswordLength:
    """At least PASSWORD_MIN_LENGTH characters, no composition rule (ANSSI / NIST guidance)."""

    def __call__(self, form, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(
                _l("Choose a password of at least %(num)d characters.", num=minimum)
            )
        if len(field.data) > 256:
            raise ValidationError(_l("Choose a password of at most 256 characters."))


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(EMAIL_REQUIRED),
            Email(EMAIL_INVALID, check_deliverability=False),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def display_name_field():
    return StringField(
        _l("Display name"),
        validators=[
            DataRequired(_l("Enter the name to show next to your contributions.")),
            Length(min=2, max=80, message=_l("The name must have between 2 and 80 characters.")),
        ],
        render_kw={"autocomplete": "nickname"},
    )


def neighbourhood_field():
    return SelectField(
        _l("Neighbourhood (optional)"),
        coerce=_optional_int,
        validators=[Optional()],
        validate_choice=True,
    )


def new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), PasswordLength()],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_password_field(target: str):
    return PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo(target, message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class NeighbourhoodChoicesMixin:
    def set_neighbourhoods(self, choices):
        self.neighbourhood_id.choices = [SelectChoice("", _l("I would rather not say"))] + [
            SelectChoice(value, label) for value, label in choices
        ]


class SignUpForm(NeighbourhoodChoicesMixin, FlaskForm):
    email = email_field()
    display_name = display_name_field()
    password = new_password_field()
    password_confirm = confirm_password_field("password")
    neighbourhood_id = neighbourhood_field()


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"))
    password_confirm = confirm_password_field("password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    password_confirm = confirm_password_field("password")


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(NeighbourhoodChoicesMixin, FlaskForm):
    display_name = display_name_field()
    neighbourhood_id = neighbourhood_field()
    notify_by_email = BooleanField(_l("E-mail me when my proposals are answered or progress"))
