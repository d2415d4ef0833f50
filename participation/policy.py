"""The grammar of the rulebook: verdicts, and who is acting.

Every rule of who may do what is a ``can_*(actor, thing)`` function that returns a ``Verdict``:
true when allowed, false when refused, with the refusal's ``reason`` (a ``ParticipationError``,
whose message says why in the person's language). One function serves three callers:

- the route guard (``views.guard``) refuses the request with the reason;
- the service raises it (``verdict.require()``), so that no other caller can get round it;
- the template shows the button only when the verdict is true, or explains the reason.

The rules themselves live with their area (``proposals/rules.py``, ``comments/rules.py``,
``workshops/rules.py``, ``moderation/rules.py``, ``accounts/rules.py``, ``rounds/rules.py``);
what each proposal status allows is declared in ``proposals/state.py``. This module holds what
they share: what "signed in", "active" and "staff" mean. A blocked account keeps reading and its
own account (its data, its password, its erasure), and loses every other power, whatever its role.
A staff account without two-factor authentication keeps its resident's powers only.
"""

from dataclasses import dataclass

from sqlalchemy import and_, not_

from .errors import (
    AccountBlocked,
    EmailNotConfirmed,
    NotAllowed,
    ParticipationError,
    SignInRequired,
    TwoFactorRequired,
)
from .models import Role, User


@dataclass(frozen=True)
class Verdict:
    """The answer of a rule: truthy when allowed; else ``reason`` says why not."""

    reason: ParticipationError | None = None

    def __bool__(self) -> bool:
        return self.reason is None

    @property
    def asks_sign_in(self) -> bool:
        """Refused only because nobody is signed in: a page offers the sign-in link."""
        return isinstance(self.reason, SignInRequired)

    def require(self) -> None:
        """Raise the reason when refused (what services do)."""
        if self.reason is not None:
            raise self.reason


ALLOWED = Verdict()


def refuse(reason: ParticipationError) -> Verdict:
    return Verdict(reason)


def check(*conditions: tuple[bool, type[ParticipationError] | ParticipationError]) -> Verdict:
    """The first condition that fails gives the verdict: ``check((ok, Error), …)``."""
    for ok, error in conditions:
        if not ok:
            return refuse(error() if isinstance(error, type) else error)
    return ALLOWED


def first(*verdicts: Verdict) -> Verdict:
    """The first refusal among ``verdicts``, else allowed."""
    return next((v for v in verdicts if not v), ALLOWED)


# --- who is acting -------------------------------------------------------------------------


def anyone(_user: User | None = None, _thing=None) -> Verdict:
    """Visitors too: the public pages (and the public page of any ``thing``)."""
    return ALLOWED


def signed_in(user: User | None, _thing=None) -> Verdict:
    """A person with an account, blocked or not: their own account pages."""
    if user is None or not user.is_authenticated or not user.is_active:
        return refuse(SignInRequired())
    return ALLOWED


def active(user: User | None, _thing=None) -> Verdict:
    """Signed in and not blocked: the condition of every power beyond reading."""
    verdict = signed_in(user)
    if not verdict:
        return verdict
    return check((not user.is_blocked, AccountBlocked))


def can_post(user: User | None, _thing=None) -> Verdict:
    """Active, and the e-mail address confirmed: proposals, supports, comments, reports."""
    verdict = active(user)
    if not verdict:
        return verdict
    return check((user.is_confirmed, EmailNotConfirmed))


def staff_two_factor(user: User) -> Verdict:
    """A signed-in account whose role requires two-factor authentication has it on."""
    return check((not user.two_factor_missing, TwoFactorRequired))


def has_role(role: Role):
    """The policy "active, and ``role`` or above" (a facilitator, a moderator, an admin),
    whatever the thing a route names. A moderator or an administrator without two-factor
    authentication has none of these powers until they set it up (the refusal says where)."""

    def policy(user: User | None, _thing=None) -> Verdict:
        verdict = active(user)
        if not verdict:
            return verdict
        return first(check((user.has_role(role), NotAllowed)), staff_two_factor(user))

    policy.__name__ = f"has_role_{role.value}"
    policy.role = role
    return policy


def holding(role: Role):
    """``has_role(role)`` as a query condition: the active accounts that hold ``role``'s powers
    now (who could run a workshop, for instance); staff without two-factor authentication do
    not, until they set it up."""
    return and_(
        User.role.in_([held for held in Role if held.rank >= role.rank]),
        User.erased_at.is_(None),
        User.blocked_at.is_(None),
        not_(User.two_factor_missing),
    )


is_facilitator = has_role(Role.FACILITATOR)
can_moderate = has_role(Role.MODERATOR)
can_administer = has_role(Role.ADMIN)


def is_moderator(user: User | None) -> bool:
    """Moderator powers now (an active moderator or admin)."""
    return bool(can_moderate(user))


def is_admin(user: User | None) -> bool:
    return bool(can_administer(user))
