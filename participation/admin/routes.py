from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as account_services
from ..extensions import db
from ..models import Role, User
from ..permissions import role_required
from ..utils import safe_next_url
from . import bp
from .forms import RoleForm
from .services import users_query


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    search = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    page = db.paginate(
        users_query(search, role), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "admin/users.html", page=page, search=search, role=role, roles=list(Role), form=RoleForm()
    )


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.erased_at is not None:
        abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the proposed roles."), "error")
        return redirect(url_for("admin.users"))
    try:
        account_services.set_role(current_user, user, Role(form.role.data))
    except account_services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(
        _("%(name)s is now: %(role)s.", name=user.display_name, role=user.role_enum.title),
        "success",
    )
    return redirect(safe_next_url(request.form.get("back")) or url_for("admin.users"))
