"""Accessibility check with axe-core (WCAG 2.1 A and AA rules), run inside the page.

The axe.min.js bundled with axe-playwright-python is injected: nothing is fetched from the network.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def violations_report(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line.strip()}" for line in summary.splitlines() if line.strip())
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail with a readable report when axe finds any WCAG 2.1 A/AA violation on ``page``."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    # A run that checked nothing (axe not injected, empty page) must not pass silently.
    assert results.response["passes"], f"{page.url}: axe checked no rule"
    violations = results.response["violations"]
    assert not violations, f"{page.url}\n{violations_report(violations)}"
