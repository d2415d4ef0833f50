"""The Béthune à 2032 participation platform."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides what ``config.py`` reads from the environment."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from config import load_config

    from .views import CONVERTERS, Request

    # Before any route is added: every rule's arguments are bounded (see views.py).
    app.url_map.converters.update(CONVERTERS)
    app.request_class = Request

    app.config.update(load_config())
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import errors, fragments, i18n, logs, security, templating
    from .extensions import cache, csrf, db, limiter, login_manager, migrate

    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    cache.init_app(app)
    fragments.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)

    from . import database

    database.init_app(app)

    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .comments import bp as comments_bp
    from .deliberations import bp as deliberations_bp
    from .following import bp as following_bp
    from .health import bp as health_bp
    from .main import bp as main_bp
    from .masterplan import bp as masterplan_bp
    from .me import bp as me_bp
    from .moderation import bp as moderation_bp
    from .opendata import bp as opendata_bp
    from .pillars import bp as pillars_bp
    from .proposals import bp as proposals_bp
    from .rounds import bp as rounds_bp
    from .search import bp as search_bp
    from .workshops import bp as workshops_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(pillars_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(deliberations_bp)
    app.register_blueprint(masterplan_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(me_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(following_bp)
    app.register_blueprint(search_bp)

    # After errors.init_app: the API answers its own errors in JSON.
    from . import api

    api.init_app(app)

    from .cli import register_cli

    register_cli(app)
    if app.config["MAIL_WORKER_THREAD"]:
        from .outbox import start_thread

        start_thread(app)
    return app
