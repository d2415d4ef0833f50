from . import bp


@bp.get("/users")
def users():
    return ""
