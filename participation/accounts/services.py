"""Account rules: sign-up, e-mail confirmation, sign-in, password reset, e-mail and role changes.

Services take the acting user explicitly, flush, never commit. Answers never reveal whether an
e-mail address has an account: where that could leak, the service mails the address instead.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from .. import audit
from ..errors import ParticipationError
from ..extensions import db
from ..mail import queue_mail
from ..models import AuditEntry, Neighbourhood, Role, User, utcnow
from . import rules, sessions
from .passwords import hash_password, needs_rehash, verify_password


class AccountError(ParticipationError):
    """A rule of accounts refused the action (a link, a password, an address)."""

    status = 400


class TokenInvalid(AccountError):
    message = _l("This link is not valid. Please check that you copied it whole.")


class TokenExpired(AccountError):
    message = _l("This link has expired.")


class WrongPassword(AccountError):
    message = _l("The password is not correct.")
    field = "current_password"


LOCKOUT_LOGGED_EVERY = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# --- signed links --------------------------------------------------------------------------

CONFIRM = "confirm-email"
RESET = "reset-password"
CHANGE_EMAIL = "change-email"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"participation.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired() from error
    except BadSignature as error:
        raise TokenInvalid() from error


def _reset_fingerprint(user: User) -> str:
    # The link dies once the password changes: it is bound to the current hash.
    return (user.password_hash or "")[-16:]


# --- sign-up and confirmation --------------------------------------------------------------


@dataclass
class SignUp:
    email: str
    display_name: str
    password: str
    neighbourhood_id: int | None = None
    locale: str = "fr"


def sign_up(data: SignUp) -> User | None:
    """Create an unconfirmed account and mail its confirmation link.

    When the address already has an account, nothing is created and the address is told instead,
    so that the page answers the same either way. Returns the new user, or None.
    """
    email = normalise_email(data.email)
    password_hash = hash_password(data.password)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_mail(
            email,
            _l("Your account on Béthune à 2032"),
            "already_registered",
            locale=existing.locale or data.locale,
            user=existing,
        )
        return None
    neighbourhood = (
        db.session.get(Neighbourhood, data.neighbourhood_id) if data.neighbourhood_id else None
    )
    user = User(
        email=email,
        display_name=data.display_name.strip(),
        password_hash=password_hash,
        role=Role.RESIDENT.value,
        neighbourhood=neighbourhood,
        locale=data.locale,
    )
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    if user.is_confirmed or not user.email:
        return
    token = make_token(CONFIRM, {"uid": user.id, "email": user.email})
    queue_mail(
        user.email,
        _l("Confirm your e-mail address"),
        "confirm_email",
        locale=user.locale or "fr",
        user=user,
        token=token,
    )


def resend_confirmation(email: str, locale: str) -> None:
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        send_confirmation(user)


def confirm_email(token: str) -> User:
    payload = read_token(CONFIRM, token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or user.email != payload.get("email"):
        raise TokenInvalid()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    return user


# --- sign-in -------------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The user whose e-mail and password match, or None (same cost either way). A failure on
    an existing account goes to the audit log (the caller commits either way)."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        audit.log(None, "account.sign_in_failed", user)
        db.session.flush()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.flush()
    return user


def record_lockout(user: User | None, limit: str) -> None:
    """A sign-in limit was reached (``limit``, e.g. "5 per 1 minute"): the audit log says so
    once a quarter of an hour, of the account when the address typed has one, else of the
    platform (many accounts tried from one network address; the addresses are not kept)."""
    since = utcnow() - LOCKOUT_LOGGED_EVERY
    query = select(AuditEntry.id).where(
        AuditEntry.action == "account.sign_in_locked", AuditEntry.created_at >= since
    )
    if user is not None:
        query = query.where(AuditEntry.target_type == "users", AuditEntry.target_id == user.id)
    else:
        query = query.where(AuditEntry.target_type == "platform")
    if db.session.scalar(query.limit(1)) is None:
        audit.log(None, "account.sign_in_locked", user, after={"limit": limit})
        db.session.flush()


# --- passwords -----------------------------------------------------------------------------


def request_password_reset(email: str, locale: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = make_token(RESET, {"uid": user.id, "fp": _reset_fingerprint(user)})
    queue_mail(
        user.email,
        _l("Choose a new password"),
        "reset_password",
        locale=user.locale or locale,
        user=user,
        token=token,
    )


def user_for_reset_token(token: str) -> User:
    payload = read_token(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or payload.get("fp") != _reset_fingerprint(user):
        raise TokenInvalid(_l("This link has already been used or is no longer valid."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    audit.log(user, "account.password_reset", user)
    # Following the link proves the address is theirs.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password; every other session of the account ends (not the one that asks)."""
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword()
    _set_password(user, new_password, keep_session=user.session_id)
    audit.log(user, "account.password_change", user)
    db.session.flush()


def _set_password(user: User, new_password: str, keep_session: int | None = None) -> None:
    user.password_hash = hash_password(new_password)
    # Whoever knew the old password is signed out everywhere.
    sessions.end_all(user, keep=keep_session)


# --- e-mail change -------------------------------------------------------------------------


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Mail a confirmation link to the new address; the change happens when it is followed."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return
    owner = find_user_by_email(new_email)
    if owner is not None:
        # Tell the address's owner rather than the requester (no enumeration).
        queue_mail(
            new_email,
            _l("Your account on Béthune à 2032"),
            "already_registered",
            locale=owner.locale or "fr",
            user=owner,
        )
        return
    user.pending_email = new_email
    db.session.flush()
    token = make_token(CHANGE_EMAIL, {"uid": user.id, "new": new_email})
    queue_mail(
        new_email,
        _l("Confirm your new e-mail address"),
        "change_email",
        locale=user.locale or "fr",
        user=user,
        token=token,
    )


def confirm_email_change(token: str) -> User:
    payload = read_token(CHANGE_EMAIL, token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    new_email = payload.get("new")
    if user is None or not user.is_active or user.pending_email != new_email:
        raise TokenInvalid(_l("This link has already been used or is no longer valid."))
    if find_user_by_email(new_email) is not None:
        raise AccountError(_l("This address is already used by another account."))
    user.email = new_email
    user.pending_email = None
    user.email_confirmed_at = utcnow()
    audit.log(user, "account.email_change", user)
    db.session.flush()
    return user


# --- profile and roles ---------------------------------------------------------------------


def update_profile(
    user: User, display_name: str, neighbourhood_id: int | None, notify_by_email: bool = True
) -> None:
    user.display_name = display_name.strip()
    user.notify_by_email = bool(notify_by_email)
    user.neighbourhood = (
        db.session.get(Neighbourhood, neighbourhood_id) if neighbourhood_id else None
    )
    db.session.flush()


def set_role(actor: User | None, user: User, role: Role) -> None:
    """Give ``user`` a role. ``actor`` is None for the command line, else an active admin."""
    if actor is not None:
        rules.can_change_role(actor, user).require()
    before = user.role
    if role == before:
        return  # nothing changes, nothing to log
    rules.ensure_an_admin_remains(user, leaving=role != Role.ADMIN)
    user.role = role
    # Powers change: the account signs in again (and a new staff member meets two-factor).
    sessions.end_all(user)
    audit.log(actor, "user.role", user, before={"role": before}, after={"role": role})
    db.session.flush()


def create_user(
    email: str, display_name: str, password: str, role: Role = Role.RESIDENT, confirmed: bool = True
) -> User:
    """Create an account directly (command line); raises AccountError if the e-mail is taken."""
    if find_user_by_email(email) is not None:
        raise AccountError(_l("This address is already used by another account."))
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role.value,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


_NEIGHBOURHOODS = select(Neighbourhood).order_by(Neighbourhood.position, Neighbourhood.name)


def neighbourhoods() -> list[Neighbourhood]:
    """Every neighbourhood, in the city's order (the statement built once: the lists ask)."""
    return list(db.session.scalars(_NEIGHBOURHOODS))


def neighbourhood_choices() -> list[tuple[int, str]]:
    return [(place.id, place.name) for place in neighbourhoods()]
