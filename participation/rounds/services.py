"""Consultation rounds: their calendar in Paris time, creating and editing them, reading them.

Services take the acting user explicitly, flush, never commit. A refused round raises
``RoundInvalid`` whose ``problems`` map each form field to a translated message.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from .. import audit
from ..errors import ParticipationError
from ..extensions import db
from ..models import (
    PaperSupport,
    Pillar,
    Proposal,
    Round,
    RoundPhase,
    User,
    Workshop,
    round_pillars,
    utcnow,
)
from ..paris_time import PARIS, paris_to_utc, utc_to_paris  # noqa: F401  (re-exported)
from . import rules

TITLE_MAX = 200
SLUG_MAX = 80
SUMMARY_MAX = 500
DESCRIPTION_MAX = 20000
# Paper typed in after a workshop: at most a year's grace; stickers handed to each participant.
GRACE_DAYS_MAX = 365
STICKERS_PER_PERSON_MIN, STICKERS_PER_PERSON_MAX = 1, 100
# Paths under /rounds/ that are not rounds.
RESERVED_SLUGS = {"new"}
# Letters that Unicode does not decompose into ASCII ones, frequent in French titles.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


# --- Paris time ----------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens: "Béthune à 2032" → "bethune-a-2032"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(LIGATURES))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


# --- errors --------------------------------------------------------------------------------


class RoundError(ParticipationError):
    """A rule of rounds refused the action."""


class RoundInvalid(RoundError):
    """The round cannot be saved as typed: ``problems`` maps field names to messages."""

    message = _l("This round cannot be saved: please correct what is marked.")

    def __init__(self, problems: dict[str, str]):
        super().__init__()
        self.problems = problems


class SlugTaken(RoundInvalid):
    """Another round has the address; ``problems`` also holds any other problem found."""

    def __init__(self, slug: str, problems: dict[str, str] | None = None):
        message = _l(
            "The address “%(slug)s” is already used by another round: choose another one.",
            slug=slug,
        )
        super().__init__({**(problems or {}), "slug": str(message)})


# --- creating and editing ------------------------------------------------------------------


@dataclass
class RoundInput:
    """A round as an administrator types it. Calendar times are naive Europe/Paris times."""

    title: str
    slug: str = ""
    summary: str = ""
    description: str = ""
    collect_starts_at: datetime | None = None
    collect_ends_at: datetime | None = None
    vote_starts_at: datetime | None = None
    vote_ends_at: datetime | None = None
    deliberation_ends_at: datetime | None = None
    pillar_ids: list[int] = field(default_factory=list)
    support_cap: int | None = None
    premoderation: bool = False
    paper_grace_days: int | None = 14
    stickers_per_person: int | None = 5


CALENDAR = (
    "collect_starts_at",
    "collect_ends_at",
    "vote_starts_at",
    "vote_ends_at",
    "deliberation_ends_at",
)
RULES = ("support_cap", "premoderation", "paper_grace_days", "stickers_per_person")
AUDITED = ("title", "slug", "summary", *CALENDAR, *RULES)


def round_slug(data: RoundInput) -> str:
    """The address the round gets: what was typed, tidied, or else made from the title."""
    return slugify((data.slug or "").strip() or data.title)


def round_problems(data: RoundInput) -> dict[str, str]:
    """Every rule ``data`` breaks that needs no database, as {field name: message}.

    Dates compare in UTC, as the calendar is then read. A missing required date is reported as
    missing; comparisons involving it are skipped.
    """
    problems: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = _l("Give the round a title.")
    elif len(title) > TITLE_MAX:
        problems["title"] = _l("The title has at most %(max)d characters.", max=TITLE_MAX)
    if len((data.summary or "").strip()) > SUMMARY_MAX:
        problems["summary"] = _l("The summary has at most %(max)d characters.", max=SUMMARY_MAX)
    if len((data.description or "").strip()) > DESCRIPTION_MAX:
        problems["description"] = _l(
            "The description has at most %(max)d characters.", max=DESCRIPTION_MAX
        )
    slug = round_slug(data)
    if not slug and "title" not in problems:
        problems["slug"] = _l("Choose an address made of letters and digits.")
    elif slug in RESERVED_SLUGS:
        problems["slug"] = _l("The address “%(slug)s” is reserved: choose another one.", slug=slug)

    utc = {name: _to_utc(getattr(data, name)) for name in CALENDAR}
    if utc["collect_starts_at"] is None:
        problems["collect_starts_at"] = _l("Enter when the collection of proposals starts.")
    if utc["collect_ends_at"] is None:
        problems["collect_ends_at"] = _l("Enter when the collection of proposals ends.")
    elif utc["collect_starts_at"] and utc["collect_ends_at"] <= utc["collect_starts_at"]:
        problems["collect_ends_at"] = _l("The collection must end after it starts.")

    if (utc["vote_starts_at"] is None) != (utc["vote_ends_at"] is None):
        missing = "vote_starts_at" if utc["vote_starts_at"] is None else "vote_ends_at"
        problems[missing] = _l("Enter both the start and the end of the vote, or neither.")
    elif utc["vote_starts_at"] is not None:
        if utc["collect_ends_at"] and utc["vote_starts_at"] < utc["collect_ends_at"]:
            problems["vote_starts_at"] = _l(
                "The vote cannot start before the collection of proposals ends."
            )
        if utc["vote_ends_at"] <= utc["vote_starts_at"]:
            problems["vote_ends_at"] = _l("The vote must end after it starts.")

    previous_end = utc["vote_ends_at"] or utc["collect_ends_at"]
    if utc["deliberation_ends_at"] and previous_end and utc["deliberation_ends_at"] < previous_end:
        problems["deliberation_ends_at"] = (
            _l("The deliberation cannot end before the vote ends.")
            if utc["vote_ends_at"]
            else _l("The deliberation cannot end before the collection of proposals ends.")
        )

    if not data.pillar_ids:
        problems["pillar_ids"] = _l("Choose at least one pillar.")
    if data.support_cap is not None and data.support_cap < 1:
        problems["support_cap"] = _l("The cap must be at least 1, or left empty for no cap.")
    if data.paper_grace_days is None or not 0 <= data.paper_grace_days <= GRACE_DAYS_MAX:
        problems["paper_grace_days"] = _l(
            "Enter a number of days between 0 and %(max)d.", max=GRACE_DAYS_MAX
        )
    if data.stickers_per_person is None or not (
        STICKERS_PER_PERSON_MIN <= data.stickers_per_person <= STICKERS_PER_PERSON_MAX
    ):
        problems["stickers_per_person"] = _l(
            "Enter a number of stickers between %(min)d and %(max)d.",
            min=STICKERS_PER_PERSON_MIN,
            max=STICKERS_PER_PERSON_MAX,
        )
    return {name: str(message) for name, message in problems.items()}


def create_round(actor: User, data: RoundInput) -> Round:
    """An administrator creates a consultation round."""
    rules.can_edit_rounds(actor).require()
    round_ = Round()
    _save(actor, round_, data, is_new=True)
    return round_


def update_round(actor: User, round_: Round, data: RoundInput) -> None:
    """An administrator changes a round: its texts, calendar, pillars and rules."""
    rules.can_edit_rounds(actor).require()
    _save(actor, round_, data, is_new=False)


def _save(actor: User, round_: Round, data: RoundInput, *, is_new: bool) -> None:
    problems = round_problems(data)
    slug = round_slug(data)
    # Every read happens before the round changes, so that no autoflush writes half of it.
    pillars = _pillars(data.pillar_ids, problems)
    if not is_new:
        _check_removed_pillars(round_, pillars, problems)
        _check_counted_stickers(round_, data.stickers_per_person, problems)
    if "slug" not in problems and _slug_used(slug, round_.id):
        raise SlugTaken(slug, problems)
    if problems:
        raise RoundInvalid(problems)

    before = None if is_new else _audited(round_)
    try:
        # The unique constraint decides when two administrators take the same address at once.
        with db.session.begin_nested():
            _assign(round_, data, slug, pillars)
            db.session.add(round_)
            db.session.flush()
    except IntegrityError:
        if _slug_used(slug, None if is_new else round_.id):
            raise SlugTaken(slug) from None
        raise
    audit.log(
        actor,
        "round.create" if is_new else "round.update",
        round_,
        before=before,
        after=_audited(round_),
    )
    db.session.flush()


def _audited(round_: Round) -> dict:
    return audit.snapshot(round_, list(AUDITED)) | {"pillars": [p.id for p in round_.pillars]}


def _to_utc(local: datetime | None) -> datetime | None:
    return paris_to_utc(local) if local is not None else None


def _assign(round_: Round, data: RoundInput, slug: str, pillars: list[Pillar]) -> None:
    round_.title = data.title.strip()
    round_.slug = slug
    round_.summary = (data.summary or "").strip()
    round_.description = (data.description or "").strip()
    for name in CALENDAR:
        new = _to_utc(getattr(data, name))
        old = getattr(round_, name, None)
        # The form shows minutes: an untouched 23:59:59 comes back as 23:59 and stays 23:59:59.
        if new is not None and old is not None and new == old.replace(second=0, microsecond=0):
            new = old
        setattr(round_, name, new)
    round_.pillars = pillars
    round_.support_cap = data.support_cap
    round_.premoderation = bool(data.premoderation)
    round_.paper_grace_days = data.paper_grace_days
    round_.stickers_per_person = data.stickers_per_person


def _pillars(pillar_ids: list[int], problems: dict[str, str]) -> list[Pillar]:
    if not pillar_ids:
        return []
    pillars = list(
        db.session.scalars(
            select(Pillar).where(Pillar.id.in_(pillar_ids)).order_by(Pillar.position, Pillar.id)
        )
    )
    if len(pillars) != len(set(pillar_ids)):
        problems.setdefault("pillar_ids", str(_l("Choose pillars from the list.")))
    return pillars


def _check_removed_pillars(round_: Round, pillars: list[Pillar], problems: dict) -> None:
    """A pillar that already has proposals in the round stays: they would lose their place."""
    kept = {p.id for p in pillars}
    removed = [p for p in round_.pillars if p.id not in kept]
    if not removed:
        return
    used = set(
        db.session.scalars(
            select(Proposal.pillar_id)
            .where(Proposal.round_id == round_.id, Proposal.pillar_id.in_([p.id for p in removed]))
            .distinct()
        )
    )
    names = [p.name for p in removed if p.id in used]
    if names:
        problems.setdefault(
            "pillar_ids",
            str(
                _l(
                    "These pillars already have proposals in this round and must stay: %(names)s.",
                    names=", ".join(names),
                )
            ),
        )


def _check_counted_stickers(round_: Round, per_person: int | None, problems: dict) -> None:
    """The sticker votes already counted at a workshop of the round must still fit what its
    participants received (``workshops.rules.sticker_problem``) with fewer stickers each."""
    if "stickers_per_person" in problems or per_person >= round_.stickers_per_person:
        return
    totals = db.session.execute(
        select(Workshop.attendance, func.sum(PaperSupport.count))
        .join(PaperSupport, PaperSupport.workshop_id == Workshop.id)
        .where(Workshop.round_id == round_.id, Workshop.attendance > 0)
        .group_by(Workshop.id, Workshop.attendance)
    )
    needed = max((-(-total // attendance) for attendance, total in totals), default=0)
    if per_person < needed:
        problems["stickers_per_person"] = str(
            _l(
                "The sticker votes already counted at a workshop of this round need at least "
                "%(num)d stickers per participant.",
                num=needed,
            )
        )


def _slug_used(slug: str, other_than: int | None) -> bool:
    query = select(Round.id).where(Round.slug == slug)
    if other_than is not None:
        query = query.where(Round.id != other_than)
    return db.session.scalar(query) is not None


def round_input(round_: Round) -> RoundInput:
    """A stored round as its form shows it: calendar in Paris time."""
    return RoundInput(
        title=round_.title,
        slug=round_.slug,
        summary=round_.summary or "",
        description=round_.description or "",
        pillar_ids=[p.id for p in round_.pillars],
        support_cap=round_.support_cap,
        premoderation=round_.premoderation,
        paper_grace_days=round_.paper_grace_days,
        stickers_per_person=round_.stickers_per_person,
        **{
            name: utc_to_paris(getattr(round_, name)) if getattr(round_, name) else None
            for name in CALENDAR
        },
    )


# --- reading -------------------------------------------------------------------------------


@dataclass
class CalendarStep:
    phase: RoundPhase
    starts_at: datetime | None
    ends_at: datetime | None
    state: str  # "done", "current" or "to_come"


def calendar_steps(round_: Round, now: datetime | None = None) -> list[CalendarStep]:
    """The phases of the round in order, each with its dates and where ``now`` stands.

    "Upcoming" is a step only while the round has not started: afterwards it says nothing.
    """
    current = round_.phase_at(now or utcnow())
    spans = []
    if current is RoundPhase.UPCOMING:
        spans.append((RoundPhase.UPCOMING, None, round_.collect_starts_at))
    spans.append((RoundPhase.COLLECTING, round_.collect_starts_at, round_.collect_ends_at))
    last_end = round_.collect_ends_at
    if round_.vote_starts_at and round_.vote_ends_at:
        spans.append((RoundPhase.VOTING, round_.vote_starts_at, round_.vote_ends_at))
        last_end = round_.vote_ends_at
    if round_.deliberation_ends_at:
        spans.append((RoundPhase.DELIBERATION, last_end, round_.deliberation_ends_at))
        last_end = round_.deliberation_ends_at
    spans.append((RoundPhase.CLOSED, last_end, None))

    order = [phase for phase, _start, _end in spans]
    position = order.index(current)
    return [
        CalendarStep(
            phase,
            starts_at,
            ends_at,
            "current" if index == position else "done" if index < position else "to_come",
        )
        for index, (phase, starts_at, ends_at) in enumerate(spans)
    ]


def home_rounds() -> tuple[list[Round], list[Round]]:
    """Rounds to show on the home page: (not yet closed, closed), newest first."""
    now = utcnow()
    rounds = db.session.scalars(_NEWEST_ROUNDS).all()
    current = [r for r in rounds if r.phase_at(now) is not RoundPhase.CLOSED]
    archived = [r for r in rounds if r.phase_at(now) is RoundPhase.CLOSED]
    return current, archived


def all_rounds_query():
    return select(Round).order_by(Round.collect_starts_at.desc(), Round.id.desc())


def get_round_or_404(slug: str) -> Round:
    found = db.session.scalar(_ROUND, {"slug": slug})
    if found is None:
        raise NotFound()
    return found


def pillars_with_counts(round_: Round) -> list[tuple[Pillar, int]]:
    """The round's pillars, in order, each with its number of visible proposals: one query."""
    return [
        tuple(row) for row in db.session.execute(_pillars_with_counts(), {"round_id": round_.id})
    ]


# Asked by the home page and a round's pages: built once.
_NEWEST_ROUNDS = select(Round).order_by(Round.collect_starts_at.desc())
_ROUND = select(Round).where(Round.slug == bindparam("slug"))


@functools.cache
def _pillars_with_counts():
    counts = (
        # count(*): read from the partial index on visible proposals alone.
        select(Proposal.pillar_id, func.count().label("proposals"))
        .where(Proposal.round_id == bindparam("round_id"), Proposal.is_visible)
        .group_by(Proposal.pillar_id)
        .subquery()
    )
    return (
        select(Pillar, func.coalesce(counts.c.proposals, 0))
        .join(round_pillars, round_pillars.c.pillar_id == Pillar.id)
        .outerjoin(counts, counts.c.pillar_id == Pillar.id)
        .where(round_pillars.c.round_id == bindparam("round_id"))
        .order_by(Pillar.position, Pillar.id)
    )
