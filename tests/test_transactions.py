"""How a request's transaction ends (``participation/database.py``): with COMMIT when it only
read, so that PostgreSQL keeps the statements prepared on the connection; with ROLLBACK as soon
as it wrote anything, flushed or not, so that a request that stops half-way saves nothing."""

import pytest
from sqlalchemy import event, inspect, select, text, update

from participation.database import only_read
from participation.extensions import db
from participation.models import User


@pytest.fixture
def endings(app):
    """How each transaction on the app's engine ended: "commit" or "rollback", in order."""
    seen = []

    def commit(_conn):
        seen.append("commit")

    def rollback(_conn):
        seen.append("rollback")

    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "rollback", rollback)
    yield seen
    event.remove(db.engine, "commit", commit)
    event.remove(db.engine, "rollback", rollback)


def test_a_session_that_only_read_is_known_so(app, create_user):
    user = create_user()
    db.session.commit()
    db.session.scalar(select(User).where(User.id == user.id))
    assert only_read(db.session())


def test_a_flush_an_update_or_a_pending_change_is_a_write(app, create_user):
    user = create_user()
    db.session.commit()
    user.display_name = "Changé"
    assert not only_read(db.session()), "a change not yet flushed"
    db.session.flush()
    assert not only_read(db.session()), "a flushed change"
    db.session.rollback()
    assert only_read(db.session())
    db.session.execute(update(User).where(User.id == user.id).values(display_name="Autre"))
    assert not only_read(db.session()), "an UPDATE sent through the session"
    db.session.rollback()
    db.session.execute(text("SELECT 1"))
    assert not only_read(db.session()), "raw SQL is taken for a write"
    db.session.commit()
    assert only_read(db.session())


def test_a_page_read_ends_with_commit(client, create_proposal, endings):
    proposal = create_proposal()
    db.session.commit()
    endings.clear()
    response = client.get(f"/rounds/{proposal.round.slug}/proposals/{proposal.number}")
    assert response.status_code == 200
    assert endings == ["commit"]


@pytest.fixture
def user_id(create_user, endings) -> int:
    """A committed account named "Avant"; the endings are counted from here."""
    user = create_user(display_name="Avant")
    db.session.commit()
    endings.clear()
    return user.id


def name_of(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).display_name


def test_what_a_request_changed_without_committing_is_rolled_back(app, user_id, endings):
    # As a request does: its own app context, its own session, ended by the teardown.
    with app.app_context():
        db.session.get(User, user_id).display_name = "Pas gardé"
    with app.app_context():
        db.session.get(User, user_id).display_name = "Pas gardé non plus"
        db.session.flush()
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(display_name="Non"))
    with app.app_context():
        db.session.get(User, user_id)
    assert endings == ["rollback", "rollback", "rollback", "commit"]
    assert name_of(user_id) == "Avant"


def test_a_read_only_transaction_leaves_what_it_read_as_it_was_read(app, user_id, endings):
    """Ending a request that only read does not expire every object it holds, one by one (a
    proposal's page holds a hundred): the session is closed next."""
    with app.app_context():
        user = db.session.get(User, user_id)
        session = db.session()
    assert endings == ["commit"]
    assert not inspect(user).expired_attributes and user.display_name == "Avant"
    assert session.expire_on_commit, "the session's own setting is left as it was"


def test_a_savepoint_does_not_hide_what_was_written_before_or_within_it(app, user_id, endings):
    with app.app_context():
        db.session.get(User, user_id).display_name = "Écrit avant"
        with db.session.begin_nested():
            db.session.execute(select(User.id).where(User.id == user_id))
    with app.app_context(), db.session.begin_nested():
        db.session.get(User, user_id).display_name = "Écrit dedans"
    assert endings == ["rollback", "rollback"]
    assert name_of(user_id) == "Avant"


def test_a_request_that_fails_is_rolled_back_even_after_reading(app, user_id, endings):
    with pytest.raises(RuntimeError), app.app_context():
        db.session.get(User, user_id)
        raise RuntimeError("the view failed")
    assert endings == ["rollback"]


def test_postgresql_keeps_a_pages_prepared_statements_between_requests(
    client, create_proposal, create_comment
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (TEST_DATABASE_URL)")
    proposal = create_proposal()
    create_comment(proposal=proposal)
    db.session.commit()
    connections = set()

    def keep(conn, *_args):
        connections.add(conn.connection.driver_connection)

    url = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        # psycopg prepares a statement on its sixth run on a connection (prepare_threshold 5).
        for _ in range(7):
            assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    prepared = 0
    for connection in connections:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            prepared += cursor.fetchone()[0]
        connection.rollback()
    # The page's reads: the proposal with its round, its trail, its comments with their
    # replies and count.
    assert prepared >= 3


def test_a_written_number_is_written_into_the_statement_and_required_without_a_value(app):
    """``database.written_number``: a page's limit, written into the statement sent (not a
    parameter), given when the statement is built or at each execution, and then required."""
    from sqlalchemy import event, literal, select
    from sqlalchemy.exc import StatementError

    from participation.database import written_number

    sent = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    # Two shapes: SQLAlchemy's cache of compiled statements would give a statement the
    # compiled form of another of the same shape, whether its number was required or not.
    given = select(literal(1).label("given")).limit(written_number("limit", 3))
    later = select(literal(1).label("later")).limit(written_number("limit"))
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.engine.connect() as connection:
            assert connection.execute(given).scalar() == 1
            assert connection.execute(later, {"limit": 4}).scalar() == 1
            with pytest.raises(StatementError):
                connection.execute(later)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "LIMIT 3" in sent[0] and "LIMIT 4" in sent[1], sent
