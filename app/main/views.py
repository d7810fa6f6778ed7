"""The home page ("Hôm nay") of every role."""

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.extensions import db
from app.models import Visit
from app.services import plans, ranking, visits
from app.services.reports import figures, overview
from app.services.scope import TEAM_ROLES, get_in_scope, may, require_role
from app.web import page_number, render, safe_next

bp = Blueprint("main", __name__)

VISIT_FORM = "field.visit_new"
UNDO_KEY = "undo_followup"
FOLLOWUPS_PAGE = 50


@bp.route("/")
@login_required
def home():
    summary = overview.scope_summary(current_user)
    if not may(current_user, *TEAM_ROLES):  # staff, or a member not (or no longer) in a team
        return render("main/home.html", summary=summary)
    # The visit form comes with the field blueprint; until it exists there is nothing to link to.
    visit_url = url_for(VISIT_FORM) if VISIT_FORM in current_app.view_functions else None
    return render(
        "main/home.html", "main/_today.html",
        summary=summary,
        visit_url=visit_url,
        mine=figures.my_visits(current_user),
        visits=figures.my_visits_today(current_user),
        today=local_today(),
        team_week=figures.team_week(current_user),
        backlog=figures.followup_backlog(current_user),
        followups=figures.open_followups(current_user),
        ranks=ranking.my_team_ranks(current_user),
        plan_today=plans.today_for(current_user),
    )


@bp.app_template_global()
def just_closed_followup() -> Visit | None:
    """The follow-up closed by hand a moment ago, offered once for undoing on the next list of follow-ups."""
    visit_id = session.pop(UNDO_KEY, None)
    return None if visit_id is None else get_in_scope(current_user, Visit, visit_id)


@bp.route("/followups")
@login_required
def followups():
    """Every open follow-up of the team, a page at a time: the "see all" of the home page and the team board."""
    require_role(current_user, *TEAM_ROLES, what="followups")
    return render("main/followups.html", backlog=figures.followup_backlog(current_user),
                  followups=figures.open_followups(current_user, page_number(), FOLLOWUPS_PAGE))


@bp.route("/followups/<visit_id>/close")
@login_required
def confirm_close_followup(visit_id):
    """Closing a follow-up without going back is asked twice: logging the return visit is the way that counts."""
    visit = get_in_scope(current_user, Visit, visit_id)
    require_role(current_user, *TEAM_ROLES, what="followup.close")
    return render("main/close_followup.html", visit=visit, next=safe_next(request.args.get("next")))


def _change_followup(visit_id, change) -> bool:
    """Close or reopen a follow-up of the actor's team; a refusal is shown on the next page."""
    visit = get_in_scope(current_user, Visit, visit_id)
    try:
        change(current_user, visit)
    except visits.VisitError as error:
        flash(str(error.message), "error")
        return False
    db.session.commit()
    return True


@bp.route("/followups/<visit_id>/close", methods=["POST"])
@login_required
def close_followup(visit_id):
    if _change_followup(visit_id, visits.close_followup):
        session[UNDO_KEY] = int(visit_id)  # the next page offers to undo it
    return redirect(safe_next(request.form.get("next")), 303)


@bp.route("/followups/<visit_id>/reopen", methods=["POST"])
@login_required
def reopen_followup(visit_id):
    if _change_followup(visit_id, visits.reopen_followup):
        flash(_("The follow-up is open again."), "success")
    return redirect(safe_next(request.form.get("next")), 303)
