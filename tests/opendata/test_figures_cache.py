"""The costly figures (a round's contributors and weekly activity, the home page's key figures)
are computed once, then read from the cache until it expires: in Redis (the machine's own, as in
production) and in the process (development without Redis). Counts that are not costly stay live.
"""

import re
import uuid
from contextlib import contextmanager

import pytest
import redis
from sqlalchemy import event

from participation.extensions import cache, db
from tests.conftest import QueryCounter
from tests.deploy.conftest import REDIS_URL as DEPLOY_REDIS_URL
from tests.deploy.conftest import _redis_available

# The same server as the deployment tests, another database: they empty theirs.
REDIS_URL = DEPLOY_REDIS_URL.rsplit("/", 1)[0] + "/11"

STORES = [
    pytest.param(
        {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL},
        id="redis",
        marks=pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {REDIS_URL}"),
    ),
    pytest.param({"CACHE_TYPE": "SimpleCache"}, id="process"),
]


@pytest.fixture(params=STORES)
def cached_app(request, app_factory):
    prefix = f"test-figures-{uuid.uuid4().hex}:"
    app = app_factory(CACHE_KEY_PREFIX=prefix, CACHE_DEFAULT_TIMEOUT=300, **request.param)
    yield app
    forget(app)
    if request.param["CACHE_TYPE"] == "RedisCache":
        assert not redis.Redis.from_url(REDIS_URL).keys(f"{prefix}*")


def forget(app) -> None:
    """Empty ``app``'s cache, as when its timeout has passed."""
    with app.app_context():
        cache.clear()


@contextmanager
def queries_of(app):
    """The SQL statements ``app`` runs meanwhile (its own engine: not the default test app's)."""
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def contributors(html: str) -> int:
    return int(re.search(r'id="stat-contributors">(\d+)<', html).group(1))


def test_a_rounds_contributors_are_counted_once_then_read_from_the_cache(
    cached_app, create_round, create_proposal, create_user
):
    from participation.proposals import supports

    round_ = create_round()
    proposal = create_proposal(round=round_)
    client = cached_app.test_client()
    url = f"/rounds/{round_.slug}/statistics"

    with queries_of(cached_app) as first:
        html = client.get(url, headers={"Accept-Language": "en"}).text
    assert contributors(html) == 1  # the author
    assert "figures are counted again every 5 minutes" in html

    supports.support(proposal, create_user())
    db.session.commit()
    with queries_of(cached_app) as second:
        html = client.get(url).text
    # Kept: the new supporter is not counted yet, and the costly queries were not run again.
    assert contributors(html) == 1
    assert second.count < first.count
    assert not [s for s in second.statements if "supports" in s.lower() and "union" in s.lower()]
    # What is not costly stays live: the proposal counts on the same page.
    assert "participation sont recomptés toutes les 5 minutes" in client.get(url).text

    forget(cached_app)
    assert contributors(client.get(url).text) == 2


def test_the_home_pages_key_figures_are_kept_too(cached_app, create_proposal):
    client = cached_app.test_client()
    create_proposal(title="Une première idée")
    first = client.get("/").text
    create_proposal(title="Une seconde idée")
    with queries_of(cached_app) as again:
        second = client.get("/").text
    figure = re.compile(r'key-figures__value">(\d+)</span> propositions? publiées?')
    assert figure.search(first).group(1) == figure.search(second).group(1) == "1"
    assert not [s for s in again.statements if "sum(" in s.lower()]
    forget(cached_app)
    assert figure.search(client.get("/").text).group(1) == "2"


def test_without_a_cache_the_figures_are_live(client, create_round, create_proposal):
    # The tests' own setting (NullCache): each request counts again.
    round_ = create_round()
    create_proposal(round=round_)
    url = f"/rounds/{round_.slug}/statistics"
    assert contributors(client.get(url).text) == 1
    create_proposal(round=round_)
    assert contributors(client.get(url).text) == 2
    assert "counted again" not in client.get(url, headers={"Accept-Language": "en"}).text
