"""Outgoing e-mail, stored in the outbox in the same transaction as the change that causes it.

Services call ``queue_mail``: the message is built at once, in the recipient's language, and
added to the session as a row of ``outbox_messages``; it exists exactly when the change does
(nothing is queued if the request rolls back) and is never sent inside the request. A worker
(``outbox.py``: ``flask mail work``, or a thread beside the development server) sends it with
``send_now``: through SMTP with ``MAIL_SERVER`` set, otherwise as an ``.eml`` file written to
``MAIL_OUTBOX_DIR`` (``instance/outbox/`` by default) and logged, which is what development and
the tests read.

Every link in a mail is built by ``public_url`` from the configured public address: the Host
header of the request that caused the mail is the sender's to choose, so a reset link built from
it could point to anyone's site.
"""

import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from .extensions import db
from .models import OutboxMessage, utcnow

# Where ``make run`` serves, when neither PUBLIC_URL nor SERVER_NAME is set (production refuses
# to start so: see config.py).
DEVELOPMENT_URL = "http://localhost:5000"


def public_base() -> str:
    """The public address, without a trailing slash: PUBLIC_URL, else SERVER_NAME."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    if config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}{root}"
    return DEVELOPMENT_URL


def public_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` at the public address, whatever the request says."""
    base = urlsplit(public_base())
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def build_message(
    to: str, subject: str, template: str, locale: str = "fr", **context
) -> EmailMessage:
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", **context)
        subject = str(subject)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="participation.bethune.fr")
    message.set_content(body)
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = locale
    return message


def queue_mail(to: str, subject, template: str, locale: str = "fr", **context) -> OutboxMessage:
    """Build the message now (in the right language) and add it to the outbox in the current
    transaction: the worker sends it once the transaction has committed."""
    message = build_message(to, subject, template, locale=locale, **context)
    row = OutboxMessage(
        message_id=message["Message-ID"],
        recipient=to,
        subject=message["Subject"][:500],
        locale=locale,
        raw=bytes(message),
    )
    db.session.add(row)
    return row


def send_now(message: EmailMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(
                config["MAIL_SERVER"],
                config["MAIL_PORT"],
                context=ssl.create_default_context(),
                timeout=30,
            )
        else:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
        with smtp:
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (outbox / name).write_bytes(bytes(message))
    current_app.logger.info("Mail to %s written to %s", message["To"], outbox / name)
