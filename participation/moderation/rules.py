"""Who may report, and what moderators may do: the rulebook's chapter on moderation.

Moderators (and administrators) who are not blocked moderate; nobody moderates their own
contributions. Residents report what they can see and did not write. What a status allows a
moderator to decide is the state machine's (``proposals/state.py``).
"""

from ..comments.errors import CommentDeleted
from ..errors import NotAllowed
from ..models import AnswerTemplate, Comment, Proposal, ProposalStatus, Role, User
from ..policy import Verdict, can_administer, can_moderate, can_post, check, first, refuse
from ..proposals import state
from ..proposals.errors import TransitionNotAllowed
from ..proposals.rules import can_view
from . import errors


def _own(user: User, item) -> bool:
    author_id = getattr(item, "author_id", None)
    return author_id is not None and author_id == user.id


def can_open_item(user: User | None, _item: Proposal | Comment | None = None) -> Verdict:
    """The moderation page of an item: every moderator, its author too (the page says why they
    may not act on it, see ``can_moderate_item``)."""
    return can_moderate(user)


def can_moderate_item(user: User | None, item: Proposal | Comment) -> Verdict:
    """Hide, restore, dismiss its reports: any item but one's own."""
    verdict = can_moderate(user)
    if not verdict:
        return verdict
    return check((not _own(user, item), errors.OwnContent))


# What the platform writes as the reason when reports hid an item until a moderator decides.
HIDDEN_BY_REPORTS = "reported"


def hidden_by_reports(item: Proposal | Comment) -> bool:
    """Hidden by its reports, not by a moderator: it waits for one to hide it for good, or show
    it again."""
    return item.is_hidden and item.hidden_reason == HIDDEN_BY_REPORTS


def can_hide(user: User | None, item: Proposal | Comment) -> Verdict:
    """Hide for abuse: an item shown, or one its reports hid (a moderator then hides it for
    good, with their reason)."""
    return first(
        can_moderate_item(user, item),
        check((not item.is_hidden or hidden_by_reports(item), errors.AlreadyHidden)),
    )


def can_restore(user: User | None, item: Proposal | Comment) -> Verdict:
    """Show a hidden item again, whoever hid it."""
    return first(can_moderate_item(user, item), check((item.is_hidden, errors.NotHidden)))


def can_decide(user: User | None, proposal: Proposal) -> Verdict:
    """Publish, retain, not retain, correct a decision: what the state machine allows now."""
    verdict = can_moderate_item(user, proposal)
    if not verdict:
        return verdict
    targets = state.allowed_targets(proposal, user)
    return check((bool(targets), TransitionNotAllowed))


def can_merge_into(user: User | None, kept: Proposal) -> Verdict:
    """A duplicate joins a proposal still open to votes (``state.Allows.ABSORB``)."""
    verdict = can_moderate_item(user, kept)
    if not verdict:
        return verdict
    return check(
        (
            kept.is_visible and state.allows(kept.status, state.Allows.ABSORB),
            errors.MergeNotPossible,
        ),
    )


def can_merge(user: User | None, duplicate: Proposal, kept: Proposal) -> Verdict:
    return first(
        can_merge_into(user, kept),
        check(
            (
                duplicate.id != kept.id and duplicate.round_id == kept.round_id,
                errors.MergeNotPossible,
            ),
            (state.can_transition(duplicate, ProposalStatus.MERGED, user), errors.MergeNotPossible),
        ),
    )


def can_report(
    user: User | None,
    item: Proposal | Comment,
    viewing: Verdict | None = None,
    posting: Verdict | None = None,
) -> Verdict:
    """Residents report what they can see and did not write, once (the database keeps one
    report per person and item). ``viewing``: ``can_view``'s verdict on the item's proposal,
    and ``posting``: ``can_post``'s on ``user``, when the caller has them already (a thread asks
    for each comment)."""
    if viewing is None:
        viewing = can_view(user, item.proposal if isinstance(item, Comment) else item)
    verdict = first(viewing, posting if posting is not None else can_post(user))
    if not verdict:
        return verdict
    is_comment = isinstance(item, Comment)
    shown = not item.is_hidden if is_comment else item.is_visible
    return check(
        (not _own(user, item), errors.OwnContribution),
        (not (is_comment and item.is_deleted), CommentDeleted),
        (shown, errors.AlreadyHidden),
    )


def can_block(user: User | None, account: User) -> Verdict:
    """Moderators block residents and facilitators; only an administrator blocks (or unblocks)
    a moderator or an administrator; nobody blocks themself. The last administrator is
    protected by ``accounts.rules.ensure_an_admin_remains``."""
    verdict = can_moderate(user)
    if not verdict:
        return verdict
    if account.id == user.id:
        return refuse(errors.BlockNotAllowed())
    if account.has_role(Role.MODERATOR) and not user.has_role(Role.ADMIN):
        return refuse(errors.BlockNotAllowed())
    return check((account.erased_at is None, NotAllowed))


def can_read_audit(user: User | None) -> Verdict:
    return can_administer(user)


def can_manage_answers(user: User | None, _template: AnswerTemplate | None = None) -> Verdict:
    """Answer templates: every moderator writes, changes and deletes them."""
    return can_moderate(user)
