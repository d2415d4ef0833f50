"""The rulebook: every chapter of who may do what, and what is public, in one namespace.

Templates read it as ``rules`` (``rules.proposals.can_edit(current_user, proposal)``); the route
× role test walks it. Each chapter is a module of ``can_*(actor, thing)`` functions returning
verdicts (see ``policy``):

- ``policy``: who is acting (signed in, active, a role), the grammar of verdicts;
- ``proposals``: viewing, submitting, editing, withdrawing, supporting; ``state``: the status
  machine and what each status allows;
- ``comments``: commenting, replying, editing and deleting comments, seeing hidden ones;
- ``moderation``: reporting, hiding, deciding, merging, blocking;
- ``deliberations``: council sessions, promotion;
- ``masterplan``: actions, their tracking and notes, carriers, partners and the city's answers;
- ``following``: following proposals, one's notifications;
- ``workshops``: planning, managing, typing paper in;
- ``accounts``: roles and the last administrator;
- ``rounds``: creating and editing consultations;
- ``admin``: reading the mail outbox and sending an undelivered message again.
"""

from types import SimpleNamespace

from . import policy
from .accounts import rules as accounts
from .admin import rules as admin
from .comments import rules as comments
from .deliberations import rules as deliberations
from .following import rules as following
from .masterplan import rules as masterplan
from .moderation import rules as moderation
from .proposals import rules as proposals
from .proposals import state
from .rounds import rules as rounds
from .workshops import rules as workshops

rulebook = SimpleNamespace(
    policy=policy,
    state=state,
    proposals=proposals,
    comments=comments,
    moderation=moderation,
    deliberations=deliberations,
    masterplan=masterplan,
    following=following,
    workshops=workshops,
    accounts=accounts,
    rounds=rounds,
    admin=admin,
)
