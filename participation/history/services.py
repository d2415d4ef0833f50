"""Loading the 2018 Smart Days into the database: pillars, archived round, council session, the 83
framework deliberations. Idempotent: rows are found by their natural keys and only written when
the brochure says something different. Flushes, never commits (the caller commits).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..masterplan import tracking
from ..models import CouncilSession, Deliberation, Pillar, Round
from ..paris_time import paris_to_utc
from .smart_days_2018 import (
    ParsedPillar,
    SmartDaysBrochure,
    parse_smart_days_2018,
    read_shipped_text,
)

ROUND_SLUG = "smart-days-2018"
ROUND_TITLE = "Smart Days 2018"
COUNCIL_DATE = date(2018, 12, 11)
COUNCIL_TITLE = "Conseil municipal du 11 décembre 2018"

KINDS = (
    "pillars",
    "rounds",
    "council sessions",
    "deliberations",
    "actions",
    "carriers",
    "neighbourhoods",
    "sample proposals",
)


@dataclass
class ImportReport:
    """How many rows of each kind were created, updated or left as they were."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def record(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def lines(self) -> list[str]:
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in KINDS
            if self.created[kind] or self.updated[kind] or self.unchanged[kind]
        ]


def _assign(obj, values: dict) -> bool:
    """Set the attributes that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _pillar_values(parsed: ParsedPillar) -> dict:
    return {
        "name_fr": parsed.name_fr,
        "name_en": parsed.name_en,
        "position": parsed.position,
        "context": "\n".join(parsed.context),
        "objectives": "\n".join(parsed.objectives),
    }


def upsert_pillars(
    brochure: SmartDaysBrochure, report: ImportReport, *, update_existing: bool = True
) -> dict[str, Pillar]:
    """The seven pillars by slug; existing rows are updated only when ``update_existing``."""
    slugs = [p.slug for p in brochure.pillars]
    existing = {p.slug: p for p in db.session.scalars(select(Pillar).where(Pillar.slug.in_(slugs)))}
    result = {}
    for parsed in sorted(brochure.pillars, key=lambda p: p.position):
        pillar = existing.get(parsed.slug)
        if pillar is None:
            pillar = Pillar(slug=parsed.slug, **_pillar_values(parsed))
            db.session.add(pillar)
            report.record("pillars", "created")
        elif update_existing and _assign(pillar, _pillar_values(parsed)):
            report.record("pillars", "updated")
        else:
            report.record("pillars", "unchanged")
        result[parsed.slug] = pillar
    db.session.flush()
    return result


def _round_summary(brochure: SmartDaysBrochure) -> str:
    return (
        "Trois semaines d'ateliers et de réunions publiques en octobre 2018 : "
        f"{len(brochure.proposals)} propositions des habitants, votées en délibérations cadres "
        "par le conseil municipal du 11 décembre 2018."
    )


def _upsert_round(
    brochure: SmartDaysBrochure, pillars: list[Pillar], report: ImportReport
) -> Round:
    values = {
        "title": ROUND_TITLE,
        "summary": _round_summary(brochure),
        "description": brochure.lead,
        # Three weeks of workshops (1–21 October), then the council vote of 11 December; the
        # ends are the last second of the day, so that the calendar shows the published dates.
        "collect_starts_at": paris_to_utc(datetime(2018, 10, 1)),
        "collect_ends_at": paris_to_utc(datetime(2018, 10, 21, 23, 59, 59)),
        "vote_starts_at": None,
        "vote_ends_at": None,
        "deliberation_ends_at": paris_to_utc(datetime(2018, 12, 11, 23, 59, 59)),
        "is_sample": False,
        "is_history": True,
    }
    round_ = db.session.scalar(select(Round).where(Round.slug == ROUND_SLUG))
    if round_ is None:
        round_ = Round(slug=ROUND_SLUG, **values)
        round_.pillars = pillars
        db.session.add(round_)
        report.record("rounds", "created")
    else:
        changed = _assign(round_, values)
        if {p.slug for p in round_.pillars} != {p.slug for p in pillars}:
            round_.pillars = pillars
            changed = True
        report.record("rounds", "updated" if changed else "unchanged")
    db.session.flush()
    return round_


def _upsert_council_session(round_: Round, report: ImportReport) -> CouncilSession:
    session = db.session.scalar(
        select(CouncilSession).where(
            CouncilSession.held_on == COUNCIL_DATE, CouncilSession.title == COUNCIL_TITLE
        )
    )
    if session is None:
        session = CouncilSession(held_on=COUNCIL_DATE, title=COUNCIL_TITLE, round=round_)
        db.session.add(session)
        report.record("council sessions", "created")
    elif session.round_id != round_.id:
        session.round = round_
        report.record("council sessions", "updated")
    else:
        report.record("council sessions", "unchanged")
    db.session.flush()
    return session


def _upsert_deliberations(
    brochure: SmartDaysBrochure,
    session: CouncilSession,
    pillars: dict[str, Pillar],
    report: ImportReport,
) -> None:
    existing = {
        d.number: d
        for d in db.session.scalars(
            select(Deliberation)
            .where(Deliberation.council_session_id == session.id)
            .options(selectinload(Deliberation.action))
        )
    }
    for number, (parsed, title) in enumerate(brochure.proposals, start=1):
        pillar = pillars[parsed.slug]
        deliberation = existing.get(number)
        if deliberation is None:
            db.session.add(
                deliberation := Deliberation(
                    council_session=session,
                    number=number,
                    pillar_id=pillar.id,
                    title=title,
                    body="",
                )
            )
            report.record("deliberations", "created")
        elif _assign(deliberation, {"pillar_id": pillar.id, "title": title}):
            report.record("deliberations", "updated")
        else:
            report.record("deliberations", "unchanged")
        if deliberation.action is None:
            # Each deliberation leads to its action, carried by the city; moderators then keep
            # its tracking up to date, and a re-import never resets it.
            tracking.action_for_deliberation(deliberation)
            report.record("actions", "created")
        else:
            report.record("actions", "unchanged")
    db.session.flush()


def import_smart_days_2018(text: str | None = None) -> ImportReport:
    """Load the brochure ``text`` (by default the copy shipped in the package)."""
    brochure = parse_smart_days_2018(read_shipped_text() if text is None else text)
    report = ImportReport()
    pillars = upsert_pillars(brochure, report)
    round_ = _upsert_round(brochure, list(pillars.values()), report)
    session = _upsert_council_session(round_, report)
    _upsert_deliberations(brochure, session, pillars, report)
    return report
