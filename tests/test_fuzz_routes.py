"""Every route, as several kinds of person, with generated input: huge and negative numbers, NUL
and other control characters, long and exotic Unicode, missing fields.

Whatever is sent: never a server error; without a valid CSRF token, never a change; and never
another person's e-mail address on a page of someone who is not staff. The number of examples is
bounded (``FUZZ_EXAMPLES``) so that the suite stays fast; raise it to search longer.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participation.extensions import db

from .test_rulebook_matrix import World, _endpoints, fingerprint

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
PEOPLE = ("visitor", "resident", "facilitator of the workshop", "moderator", "admin")
# Every field name of the project's forms, and the query arguments the pages read.
FIELDS = [
    "action",
    "attendance",
    "body",
    "code",
    "confirm",
    "council_session_id",
    "count",
    "current_password",
    "description",
    "expected_attendance",
    "held_on",
    "kept",
    "neighbourhood_id",
    "next",
    "noted_on",
    "notify_by_email",
    "number",
    "paper_grace_days",
    "parent_id",
    "password",
    "pillar_id",
    "pillar_ids",
    "place",
    "premoderation",
    "proposal_ids",
    "reason",
    "role",
    "round_id",
    "similar_checked",
    "slug",
    "status",
    "stickers_per_person",
    "summary",
    "support_cap",
    "target",
    "title",
    "email",
    "display_name",
    "locale",
    "back",
    "items",
    "ids",
    "state",
    "carrier",
]
QUERY = "page pillar neighbourhood status origin q sort seed round session carrier cursor limit"
QUERY = QUERY.split()

huge = st.sampled_from(["0", "-1", "2147483648", "9223372036854775808", "1e9", "²", "٣"])
hostile = st.sampled_from(
    ["\x00", "a\x00b", "\u202e" + "droite", "\u200b\u200b", "\ufeff", "💥" * 50, "é" * 6000, " "]
)
text = st.one_of(huge, hostile, st.text(max_size=40))
values = st.dictionaries(st.sampled_from(FIELDS), st.one_of(text, st.lists(text, max_size=3)))
queries = st.dictionaries(st.sampled_from(QUERY), text, max_size=4)
ids = st.sampled_from([None, 0, 2**31, 2**63, 2**64])


def _with_id(arguments: dict, big) -> dict:
    """The world's URL arguments, one integer replaced by ``big`` when given."""
    if big is None:
        return arguments
    changed = dict(arguments)
    for name, value in arguments.items():
        if isinstance(value, int):
            changed[name] = big
            break
    return changed


@pytest.fixture
def world(app, create_user, create_pillar, create_round, create_proposal):
    return World(create_user, create_pillar, create_round, create_proposal)


def _others_addresses(world, kind: str) -> list[str]:
    return [u.email for name, u in world.people.items() if name != kind and u.email]


@pytest.mark.parametrize(("endpoint", "rule", "method"), _endpoints())
def test_generated_input_never_breaks_a_route(endpoint, rule, method, app, sign_in, world):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(kind=st.sampled_from(PEOPLE), form=values, query=queries, big=ids)
    def check(kind, form, query, big):
        client = app.test_client()
        if kind != "visitor":
            sign_in(world.people[kind], client)
        arguments = _with_id(world.arguments(endpoint, rule, "published"), big)
        url = app.url_for(endpoint, **arguments)
        response = client.open(url, method=method, query_string=query, data=form, buffered=True)
        where = f"{method} {url} {query} {form!r} as {kind}"
        assert response.status_code < 500, where
        if kind in ("visitor", "resident") and response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            for address in _others_addresses(world, kind):
                assert address not in page, f"{where} shows {address}"
        db.session.rollback()
        db.session.expire_all()

    check()


@pytest.mark.parametrize(
    ("endpoint", "rule", "method"), [p for p in _endpoints() if p.values[2] == "POST"]
)
def test_without_a_csrf_token_nothing_changes(endpoint, rule, method, app, sign_in, world):
    """With CSRF protection on, as in production: a POST without a token changes nothing."""
    app.config["WTF_CSRF_ENABLED"] = True
    for kind in ("visitor", "resident", "facilitator of the workshop", "moderator", "admin"):
        client = app.test_client()
        if kind != "visitor":
            sign_in(world.people[kind], client)
        url = app.url_for(endpoint, **world.arguments(endpoint, rule, "published"))
        before = fingerprint()
        response = client.post(url, data={"title": "Un titre", "reason": "Une raison"})
        assert response.status_code < 500, f"{url} as {kind}"
        db.session.expire_all()
        assert fingerprint() == before, f"POST {url} as {kind} changed the record"
