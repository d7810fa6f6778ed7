"""The home page ("Hôm nay") of every role."""

from flask import Blueprint, current_app, url_for
from flask_login import current_user, login_required

from app.services import figures, overview, scoring
from app.web import render

bp = Blueprint("main", __name__)

VISIT_FORM = "field.visit_new"


@bp.route("/")
@login_required
def home():
    summary = overview.scope_summary(current_user)
    if not current_user.in_team:
        return render("main/home.html", summary=summary)
    # The visit form comes with the field blueprint; until it exists there is nothing to link to.
    visit_url = url_for(VISIT_FORM) if VISIT_FORM in current_app.view_functions else None
    return render(
        "main/home.html", "main/_today.html",
        summary=summary,
        visit_url=visit_url,
        mine=figures.my_visits(current_user),
        visits=figures.my_visits_today(current_user),
        team_week=figures.team_week(current_user),
        followups=figures.followups_due(current_user),
        ranks=scoring.my_team_ranks(current_user),
    )
