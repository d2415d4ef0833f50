"""What every route is made of: a guard that asks the rulebook, one way to try a service from a
form, one way to finish (commit, tell, redirect), and bounded numbers from the URL.

A route reads::

    @bp.route("/<int:number>/edit", methods=["GET", "POST"])
    @guard(rules.can_edit, load=proposal_in_url)
    def edit(proposal):
        form = ProposalForm(obj=proposal)
        tried = attempt(form)
        if form.validate_on_submit():
            with tried:
                services.edit_proposal(proposal, current_user, form.to_input())
                return done(proposal_url(proposal), _("Your changes are saved."))
        return render_template(...), form_status(form, tried)

The guard records its policy on the view (``view.guard``): the route × role test reads it, and a
route without one fails that test.

What the URL brings is bounded before any view sees it (``create_app`` installs these): every
``<int:…>`` is a number the database can hold and every ``<slug>`` or other string has no
control character, else the address answers 404; the query string's values carry no control or
invisible character (``Request``).
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import flask
from flask import flash, redirect, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter, UnicodeConverter
from werkzeug.utils import cached_property

from .errors import ParticipationError, SignInRequired
from .extensions import db
from .text import strip_controls

# Ids and counters are 32-bit integers in the database (PostgreSQL's INTEGER).
MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class Guard:
    """Who may use a view: ``policy(user)``, or ``policy(user, thing)`` with the ``thing`` that
    ``load`` finds from the URL's arguments (404 when there is none)."""

    policy: Callable
    load: Callable | None = None

    def load_arguments(self) -> set[str]:
        return set(inspect.signature(self.load).parameters) if self.load else set()


def guard(policy: Callable, load: Callable | None = None, signed_out: Callable | None = None):
    """Refuse the request unless ``policy`` allows the current user (see ``Guard``).

    With ``load``, the view receives the loaded thing as its first argument instead of the URL
    arguments the loader took. ``signed_out(thing)`` answers a visitor who is not signed in
    instead of the sign-in page (a typing screen keeps what was sent, for instance).
    """
    rule = Guard(policy, load)
    taken = rule.load_arguments()

    def decorator(view):
        @wraps(view)
        def wrapped(**kwargs):
            if load is None:
                policy(current_user).require()
                return view(**kwargs)
            thing = load(**{name: kwargs.pop(name) for name in taken})
            verdict = policy(current_user, thing)
            if signed_out is not None and verdict.asks_sign_in:
                return signed_out(thing)
            verdict.require()
            return view(thing, **kwargs)

        wrapped.guard = rule
        return wrapped

    return decorator


def field_messages(error: ParticipationError) -> dict[str, str]:
    """The messages of a refusal by form field: its ``problems`` (a dict by field, or a list of
    (row, column, message) for a table), else its own ``field``."""
    problems = getattr(error, "problems", None)
    if isinstance(problems, dict):
        return {name: str(message) for name, message in problems.items()}
    if isinstance(problems, list):
        return {column: str(message) for _row, column, message in problems if column}
    return {error.field: str(error)} if error.field else {}


class attempt:
    """Try a service for a form page: a refusal it raises is rolled back and its messages put
    beside the fields they are about; what no field takes stays in ``error`` for the page to
    show, with what was typed.

    ``with attempt(form) as tried: …``; a ``return`` inside the block is the success path.
    """

    def __init__(self, form=None):
        self.form = form
        self.error: ParticipationError | None = None

    def __enter__(self) -> "attempt":
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        # Nobody signed in has no page to keep: the handler sends them to sign in.
        if not isinstance(error, ParticipationError) or isinstance(error, SignInRequired):
            return False
        db.session.rollback()
        self.error = error
        messages = field_messages(error)
        fields = [getattr(self.form, name, None) for name in messages]
        if self.form is not None and messages and all(field is not None for field in fields):
            for field, message in zip(fields, messages.values(), strict=True):
                if message not in field.errors:
                    field.errors = [*field.errors, message]
            self.error = None  # every message is shown beside its field
        return True


def form_status(form=None, tried: attempt | None = None, problem=None) -> int:
    """200 for a page shown; on a failed POST, the refusal's status or 400 for the form's errors."""
    if request.method != "POST":
        return 200
    problem = problem or (tried.error if tried else None)
    if problem is not None:
        return problem.status
    return 400 if form is not None and form.errors else 200


def done(url: str, message: str | None = None, category: str = "success"):
    """The end of a successful action: commit once, tell the person, go on."""
    db.session.commit()
    if message:
        flash(message, category)
    return redirect(url)


def int_arg(name: str, source=None) -> int | None:
    """A positive integer from the query string (or ``source``), or None when absent, malformed
    or beyond what the database stores."""
    value = (request.args if source is None else source).get(name, "")
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_INT else None


def page_arg(name: str = "page") -> int:
    return int_arg(name) or 1


# --- what the URL brings ---------------------------------------------------------------------


class BoundedInteger(IntegerConverter):
    """``<int:…>``: at most ``MAX_INT`` unless the rule says otherwise; beyond, no route matches."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class Segment(UnicodeConverter):
    """``<slug>`` and every string argument: one path segment without control characters
    (PostgreSQL refuses NUL in a query); with one, no route matches."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]", 1)


CONVERTERS = {"int": BoundedInteger, "default": Segment, "string": Segment}


class Request(flask.Request):
    """The request, whose query-string values lose control and invisible characters: a search
    or a filter never reaches the database with a NUL (nobody types one in an address, so
    dropping it is harmless; forms refuse them with a message instead)."""

    @cached_property
    def args(self):
        return self.parameter_storage_class(
            (key, strip_controls(value)) for key, value in super().args.items(multi=True)
        )
