"""Two-factor authentication: time-based codes (TOTP, RFC 6238, through pyotp) from an
authenticator app, and ten single-use recovery codes.

Required for staff before any staff page or action (``policy.has_role``), offered to everyone.
Enrolment keeps a new secret on the account until a first code confirms that the app has it; only
then is two-factor on. At sign-in the code is a second step after the password, before any
session exists (``accounts.routes``). A code is accepted once: the last time step used is kept.
Recovery codes are hashed like passwords and each works once. Every change is in the audit log.
Services take the acting user, flush, never commit.
"""

import re
import secrets
import time

import pyotp
import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from .. import audit
from ..errors import Invalid
from ..extensions import db
from ..models import RecoveryCode, User, utcnow
from . import rules, sessions
from .passwords import hash_password, verify_password
from .services import WrongPassword

ISSUER = "Béthune à 2032"
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code copied from paper is read back without doubt.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 10
# One step either side of now: a phone's clock a little off still works.
_WINDOW = 1


class InvalidCode(Invalid):
    message = _l(
        "This code is not correct, or it has already been used. Check the time on your phone and try the code it shows now."
    )
    field = "code"


class NotEnabled(Invalid):
    message = _l("Two-factor authentication is not on for this account.")


# --- enrolment ------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being enrolled (a new one the first time): kept on the account, not yet on."""
    if user.has_two_factor:
        raise Invalid(_l("Two-factor authentication is already on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or "", issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The otpauth link as a QR code, drawn here as SVG, in a data: URL (the page's CSP allows
    images from data:, and nothing leaves the site to draw it)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=3)


def grouped(secret: str) -> str:
    """The secret in groups of four, to be typed into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enable(user: User, code: str) -> list[str]:
    """Turn two-factor on once ``code`` proves the app holds the pending secret; returns the
    recovery codes, shown once."""
    if user.has_two_factor or not user.totp_secret:
        raise NotEnabled()
    if not _accept_totp(user, code):
        raise InvalidCode()
    user.two_factor_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.log(user, "account.two_factor_enabled", user, after={"two_factor": True})
    db.session.flush()
    return codes


def renew_recovery_codes(user: User, password: str) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not user.has_two_factor:
        raise NotEnabled()
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    codes = _new_recovery_codes(user)
    audit.log(user, "account.recovery_codes_renewed", user, after={"remaining": len(codes)})
    db.session.flush()
    return codes


def disable(user: User, password: str) -> None:
    """The person turns two-factor off (their password proves it is them)."""
    if not user.has_two_factor:
        raise NotEnabled()
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    _clear(user)
    audit.log(user, "account.two_factor_disabled", user, after={"two_factor": False})
    db.session.flush()


def reset(actor: User | None, user: User) -> None:
    """An administrator (``actor``; None for the command line) turns two-factor off for someone
    who lost their phone and their codes; their sessions end, and they enrol again after
    signing in with their password."""
    if actor is not None:
        rules.can_reset_two_factor(actor, user).require()
    if not user.has_two_factor and not user.totp_secret:
        raise NotEnabled()
    _clear(user)
    sessions.end_all(user)
    audit.log(actor, "account.two_factor_reset", user, after={"two_factor": False})
    db.session.flush()


def _clear(user: User) -> None:
    user.totp_secret = None
    user.two_factor_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remaining_recovery_codes(user: User) -> int:
    return len(_unused_codes(user))


# --- the second step at sign-in -------------------------------------------------------------


APP = "app"
RECOVERY = "recovery"


def second_step(user: User, code: str) -> str | None:
    """``APP`` when ``code`` is the app's current code, ``RECOVERY`` when it is an unused
    recovery code (now used up), else None. A failure, and each recovery code used, go to the
    audit log (the caller commits either way)."""
    code = re.sub(r"[\s-]", "", code or "").lower()
    if code.isdigit() and len(code) == 6:
        if _accept_totp(user, code):
            db.session.flush()
            return APP
    elif _use_recovery_code(user, code):
        return RECOVERY
    audit.log(None, "account.two_factor_failed", user)
    db.session.flush()
    return None


def _accept_totp(user: User, code: str) -> bool:
    """Check ``code`` against the secret around now, refusing a time step already used."""
    code = re.sub(r"\s", "", code or "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time()
    for offset in range(-_WINDOW, _WINDOW + 1):
        at = now + offset * totp.interval
        step = totp.timecode(at)
        if secrets.compare_digest(totp.at(at), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != _CODE_LENGTH:
        return False
    unused = _unused_codes(user)
    for stored in unused:
        if verify_password(stored.code_hash, code):
            stored.used_at = utcnow()
            remaining = len(unused) - 1
            audit.log(user, "account.recovery_code_used", user, after={"remaining": remaining})
            db.session.flush()
            return True
    return False


def _unused_codes(user: User) -> list[RecoveryCode]:
    return list(
        db.session.scalars(
            select(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            .order_by(RecoveryCode.id)
        )
    )


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(c)) for c in codes)
    db.session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]
