"""The directory of carriers, and the partners who speak for them.

A moderator invites a person by e-mail: the mail holds a signed link, valid for fourteen days,
that the person follows once signed in with that address (an account they have, or one they
create). Services write the audit log, flush and never commit.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..accounts.services import make_token, read_token
from ..errors import Invalid, NotAllowed, ParticipationError
from ..extensions import db
from ..mail import queue_mail
from ..models import Carrier, CarrierKind, User
from ..rounds.services import slugify
from . import rules

INVITATION = "carrier-invitation"
INVITATION_DAYS = 14


class CarrierExists(ParticipationError):
    message = _l("A carrier with this name exists already.")
    field = "name"


class WrongAccount(NotAllowed):
    message = _l(
        "This invitation was sent to another e-mail address: sign in with that address to "
        "accept it."
    )


@dataclass
class CarrierInput:
    name: str
    kind: CarrierKind | str
    description: str = ""
    website: str = ""


def _free_slug(name: str, carrier: Carrier | None = None) -> str:
    base = slugify(name) or "porteur"
    slug, n = base, 2
    while db.session.scalar(
        select(Carrier.id).where(Carrier.slug == slug, Carrier.id != (carrier.id if carrier else 0))
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _write(carrier: Carrier, data: CarrierInput) -> None:
    if not data.name.strip():
        raise Invalid()
    carrier.name = data.name.strip()[:200]
    carrier.kind = CarrierKind(data.kind)
    carrier.description = data.description.strip()[:2000]
    carrier.website = data.website.strip()[:300]


def _saved(carrier: Carrier) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(carrier)
    except IntegrityError as error:
        raise CarrierExists() from error


def create_carrier(actor: User, data: CarrierInput, *, is_sample: bool = False) -> Carrier:
    rules.can_manage(actor).require()
    carrier = Carrier(is_sample=is_sample)
    _write(carrier, data)
    carrier.slug = _free_slug(carrier.name)
    _saved(carrier)
    audit.log(
        actor,
        "carrier.create",
        carrier,
        after={"name": carrier.name, "kind": CarrierKind(carrier.kind).value},
    )
    return carrier


def update_carrier(carrier: Carrier, actor: User, data: CarrierInput) -> None:
    rules.can_manage(actor).require()
    fields = ["name", "kind", "description", "website"]
    before = audit.snapshot(carrier, fields)
    _write(carrier, data)
    _saved(carrier)
    after = audit.snapshot(carrier, fields)
    if before != after:
        audit.log(actor, "carrier.update", carrier, before=before, after=after)


# --- partners ------------------------------------------------------------------------------


@dataclass
class Invitation:
    carrier: Carrier
    email: str


def invite_partner(carrier: Carrier, actor: User, email: str) -> None:
    """Mail a signed link to speak for ``carrier``; the address is not written to the log."""
    rules.can_manage(actor).require()
    email = email.strip().lower()
    token = make_token(INVITATION, {"carrier": carrier.id, "email": email})
    queue_mail(
        email,
        _l("Speak for %(name)s on Béthune à 2032", name=carrier.name),
        "carrier_invitation",
        carrier=carrier,
        token=token,
        days=INVITATION_DAYS,
    )
    audit.log(actor, "carrier.invite", carrier, after={"name": carrier.name})


def read_invitation(token: str) -> Invitation | None:
    """The invitation a link holds, or None when it is forged, expired or its carrier gone."""
    try:
        payload = read_token(INVITATION, token, max_age=INVITATION_DAYS * 86400)
    except ParticipationError:
        return None
    carrier = db.session.get(Carrier, payload.get("carrier"))
    if carrier is None or not isinstance(payload.get("email"), str):
        return None
    return Invitation(carrier=carrier, email=payload["email"])


def join(invitation: Invitation, user: User) -> None:
    """The invited person, signed in with the address invited, now speaks for the carrier."""
    rules.can_join(user).require()
    if (user.email or "").lower() != invitation.email:
        raise WrongAccount()
    carrier = invitation.carrier
    if not rules.speaks_for(user, carrier):
        carrier.partners.append(user)
        audit.log(user, "carrier.join", carrier, after={"name": carrier.name})
    db.session.flush()


def add_partner(carrier: Carrier, actor: User, user: User) -> None:
    """A moderator makes an existing account speak for a carrier."""
    rules.can_manage(actor).require()
    if not rules.speaks_for(user, carrier):
        carrier.partners.append(user)
        audit.log(actor, "carrier.partner", carrier, after={"partner": user.id})
    db.session.flush()


def carriers_of(user: User) -> list[Carrier]:
    return list(
        db.session.scalars(
            select(Carrier).where(Carrier.partners.any(User.id == user.id)).order_by(Carrier.name)
        )
    )
