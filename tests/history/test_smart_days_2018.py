"""The 2018 Smart Days brochure: its parser, its import into the database, its command."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.history.services import import_smart_days_2018
from participation.history.smart_days_2018 import (
    SHIPPED_SEED,
    SmartDaysFormatError,
    parse_smart_days_2018,
    read_shipped_text,
)
from participation.models import (
    Action,
    Carrier,
    CouncilSession,
    Deliberation,
    MasterplanStatus,
    Pillar,
    Round,
    RoundPhase,
)

# Brochure order (not the official order) and the number of proposals of each section.
SECTIONS = [
    ("habitat-environnement", 14),
    ("education-emploi", 15),
    ("mobilite-transports", 11),
    ("alimentation-consommation", 9),
    ("loisirs-culture", 9),
    ("sante-bien-etre", 11),
    ("entraide-solidarite", 14),
]
OFFICIAL_ORDER = [
    "habitat-environnement",
    "mobilite-transports",
    "education-emploi",
    "alimentation-consommation",
    "loisirs-culture",
    "sante-bien-etre",
    "entraide-solidarite",
]
SHARED_PROPOSAL = (
    "Développement d'un service Béthune Sport Community pour accéder aux lieux de sport, "
    "trouver d'autres passionnés"
)
LOISIRS_CONTEXT = [
    "Un tissu associatif très riche : 250 associations",
    "Objectif du Plan local d'urbanisme : conserver et valoriser le patrimoine historique et "
    "industriel",
]


def replace_nth(text: str, old: str, new: str, n: int) -> str:
    """Replace the ``n``-th (1-based) occurrence of ``old``."""
    index = -1
    for _ in range(n):
        index = text.index(old, index + 1)
    return text[:index] + new + text[index + len(old) :]


@pytest.fixture(params=["shipped", "original"])
def brochure_text(request) -> str:
    if request.param == "shipped":
        return read_shipped_text()
    return request.getfixturevalue("original_seed").read_text(encoding="utf-8")


# --- the shipped copy --------------------------------------------------------------------------


def test_shipped_copy_is_byte_identical_to_the_original(original_seed):
    assert SHIPPED_SEED.read_bytes() == original_seed.read_bytes()


def test_shipped_copy_lives_inside_the_package():
    from importlib.resources import files

    packaged = files("participation.history") / "data" / "smart_days_2018.txt"
    assert packaged.read_text(encoding="utf-8") == read_shipped_text()


# --- the parser --------------------------------------------------------------------------------


def test_seven_pillars_and_83_proposals_in_brochure_order(brochure_text):
    brochure = parse_smart_days_2018(brochure_text)

    assert [(p.slug, len(p.proposals)) for p in brochure.pillars] == SECTIONS
    assert len(brochure.proposals) == 83
    assert sorted(brochure.pillars, key=lambda p: p.position) == [
        brochure.pillar(slug) for slug in OFFICIAL_ORDER
    ]
    assert brochure.pillar("entraide-solidarite").name_fr == "Entraide / Solidarité"
    assert brochure.pillar("entraide-solidarite").name_en == "Mutual aid / Solidarity"


def test_missing_headings_are_inferred_and_prefixes_stripped(brochure_text):
    brochure = parse_smart_days_2018(brochure_text)

    assert [p.heading for p in brochure.pillars] == [
        "HABITAT / ENVIRONNEMENT",
        None,
        "MOBILITÉ / TRANSPORTS",
        "ALIMENTATION / CONSOMMATION",
        None,
        None,
        "SOLIDARITÉ / ENTRAIDE",
    ]
    inferred = [p.slug for p in brochure.pillars if p.heading_inferred]
    assert inferred == ["education-emploi", "loisirs-culture", "sante-bien-etre"]
    assert brochure.pillar("education-emploi").proposals[0] == (
        "Développement de filières d'excellence"
    )
    assert brochure.pillar("education-emploi").context[0] == (
        "34 % de l'emploi de Béthune se trouve dans l'industrie"
    )


def test_every_heading_missing_is_still_read_from_the_words():
    text = read_shipped_text()
    for heading in (
        "I HABITAT / ENVIRONNEMENT",
        "I MOBILITÉ / TRANSPORTS",
        "ALIMENTATION / CONSOMMATION",
        "I SOLIDARITÉ / ENTRAIDE",
    ):
        text = text.replace(heading + "\n", "\n", 1)

    brochure = parse_smart_days_2018(text)

    assert [(p.slug, len(p.proposals)) for p in brochure.pillars] == SECTIONS
    assert all(p.heading_inferred for p in brochure.pillars)


def test_a_printed_heading_wins_and_inference_picks_among_the_others():
    # A (wrong) Santé heading printed before the Loisirs section: the later headless section,
    # though about health, can then only be one of the pillars no heading names.
    text = replace_nth(
        read_shipped_text(), "\nLE CONTEXTE\n", "\nSANTÉ / BIEN-ÊTRE\nLE CONTEXTE\n", 4
    )

    brochure = parse_smart_days_2018(text)

    assert [p.slug for p in brochure.pillars][4:6] == ["sante-bien-etre", "loisirs-culture"]
    assert brochure.pillars[4].heading == "SANTÉ / BIEN-ÊTRE"
    assert brochure.pillars[5].heading_inferred


def test_stray_prefixes_and_whitespace_are_cleaned():
    text = read_shipped_text()
    text = text.replace("I MOBILITÉ / TRANSPORTS", "  >\tI  Mobilité  /  Transports ", 1)
    text = text.replace(
        "- Développement de navettes autonomes gratuites",
        " -\u00a0Développement de navettes\tautonomes  gratuites \u00a0",
        1,
    )

    brochure = parse_smart_days_2018(text)

    mobility = brochure.pillar("mobilite-transports")
    assert mobility.heading == "Mobilité / Transports"
    assert mobility.proposals[0] == "Développement de navettes autonomes gratuites"


def test_lines_carry_no_bullets_nor_stray_spaces(brochure_text):
    brochure = parse_smart_days_2018(brochure_text)

    for pillar in brochure.pillars:
        for line in pillar.context + pillar.objectives + pillar.proposals:
            assert line == line.strip()
            assert "  " not in line
            assert not line.startswith(("-", ">", "•"))


def test_repeated_context_block_is_not_attributed(brochure_text):
    brochure = parse_smart_days_2018(brochure_text)

    health = brochure.pillar("sante-bien-etre")
    assert health.context == []
    assert health.context_repeated
    assert health.objectives[1] == "100 % des spécialités médicales accessibles à Béthune"
    assert brochure.pillar("loisirs-culture").context == LOISIRS_CONTEXT
    assert not brochure.pillar("loisirs-culture").context_repeated
    holders = [p.slug for p in brochure.pillars if LOISIRS_CONTEXT[0] in p.context]
    assert holders == ["loisirs-culture"]


def test_les_enjeux_is_the_food_pillar_context(brochure_text):
    food = parse_smart_days_2018(brochure_text).pillar("alimentation-consommation")

    assert food.context == [
        "Améliorer la qualité des ingrédients de nos assiettes",
        "Réduire l'impact écologique de nos consommations",
        "Consommer local et de saison",
    ]


def test_shared_proposal_counts_once_in_each_pillar(brochure_text):
    brochure = parse_smart_days_2018(brochure_text)

    holders = [p.slug for p, text in brochure.proposals if text == SHARED_PROPOSAL]
    assert holders == ["sante-bien-etre", "entraide-solidarite"]
    assert len({text for _, text in brochure.proposals}) == 82


def test_lead_paragraph_is_the_brochure_introduction(brochure_text):
    lead = parse_smart_days_2018(brochure_text).lead

    assert lead.startswith("Lors des Smart Days, la grande concertation citoyenne")
    assert "le 11 décembre 2018" in lead


def section_removed(text: str) -> str:
    start = text.index("I MOBILITÉ / TRANSPORTS")
    return text[:start] + text[text.index("ALIMENTATION / CONSOMMATION") :]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (section_removed, "found 6 sections and 72 proposals"),
        (
            lambda text: text.replace("- Création de parcours de sport-santé\n", "", 1),
            "found 7 sections and 82 proposals",
        ),
        (lambda text: text[: text.index("LES PROPOSITIONS")], "found 1 sections and 0 proposals"),
        (lambda text: "Une brochure sans piliers.\n", "No pillar section found"),
        (
            lambda text: text.replace("ALIMENTATION / CONSOMMATION", "> HABITAT / ENVIRONNEMENT"),
            "Pillar heading found twice: Habitat / Environnement",
        ),
    ],
)
def test_text_that_is_not_the_brochure_raises_a_clear_error(mutate, message):
    with pytest.raises(SmartDaysFormatError, match=message):
        parse_smart_days_2018(mutate(read_shipped_text()))


# --- the import --------------------------------------------------------------------------------


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_creates_pillars_round_session_and_83_deliberations(app):
    report = import_smart_days_2018()
    db.session.commit()

    assert report.created["pillars"] == 7
    assert report.created["deliberations"] == 83
    pillars = db.session.scalars(select(Pillar).order_by(Pillar.position)).all()
    assert [p.slug for p in pillars] == OFFICIAL_ORDER
    assert [p.position for p in pillars] == [1, 2, 3, 4, 5, 6, 7]
    habitat = pillars[0]
    assert (habitat.name_fr, habitat.name_en) == (
        "Habitat / Environnement",
        "Housing / Environment",
    )
    assert habitat.context.split("\n")[1] == (
        "D'ici à 2027, il faudra construire 1 350 logements supplémentaires"
    )
    assert len(habitat.objective_items) == 6
    assert db.session.scalar(select(Pillar).where(Pillar.slug == "sante-bien-etre")).context == ""

    round_ = db.session.scalar(select(Round).where(Round.slug == "smart-days-2018"))
    assert round_.title == "Smart Days 2018"
    assert not round_.is_sample
    assert round_.phase is RoundPhase.CLOSED
    # Europe/Paris wall-clock times, stored as naive UTC (summer time in October, not December).
    assert round_.collect_starts_at == datetime(2018, 9, 30, 22, 0)
    assert round_.collect_ends_at == datetime(2018, 10, 21, 21, 59, 59)
    assert round_.deliberation_ends_at == datetime(2018, 12, 11, 22, 59, 59)
    assert round_.phase_at(datetime(2018, 10, 10)) is RoundPhase.COLLECTING
    assert round_.phase_at(datetime(2018, 11, 20)) is RoundPhase.DELIBERATION
    assert [p.slug for p in round_.pillars] == OFFICIAL_ORDER
    assert round_.description.startswith("Lors des Smart Days")
    assert "83 propositions" in round_.summary

    session = db.session.scalar(select(CouncilSession))
    assert (session.held_on, session.title) == (
        date(2018, 12, 11),
        "Conseil municipal du 11 décembre 2018",
    )
    assert session.round_id == round_.id
    deliberations = session.deliberations
    assert [d.number for d in deliberations] == list(range(1, 84))
    # Each has its action in the masterplan, a project carried by the city.
    assert {d.action.status for d in deliberations} == {MasterplanStatus.PROJECT}
    assert {(d.action.carrier.name, d.action.carrier.kind) for d in deliberations} == {
        ("Ville de Béthune", "city")
    }
    assert [d.action.title for d in deliberations] == [d.title for d in deliberations]
    assert count(Action) == 83 and count(Carrier) == 1
    firsts = {d.number: (d.pillar.slug, d.title) for d in deliberations}
    assert firsts[1] == ("habitat-environnement", "Installations de fermes et de ruches en ville")
    assert firsts[15] == ("education-emploi", "Développement de filières d'excellence")
    assert firsts[69] == ("sante-bien-etre", SHARED_PROPOSAL)
    assert firsts[83] == ("entraide-solidarite", SHARED_PROPOSAL)
    per_pillar = dict(
        db.session.execute(
            select(Pillar.slug, func.count(Deliberation.id))
            .join(Deliberation.pillar)
            .group_by(Pillar.slug)
        ).all()
    )
    assert per_pillar == dict(SECTIONS)


def test_import_twice_changes_nothing(app, table_snapshot):
    import_smart_days_2018()
    db.session.commit()
    before = table_snapshot()

    report = import_smart_days_2018()
    db.session.commit()

    assert table_snapshot() == before
    assert not report.changed
    assert report.unchanged["deliberations"] == 83 and report.unchanged["actions"] == 83
    assert count(Action) == 83
    assert count(Pillar) == 7 and count(Round) == 1 and count(CouncilSession) == 1


def test_import_repairs_the_brochure_facts_but_keeps_the_masterplan_tracking(app):
    import_smart_days_2018()
    db.session.commit()
    first = db.session.scalar(select(Deliberation).where(Deliberation.number == 1))
    first.title = "Titre modifié"
    first.action.status = MasterplanStatus.IN_PROGRESS
    first.action.carrier = Carrier(slug="apiculteurs", name="Apiculteurs", kind="association")
    db.session.scalar(select(Pillar).where(Pillar.slug == "loisirs-culture")).name_en = "Fun"
    db.session.commit()

    report = import_smart_days_2018()
    db.session.commit()

    assert report.updated["deliberations"] == 1 and report.updated["pillars"] == 1
    db.session.expire_all()
    assert first.title == "Installations de fermes et de ruches en ville"
    assert first.action.status == MasterplanStatus.IN_PROGRESS
    assert first.action.carrier.name == "Apiculteurs"
    assert db.session.scalar(select(Pillar).where(Pillar.slug == "loisirs-culture")).name_en == (
        "Leisure / Culture"
    )


def test_import_of_a_broken_text_writes_nothing(app):
    with pytest.raises(SmartDaysFormatError):
        import_smart_days_2018(section_removed(read_shipped_text()))

    assert count(Pillar) == 0 and count(Deliberation) == 0


# --- the command -------------------------------------------------------------------------------


def test_command_imports_then_reports_nothing_to_change(app, runner, table_snapshot):
    result = runner.invoke(args=["history", "import-2018"])

    assert result.exit_code == 0, result.output
    assert "deliberations: 83 created, 0 updated, 0 unchanged" in result.output
    assert count(Deliberation) == 83
    before = table_snapshot()

    again = runner.invoke(args=["history", "import-2018"])

    assert again.exit_code == 0, again.output
    assert "deliberations: 0 created, 0 updated, 83 unchanged" in again.output
    assert "Nothing to change" in again.output
    assert table_snapshot() == before


def test_command_reads_the_original_seed(app, runner, original_seed):
    result = runner.invoke(args=["history", "import-2018", "--seed", str(original_seed)])

    assert result.exit_code == 0, result.output
    assert count(Deliberation) == 83


def test_command_refuses_a_broken_seed(app, runner, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text(section_removed(read_shipped_text()), encoding="utf-8")

    result = runner.invoke(args=["history", "import-2018", "--seed", str(broken)])

    assert result.exit_code == 1
    assert "Expected 7 pillar sections and 83 proposals" in result.output
    assert count(Deliberation) == 0
