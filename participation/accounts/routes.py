from . import bp, loader  # noqa: F401


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    return ""


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    return ""


@bp.post("/sign-out")
def sign_out():
    return ""


@bp.get("/account")
def account():
    return ""
