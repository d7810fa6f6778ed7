"""Activities beyond household visits: a team records them on the phone (offline too); the coordinator lists the
unit's."""

import uuid

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.activities.forms import activity_form, activity_input
from app.clock import local_today
from app.extensions import db
from app.forms import show_refusal
from app.models import ONLINE_SERVICES, Activity, Role
from app.services import activities
from app.services.scope import get_in_scope, require_role
from app.web import page_number, render

bp = Blueprint("activities", __name__, url_prefix="/activities")

PAGE_SIZE = 30
RECORDING_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)


@bp.before_request
@login_required
def in_a_unit():
    require_role(current_user, *RECORDING_ROLES, Role.COORDINATOR, what="activities")


@bp.route("/new", methods=["GET", "POST"])
def new():
    require_role(current_user, *RECORDING_ROLES, what="activity.record")
    form = activity_form()
    if not form.is_submitted():
        form.client_id.data = str(uuid.uuid4())  # made when the form opens: a resend is recognised
        form.held_on.data = local_today()
    if form.validate_on_submit():
        try:
            activity, created = activities.record(current_user._get_current_object(), activity_input(form))
        except activities.ActivityError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            if not created:  # the same form sent again: answer with what was stored the first time
                flash(_("This activity was already saved."), "success")
                return redirect(url_for("activities.activity", activity_id=activity.id), 303)
            flash(_("Activity saved."), "success")
            return redirect(url_for("activities.activities_list"), 303)
    return render("activities/form.html", status=422 if form.errors else 200, form=form)


@bp.route("")
def activities_list():
    items, pages = activities.listed(current_user, page_number(), PAGE_SIZE)
    return render("activities/list.html", activities=items, page=page_number(), pages=pages,
                  may_record=current_user.role in RECORDING_ROLES)


@bp.route("/<activity_id>")
def activity(activity_id):
    record = get_in_scope(current_user, Activity, activity_id)
    return render("activities/activity.html", activity=record,
                  can_change=activities.can_change(current_user, record), online_services=ONLINE_SERVICES)


@bp.route("/<activity_id>/delete", methods=["POST"])
def delete(activity_id):
    record = get_in_scope(current_user, Activity, activity_id)
    activities.delete(current_user, record)
    db.session.commit()
    flash(_("Activity deleted."), "success")
    return redirect(url_for("activities.activities_list"), 303)
