import pytest

from participation.accounts import services
from participation.extensions import db
from participation.models import Role


@pytest.mark.parametrize("role", ["resident", "facilitator", "moderator"])
def test_only_admins_reach_the_accounts_page(client, create_user, sign_in, role):
    sign_in(create_user(role=role))
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/1/role", data={"role": "admin"}).status_code == 403


def test_visitor_is_sent_to_sign_in(client):
    assert client.get("/admin/users").status_code == 302
    assert client.post("/admin/users/1/role", data={"role": "admin"}).status_code == 302


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
    with pytest.raises(services.LastAdmin):
        services.set_role(admin, admin, Role.RESIDENT)
    other = create_user(role="admin")
    services.set_role(other, admin, Role.RESIDENT)
    assert admin.role == "resident"


def test_non_admin_actor_cannot_set_roles(app, create_user):
    moderator = create_user(role="moderator")
    resident = create_user()
    with pytest.raises(services.AccountError):
        services.set_role(moderator, resident, Role.ADMIN)


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
    # The only admin cannot be demoted.
    assert result.exit_code != 0
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
