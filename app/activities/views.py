"""Activities beyond household visits: a team records them on the phone (offline too); the coordinator lists the
unit's."""

import uuid

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.activities.forms import PhotoForm, activity_form, activity_input, uploaded_photos
from app.clock import local_today
from app.extensions import db
from app.forms import show_refusal
from app.models import ONLINE_SERVICES, Activity, Role
from app.services import activities, activity_photos
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
            activity, created = activities.record(current_user._get_current_object(),
                                                  activity_input(form, uploaded_photos(request.files.getlist("photo_files"))))
        except activities.ActivityError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            if not created:  # the same form sent again: answer with what was stored the first time
                flash(_("This activity was already saved."), "success")
                return redirect(url_for("activities.activity", activity_id=activity.id), 303)
            flash(_("Activity saved."), "success")
            return redirect(url_for("activities.activities_list"), 303)
    return render("activities/form.html", status=422 if form.errors else 200, form=form,
                  most_photos=activity_photos.MOST_PHOTOS)


@bp.route("")
def activities_list():
    items, pages = activities.listed(current_user, page_number(), PAGE_SIZE)
    return render("activities/list.html", activities=items, page=page_number(), pages=pages,
                  may_record=current_user.role in RECORDING_ROLES)


def _activity_page(record: Activity, photo_form: PhotoForm, status: int = 200):
    return render("activities/activity.html", status=status, activity=record, photo_form=photo_form,
                  can_change=activities.can_change(current_user, record), online_services=ONLINE_SERVICES,
                  may_change_photos=activity_photos.may_change_photos(current_user, record),
                  most_photos=activity_photos.MOST_PHOTOS)


@bp.route("/<activity_id>")
def activity(activity_id):
    return _activity_page(get_in_scope(current_user, Activity, activity_id), PhotoForm(formdata=None))


@bp.route("/<activity_id>/photos", methods=["POST"])
def add_photos(activity_id):
    record = get_in_scope(current_user, Activity, activity_id)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            activity_photos.add(current_user, record,
                                [*form.photos.data, *uploaded_photos(request.files.getlist("photo_files"))])
        except activity_photos.PhotoError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Photos saved."), "success")
            return redirect(url_for("activities.activity", activity_id=record.id), 303)
    return _activity_page(record, form, status=422)


@bp.route("/<activity_id>/photos/<int:position>")
def photo(activity_id, position):
    """A photo, only within the activity's scope (never a static file): private to the browser that asked."""
    found = activity_photos.photo_in_scope(current_user, activity_id, position)
    response = Response(found.content, mimetype=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = f'inline; filename="activity-{found.activity_id}-{position}.jpg"'
    return response


@bp.route("/<activity_id>/photos/<int:position>/delete", methods=["POST"])
def delete_photo(activity_id, position):
    record = get_in_scope(current_user, Activity, activity_id)
    activity_photos.remove(current_user, record, position)
    db.session.commit()
    flash(_("Photo removed."), "success")
    return redirect(url_for("activities.activity", activity_id=record.id), 303)


@bp.route("/<activity_id>/delete", methods=["POST"])
def delete(activity_id):
    record = get_in_scope(current_user, Activity, activity_id)
    activities.delete(current_user, record)
    db.session.commit()
    flash(_("Activity deleted."), "success")
    return redirect(url_for("activities.activities_list"), 303)
