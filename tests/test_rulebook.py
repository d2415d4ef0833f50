"""No rule of the rulebook is stated in a second place: a search of the code for each finds one
home.

The source of ``participation/`` (parsed) and of ``templates/`` (read line by line) is searched
for the usual ways a rule gets copied where it is needed: a set of proposal statuses, the
"publicly visible" filter written out again, a role test, a refusal of its own. Each finding
outside the rule's home fails the test, with the place and the home to ask instead.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from participation.models import ProposalStatus, Role

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Rule:
    what: str
    # Files (or folders, ending with "/") where the rule lives, relative to the repository.
    homes: tuple[str, ...]
    ask_instead: str

    def is_home(self, path: str) -> bool:
        return any(
            path == home or (home.endswith("/") and path.startswith(home)) for home in self.homes
        )


STATE = "participation/proposals/state.py"
MODELS = "participation/models/"
POLICY = "participation/policy.py"

RULES = {
    "status-set": Rule(
        "a set or list of proposal statuses",
        (STATE, MODELS),
        "proposals.state: allows(), statuses_allowing(), sources_of(), PUBLIC_STATUSES",
    ),
    "visible-statuses": Rule(
        "the public statuses as a filter, without the rest of the rule of visibility",
        (MODELS,),
        "Proposal.is_visible",
    ),
    "visibility-filter": Rule(
        "a hidden_at / deleted_at IS NULL filter",
        # The hybrids, and the services that flip the columns (hiding, deleting a comment).
        (
            MODELS,
            "participation/moderation/reports.py",
            "participation/comments/services.py",
        ),
        "Proposal.is_visible, Comment.is_published, Deliberation.visible_proposals",
    ),
    "has-role": Rule(
        "a role test with has_role()",
        (POLICY, "participation/models/user.py", "participation/moderation/rules.py"),
        "policy: can_moderate, can_administer, is_facilitator, is_moderator, is_admin",
    ),
    "role-compared": Rule(
        "a role compared with a role, or a set of roles",
        (POLICY, "participation/models/user.py", "participation/accounts/rules.py"),
        "policy (who is acting) and accounts.rules (the last administrator)",
    ),
    "abort-403": Rule(
        "a refusal of its own with abort(403)", (), "a can_* verdict and views.guard"
    ),
    "is-moderator": Rule("is_moderator defined again", (POLICY,), "policy.is_moderator"),
    "template-class": Rule(
        "a template testing an error's class", (), "a rule's verdict and the explain() macro"
    ),
    "template-status": Rule(
        "a template comparing a status with a raw value",
        (),
        "a rule (rules.proposals…, rules.state.allows) or the status's title",
    ),
}

# Findings in the areas of other branches, left for them: each (rule, file) must disappear from
# this list once that area asks the rule's home. Temporary: remove an entry as soon as its file
# is fixed (the last test below fails while an entry is no longer needed).
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        rule = RULES[self.rule]
        return f"{self.path}:{self.line}: {rule.what}: {self.text!r}; ask {rule.ask_instead}"


# --- Python ----------------------------------------------------------------------------------

STATUS_VALUES = {status.value for status in ProposalStatus}
ROLE_VALUES = {role.value for role in Role}


def _aliases(tree: ast.Module, enum_name: str) -> set[str]:
    """Names under which the module knows ``enum_name`` (``S = ProposalStatus``, ``as``)."""
    names = {enum_name}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            if node.value.id in names:
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.name == enum_name and a.asname)
    return names


def _member(node: ast.AST, enum_names: set[str]) -> bool:
    """``Enum.MEMBER`` or ``Enum.MEMBER.value``."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in enum_names
        and node.attr.isupper()
    )


def _string_in(node: ast.AST, values: set[str]) -> bool:
    return isinstance(node, ast.Constant) and node.value in values


def _role(node: ast.AST, roles: set[str]) -> bool:
    """A role, or a collection of roles, written out: ``Role.ADMIN``, ``("moderator", …)``."""
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return any(_role(element, roles) for element in node.elts)
    return _member(node, roles) or _string_in(node, ROLE_VALUES)


def _named(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _column(node: ast.AST, names: tuple[str, ...]) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in names


def _python_findings(source: str) -> Iterator[tuple[str, ast.AST]]:
    tree = ast.parse(source)
    statuses = _aliases(tree, "ProposalStatus")
    roles = _aliases(tree, "Role")
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            members = sum(_member(e, statuses) for e in node.elts)
            raw = [e for e in node.elts if _string_in(e, STATUS_VALUES)]
            if members or (len(raw) >= 2 and len(raw) == len(node.elts)):
                yield "status-set", node
            if any(_member(e, roles) for e in node.elts):
                yield "role-compared", node
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for generator in node.generators:
                if generator.ifs and isinstance(generator.iter, ast.Name):
                    if generator.iter.id in statuses:
                        yield "status-set", node
                    elif generator.iter.id in roles:
                        yield "role-compared", node
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr == "in_" and node.args:
                argument = node.args[0]
                if _named(argument, "PUBLIC_STATUSES") or (
                    isinstance(argument, ast.Call)
                    and _named(argument.func, "statuses_allowing")
                    and argument.args
                    and _named(argument.args[0], "PUBLIC")
                ):
                    yield "visible-statuses", node
                if _column(function.value, ("role",)):
                    yield "role-compared", node
            if (
                isinstance(function, ast.Attribute)
                and function.attr in ("is_", "__eq__")
                and _column(function.value, ("hidden_at", "deleted_at"))
                and node.args
                and _is_none(node.args[0])
            ):
                yield "visibility-filter", node
            if _named(function, "has_role"):
                yield "has-role", node
            if (
                _named(function, "abort")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == 403
            ):
                yield "abort-403", node
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if (
                any(isinstance(op, ast.Eq | ast.Is) for op in node.ops)
                and any(map(_is_none, sides))
                and any(_column(side, ("hidden_at", "deleted_at")) for side in sides)
            ):
                yield "visibility-filter", node
            if any(_column(side, ("role",)) for side in sides) and any(
                _role(side, roles) for side in sides
            ):
                yield "role-compared", node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name == "is_moderator":
                yield "is-moderator", node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_named(target, "is_moderator") for target in targets):
                yield "is-moderator", node


def python_findings() -> Iterator[Finding]:
    for file in sorted((ROOT / "participation").rglob("*.py")):
        path = file.relative_to(ROOT).as_posix()
        source = file.read_text(encoding="utf-8")
        lines = source.splitlines()
        seen = set()
        for rule, node in _python_findings(source):
            # A tuple inside a set is one restatement, not two.
            if (rule, node.lineno) in seen or RULES[rule].is_home(path):
                continue
            seen.add((rule, node.lineno))
            yield Finding(rule, path, node.lineno, lines[node.lineno - 1].strip())


# --- templates -------------------------------------------------------------------------------

TEMPLATE_PATTERNS = {
    "template-class": re.compile(r"__class__"),
    # ``x.status == 'published'``, ``x.status != 403``, ``x.status in ['…', …]``
    "template-status": re.compile(
        r"\.status\s*(?:==|!=)\s*(?:['\"]|\d)|\.status\s+(?:not\s+)?in\s*[\[(]"
    ),
    "has-role": re.compile(r"\bhas_role\("),
    "is-moderator": re.compile(r"\{%-?\s*(?:set|macro)\s+is_moderator\b"),
}


def template_findings() -> Iterator[Finding]:
    for file in sorted((ROOT / "templates").rglob("*.html")) + sorted(
        (ROOT / "templates").rglob("*.txt")
    ):
        path = file.relative_to(ROOT).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            for rule, pattern in TEMPLATE_PATTERNS.items():
                if pattern.search(line) and not RULES[rule].is_home(path):
                    yield Finding(rule, path, number, line.strip())


def findings() -> list[Finding]:
    return [*python_findings(), *template_findings()]


# --- the tests -------------------------------------------------------------------------------


def test_every_rule_has_one_home():
    restated = [f for f in findings() if (f.rule, f.path) not in ALLOWED_FOR_NOW]
    assert restated == [], "\n".join(["Rules stated outside their home:", *map(str, restated)])


def test_the_allow_list_is_still_needed():
    found = {(f.rule, f.path) for f in findings()}
    fixed = sorted(ALLOWED_FOR_NOW - found)
    assert fixed == [], f"Fixed since: remove from ALLOWED_FOR_NOW: {fixed}"


@pytest.mark.parametrize(
    ("rule", "source"),
    [
        ("status-set", "x = {ProposalStatus.PUBLISHED, ProposalStatus.RETAINED}"),
        ("status-set", "S = ProposalStatus\nok = p.status in (S.RETAINED,)"),
        ("status-set", "q.where(Proposal.status.in_(['published', 'retained']))"),
        ("status-set", "public = [s for s in ProposalStatus if s.is_public]"),
        ("visible-statuses", "q.where(Proposal.status.in_(PUBLIC_STATUSES))"),
        ("visible-statuses", "q.where(P.status.in_(statuses_allowing(Allows.PUBLIC)))"),
        ("visibility-filter", "q.where(Comment.deleted_at.is_(None))"),
        ("visibility-filter", "q.where(Proposal.hidden_at == None)"),
        ("visibility-filter", "shown = comment.deleted_at is None"),
        ("has-role", "if user.has_role(Role.MODERATOR): pass"),
        ("role-compared", "if user.role == Role.ADMIN: pass"),
        ("role-compared", "if user.role in ('moderator', 'admin'): pass"),
        ("role-compared", "q.where(User.role.in_([r for r in Role if r.rank > 1]))"),
        ("abort-403", "abort(403)"),
        ("is-moderator", "def is_moderator(user):\n    return True"),
        ("is-moderator", "is_moderator = lambda user: True"),
    ],
)
def test_the_search_finds_a_restated_rule(rule, source):
    # The search itself can fail: each example is found.
    assert rule in {found for found, _node in _python_findings(source)}


@pytest.mark.parametrize(
    "line",
    [
        "{% if error.__class__.__name__ == 'PhaseClosed' %}",
        "{% if proposal.status == 'submitted' %}",
        "{% if problem.status == 403 %}",
        "{% if p.status in ['retained', 'promoted'] %}",
        "{% if current_user.has_role('moderator') %}",
        "{% set is_moderator = current_user.role == 'moderator' %}",
    ],
)
def test_the_search_finds_a_restated_rule_in_a_template(line):
    assert any(pattern.search(line) for pattern in TEMPLATE_PATTERNS.values())
