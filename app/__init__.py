"""Phủ Số: the field notebook and coverage board of community digital-technology teams."""

import gc

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app.config import INSTANCE_DIR, Config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(Config.load())
    if isinstance(app.json, DefaultJSONProvider):
        app.json.ensure_ascii = False  # Vietnamese messages readable in JSON answers
    if config:
        app.config.update(config)

    from app import connections, web
    from app.extensions import babel, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            connections.check_idle_connections(engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    htmx.init_app(app)
    web.init_app(app)

    from app.activities.views import bp as activities_bp
    from app.admin.views import bp as admin_bp
    from app.api.views import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.board.views import bp as board_bp
    from app.field.views import bp as field_bp
    from app.lists.views import bp as lists_bp
    from app.main.views import bp as main_bp
    from app.official.views import bp as official_bp
    from app.ops.views import bp as ops_bp
    from app.plans.views import bp as plans_bp
    from app.pwa.views import bp as pwa_bp
    from app.ranking.views import bp as ranking_bp
    from app.reports.views import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(field_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(lists_bp)
    app.register_blueprint(ranking_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(official_bp)

    from app.cli import register

    register(app)
    # What is made by now (modules, the app, its extensions) lives as long as the process: kept out of the
    # collector's full passes, which otherwise walk it all in the middle of a request (a board's p95 -30 %).
    gc.freeze()
    return app
