import pytest

from participation.accounts import rules, services
from participation.errors import NotAllowed
from participation.extensions import db
from participation.models import Role


@pytest.mark.parametrize("role", ["resident", "facilitator", "moderator"])
def test_only_admins_reach_the_accounts_page(client, create_user, sign_in, role):
    user = create_user(role=role)
    sign_in(user)
    assert client.get("/admin/users").status_code == 403
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "admin"})
    assert response.status_code == 403
    db.session.refresh(user)
    assert user.role == role


def test_visitor_is_sent_to_sign_in(client, create_user):
    resident = create_user()
    for response in (
        client.get("/admin/users"),
        client.post(f"/admin/users/{resident.id}/role", data={"role": "admin"}),
    ):
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]
    db.session.refresh(resident)
    assert resident.role == "resident"


def test_admin_changes_a_role(client, create_user, sign_in):
    admin = create_user(role="admin")
    resident = create_user(display_name="Luc")
    sign_in(admin)
    page = client.get("/admin/users?q=luc")
    assert page.status_code == 200 and "Luc" in page.text
    response = client.post(f"/admin/users/{resident.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    db.session.refresh(resident)
    assert resident.role == "moderator"


def test_admin_cannot_give_an_unknown_role(client, create_user, sign_in):
    admin = create_user(role="admin")
    resident = create_user()
    sign_in(admin)
    client.post(f"/admin/users/{resident.id}/role", data={"role": "mayor"})
    db.session.refresh(resident)
    assert resident.role == "resident"


def test_last_admin_cannot_be_demoted(app, create_user):
    admin = create_user(role="admin")
    with pytest.raises(rules.LastAdmin):
        services.set_role(admin, admin, Role.RESIDENT)
    other = create_user(role="admin")
    services.set_role(other, admin, Role.RESIDENT)
    assert admin.role == "resident"


def test_non_admin_actor_cannot_set_roles(app, create_user):
    moderator = create_user(role="moderator")
    resident = create_user()
    with pytest.raises(NotAllowed):
        services.set_role(moderator, resident, Role.ADMIN)
    assert resident.role == "resident"


def test_accounts_page_query_count_does_not_grow(client, create_user, sign_in, assert_page_queries):
    admin = create_user(role="admin")
    sign_in(admin)
    few = assert_page_queries("/admin/users", 6)
    for _ in range(45):
        create_user()
    many = assert_page_queries("/admin/users", 6)
    assert few == many


def test_users_create_and_set_role_commands(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Chef@Example.org",
            "--name",
            "Cheffe",
            "--role",
            "admin",
            "--password",
            "long enough password",
        ],
    )
    assert result.exit_code == 0, result.output
    user = services.find_user_by_email("chef@example.org")
    assert user.role == "admin" and user.is_confirmed
    result = runner.invoke(args=["users", "set-role", "chef@example.org", "moderator"])
    # The only admin cannot be demoted: a message, not a traceback.
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "administrat" in result.output
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--role",
            "admin",
            "--password",
            "long enough password",
        ]
    )
    result = runner.invoke(args=["users", "set-role", "chef@example.org", "moderator"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.role == "moderator"
    result = runner.invoke(
        args=["users", "create", "--email", "x@example.org", "--name", "X", "--password", "short"]
    )
    assert result.exit_code != 0
