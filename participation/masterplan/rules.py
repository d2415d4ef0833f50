"""Who keeps the masterplan: the city's Smart City service, and the partners of each carrier.

Moderators and administrators (active, with two-factor) keep every action and carrier. A partner
speaks for the carriers they were invited to: they propose actions for them, which the city
accepts, sends back for changes or declines, and post progress notes on the actions those
carriers hold, never on others'. What the public sees is ``Action.is_published``.
"""

from flask_babel import lazy_gettext as _l

from ..errors import NotAllowed, NotFound
from ..models import Action, Carrier, User
from ..policy import ALLOWED, Verdict, active, can_moderate, check, refuse

# The directory, every action's tracking and the answers to partners are the moderators' work.
can_manage = can_moderate


class NotTheirCarrier(NotAllowed):
    message = _l("You speak only for the carriers that invited you, not for this one.")


def speaks_for(user: User | None, carrier: Carrier) -> bool:
    return bool(active(user)) and any(p.id == user.id for p in carrier.partners)


def can_view(user: User | None, action: Action) -> Verdict:
    """An action the city has not accepted is seen only by the city and the carrier's partners."""
    if action.is_published or can_manage(user) or speaks_for(user, action.carrier):
        return ALLOWED
    return refuse(NotFound())


def can_track(user: User | None, action: Action) -> Verdict:
    """Status, dates, percentage and carrier: the city's."""
    return can_manage(user)


def can_note(user: User | None, action: Action) -> Verdict:
    """A progress note: the city, or a partner of the action's carrier once it is published."""
    if can_manage(user):
        return ALLOWED
    verdict = active(user)
    if not verdict:
        return verdict
    return check(
        (speaks_for(user, action.carrier), NotTheirCarrier),
        (action.is_published, NotAllowed),
    )


def can_propose(user: User | None, carrier: Carrier) -> Verdict:
    """A new action for the masterplan, in a carrier's name: its partners (the city writes its
    own directly)."""
    verdict = active(user)
    if not verdict:
        return verdict
    return check((speaks_for(user, carrier), NotTheirCarrier))


def can_review(user: User | None, action: Action) -> Verdict:
    """Accepting, asking for changes or declining a partner's action: the city."""
    return can_manage(user)


def can_add_action(user: User | None, carrier: Carrier) -> Verdict:
    """A new action for a carrier: the city writes it directly, a partner proposes it."""
    if can_manage(user):
        return ALLOWED
    return can_propose(user, carrier)


def can_revise(user: User | None, action: Action) -> Verdict:
    """A partner revises an action the city sent back for changes."""
    return can_propose(user, action.carrier)


def can_join(user: User | None, _thing=None) -> Verdict:
    """Accepting an invitation to speak for a carrier: any active account (the address is
    checked against the invitation's)."""
    return active(user)
