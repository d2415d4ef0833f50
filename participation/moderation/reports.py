"""Reports and hiding: residents report, the platform hides what enough of them reported, and
moderators hide, restore and dismiss.

Hiding is separate from a proposal's status and reversible. A hidden comment leaves the counters
(``comments.services.shift_counters``); a hidden proposal leaves every public list through
``Proposal.is_visible``. Services take the acting user, flush, never commit.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..comments.services import shift_counters
from ..errors import ReasonRequired
from ..extensions import db
from ..models import Comment, EventKind, Proposal, Report, User, utcnow
from ..notifications import notify_author
from ..proposals import state
from . import errors, rules
from .rules import HIDDEN_BY_REPORTS


def _report_target(item: Comment | Proposal):
    return Report.comment_id if isinstance(item, Comment) else Report.proposal_id


def has_reported(item: Comment | Proposal, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        select(exists().where(Report.reporter_id == user.id, _report_target(item) == item.id))
    )


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not errors.REASON_MIN <= len(reason) <= errors.REASON_MAX:
        raise errors.ReasonLength()
    return reason


def report(item: Comment | Proposal, reporter: User, reason: str) -> Report:
    """``reporter`` reports a comment or a proposal, once. At ``REPORT_HIDE_THRESHOLD``
    unresolved reports from distinct, established accounts (``_reports_that_hide``) the item
    hides itself until a moderator looks at it; the moderators' queue shows it was hidden so."""
    rules.can_report(reporter, item).require()
    reason = _checked_reason(reason)
    is_comment = isinstance(item, Comment)
    entry = Report(
        reporter_id=reporter.id,
        comment_id=item.id if is_comment else None,
        proposal_id=None if is_comment else item.id,
        reason=reason,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError as error:
        raise errors.AlreadyReported() from error
    threshold = current_app.config.get("REPORT_HIDE_THRESHOLD", 3)
    if threshold and _reports_that_hide(item) >= threshold:
        _hide(item, None, HIDDEN_BY_REPORTS)
    db.session.flush()
    return entry


def _reports_that_hide(item: Comment | Proposal) -> int:
    """The open reports on ``item`` that count towards hiding it: one per account, from active
    accounts whose address has been confirmed for ``REPORT_ACCOUNT_MIN_DAYS`` days, so that
    accounts opened to hide something do not hide it. Every report still reaches the
    moderators' queue."""
    days = current_app.config.get("REPORT_ACCOUNT_MIN_DAYS", 3)
    confirmed_before = utcnow() - timedelta(days=days)
    return db.session.scalar(
        select(func.count(func.distinct(Report.reporter_id)))
        .join(User, User.id == Report.reporter_id)
        .where(
            _report_target(item) == item.id,
            Report.resolved_at.is_(None),
            User.email_confirmed_at <= confirmed_before,
            User.blocked_at.is_(None),
            User.erased_at.is_(None),
        )
    )


def _set_hidden(item: Comment | Proposal, hidden: bool, reason: str | None) -> bool:
    """Flip the item's visibility in one conditional UPDATE; False when it already was so.

    A deleted comment is left alone, so a comment changes counters only while it is shown.
    """
    model = type(item)
    conditions = [
        model.id == item.id,
        model.hidden_at.is_(None) if hidden else model.hidden_at.isnot(None),
    ]
    if model is Comment:
        conditions.append(Comment.deleted_at.is_(None))
    result = db.session.execute(
        update(model)
        .where(*conditions)
        .values(hidden_at=utcnow() if hidden else None, hidden_reason=reason if hidden else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(item, ["hidden_at", "hidden_reason"])
    return result.rowcount == 1


def _hide(item: Comment | Proposal, actor: User | None, reason: str) -> bool:
    """Hide by a moderator, or by the platform (``actor`` None) when reports reach the
    threshold. False when it was already hidden."""
    if not _set_hidden(item, True, reason):
        return False
    if isinstance(item, Comment):
        shift_counters(item, -1)
    else:
        state.record(item, EventKind.HIDDEN, actor, is_public=False)
    db.session.flush()
    return True


def _resolve_reports(item, actor: User, resolution: str) -> int:
    result = db.session.execute(
        update(Report)
        .where(_report_target(item) == item.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _required(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    # The platform's own reason says the reports hid the item: a moderator's would pass for it.
    if reason == HIDDEN_BY_REPORTS:
        raise errors.ReasonReserved()
    return reason


def _hide_for_good(item: Proposal | Comment, actor: User, reason: str) -> bool:
    """A moderator confirms what the reports hid: their reason replaces the platform's. False
    when the item is no longer hidden by its reports."""
    model = type(item)
    result = db.session.execute(
        update(model)
        .where(
            model.id == item.id,
            model.hidden_at.isnot(None),
            model.hidden_reason == HIDDEN_BY_REPORTS,
        )
        .values(hidden_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(item, ["hidden_at", "hidden_reason"])
    if result.rowcount != 1:
        return False
    if isinstance(item, Proposal):
        state.record(item, EventKind.HIDDEN, actor, is_public=False)
    db.session.flush()
    return True


def hide(item: Proposal | Comment, actor: User, reason: str) -> bool:
    """A moderator hides an item for abuse, with a reason, or hides for good what its reports
    hid; its open reports are resolved."""
    rules.can_hide(actor, item).require()
    reason = _required(reason)
    if not (_hide(item, actor, reason) or _hide_for_good(item, actor, reason)):
        return False
    _resolve_reports(item, actor, "hidden")
    audit.log(actor, f"{item.__tablename__[:-1]}.hide", item, after={"hidden": True}, note=reason)
    if isinstance(item, Proposal):
        notify_author(item, "hidden", reason=reason)
    return True


def _show(item: Proposal | Comment, actor: User, resolution: str) -> bool:
    if not _set_hidden(item, False, None):
        return False
    # Its open reports go with it, so that they do not hide it again.
    _resolve_reports(item, actor, resolution)
    if isinstance(item, Comment):
        shift_counters(item, +1)
    else:
        state.record(item, EventKind.RESTORED, actor, is_public=False)
    db.session.flush()
    return True


def restore(item: Proposal | Comment, actor: User, reason: str) -> bool:
    """A moderator shows a hidden item again."""
    rules.can_restore(actor, item).require()
    reason = _required(reason)
    if not _show(item, actor, "restored"):
        return False
    audit.log(
        actor, f"{item.__tablename__[:-1]}.restore", item, after={"hidden": False}, note=reason
    )
    return True


def dismiss_reports(item: Proposal | Comment, actor: User, reason: str | None = None) -> int:
    """The reports were unfounded: close them, and show the item again if they had hidden it."""
    rules.can_moderate_item(actor, item).require()
    count = _resolve_reports(item, actor, "dismissed")
    if rules.hidden_by_reports(item):
        _show(item, actor, "dismissed")
    audit.log(actor, "reports.dismiss", item, after={"dismissed": count}, note=reason)
    db.session.flush()
    return count
