"""What a deployment needs from the app itself: a health check for the load balancer."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the app can reach its database, 503 when it cannot (the proxy then stops sending traffic)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": False}), 503
    return jsonify({"status": "ok", "database": True})
