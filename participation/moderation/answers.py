"""Answer templates: the public answers moderators start from, in French or English.

Any moderator creates, changes and deletes them (``policy.can_moderate``); the audit log keeps
each change. Services flush and never commit.
"""

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import AnswerLanguage, AnswerTemplate, User, utcnow
from ..policy import can_moderate
from . import errors


def answer_templates() -> list[AnswerTemplate]:
    """Every template, French ones first, then by title."""
    return list(
        db.session.scalars(
            select(AnswerTemplate).order_by(
                AnswerTemplate.language.desc(), AnswerTemplate.title, AnswerTemplate.id
            )
        )
    )


def answer_template(template_id: int | None) -> AnswerTemplate | None:
    return db.session.get(AnswerTemplate, template_id) if template_id else None


def _title_taken(language: AnswerLanguage, title: str, but: int | None = None) -> bool:
    query = select(AnswerTemplate.id).where(
        AnswerTemplate.language == language, AnswerTemplate.title == title
    )
    if but is not None:
        query = query.where(AnswerTemplate.id != but)
    return db.session.scalar(query.limit(1)) is not None


def create_answer_template(
    actor: User, title: str, body: str, language: AnswerLanguage
) -> AnswerTemplate:
    can_moderate(actor).require()
    title, body = title.strip(), body.strip()
    if _title_taken(language, title):
        raise errors.AnswerTitleTaken()
    template = AnswerTemplate(title=title, body=body, language=language, created_by_id=actor.id)
    db.session.add(template)
    db.session.flush()
    audit.log(actor, "answer_template.create", template, after={"title": title})
    return template


def update_answer_template(
    template: AnswerTemplate, actor: User, title: str, body: str, language: AnswerLanguage
) -> None:
    can_moderate(actor).require()
    title, body = title.strip(), body.strip()
    if _title_taken(language, title, but=template.id):
        raise errors.AnswerTitleTaken()
    before = {"title": template.title, "body": template.body, "language": template.language}
    template.title, template.body, template.language = title, body, language
    template.updated_at = utcnow()
    audit.log(
        actor,
        "answer_template.update",
        template,
        before=before,
        after={"title": title, "body": body, "language": language},
    )
    db.session.flush()


def delete_answer_template(template: AnswerTemplate, actor: User) -> None:
    can_moderate(actor).require()
    audit.log(actor, "answer_template.delete", template, before={"title": template.title})
    db.session.delete(template)
    db.session.flush()
