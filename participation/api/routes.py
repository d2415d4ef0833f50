"""Routes of the public read API, /api/v1/: load or 404, call one service, let the schema dump."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort

from ..extensions import limiter
from ..policy import anyone
from ..views import MAX_INT, guard
from . import schemas, services

PREFIX = "/api/v1"
RATE_LIMIT = "120 per minute"
# Ids beyond the database's integer range answer 404 rather than a database error.
ID = f"int(max={MAX_INT})"

# One budget per address for the whole API (the limiter's key is the remote address).
_shared_limit = limiter.shared_limit(RATE_LIMIT, scope="api")


def public(load=None):
    """Every view of the API: public (the rulebook's ``anyone``), within the shared budget. With
    ``load``, the view receives what the URL names, and 404 when the public may not see it."""

    def decorator(view):
        return guard(anyone, load=load)(_shared_limit(view))

    return decorator


rate_limited = public()


rounds_bp = Blueprint(
    "api_rounds", __name__, url_prefix=PREFIX, description=_l("Consultation rounds and pillars.")
)
proposals_bp = Blueprint(
    "api_proposals", __name__, url_prefix=PREFIX, description=_l("Proposals and their comments.")
)
workshops_bp = Blueprint("api_workshops", __name__, url_prefix=PREFIX, description=_l("Workshops."))
deliberations_bp = Blueprint(
    "api_deliberations",
    __name__,
    url_prefix=PREFIX,
    description=_l(
        "Council sessions, framework deliberations and the masterplan's actions and carriers."
    ),
)
BLUEPRINTS = (rounds_bp, proposals_bp, workshops_bp, deliberations_bp)


def found(item):
    if item is None:
        abort(404, message="Not found.")
    return item


def public_round(slug):
    return found(services.round_or_none(slug))


def public_proposal(proposal_id):
    return found(services.visible_proposal_or_none(proposal_id))


def public_workshop(workshop_id):
    return found(services.workshop_or_none(workshop_id))


def paged(page: services.Page) -> dict:
    """The page as the API answers it, with the link to the next page (same filters)."""
    next_link = None
    if page.next_cursor:
        args = {**request.args.to_dict(), **request.view_args, "cursor": page.next_cursor}
        next_link = url_for(request.endpoint, **args)
    return {"items": page.items, "links": {"next": next_link}}


def page_or_400(load, **kwargs) -> services.Page:
    try:
        return load(**kwargs)
    except services.InvalidCursor:
        abort(400, message="Invalid cursor.")


# --- rounds and pillars ----------------------------------------------------------------------


@rounds_bp.route("/rounds")
@rounds_bp.doc(summary=_l("All consultation rounds, newest first."))
@rounds_bp.response(200, schemas.RoundListSchema)
@rate_limited
def rounds():
    return {"items": services.rounds()}


@rounds_bp.route("/rounds/<slug>")
@rounds_bp.doc(
    summary=_l("A round, its calendar and its pillars with their number of public proposals.")
)
@rounds_bp.response(200, schemas.RoundDetailSchema)
@rounds_bp.alt_response(404, response="DEFAULT_ERROR")
@public(load=public_round)
def round_detail(round_):
    return services.round_with_pillar_counts(round_)


@rounds_bp.route("/rounds/<slug>/statistics")
@rounds_bp.doc(
    summary=_l(
        "Public figures of a round: by pillar, by neighbourhood, by channel, masterplan status."
    )
)
@rounds_bp.response(200, schemas.StatisticsSchema)
@rounds_bp.alt_response(404, response="DEFAULT_ERROR")
@public(load=public_round)
def round_statistics(round_):
    return services.round_statistics(round_)


@rounds_bp.route("/pillars")
@rounds_bp.doc(
    summary=_l("The pillars of the Smart City policy, with their context and 2030 objectives.")
)
@rounds_bp.response(200, schemas.PillarListSchema)
@rate_limited
def pillars():
    return {"items": services.pillars()}


# --- proposals and comments ------------------------------------------------------------------


@proposals_bp.route("/proposals")
@proposals_bp.doc(
    summary=_l(
        "Public proposals, filtered and sorted, one page after another (follow `links.next`)."
    )
)
@proposals_bp.arguments(schemas.ProposalArgs, location="query", as_kwargs=True)
@proposals_bp.response(200, schemas.ProposalPageSchema)
@proposals_bp.alt_response(400, response="DEFAULT_ERROR")
@rate_limited
def proposals(**args):
    return paged(page_or_400(services.proposals_page, **args))


@proposals_bp.route(f"/proposals/<{ID}:proposal_id>")
@proposals_bp.doc(
    summary=_l("A public proposal, its supports (online and paper apart) and its public trail.")
)
@proposals_bp.response(200, schemas.ProposalDetailSchema)
@proposals_bp.alt_response(404, response="DEFAULT_ERROR")
@public(load=public_proposal)
def proposal_detail(proposal):
    return services.proposal_with_trail(proposal)


@proposals_bp.route(f"/proposals/<{ID}:proposal_id>/comments")
@proposals_bp.doc(
    summary=_l("Published comments of a public proposal, oldest first, each with its replies.")
)
@proposals_bp.arguments(schemas.PageArgs, location="query", as_kwargs=True)
@proposals_bp.response(200, schemas.CommentPageSchema)
@proposals_bp.alt_response(400, response="DEFAULT_ERROR")
@proposals_bp.alt_response(404, response="DEFAULT_ERROR")
@public(load=public_proposal)
def proposal_comments(proposal, cursor=None, limit=20):
    return paged(page_or_400(services.comments_page, proposal=proposal, cursor=cursor, limit=limit))


# --- workshops -------------------------------------------------------------------------------


@workshops_bp.route("/workshops")
@workshops_bp.doc(summary=_l("Workshops, in date order."))
@workshops_bp.arguments(schemas.WorkshopArgs, location="query", as_kwargs=True)
@workshops_bp.response(200, schemas.WorkshopPageSchema)
@workshops_bp.alt_response(400, response="DEFAULT_ERROR")
@rate_limited
def workshops(**args):
    return paged(page_or_400(services.workshops_page, **args))


@workshops_bp.route(f"/workshops/<{ID}:workshop_id>")
@workshops_bp.doc(summary=_l("A workshop and the public totals of what came out of it."))
@workshops_bp.response(200, schemas.WorkshopDetailSchema)
@workshops_bp.alt_response(404, response="DEFAULT_ERROR")
@public(load=public_workshop)
def workshop_detail(workshop):
    return services.workshop_with_outcome(workshop)


# --- council sessions and deliberations ------------------------------------------------------


@deliberations_bp.route("/council-sessions")
@deliberations_bp.doc(
    summary=_l("Council sessions, latest first, with their number of framework deliberations.")
)
@deliberations_bp.response(200, schemas.CouncilSessionListSchema)
@rate_limited
def council_sessions():
    return {"items": services.council_sessions()}


@deliberations_bp.route("/deliberations")
@deliberations_bp.doc(
    summary=_l(
        "Framework deliberations with the masterplan action each leads to (status, carrier, notes)."
    )
)
@deliberations_bp.arguments(schemas.DeliberationArgs, location="query", as_kwargs=True)
@deliberations_bp.response(200, schemas.DeliberationPageSchema)
@deliberations_bp.alt_response(400, response="DEFAULT_ERROR")
@rate_limited
def deliberations(**args):
    return paged(page_or_400(services.deliberations_page, **args))


@deliberations_bp.route("/actions")
@deliberations_bp.doc(
    summary=_l("The masterplan: every public action, the city's and its partners', in id order.")
)
@deliberations_bp.arguments(schemas.ActionArgs, location="query", as_kwargs=True)
@deliberations_bp.response(200, schemas.ActionPageSchema)
@deliberations_bp.alt_response(400, response="DEFAULT_ERROR")
@rate_limited
def actions(**args):
    return paged(page_or_400(services.actions_page, **args))


@deliberations_bp.route("/carriers")
@deliberations_bp.doc(
    summary=_l("Who carries the masterplan's actions: the city and its partners.")
)
@deliberations_bp.response(200, schemas.CarrierListSchema)
@rate_limited
def carriers():
    return {"items": services.carriers()}
