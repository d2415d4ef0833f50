"""Marshmallow schemas of the public read API: the OpenAPI document is generated from them.

Only what the site shows the public goes out: no e-mail, no link between a support and a person,
authors by display name only.
"""

from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..models import CarrierKind, MasterplanStatus, Origin, RoundPhase, WorkshopState
from ..proposals.state import PUBLIC_STATUSES
from ..views import MAX_INT
from .services import (
    DELETED_ACCOUNT,
    MAX_PAGE_SIZE,
    PROPOSAL_SORTS,
    SLUG_PATTERN,
    author_name,
)


class UTCDateTime(fields.DateTime):
    """Times are stored as naive UTC: say so in the output (ISO 8601 with an offset)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def computed(field_class, getter, *args, **kwargs):
    """A field of type ``field_class`` whose value is ``getter(obj)``: typed in the document,
    unlike ``fields.Function``."""

    class Computed(field_class):
        def get_value(self, obj, attr, accessor=None, default=None):
            return getter(obj)

    return Computed(*args, **kwargs)


def slug(description) -> fields.String:
    return fields.String(
        validate=validate.Regexp(SLUG_PATTERN), metadata={"description": description}
    )


def _choice(values) -> validate.OneOf:
    return validate.OneOf([str(v) for v in values])


# --- query strings ---------------------------------------------------------------------------


class PageArgs(Schema):
    cursor = fields.String(
        metadata={"description": _l("Opaque cursor from the `next` link of the previous page.")}
    )
    limit = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": _l("Page size, at most %(most)s.", most=MAX_PAGE_SIZE)},
    )


class ProposalArgs(PageArgs):
    round = slug(_l("Round slug."))
    pillar = slug(_l("Pillar slug."))
    neighbourhood = slug(_l("Neighbourhood slug."))
    status = fields.String(validate=_choice(PUBLIC_STATUSES))
    origin = fields.String(validate=_choice(Origin))
    sort = fields.String(load_default="supports", validate=_choice(PROPOSAL_SORTS))


class WorkshopArgs(PageArgs):
    round = slug(_l("Round slug."))


class DeliberationArgs(PageArgs):
    session = fields.Integer(
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": _l("Council session id.")},
    )
    pillar = slug(_l("Pillar slug."))
    status = fields.String(validate=_choice(MasterplanStatus))


# --- shared pieces ---------------------------------------------------------------------------


class PageLinks(Schema):
    next = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": _l("URL of the next page, or null on the last page.")},
    )


class PillarRef(Schema):
    slug = fields.String(required=True)
    name_fr = fields.String(required=True)
    name_en = fields.String(allow_none=True, required=True)


class NeighbourhoodRef(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)


class WorkshopRef(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class RoundRef(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)


class AuthorMixin(Schema):
    author = computed(
        fields.String,
        author_name,
        allow_none=True,
        required=True,
        metadata={
            "description": _l(
                "Display name of the author, %(deleted)s once the account is erased, null for a "
                "paper contribution (see origin and workshop).",
                deleted=repr(DELETED_ACCOUNT),
            )
        },
    )
    origin = fields.String(validate=_choice(Origin), required=True)
    workshop = fields.Nested(WorkshopRef, allow_none=True, required=True)


# --- pillars and rounds ----------------------------------------------------------------------


class PillarSchema(PillarRef):
    position = fields.Integer(required=True)
    context = fields.List(fields.String(), attribute="context_items", required=True)
    objectives = fields.List(fields.String(), attribute="objective_items", required=True)


class RoundSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    phase = fields.String(validate=_choice(RoundPhase), required=True)
    collect_starts_at = UTCDateTime(required=True)
    collect_ends_at = UTCDateTime(required=True)
    vote_starts_at = UTCDateTime(allow_none=True, required=True)
    vote_ends_at = UTCDateTime(allow_none=True, required=True)
    deliberation_ends_at = UTCDateTime(allow_none=True, required=True)
    support_cap = fields.Integer(allow_none=True, required=True)
    premoderation = fields.Boolean(required=True)
    is_sample = fields.Boolean(required=True)
    pillars = fields.List(fields.Pluck(PillarRef, "slug"), required=True)


class RoundListSchema(Schema):
    items = fields.List(fields.Nested(RoundSchema), required=True)


class RoundPillarSchema(PillarRef):
    proposal_count = fields.Integer(required=True)


class RoundDetailSchema(RoundSchema):
    description = fields.String(required=True)
    pillars = fields.List(fields.Nested(RoundPillarSchema), required=True)


class PillarListSchema(Schema):
    items = fields.List(fields.Nested(PillarSchema), required=True)


# --- proposals and comments ------------------------------------------------------------------


class SupportCounts(Schema):
    online = fields.Integer(attribute="support_count", required=True)
    paper = fields.Integer(attribute="paper_support_count", required=True)
    total = fields.Integer(attribute="total_supports", required=True)


class ProposalSchema(AuthorMixin):
    id = fields.Integer(required=True)
    code = fields.String(
        required=True, metadata={"description": _l("Short code within its round.")}
    )
    round = fields.Nested(RoundRef, required=True)
    pillar = fields.Nested(PillarRef, required=True)
    neighbourhood = fields.Nested(NeighbourhoodRef, allow_none=True, required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": _l("Markdown source.")})
    status = fields.String(validate=_choice(PUBLIC_STATUSES), required=True)
    decision_reason = fields.String(allow_none=True, required=True)
    merged_into_id = computed(
        fields.Integer,
        lambda p: p.merged_into_id if p.merged_into and p.merged_into.is_visible else None,
        allow_none=True,
        required=True,
        metadata={"description": _l("The proposal this one was merged into, when public.")},
    )
    deliberation_id = fields.Integer(allow_none=True, required=True)
    supports = computed(fields.Nested, lambda p: p, SupportCounts, required=True)
    comment_count = fields.Integer(required=True)
    is_sample = fields.Boolean(required=True)
    published_at = UTCDateTime(allow_none=True, required=True)


class ProposalPageSchema(Schema):
    items = fields.List(fields.Nested(ProposalSchema), required=True)
    links = fields.Nested(PageLinks, required=True)


class TrailEventSchema(Schema):
    kind = fields.String(required=True)
    from_status = fields.String(allow_none=True, required=True)
    to_status = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    created_at = UTCDateTime(required=True)


class ProposalDetailSchema(ProposalSchema):
    trail = fields.List(fields.Nested(TrailEventSchema), required=True)


class ReplySchema(AuthorMixin):
    id = fields.Integer(required=True)
    body = fields.String(required=True, metadata={"description": _l("Markdown source.")})
    created_at = UTCDateTime(required=True)
    edited_at = UTCDateTime(allow_none=True, required=True)


class CommentSchema(ReplySchema):
    replies = fields.List(fields.Nested(ReplySchema), required=True)


class CommentPageSchema(Schema):
    items = fields.List(fields.Nested(CommentSchema), required=True)
    links = fields.Nested(PageLinks, required=True)


# --- workshops -------------------------------------------------------------------------------


class WorkshopSchema(Schema):
    id = fields.Integer(required=True)
    round = fields.Nested(RoundRef, required=True)
    title = fields.String(required=True)
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    place = fields.String(required=True)
    description = fields.String(required=True)
    state = fields.String(validate=_choice(WorkshopState), required=True)
    expected_attendance = fields.Integer(allow_none=True, required=True)
    attendance = fields.Integer(allow_none=True, required=True)
    pillars = fields.List(fields.Pluck(PillarRef, "slug"), required=True)


class WorkshopPageSchema(Schema):
    items = fields.List(fields.Nested(WorkshopSchema), required=True)
    links = fields.Nested(PageLinks, required=True)


class OutcomeSchema(Schema):
    proposal_count = fields.Integer(required=True)
    sticker_count = fields.Integer(required=True)
    comment_count = fields.Integer(required=True)


class WorkshopDetailSchema(WorkshopSchema):
    outcome = fields.Nested(OutcomeSchema, required=True)


# --- council sessions and deliberations ------------------------------------------------------


class CouncilSessionSchema(Schema):
    id = fields.Integer(required=True)
    held_on = fields.Date(required=True)
    title = fields.String(required=True)
    round = fields.Nested(RoundRef, allow_none=True, required=True)
    deliberation_count = fields.Integer(required=True)


class CouncilSessionListSchema(Schema):
    items = fields.List(fields.Nested(CouncilSessionSchema), required=True)


class ProgressNoteSchema(Schema):
    noted_on = fields.Date(required=True)
    body = fields.String(required=True)
    status = fields.String(allow_none=True, validate=_choice(MasterplanStatus), required=True)


class SessionRef(Schema):
    id = fields.Integer(required=True)
    held_on = fields.Date(required=True)
    title = fields.String(required=True)


class MasterplanSchema(Schema):
    action_id = fields.Integer(attribute="id", required=True)
    status = fields.String(validate=_choice(MasterplanStatus), required=True)
    carrier = computed(fields.String, lambda a: a.carrier.name, required=True)
    progress_notes = fields.List(fields.Nested(ProgressNoteSchema), required=True)


class DeliberationSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(
        required=True, metadata={"description": _l("Its number within its council session.")}
    )
    reference = fields.String(
        required=True,
        metadata={"description": _l("A number that never repeats: the council's date/number.")},
    )
    council_session = fields.Nested(SessionRef, required=True)
    pillar = fields.Nested(PillarRef, required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    masterplan = computed(
        fields.Nested,
        lambda d: d.action,
        MasterplanSchema,
        allow_none=True,
        required=True,
        metadata={"description": _l("The action of the masterplan it leads to.")},
    )
    proposal_ids = computed(
        fields.List,
        lambda d: [p.id for p in d.visible_proposals],
        fields.Integer(),
        required=True,
        metadata={"description": _l("The public proposals this deliberation came from.")},
    )


class DeliberationPageSchema(Schema):
    items = fields.List(fields.Nested(DeliberationSchema), required=True)
    links = fields.Nested(PageLinks, required=True)


# --- statistics ------------------------------------------------------------------------------


class TallySchema(Schema):
    proposals = fields.Integer(required=True)
    online_supports = fields.Integer(required=True)
    paper_supports = fields.Integer(required=True)
    comments = fields.Integer(required=True)


class PillarTallySchema(TallySchema):
    pillar = fields.Nested(PillarRef, required=True)


class NeighbourhoodTallySchema(TallySchema):
    neighbourhood = fields.Nested(
        NeighbourhoodRef,
        allow_none=True,
        required=True,
        metadata={"description": _l("null for proposals placed in no neighbourhood.")},
    )


class ChannelTallySchema(Schema):
    proposals = fields.Integer(required=True)
    supports = fields.Integer(required=True)
    comments = fields.Integer(required=True)


class ChannelsSchema(Schema):
    online = fields.Nested(ChannelTallySchema, required=True)
    workshop = fields.Nested(ChannelTallySchema, required=True)


class MasterplanCountsSchema(Schema):
    project = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    done = fields.Integer(required=True)


class StatisticsSchema(Schema):
    round = fields.Nested(RoundRef, required=True)
    contributors = fields.Integer(
        required=True,
        metadata={"description": _l("People who proposed, supported or commented online.")},
    )
    workshop_attendance = fields.Integer(required=True)
    totals = fields.Nested(TallySchema, required=True)
    by_pillar = fields.List(fields.Nested(PillarTallySchema), required=True)
    by_neighbourhood = fields.List(fields.Nested(NeighbourhoodTallySchema), required=True)
    by_channel = fields.Nested(ChannelsSchema, required=True)
    masterplan = fields.Nested(MasterplanCountsSchema, required=True)


# --- the masterplan --------------------------------------------------------------------------


class ActionArgs(PageArgs):
    pillar = slug(_l("Pillar slug."))
    status = fields.String(validate=_choice(MasterplanStatus))
    kind = fields.String(
        validate=_choice(CarrierKind), metadata={"description": _l("Carrier kind.")}
    )
    carrier = slug(_l("Carrier slug."))


class CarrierSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(validate=_choice(CarrierKind), required=True)
    description = fields.String(required=True)
    website = fields.String(required=True)
    is_sample = fields.Boolean(required=True)


class CarrierListSchema(Schema):
    items = fields.List(fields.Nested(CarrierSchema), required=True)


class CarrierRef(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(validate=_choice(CarrierKind), required=True)


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    pillar = fields.Nested(PillarRef, required=True)
    carrier = fields.Nested(CarrierRef, required=True)
    status = fields.String(validate=_choice(MasterplanStatus), required=True)
    planned_on = fields.Date(allow_none=True, required=True)
    started_on = fields.Date(allow_none=True, required=True)
    done_on = fields.Date(allow_none=True, required=True)
    percent = fields.Integer(allow_none=True, required=True)
    deliberation_id = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": _l("The framework deliberation it carries out, if any.")},
    )
    is_sample = fields.Boolean(required=True)
    progress_notes = fields.List(fields.Nested(ProgressNoteSchema), required=True)


class ActionPageSchema(Schema):
    items = fields.List(fields.Nested(ActionSchema), required=True)
    links = fields.Nested(PageLinks, required=True)
