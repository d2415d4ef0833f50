"""Sample content for a fresh install: Béthune's neighbourhoods and an open "Béthune à 2032" round.

Everything here is created once and then belongs to the administrators: loading again only adds
what is missing, it never reverts their edits nor moves the round's calendar.
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Neighbourhood, Pillar, Round, utcnow
from ..paris_time import PARIS, paris_to_utc
from .sample_masterplan import load_sample_masterplan
from .sample_participation import load_sample_participation
from .services import ImportReport, upsert_pillars
from .smart_days_2018 import PILLARS, parse_smart_days_2018, read_shipped_text

# Sample reference data, from general knowledge rather than an official city list (the 2018
# brochure counts "8 quartiers" but does not name them): administrators can edit them.
NEIGHBOURHOODS = (
    ("centre-ville", "Centre-ville"),
    ("catorive", "Catorive"),
    ("mont-liebaut", "Mont-Liébaut"),
    ("perroy", "Quartier du Perroy"),
    ("saint-pry", "Saint-Pry"),
    ("gare", "Quartier de la Gare"),
    ("rue-de-lille-faubourg-d-arras", "Rue de Lille – Faubourg d'Arras"),
    ("vertbois", "Le Vertbois"),
)

ROUND_SLUG = "bethune-a-2032"
ROUND_TITLE = "Béthune à 2032"
# French content, based on the city's "Béthune à 2032" page (seed 000), marked as sample.
ROUND_SUMMARY = (
    "Contenu d'exemple. Le projet de ville « Béthune à 2032 » : proposez vos idées pour la ville "
    "de demain, dans chacun des sept piliers de la Smart City."
)
ROUND_DESCRIPTION = "\n\n".join(
    (
        "Contenu d'exemple : cette concertation montre comment fonctionne la plateforme. "
        "Ce n'est pas une consultation réelle de la Ville de Béthune.",
        "De logements adaptés à l'aménagement de nos espaces publics, en passant par l'éducation "
        "et la facilité d'accès à la santé, le projet de ville « Béthune à 2032 » a pour objectif "
        "d'apporter des solutions concrètes aux besoins des habitants tout en prenant en compte "
        "les enjeux de société, afin de construire la ville de demain.",
        "Le projet de ville, c'est aussi un plan d'aménagement urbain qui vise à repenser notre "
        "quotidien et à assurer une meilleure qualité de vie : améliorer la qualité de l'air en "
        "végétalisant nos lieux de rencontre, offrir d'autres moyens de déplacement pour une "
        "mobilité douce, tout en maintenant l'attractivité de la ville.",
        "Proposez vos idées dans l'un des sept piliers, soutenez celles de vos voisins, puis "
        "suivez ce que la Ville en retient.",
    )
)


def _paris_day_start(day) -> datetime:
    return paris_to_utc(datetime.combine(day, time()))


def _paris_day_end(day) -> datetime:
    return paris_to_utc(datetime.combine(day, time(23, 59, 59)))


def _sample_calendar(now: datetime) -> dict:
    """Collecting since three weeks, for three months more, then a month of voting, then two
    months of deliberation; whole days in Europe/Paris."""
    today = now.replace(tzinfo=UTC).astimezone(PARIS).date()
    collect_end = today + timedelta(days=90)
    vote_end = collect_end + timedelta(days=30)
    return {
        "collect_starts_at": _paris_day_start(today - timedelta(days=21)),
        "collect_ends_at": _paris_day_end(collect_end),
        "vote_starts_at": _paris_day_start(collect_end + timedelta(days=1)),
        "vote_ends_at": _paris_day_end(vote_end),
        "deliberation_ends_at": _paris_day_end(vote_end + timedelta(days=60)),
    }


def _ensure_neighbourhoods(report: ImportReport) -> None:
    existing = db.session.execute(select(Neighbourhood.slug, Neighbourhood.name)).all()
    slugs = {slug for slug, _ in existing}
    names = {name for _, name in existing}
    for position, (slug, name) in enumerate(NEIGHBOURHOODS, start=1):
        # An administrator may have renamed one: its slug or its name keeps it from coming back.
        if slug in slugs or name in names:
            report.record("neighbourhoods", "unchanged")
            continue
        db.session.add(Neighbourhood(slug=slug, name=name, position=position))
        report.record("neighbourhoods", "created")
    db.session.flush()


def _ensure_pillars(report: ImportReport) -> list[Pillar]:
    slugs = [p.slug for p in PILLARS]
    found = db.session.scalars(select(Pillar).where(Pillar.slug.in_(slugs))).all()
    if len(found) < len(slugs):
        # Without the 2018 import, the pillars come from the same brochure, created only.
        brochure = parse_smart_days_2018(read_shipped_text())
        return list(upsert_pillars(brochure, report, update_existing=False).values())
    return sorted(found, key=lambda p: p.position)


def load_sample_content() -> ImportReport:
    """Create the sample neighbourhoods, partner actions of the masterplan and the open sample
    round, unless already there."""
    report = ImportReport()
    _ensure_neighbourhoods(report)
    pillars = _ensure_pillars(report)
    load_sample_masterplan(report)
    if db.session.scalar(select(Round.id).where(Round.slug == ROUND_SLUG)) is not None:
        report.record("rounds", "unchanged")
        return report
    round_ = Round(
        slug=ROUND_SLUG,
        title=ROUND_TITLE,
        summary=ROUND_SUMMARY,
        description=ROUND_DESCRIPTION,
        is_sample=True,
        **_sample_calendar(utcnow()),
    )
    round_.pillars = pillars
    db.session.add(round_)
    db.session.flush()
    report.record("rounds", "created")
    load_sample_participation(round_, report)
    return report
