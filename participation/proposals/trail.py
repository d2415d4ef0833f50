"""How each line of a proposal's trail reads."""

from flask_babel import gettext as _

from ..models import ProposalEvent, ProposalStatus
from .state import DECISIONS

S = ProposalStatus


def trail_label(event: ProposalEvent) -> str:
    if event.kind == "submitted":
        if event.proposal.origin == "workshop":
            return _("Written on a card at a workshop and typed in")
        return _("Submitted online")
    if event.kind == "edited":
        return _("Edited by its author")
    if event.kind == "edit_proposed":
        return _("Change proposed by its author, for the moderators to check")
    if event.kind == "edit_refused":
        return _("Proposed change refused by the moderators")
    if event.kind == "corrected":
        return _("Transcription of the card corrected")
    if event.kind == "hidden":
        return _("Hidden by moderation")
    if event.kind == "restored":
        return _("Shown again by moderation")
    if event.kind == "merged_in":
        return _("Another proposal was merged into this one")
    if event.kind == "status":
        source, target = event.from_status, event.to_status
        if {source, target} == set(DECISIONS):
            return _("Decision corrected by the moderators: %(status)s", status=S(target).title)
        return {
            S.PUBLISHED.value: _("Published"),
            S.WITHDRAWN.value: _("Withdrawn by its author"),
            S.NOT_RETAINED.value: _("Not retained by the moderators"),
            S.RETAINED.value: _("Retained by the moderators"),
            S.UNDER_STUDY.value: _("Under study by the city's services"),
            S.MERGED.value: _("Merged into another proposal"),
            S.PROMOTED.value: _("Promoted to a framework deliberation"),
        }.get(target, _("Status changed"))
    return _("Updated")
