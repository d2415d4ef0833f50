"""The main menu and the footer, kept rendered: each person is given the menu the rulebook
gives them, marking the page's section, in their language."""

import re

import pytest

from participation.extensions import db
from participation.models import Role, utcnow
from participation.templating import Menu, site_menu

MENU = re.compile(r'<ul class="site-nav__main">(.*?)</ul>', re.S)
FOOTER = re.compile(r'<ul class="site-footer__links">(.*?)</ul>', re.S)


def menu_of(response) -> str:
    assert response.status_code == 200
    return MENU.search(response.text).group(1)


def current_link(menu: str) -> str:
    (label,) = re.findall(r'aria-current="page">([^<]+)<', menu)
    return label


@pytest.mark.parametrize(
    ("endpoint", "section"),
    [
        ("main.home", "home"),
        ("proposals.show", "rounds"),
        ("rounds.index", "rounds"),
        ("pillars.show", "pillars"),
        ("opendata.statistics", "statistics"),
        ("opendata.latest_statistics", ""),
        ("accounts.sign_in", "sign_in"),
        ("accounts.account", ""),
        ("moderation.home", "moderation"),
        (None, ""),
    ],
)
def test_a_menu_marks_the_section_of_the_page(app, endpoint, section):
    with app.test_request_context("/"):
        assert site_menu(None, endpoint) == Menu(section, signed_in=False)


def test_a_menu_offers_what_the_rulebook_allows(app, create_user):
    with app.test_request_context("/"):
        for role, offered in (
            (Role.RESIDENT, (False, False, False)),
            (Role.FACILITATOR, (True, False, False)),
            (Role.MODERATOR, (True, True, False)),
            (Role.ADMIN, (True, True, True)),
        ):
            person = create_user(role=role)
            menu = site_menu(person, "main.home")
            assert (menu.facilitates, menu.moderates, menu.administers) == offered, role
            person.blocked_at = utcnow()
            assert site_menu(person, "main.home")[2:] == (False, False, False), role


def test_each_person_is_given_their_own_menu_from_the_one_kept(app, create_user, sign_in):
    """The same page for a visitor, then staff, then a visitor again, in both languages: the
    menu kept for one is never another's."""
    assert app.config["FRAGMENT_CACHE_SIZE"] > 0
    visitor, moderator, admin = app.test_client(), app.test_client(), app.test_client()
    sign_in(create_user(role=Role.MODERATOR), moderator)
    administrator = create_user(role=Role.ADMIN)
    sign_in(administrator, admin)

    first = menu_of(visitor.get("/pillars/"))
    assert "Se connecter" in first and "Modération" not in first
    assert current_link(first) == "Piliers"
    staff = menu_of(moderator.get("/pillars/"))
    assert "Modération" in staff and "Administration" not in staff
    assert "Se connecter" not in staff and current_link(staff) == "Piliers"
    chief = menu_of(admin.get("/pillars/"))
    assert "Modération" in chief and "Administration" in chief
    assert menu_of(visitor.get("/pillars/")) == first

    english = menu_of(visitor.get("/pillars/", headers={"Accept-Language": "en"}))
    assert "Sign in" in english and current_link(english) == "Pillars"
    home = menu_of(visitor.get("/"))
    assert current_link(home) == "Accueil"

    # Blocked, the administrator loses the staff's pages at the next page.
    administrator.blocked_at = utcnow()
    db.session.commit()
    assert "Administration" not in menu_of(admin.get("/pillars/"))


def test_the_footer_kept_is_in_the_pages_language(client):
    french = FOOTER.search(client.get("/").text).group(1)
    english = FOOTER.search(client.get("/", headers={"Accept-Language": "en"}).text).group(1)
    assert "Données personnelles" in french and "Personal data" in english
