"""A proposal's list of comments is kept rendered (``fragments.py``) under a key made of all it
shows (``Thread.key``): the page must be the same HTML as when rendered afresh, for every
reader and language, and any change to what the list shows must show at once."""

import re

import pytest

from participation.comments.services import comment_thread, edit_comment
from participation.extensions import db
from participation.me.services import erase_account
from participation.models import Role, utcnow
from participation.moderation.reports import hide, report
from tests.conftest import TEST_PASSWORD

READERS = ("visitor", "resident", "proposal's author", "commenter", "moderator")


def url_of(proposal) -> str:
    return f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are the session's and differ by client."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


@pytest.fixture
def discussion(create_proposal, create_user, create_comment):
    """A thread with a comment of each kind a list shows."""
    author = create_user(display_name="Autrice")
    proposal = create_proposal(author=author)
    commenter = create_user(display_name="Commentatrice")
    people = {
        "resident": create_user(display_name="Voisin"),
        "proposal's author": author,
        "commenter": commenter,
        "moderator": create_user(role=Role.MODERATOR),
    }
    first = create_comment(proposal, author=commenter, body="Oui, **bien sûr**.", minutes_ago=90)
    create_comment(proposal, author=author, body="Merci !", parent=first, minutes_ago=80)
    create_comment(proposal, body="Corrigé depuis.", minutes_ago=70, edited_at=utcnow())
    create_comment(
        proposal, body="Propos déplacés.", minutes_ago=60, hidden_at=utcnow(), hidden_reason="x"
    )
    gone = create_comment(proposal, body="", minutes_ago=50, deleted_at=utcnow())
    create_comment(proposal, body="Je réponds quand même.", parent=gone, minutes_ago=40)
    create_comment(proposal, origin="workshop", body="Écrit sur un carton.", minutes_ago=30)
    # Still within its author's edit window: the commenter's list holds a deletion form.
    create_comment(proposal, author=commenter, body="À l'instant.", minutes_ago=1)
    return proposal, people


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_kept_list_is_the_list_rendered_afresh(
    app, app_factory, sign_in, discussion, reader, language
):
    proposal, people = discussion
    afresh = app_factory(FRAGMENT_CACHE_SIZE=0)
    pages = []
    for application in (app, afresh):
        client = application.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        if reader != "visitor":
            sign_in(people[reader], client)
        # The first request renders and keeps the list, the second is given the kept one.
        pages += [without_tokens(client.get(url_of(proposal)).text) for _ in range(2)]
    kept, again, fresh, fresh_again = pages
    assert fresh == fresh_again
    assert kept == fresh and again == fresh
    assert "Oui, <strong>bien sûr</strong>." in fresh


def test_what_changes_in_the_list_shows_at_once(
    client, sign_in, discussion, create_user, create_comment
):
    proposal, people = discussion
    commenter, moderator = people["commenter"], people["moderator"]
    fresh = create_comment(proposal, author=commenter, body="Premier jet.", minutes_ago=2)
    reader = create_user(display_name="Lectrice")
    sign_in(reader)

    def page() -> str:
        return client.get(url_of(proposal)).text

    assert "Premier jet." in page()

    edit_comment(fresh, commenter, "Texte corrigé.")
    db.session.commit()
    assert "Texte corrigé." in page() and "Premier jet." not in page()

    commenter.display_name = "Nom changé"
    db.session.commit()
    assert "Nom changé" in page() and "Commentatrice" not in page()

    hide(fresh, moderator, "Hors sujet.")
    db.session.commit()
    assert "Texte corrigé." not in page()

    assert "You have reported this comment." not in page()
    [first] = [c for c in comment_thread(proposal, 1, None).comments if c.body.startswith("Oui")]
    report(first, reader, "Des insultes envers un voisin.")
    db.session.commit()
    assert "You have reported this comment." in page()

    erase_account(commenter, TEST_PASSWORD)
    db.session.commit()
    assert "Nom changé" not in page() and "Deleted account" in page()


def test_the_kept_list_follows_the_language(client, discussion):
    proposal, _people = discussion
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = client.get(url_of(proposal)).text
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = client.get(url_of(proposal)).text
    assert "Commentaire supprimé" in french and "Comment deleted" in english
    assert "Comment deleted" not in french


def test_a_list_holding_a_deletion_form_is_never_kept(app, discussion):
    proposal, people = discussion
    # Authors may delete their own comments: that form carries the reader's CSRF token.
    assert comment_thread(proposal, 1, people["commenter"]).key is None
    assert comment_thread(proposal, 1, people["proposal's author"]).key is None
    # Other readers' lists are kept, each under the key of what it shows to them: a visitor is
    # offered no reply, a moderator sees the hidden comment.
    keys = [comment_thread(proposal, 1, people[r]).key for r in ("resident", "moderator")]
    keys.append(comment_thread(proposal, 1, None).key)
    assert None not in keys and len(set(keys)) == 3


def test_the_cache_keeps_at_most_its_size_the_newest_first(app_factory):
    from participation.fragments import fragment, fragments, stored_name

    app = app_factory(FRAGMENT_CACHE_SIZE=3)
    rendered = []

    def render(n):
        def go():
            rendered.append(n)
            return f"<p>{n}</p>"

        return go

    with app.test_request_context():
        for n in range(6):
            assert fragment(("test", n), render(n)) == f"<p>{n}</p>"
        assert fragment(("test", 5), render(5)) == "<p>5</p>"
        assert rendered == [0, 1, 2, 3, 4, 5]
        kept = [n for n in range(6) if fragments.get(stored_name(("test", n))) is not None]
        # The cache prunes down to its size before it adds the next one (cachelib).
        assert kept == [2, 3, 4, 5]
        assert fragment(None, render("form")) == "<p>form</p>"
        assert fragment(None, render("form")) == "<p>form</p>"
        assert rendered[-2:] == ["form", "form"]
