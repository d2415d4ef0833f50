from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..forms import Form, VisibleLetter
from .passwords import password_problem

EMAIL_REQUIRED = _l("Enter your e-mail address.")
EMAIL_INVALID = _l("Enter an e-mail address in the form name@example.fr.")
PASSWORD_REQUIRED = _l("Enter your password.")


class StrongPassword:
    """A password the person may choose (``passwords.password_problem``): judged against their
    name and address, from the form's fields (sign-up) or ``form.account`` (reset, change)."""

    def __call__(self, form, field):
        inputs = [getattr(form, name).data for name in ("email", "display_name") if name in form]
        account = getattr(form, "account", None)
        if account is not None:
            inputs += [account.email, account.display_name]
        problem = password_problem(field.data or "", inputs)
        if problem:
            raise ValidationError(problem)


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
            VisibleLetter(),
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
        validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
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


class SignUpForm(NeighbourhoodChoicesMixin, Form):
    email = email_field()
    display_name = display_name_field()
    password = new_password_field()
    password_confirm = confirm_password_field("password")
    neighbourhood_id = neighbourhood_field()


class SignInForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class EmailOnlyForm(Form):
    email = email_field()


class ResetPasswordForm(Form):
    password = new_password_field(_l("New password"))
    password_confirm = confirm_password_field("password")


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    password_confirm = confirm_password_field("password")


class ChangeEmailForm(Form):
    email = email_field(_l("New e-mail address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(NeighbourhoodChoicesMixin, Form):
    display_name = display_name_field()
    neighbourhood_id = neighbourhood_field()
    notify_by_email = BooleanField(_l("E-mail me when my proposals are answered or progress"))


def _compact(value):
    return "".join(value.split()) if isinstance(value, str) else value


def code_field(label=None):
    """A six-digit code from the authenticator app: a numeric keypad on phones, and the code a
    phone offers from a text message or an app fills it in."""
    return StringField(
        label or _l("Six-digit code from your app"),
        filters=[_compact],
        validators=[Optional(), Length(max=12, message=_l("A code has six digits."))],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "pattern": "[0-9 ]*",
            "spellcheck": "false",
        },
    )


class TwoFactorEnableForm(Form):
    code = code_field()

    def validate_code(self, field):
        if not field.data:
            raise ValidationError(_l("Enter the six-digit code your app shows."))


class TwoFactorSignInForm(Form):
    code = code_field()
    recovery_code = StringField(
        _l("Or one of your recovery codes"),
        filters=[_compact],
        validators=[Optional(), Length(max=20, message=_l("A recovery code has ten characters."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )

    def validate_code(self, field):
        if not field.data and not self.recovery_code.data:
            raise ValidationError(
                _l("Enter the six-digit code your app shows, or a recovery code.")
            )


class PasswordCheckForm(Form):
    """An action on one's security settings, confirmed with the password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(PASSWORD_REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
