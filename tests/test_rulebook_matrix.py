"""Every route of the URL map, as every kind of person, on proposals in every status that
matters: the answer is the one the rulebook gives.

The expected answer is not written here: it is what the route's own guard (``view.guard``, see
``participation/views.py``) says of that person and that thing. A route without a guard fails;
a route whose view refuses someone its guard lets through (or lets through someone its guard
refuses) fails; a refused request that changed anything fails.
"""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from participation import create_app
from participation.extensions import db
from participation.models import (
    Action,
    AnswerTemplate,
    AuditEntry,
    Carrier,
    Comment,
    CouncilSession,
    Deliberation,
    MailStatus,
    OutboxMessage,
    Proposal,
    ProposalStatus,
    Report,
    Role,
    Support,
    User,
    Workshop,
    utcnow,
)
from participation.text import render_markdown

from .conftest import make_config

S = ProposalStatus
# The statuses that change what a route allows; "hidden" is a published proposal hidden by
# moderation.
STATUSES = (
    "submitted",
    "published",
    "hidden",
    "under_study",
    "retained",
    "not_retained",
    "merged",
    "withdrawn",
)
PEOPLE = (
    "visitor",
    "resident",
    "author",
    "blocked resident",
    "facilitator of the workshop",
    "facilitator of another",
    "moderator",
    "blocked moderator",
    "admin",
    "blocked admin",
    "partner of the carrier",
)
SKIPPED = {"static"}


def _endpoints():
    app = create_app(make_config("sqlite://", _Nowhere()))
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            rows.append(pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}"))
    return rows


class _Nowhere:
    """A stand-in for tmp_path while the URL map is read (nothing is written)."""

    def __truediv__(self, _other):
        return "unused"


class World:
    """One of everything a route can name, and one person of each kind."""

    def __init__(self, create_user, create_pillar, create_round, create_proposal):
        pillar = create_pillar()
        self.pillar = pillar
        self.round = create_round(pillars=[pillar])
        past = utcnow() - timedelta(hours=2)
        people = {
            "resident": create_user(),
            "author": create_user(),
            "blocked resident": create_user(blocked_at=utcnow(), blocked_reason="test"),
            "facilitator of the workshop": create_user(Role.FACILITATOR),
            "facilitator of another": create_user(Role.FACILITATOR),
            "moderator": create_user(Role.MODERATOR),
            "blocked moderator": create_user(
                Role.MODERATOR, blocked_at=utcnow(), blocked_reason="test"
            ),
            "admin": create_user(Role.ADMIN),
            "blocked admin": create_user(Role.ADMIN, blocked_at=utcnow(), blocked_reason="test"),
            "partner of the carrier": create_user(),
        }
        self.people = people
        # The administrator keeps a colleague: demoting one is then allowed by the rules.
        create_user(Role.ADMIN)
        self.target = create_user()
        workshops = []
        for facilitator in ("facilitator of the workshop", "facilitator of another"):
            workshop = Workshop(
                round=self.round,
                title="Atelier",
                place="Salle",
                starts_at=past,
                ends_at=past + timedelta(hours=1),
                attendance=10,
            )
            workshop.pillars = [pillar]
            workshop.facilitators = [people[facilitator]]
            db.session.add(workshop)
            workshops.append(workshop)
        db.session.commit()
        self.workshop = workshops[0]
        session = CouncilSession(held_on=utcnow().date(), title="Conseil")
        self.deliberation = Deliberation(
            council_session=session, number=1, pillar=pillar, title="Délibération"
        )
        db.session.add(self.deliberation)
        # A carrier that the partner speaks for, with a published action and one waiting for
        # the city: the action routes are walked on the waiting one (the stricter case).
        self.carrier = Carrier(slug="porteur", name="Porteur", kind="association")
        self.carrier.partners = [people["partner of the carrier"]]
        Action(title="Action publiée", pillar=pillar, carrier=self.carrier)
        self.action = Action(
            title="Action proposée", pillar=pillar, carrier=self.carrier, review="proposed"
        )
        db.session.add(self.action)
        author = people["author"]
        self.proposals = {}
        published = create_proposal(round=self.round, author=author, status="published")
        self.proposals["published"] = published
        for status in STATUSES:
            if status == "published":
                continue
            fields = {}
            if status == "hidden":
                fields = {"hidden_at": utcnow(), "hidden_reason": "abuse"}
            if status == "merged":
                fields = {"merged_into": published}
            stored = "published" if status == "hidden" else status
            self.proposals[status] = create_proposal(
                round=self.round, author=author, status=stored, **fields
            )
        self.card = create_proposal(
            round=self.round,
            author=None,
            status="published",
            origin="workshop",
            workshop_id=self.workshop.id,
            entered_by=people["facilitator of the workshop"],
        )
        body = "Un commentaire."
        published.comment_count = 1
        self.comment = Comment(
            proposal=published,
            author=people["resident"],
            body=body,
            body_html=render_markdown(body),
        )
        db.session.add(self.comment)
        # A mail that was not delivered, which administrators may send again.
        self.mail = OutboxMessage(
            message_id="<dead@example.org>",
            recipient="someone@example.org",
            subject="Sujet",
            locale="fr",
            raw=b"Subject: Sujet\n\nCorps",
            status=MailStatus.DEAD,
            attempts=8,
        )
        db.session.add(self.mail)
        self.answer = AnswerTemplate(title="À l’étude", body="Les services l’étudient.")
        db.session.add_all([self.comment, self.answer])
        db.session.commit()
        # Requests may delete things: the URLs are built from what was created.
        self.ids = {
            "pillar": pillar.slug,
            "round": self.round.slug,
            "comment": self.comment.id,
            "deliberation": self.deliberation.id,
            "workshop": self.workshop.id,
            "target": self.target.id,
            "card": self.card.number,
            "message": self.mail.id,
            "action": self.action.id,
            "carrier": self.carrier.slug,
            "answer": self.answer.id,
        }
        self.proposals = {
            status: {"id": p.id, "number": p.number} for status, p in self.proposals.items()
        }

    def person(self, kind: str):
        return (
            AnonymousUserMixin()
            if kind == "visitor"
            else db.session.get(User, self.people[kind].id)
        )

    def arguments(self, endpoint: str, rule: str, status: str) -> dict:
        """The URL arguments that name the world's things in ``rule``."""
        values = {}
        proposal = self.proposals[status]
        if "<slug>" in rule:
            values["slug"] = (
                self.ids["pillar"] if endpoint.startswith("pillars.") else self.ids["round"]
            )
        if "<int:number>" in rule:
            values["number"] = (
                self.ids["card"] if endpoint.startswith("workshops.") else proposal["number"]
            )
        if "proposal_id>" in rule:
            values["proposal_id"] = proposal["id"]
        if "comment_id>" in rule:
            values["comment_id"] = self.ids["comment"]
        if "deliberation_id>" in rule:
            values["deliberation_id"] = self.ids["deliberation"]
        if "workshop_id>" in rule:
            values["workshop_id"] = self.ids["workshop"]
        if "user_id>" in rule:
            values["user_id"] = self.ids["target"]
        if "message_id>" in rule:
            values["message_id"] = self.ids["message"]
        if "answer_id>" in rule:
            values["answer_id"] = self.ids["answer"]
        if "<token>" in rule:
            values["token"] = "not-a-token"
        if "action_id>" in rule:
            values["action_id"] = self.ids["action"]
        if "<carrier_slug>" in rule:
            values["carrier_slug"] = self.ids["carrier"]
        return values


def _names_a_proposal(rule: str) -> bool:
    return "<int:number>" in rule and "/workshops/" not in rule or "proposal_id>" in rule


def fingerprint() -> tuple:
    """What a refused request must not change."""
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Proposal,
            Support,
            Comment,
            Report,
            AuditEntry,
            Workshop,
            Deliberation,
            Action,
            Carrier,
        )
    )
    proposals = tuple(
        db.session.execute(
            select(
                Proposal.id, Proposal.status, Proposal.hidden_at, Proposal.support_count
            ).order_by(Proposal.id)
        )
    )
    users = tuple(db.session.execute(select(User.id, User.role, User.blocked_at).order_by(User.id)))
    return counts, proposals, users


def expected(app, view, user, arguments):
    """(refusal or None) as the route's guard decides it, or "missing" when its thing is not."""
    rule = view.guard
    with app.test_request_context():
        if rule.load is None:
            return rule.policy(user).reason
        taken = {name: arguments[name] for name in rule.load_arguments()}
        try:
            thing = rule.load(**taken)
        except NotFound:
            return "missing"
        return rule.policy(user, thing).reason


@pytest.mark.parametrize(("endpoint", "rule", "method"), _endpoints())
def test_every_route_answers_as_its_guard_says(
    endpoint, rule, method, app, sign_in, create_user, create_pillar, create_round, create_proposal
):
    view = app.view_functions[endpoint]
    assert hasattr(view, "guard"), f"{endpoint} has no guard: declare its policy with views.guard"
    world = World(create_user, create_pillar, create_round, create_proposal)
    statuses = STATUSES if _names_a_proposal(rule) else ("published",)
    for status in statuses:
        for kind in PEOPLE:
            client = app.test_client()
            if kind != "visitor":
                sign_in(world.people[kind], client)
            arguments = world.arguments(endpoint, rule, status)
            url = app.url_for(endpoint, **arguments)
            refusal = expected(app, view, world.person(kind), arguments)
            before = fingerprint()
            response = client.open(url, method=method, data={}, buffered=True)
            where = f"{method} {url} as {kind} ({status})"
            assert response.status_code != 500, where
            if refusal == "missing":
                assert response.status_code == 404, where
            elif refusal is None:
                assert response.status_code not in (401, 403, 404), where
                assert "/sign-in" not in response.headers.get("Location", ""), where
            else:
                if refusal.status == 401:
                    assert response.status_code == 302, where
                    assert "/sign-in" in response.headers["Location"], where
                else:
                    assert response.status_code == refusal.status, (
                        f"{where}: {response.status_code} but the guard says "
                        f"{refusal.status} ({refusal})"
                    )
                db.session.expire_all()
                assert fingerprint() == before, f"{where} was refused but changed the record"
            db.session.expire_all()


def test_staff_policies_follow_the_roles_and_drop_blocked_accounts(app, create_user):
    """The role policies themselves: a role or above, never a blocked account."""
    from participation.policy import can_administer, can_moderate, is_facilitator

    for policy, role in (
        (is_facilitator, Role.FACILITATOR),
        (can_moderate, Role.MODERATOR),
        (can_administer, Role.ADMIN),
    ):
        for held in Role:
            active = create_user(held)
            blocked = create_user(held, blocked_at=utcnow(), blocked_reason="test")
            assert bool(policy(active)) == (held.rank >= role.rank), (policy, held)
            assert not policy(blocked), (policy, held)
        assert not policy(AnonymousUserMixin())
