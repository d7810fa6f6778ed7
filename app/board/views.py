"""The team board: a team leader's view of its areas, members and follow-ups, and who works which area."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.board.forms import AreaAssignmentForm
from app.extensions import db, htmx
from app.models import Role, Team
from app.services import figures, teams
from app.services.scope import get_in_scope, require_role
from app.web import render

bp = Blueprint("board", __name__)


def _leaders_team() -> Team:
    require_role(current_user, Role.TEAM_LEADER, what="team board")
    return get_in_scope(current_user, Team, current_user.team_id)


def _assignment_context(form: AreaAssignmentForm) -> dict:
    members = figures.members_week(current_user)
    areas = figures.area_coverage(current_user)
    # A form sent back with errors shows what was ticked, not what is stored.
    sent = form.pairs.data
    ticked = set(sent) if sent is not None else figures.area_assignments(current_user)
    return {"form": form, "members": members, "areas": areas, "ticked": ticked}


@bp.route("/team")
@login_required
def team():
    board_team = _leaders_team()
    return render(
        "board/team.html", "board/_team.html",
        team=board_team,
        backlog=figures.followup_backlog(current_user),
        followups=figures.followups_due(current_user),
        **_assignment_context(AreaAssignmentForm(formdata=None)),
    )


@bp.route("/team/assignments", methods=["POST"])
@login_required
def assignments():
    board_team = _leaders_team()
    form = AreaAssignmentForm()
    if not form.validate_on_submit():
        return render("board/assignments.html", "board/_assignments.html", 422, **_assignment_context(form))
    teams.assign_areas(current_user, board_team, form.members.data, form.pairs.data)
    db.session.commit()
    message = _("Area assignments saved.")
    if not htmx:
        flash(message, "success")
        return redirect(url_for("board.team", _anchor="assignments"), 303)
    return render("board/assignments.html", "board/_assignments.html", saved=message,
                  **_assignment_context(AreaAssignmentForm(formdata=None)))
