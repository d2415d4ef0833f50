"""Fixtures of the moderation tests."""

import pytest

from participation.extensions import db
from participation.models import AnswerTemplate, Comment
from participation.text import render_markdown


@pytest.fixture
def targets(create_proposal, create_user):
    """A proposal, a comment and an account that the moderation routes' addresses name: the
    refusal must come from who is asking, not from a missing page."""
    proposal = create_proposal()
    comment = Comment(
        proposal_id=proposal.id,
        author_id=create_user().id,
        body="Un avis",
        body_html=render_markdown("Un avis"),
    )
    template = AnswerTemplate(title="À l’étude", body="Les services étudient la faisabilité.")
    db.session.add_all([comment, template])
    db.session.commit()
    return {
        "proposal_id": proposal.id,
        "comment_id": comment.id,
        "user_id": create_user().id,
        "answer_id": template.id,
    }


def moderation_routes(app, targets):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("moderation."):
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", str(targets[arg]))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url
