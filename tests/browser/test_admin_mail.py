"""The page of undelivered mails, in both languages: read, sent again, accessible."""

import re

import pytest
from playwright.sync_api import expect

from participation.extensions import db
from participation.models import MailStatus, OutboxMessage

from .axe import assert_accessible
from .conftest import sign_in
from .test_accounts import LANGUAGES, open_in, submit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_sends_an_undelivered_mail_again(open_page, create_user, language):
    create_user(email="admin@example.org", role="admin", display_name="Alice")
    db.session.add(
        OutboxMessage(
            message_id="<1@participation.bethune.fr>",
            recipient="absent@example.org",
            subject="Confirmez votre adresse e-mail",
            locale="fr",
            raw=b"To: absent@example.org\nSubject: Confirmez\n\nBonjour",
            status=MailStatus.DEAD,
            attempts=8,
            last_error="SMTPRecipientsRefused: 550 No such user",
        )
    )
    db.session.commit()
    page = open_in(open_page, language)
    sign_in(page, "admin@example.org")
    page.goto("/admin/users")
    page.locator("main a[href='/admin/mail']").click()
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("absent@example.org")
    assert_accessible(page)
    submit(page)
    expect(page).to_have_url(re.compile(r"/admin/mail$"))
    expect(page.locator(".flash--success")).to_contain_text("absent@example.org")
    expect(page.locator("main tbody tr")).to_have_count(0)
    assert_accessible(page)
