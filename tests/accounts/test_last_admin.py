"""The platform always keeps an active administrator: the last one cannot be demoted, blocked
or erased, not even by two administrators acting at the same moment (PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from participation.accounts import rules
from participation.accounts.services import set_role
from participation.errors import AccountBlocked
from participation.extensions import db
from participation.me.services import LastAdminCannotErase, erase_account
from participation.models import Role, User, utcnow
from participation.moderation.errors import BlockNotAllowed
from participation.moderation.services import block
from tests.conftest import TEST_PASSWORD


def fetch(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def demote(actor, account):
    set_role(actor, account, Role.MODERATOR)


def block_account(actor, account):
    block(account, actor, "Compte compromis")


def erase(actor, account):
    assert actor.id == account.id, "only the person erases their account"
    erase_account(account, TEST_PASSWORD)


WAYS = {"demoted": demote, "blocked": block_account, "erased": erase}


def still_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.blocked_at is None and user.erased_at is None


# --- one at a time (SQLite and PostgreSQL) -------------------------------------------------


@pytest.mark.parametrize("way", ["demoted", "erased"])
def test_the_only_admin_cannot_leave(create_user, way):
    admin = create_user(role="admin")
    with pytest.raises(rules.LastAdmin):
        WAYS[way](admin, admin)
    db.session.rollback()
    assert still_admin(fetch(admin.id))


def test_the_only_active_admin_cannot_be_blocked(create_user):
    admin = create_user(role="admin")
    # A blocked administrator has no power: it does not count as one that remains.
    powerless = create_user(role="admin", blocked_at=utcnow(), blocked_reason="Compte compromis")
    moderator = create_user(role="moderator")
    with pytest.raises(rules.LastAdmin):
        rules.ensure_an_admin_remains(admin, leaving=True)
    # Whoever would block them is refused anyway: nobody blocks themself, a moderator does not
    # block an administrator, and a blocked administrator blocks nobody.
    with pytest.raises(BlockNotAllowed):
        block_account(admin, admin)
    with pytest.raises(BlockNotAllowed):
        block_account(moderator, admin)
    with pytest.raises(AccountBlocked):
        block_account(powerless, admin)
    db.session.rollback()
    assert still_admin(fetch(admin.id)) and fetch(powerless.id).is_blocked


@pytest.mark.parametrize("way", ["demoted", "blocked", "erased"])
def test_an_admin_leaves_when_another_remains(create_user, way):
    first, second = create_user(role="admin"), create_user(role="admin")
    actor = first if way == "erased" else second
    WAYS[way](actor, first)
    db.session.commit()
    assert not still_admin(fetch(first.id))
    assert still_admin(fetch(second.id))
    # And now the second one is the last.
    with pytest.raises(rules.LastAdmin):
        WAYS["demoted"](fetch(second.id), fetch(second.id))


def test_erasing_the_last_admin_says_why(create_user):
    admin = create_user(role="admin")
    create_user(role="admin", erased_at=utcnow())
    with pytest.raises(LastAdminCannotErase):
        erase_account(admin, TEST_PASSWORD)
    db.session.rollback()
    assert still_admin(fetch(admin.id))


@pytest.mark.parametrize("way", ["demoted", "blocked"])
def test_the_last_admin_is_kept_through_the_pages(client, create_user, sign_in, way):
    # Two administrators; the first blocks (or demotes) the second, then the second's power is
    # gone and the first alone remains: the first cannot leave through the page either.
    first, second = create_user(role="admin"), create_user(role="admin")
    sign_in(first)
    client.post("/language", data={"locale": "en", "next": "/"})
    if way == "demoted":
        url, data = f"/admin/users/{second.id}/role", {"role": "moderator"}
    else:
        url, data = f"/moderation/users/{second.id}/block", {"reason": "Compte compromis"}
    assert client.post(url, data=data).status_code == 302
    response = client.post(f"/admin/users/{first.id}/role", data={"role": "moderator"})
    assert response.status_code == 403
    assert "keep an active administrator" in response.text
    assert still_admin(fetch(first.id)) and not still_admin(fetch(second.id))


# --- at the same moment (PostgreSQL) -------------------------------------------------------


@pytest.fixture
def postgres_app(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are tested on PostgreSQL (TEST_DATABASE_URL)")
    return app


def _race(app, plans) -> list[str]:
    """Run each (way, actor id, account id) in its own session, all at once."""
    barrier = threading.Barrier(len(plans))

    def run(plan):
        way, actor_id, account_id = plan
        with app.app_context():
            actor = db.session.get(User, actor_id)
            account = actor if account_id == actor_id else db.session.get(User, account_id)
            barrier.wait()
            try:
                WAYS[way](actor, account)
                db.session.commit()
                return "done"
            except rules.LastAdmin:
                db.session.rollback()
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        return list(pool.map(run, plans))


RACES = {
    "demote each other": lambda a, b: [("demoted", a, b), ("demoted", b, a)],
    "block each other": lambda a, b: [("blocked", a, b), ("blocked", b, a)],
    "one blocks, the other demotes": lambda a, b: [("blocked", a, b), ("demoted", b, a)],
    "one erases, the other demotes themself": lambda a, b: [("erased", a, a), ("demoted", b, b)],
    "one erases, the other demotes them": lambda a, b: [("erased", a, a), ("demoted", b, a)],
}


@pytest.mark.postgres_only
@pytest.mark.parametrize("race", list(RACES))
def test_two_admins_at_the_same_moment_leave_one(postgres_app, create_user, race):
    for _attempt in range(5):
        first, second = create_user(role="admin").id, create_user(role="admin").id
        outcomes = _race(postgres_app, RACES[race](first, second))
        assert "done" in outcomes, outcomes
        db.session.expire_all()
        remaining = db.session.scalars(select(User).where(User.id.in_([first, second]))).all()
        assert [u.id for u in remaining if still_admin(u)], (race, outcomes)
        # Start the next attempt with no administrator left over.
        for user in remaining:
            user.role = Role.RESIDENT
        db.session.commit()
