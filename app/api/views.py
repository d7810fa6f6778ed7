"""The JSON sync API the offline queue talks to.

Protection against cross-site requests: the session cookie (SameSite=Lax) plus an `X-Sync-Token`
header that only our own pages can read. The token is bound to the user's session token, so it has
no time limit (a visit queued for two days still goes through) and dies with logout.
"""

import hashlib
import hmac

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.activities.forms import activity_form, activity_input
from app.api.forms import json_formdata
from app.collation import by_name
from app.extensions import csrf, db
from app.field.forms import household_form, household_input, visit_form, visit_input
from app.models import Area, Household, HouseholdStatus, Role
from app.services import activities, activity_photos, audit, visits
from app.services.lists import households
from app.services.scope import require_role, scoped

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

# One queued household or visit is a few hundred bytes (a note holds 500 characters); anything far larger is
# not from our pages and would only cost memory to parse.
MAX_BODY = 64 * 1024
# A queued activity carries its photos as base64 (four at most, 300 KB each: 4/3 as much as text).
MAX_ACTIVITY_BODY = MAX_BODY + activity_photos.MOST_PHOTOS * activity_photos.MOST_BYTES * 4 // 3


def sync_token(user) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"sync:{user.id}.{user.session_token}".encode(), hashlib.sha256).hexdigest()


def _error(status: int, message: str, field: str | None = None, errors: dict | None = None, **extra):
    body = {"error": message, **extra}
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@bp.before_request
def sync_auth():
    request.max_content_length = MAX_ACTIVITY_BODY if request.endpoint == "api.activity_create" else MAX_BODY
    if not current_user.is_authenticated:
        return _error(401, _("Your login has expired. Log in again to send what is waiting."))
    if request.method != "GET":
        token = request.headers.get("X-Sync-Token", "")
        if not _same_origin() or not hmac.compare_digest(token, sync_token(current_user)):
            audit.record(current_user, "denied.sync_token", path=request.path)
            db.session.commit()
            return _error(403, _("This request did not come from the Phủ Số app. Reload the page and try again."))
        # A phone lent between volunteers keeps each one's queue apart: an item goes only under its owner's login.
        owner = request.headers.get("X-Queue-Owner")
        if owner is not None and owner != str(current_user.id):
            audit.record(current_user, "denied.queue_owner", path=request.path)
            db.session.commit()
            return _error(403, _("This item was saved by another account on this phone; it is sent when that "
                                 "account logs in."))
    require_role(current_user, Role.VOLUNTEER, Role.TEAM_LEADER, what="sync")
    return None


@bp.route("/session")
def session_info():
    return jsonify({"user": current_user.id, "name": current_user.display_name, "sync_token": sync_token(current_user)})


@bp.route("/offline-data")
def offline_data():
    """The team's areas and active households: what the phone keeps for offline search and visits."""
    areas = db.session.execute(scoped(current_user, Area, Area.id, Area.name).where(Area.retired.is_(False))
                               .order_by(by_name(Area.name)))
    rows = db.session.execute(
        scoped(current_user, Household, Household.id, Household.client_id, Household.area_id, Household.address,
               Household.display_name, Household.search_key, Household.people, Household.eligible_people,
               Household.people_level2, Household.children, Household.children_level2)
        .where(Household.status == HouseholdStatus.ACTIVE)
        .order_by(Household.id)
    )
    keys = ["id", "client_id", "area_id", "address", "display_name", "search_key", "people", "eligible_people",
            "people_level2", "children", "children_level2"]
    return jsonify({
        "areas": [{"id": a.id, "name": a.name} for a in areas],
        "households": [dict(zip(keys, row, strict=True)) for row in rows],
    })


def _household_label(household: Household) -> str:
    """Name and address, as the phone's queue shows a household."""
    return " · ".join(part for part in (household.display_name, household.address) if part)


def _form_errors(form) -> dict:
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def _payload() -> dict | None:
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser's stack: no form sends that
        return None
    return payload if isinstance(payload, dict) else None


@bp.route("/households", methods=["POST"])
def household_create():
    payload = _payload()
    if payload is None:
        return _error(400, _("The request could not be understood. Please go back and try again."))
    form = household_form(formdata=json_formdata(payload), csrf=False)
    if not form.validate():
        return _error(422, _("Please correct the marked fields."), errors=_form_errors(form))
    try:
        household, created = households.create(current_user, household_input(form))
    except households.HouseholdError as error:
        return _error(422, str(error.message), field=error.field)
    db.session.commit()
    return jsonify({"id": household.id, "client_id": household.client_id, "created": created}), 201 if created else 200


@bp.route("/visits", methods=["POST"])
def visit_create():
    payload = _payload()
    if payload is None:
        return _error(400, _("The request could not be understood. Please go back and try again."))
    household_client_id = payload.pop("household_client_id", None)
    if household_client_id and not payload.get("household_id"):
        # A household added offline is named by the id the phone gave it; it was sent before this visit.
        found = households.by_client_id(current_user, str(household_client_id))
        if found is None:
            return _error(404, _("The household of this visit has not reached the server."), field="household_id")
        payload["household_id"] = found.id
    form = visit_form(formdata=json_formdata(payload), csrf=False)
    if not form.validate():
        return _error(422, _("Please correct the marked fields."), errors=_form_errors(form))
    try:
        # The user itself, not the proxy: the service reads its role and ids many times.
        visit, created = visits.record(current_user._get_current_object(), visit_input(form, form.client_id.data))
    except visits.HouseholdMerged as merged:
        # The phone moves the visit to the household that stayed and sends it again.
        survivor = merged.survivor
        return _error(409, str(merged.message), field=merged.field,
                      merged_into={"id": survivor.id, "label": _household_label(survivor)})
    except visits.VisitError as error:
        return _error(422, str(error.message), field=error.field)
    answer = {"id": visit.id, "client_id": visit.client_id, "created": created}  # the commit expires the visit
    db.session.commit()
    return jsonify(answer), 201 if created else 200


@bp.route("/activities", methods=["POST"])
def activity_create():
    """A queued activity: the activity form's fields as JSON, stored once per client id like a visit."""
    payload = _payload()
    if payload is None:
        return _error(400, _("The request could not be understood. Please go back and try again."))
    form = activity_form(formdata=json_formdata(payload), csrf=False)
    if not form.validate():
        return _error(422, _("Please correct the marked fields."), errors=_form_errors(form))
    try:
        activity, created = activities.record(current_user._get_current_object(), activity_input(form))
    except activities.ActivityError as error:
        return _error(422, str(error.message), field=error.field)
    answer = {"id": activity.id, "client_id": activity.client_id, "created": created}
    db.session.commit()
    return jsonify(answer), 201 if created else 200
