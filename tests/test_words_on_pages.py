"""Words on the page: a crawl of the site, in French and in English, as a visitor and as an
administrator, over the 2018 history and the sample content, that fails on a raw value, a
plural error or a French typography slip in the text a reader sees."""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from participation.extensions import db
from participation.history.sample import load_sample_content
from participation.history.services import import_smart_days_2018
from participation.models import (
    EventKind,
    MasterplanStatus,
    Origin,
    Proposal,
    ProposalStatus,
    Role,
    RoundPhase,
    WorkshopState,
)
from participation.moderation import reports
from participation.moderation import services as moderation

# Enum values a reader must never see as such (their titles are what a page shows).
RAW_VALUES = {
    str(value)
    for enum in (
        ProposalStatus,
        EventKind,
        Origin,
        Role,
        RoundPhase,
        WorkshopState,
        MasterplanStatus,
    )
    for value in enum
}
MONTHS_FR = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
PLURAL_NOUNS = {
    "fr": (
        "proposition",
        "soutien",
        "commentaire",
        "projet",
        "personne",
        "délibération",
        "atelier",
    ),
    "en": ("proposal", "support", "comment", "project", "deliberation", "workshop"),
}
SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea", "template"}
# Each kind of page is read twice at most: the 83 deliberations do not need 83 visits.
VISITS_PER_KIND = 2
MAX_PAGES = 160


class TextOf(HTMLParser):
    """The text nodes a reader sees, each kept apart, without code and scripts."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split(" ")))


def page_text(html: str) -> tuple[list[str], list[str]]:
    parser = TextOf()
    parser.feed(html)
    return parser.texts, parser.links


def written_content() -> list[str]:
    """Every text stored in the database: what people and the 2018 brochure wrote keeps their
    own typography, the interface's wording is what the typography rules are about."""
    strings = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (db.String, db.Text))]
        if columns:
            for row in db.session.execute(db.select(*columns)):
                strings.update(v.strip() for v in row if isinstance(v, str) and len(v) > 3)
    return sorted(strings, key=len, reverse=True)


def interface_part(node: str, content: list[str], blob: str) -> str:
    if node.strip() in blob:
        return ""
    for written in content:
        if len(written) >= 8 and written in node:
            node = node.replace(written, " ")
    return node


def problems_in(nodes: list[str], language: str, content: list[str]) -> list[str]:
    # Text nodes joined by a line break: a rule never matches across two elements.
    text = "\n".join(nodes)
    blob = "\n".join(content)
    interface = "\n".join(interface_part(node, content, blob) for node in nodes)
    found = []
    for word in re.findall(r"(?<![\w/.-])[a-z]+(?:_[a-z]+)*(?![\w/-])", text):
        # Every value is an English word: on an English page, only the compound ones show.
        if word in RAW_VALUES and (language == "fr" or "_" in word):
            found.append(f"raw value {word!r}")
    for match in re.finditer(r"(?<![\w.])None(?![\w])", text):
        found.append(f"'None' in {text[max(0, match.start() - 30) : match.end() + 30]!r}")
    for match in re.finditer(r"(?<!\.)\.\.(?!\.)", text):
        found.append(f"double full stop in {text[max(0, match.start() - 30) : match.end()]!r}")
    for noun in PLURAL_NOUNS[language]:
        for match in re.finditer(rf"(?<![\d.,\u202f\u00a0 ])\b1\s+{noun}s\b", text):
            found.append(f"plural error {match.group()!r}")
        # In French, 0 takes the singular, as 1 does.
        many = r"[2-9]" if language == "fr" else r"[02-9]"
        for match in re.finditer(rf"\b(?:{many}|\d[\d\u202f\u00a0]+\d)\s+{noun}\b(?!s)", text):
            found.append(f"plural error {match.group()!r}")
    if language == "fr":
        text = interface
        for match in re.finditer(rf"\b1 (?:{MONTHS_FR})\b", text):
            found.append(f"first of the month {match.group()!r}")
        for match in re.finditer(r"\b\d{5,}\b", text):
            found.append(f"number not formatted {match.group()!r}")
        for match in re.finditer(r"[^\s\u00a0\u202f\d]:|[^\u00a0\u202f\d] :|\d:(?!\d)", text):
            context = text[max(0, match.start() - 30) : match.end() + 10]
            found.append(f"no no-break space before a colon in {context!r}")
        for match in re.finditer(r"«[^\u00a0\u202f]|[^\u00a0\u202f]»", text):
            found.append(f"no no-break space inside « » in {match.group()!r}")
    return found


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client, language: str, start=("/",), pages=None) -> dict[str, list[str]]:
    """Problems found, by page; each page's HTML into ``pages`` (a dict) when given."""
    with client.session_transaction() as session:
        session["locale"] = language
    queue, seen, kinds, problems = list(start), set(), Counter(), {}
    content = written_content()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        if pages is not None:
            pages[url] = response.text
        text, links = page_text(response.text)
        if found := problems_in(text, language, content):
            problems[url] = sorted(set(found))
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(("/static/", "/api/v1/")) or parts.path.endswith(
                (".csv", ".zip", ".json", ".pdf", ".txt")
            ):
                continue
            if target in seen or kinds[kind_of(parts.path)] >= VISITS_PER_KIND:
                continue
            kinds[kind_of(parts.path)] += 1
            queue.append(target)
    return problems


@pytest.fixture
def site(app, create_user):
    """The 2018 history, the sample round, and what a moderator leaves behind."""
    import_smart_days_2018()
    load_sample_content()
    db.session.commit()
    admin = create_user(Role.ADMIN, display_name="Élise Administratrice")
    resident = create_user(display_name="Claire B.")
    proposal = db.session.scalars(db.select(Proposal).order_by(Proposal.id)).first()
    moderation.decide(proposal, admin, ProposalStatus.NOT_RETAINED, "Déjà prévu par la Ville.")
    moderation.block(resident, admin, "Messages répétés hors sujet.")
    reported = db.session.scalars(db.select(Proposal).order_by(Proposal.id.desc())).first()
    reports.report(reported, create_user(display_name="Ami du quartier"), "Hors sujet, à vérifier.")
    reports.hide(reported, admin, "Propos injurieux envers un voisin.")
    db.session.commit()
    return admin


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_visitor_reads_no_raw_value_nor_slip(client, site, language):
    assert crawl(client, language) == {}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_administrator_reads_no_raw_value_nor_slip(client, site, sign_in, language):
    sign_in(site)
    # The accounts to block are listed once searched for.
    assert crawl(client, language, start=("/", "/moderation/users?q=exemple")) == {}
