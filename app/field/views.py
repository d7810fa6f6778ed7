"""The volunteer's daily work: find or add a household, log a visit, see and correct my visits."""

import uuid
from datetime import date

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from sqlalchemy import func

from app.clock import local_day_bounds, utcnow
from app.extensions import db
from app.field.forms import household_form, household_input, visit_form, visit_input
from app.forms import FIRST_DAY, LAST_DAY, show_refusal
from app.models import Household, Role, Visit
from app.services import visits
from app.services.lists import households
from app.services.scope import RoleDenied, get_in_scope, require_role, scoped
from app.web import page_number, render

bp = Blueprint("field", __name__)

FIELD_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)
SEARCH_MAX = 100
PAGE_SIZE = 50
HISTORY_SHOWN = 20  # a household's latest visits; "see all" pages through the rest


@bp.before_request
@login_required
def team_members_only():
    # Coordinators keep the ward's household list from their own screens; here is the field notebook.
    require_role(current_user, *FIELD_ROLES, what="field")


@bp.route("/households")
def households_list():
    query = request.args.get("q", "")[:SEARCH_MAX]
    pick = request.args.get("pick") == "1"
    results = households.search(current_user, query)
    return render("field/households.html", "field/_household_results.html",
                  query=query, results=results, pick=pick)


@bp.route("/households/new", methods=["GET", "POST"])
def household_new():
    form = household_form()
    if not form.is_submitted():
        form.client_id.data = str(uuid.uuid4())
        assigned = current_user.assigned_areas
        if assigned:
            form.area_id.data = assigned[0].id
    duplicates = []
    if form.validate_on_submit():
        duplicates = households.likely_duplicates(current_user, form.area_id.data, form.address.data)
        if not duplicates or form.confirm_new.data:
            try:
                household, _created = households.create(current_user, household_input(form))
            except households.HouseholdError as error:
                show_refusal(form, error)
            else:
                db.session.commit()
                flash(_("Household added."), "success")
                return redirect(url_for("field.visit_new", household=household.id), 303)
    status = 422 if form.errors or duplicates else 200
    return render("field/household_form.html", status=status, form=form, duplicates=duplicates)


@bp.route("/households/<household_id>")
def household(household_id):
    home = get_in_scope(current_user, Household, household_id)
    visits_of_home = scoped(current_user, Visit).where(Visit.household_id == home.id)
    history = db.session.scalars(visits_of_home.order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(HISTORY_SHOWN))
    total = db.session.scalar(visits_of_home.with_only_columns(func.count(Visit.id)))
    return render("field/household.html", household=home, history=list(history), total=total)


def _local_now():
    return to_user_timezone(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


@bp.route("/visits/new", methods=["GET", "POST"])
def visit_new():
    household_id = request.values.get("household") or request.form.get("household_id")
    client_ref = request.values.get("household_client") or request.form.get("household_client_id")
    if not household_id and client_ref:
        # A household added on the phone: once it has reached the server, use its id.
        found = households.by_client_id(current_user, client_ref)
        if found is None:
            return visit_shell()
        household_id = found.id
    if not household_id:
        # First choose the household: the search page in "pick" mode.
        return redirect(url_for("field.households_list", pick=1))
    home = get_in_scope(current_user, Household, household_id)
    form = visit_form()
    if not form.is_submitted():
        form.client_id.data = str(uuid.uuid4())  # made when the form opens: a resend is recognised
        form.household_id.data = str(home.id)
        form.closes_followup.data = request.args.get("followup", "")
        form.visited_at.data = _local_now()
    if form.validate_on_submit():
        try:
            visit, created = visits.record(current_user, visit_input(form, form.client_id.data))
        except visits.VisitError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            if not created:  # the same form sent again: answer with what was stored the first time
                flash(_("This visit was already saved."), "success")
                return redirect(url_for("field.visit", visit_id=visit.id), 303)
            flash(_("Visit saved."), "success")
            return redirect(url_for("main.home"), 303)
    return render("field/visit_form.html", status=422 if form.errors else 200, form=form, household=home,
                  action=url_for("field.visit_new", household=home.id))


@bp.route("/visits/offline-form")
def visit_shell():
    """The visit form without a household: the phone keeps it and fills in the household itself."""
    form = visit_form()
    form.client_id.data = str(uuid.uuid4())
    form.visited_at.data = _local_now()
    return render("field/visit_form.html", form=form, household=None, action=url_for("field.visit_new"))


def _visit_in_scope(visit_id) -> Visit:
    return get_in_scope(current_user, Visit, visit_id)


@bp.route("/visits")
def visits_list():
    """The volunteer's own visits (a leader: the team's), or one household's, or one day's: the "see all" of
    the home page and of a household's page."""
    stmt, day, home = scoped(current_user, Visit), _day_asked(), None
    if request.args.get("household"):
        home = get_in_scope(current_user, Household, request.args["household"])
        stmt = stmt.where(Visit.household_id == home.id)
    elif current_user.role == Role.VOLUNTEER:
        stmt = stmt.where(Visit.volunteer_id == current_user.id)
    if day:
        start, end = local_day_bounds(day)
        stmt = stmt.where(Visit.visited_at >= start, Visit.visited_at < end)
    pages = db.paginate(stmt.order_by(Visit.visited_at.desc(), Visit.id.desc()), page=page_number(),
                        per_page=PAGE_SIZE, error_out=False)
    filters = {key: request.args[key] for key in ("day", "household") if request.args.get(key) and (key != "day" or day)}
    return render("field/visits.html", visits=pages.items, page=pages.page, pages=pages.pages, total=pages.total,
                  day=day, household=home, filters=filters)


def _day_asked() -> date | None:
    if not request.args.get("day"):
        return None
    try:
        day = date.fromisoformat(request.args["day"])
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        flash(_("That is not a date: all days are shown."), "error")
        return None
    return day


@bp.route("/visits/<visit_id>")
def visit(visit_id):
    record = _visit_in_scope(visit_id)
    return render("field/visit.html", visit=record, can_change=visits.can_change(current_user, record))


@bp.route("/visits/<visit_id>/edit", methods=["GET", "POST"])
def visit_edit(visit_id):
    record = _visit_in_scope(visit_id)
    if not visits.can_change(current_user, record):
        raise RoleDenied("visit.edit")
    form = visit_form(obj=record)
    if not form.is_submitted():
        form.visited_at.data = to_user_timezone(record.visited_at).replace(tzinfo=None)
        form.services.data = record.service_codes
        form.helper_ids.data = [u.id for u in record.helpers]
    form.client_id.data, form.household_id.data = record.client_id, str(record.household_id)
    if form.validate_on_submit():
        try:
            visits.update(current_user, record, visit_input(form, record.client_id))
        except visits.VisitError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Visit updated."), "success")
            return redirect(url_for("field.visit", visit_id=record.id), 303)
    return render("field/visit_form.html", status=422 if form.errors else 200, form=form,
                  household=record.household, action=url_for("field.visit_edit", visit_id=record.id), editing=True)


@bp.route("/visits/<visit_id>/delete", methods=["POST"])
def visit_delete(visit_id):
    record = _visit_in_scope(visit_id)
    visits.delete(current_user, record)
    db.session.commit()
    flash(_("Visit deleted."), "success")
    return redirect(url_for("field.visits_list"), 303)

