"""The home page ("Hôm nay") of every role."""

from flask import Blueprint
from flask_login import current_user, login_required

from app.services import overview
from app.web import render

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    summary = overview.scope_summary(current_user)
    return render("main/home.html", summary=summary)
