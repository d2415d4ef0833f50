"""Reading accounts for administrators."""

from sqlalchemy import or_, select

from ..models import Role, User


def users_query(search: str = "", role: str = ""):
    query = select(User).where(User.erased_at.is_(None)).order_by(User.created_at.desc(), User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    return query
