"""A team's plan: its leader sets out dated activities and area sweeps, its members read the week; the coordinator
reads each team's week, planned against done."""

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.extensions import db
from app.forms import FIRST_DAY, LAST_DAY, parse_day, show_refusal
from app.models import PlanItem, Role
from app.plans.forms import plan_form, plan_input
from app.services import plans
from app.services.scope import TEAM_ROLES, RoleDenied, get_in_scope, require_role
from app.web import render

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.before_request
@login_required
def in_a_unit():
    require_role(current_user, *TEAM_ROLES, Role.COORDINATOR, what="plans")


def _asked_week() -> tuple[date, date]:
    """Monday and Sunday of the week `?week=` names (any of its days), else of this week."""
    day = parse_day(request.args.get("week", ""))
    if day is None or not FIRST_DAY + timedelta(days=7) <= day <= LAST_DAY - timedelta(days=7):
        day = local_today()
    return plans.week_of(day)


def _week_links(endpoint: str, monday: date) -> dict:
    return {"previous": url_for(endpoint, week=(monday - timedelta(days=7)).isoformat()),
            "next": url_for(endpoint, week=(monday + timedelta(days=7)).isoformat()),
            "this_week": url_for(endpoint) if plans.week_of(local_today())[0] != monday else None}


def _by_day(planned: list[plans.Planned]) -> list[tuple[date, str, list[plans.Planned]]]:
    days: dict[date, list[plans.Planned]] = {}
    for p in planned:
        days.setdefault(p.item.planned_on, []).append(p)
    return [(day, format_date(day, "EEEE"), items) for day, items in days.items()]


@bp.route("")
def week():
    monday, sunday = _asked_week()
    planned = plans.team_week(current_user, monday)
    is_leader = current_user.role == Role.TEAM_LEADER
    return render("plans/week.html", days=_by_day(planned), monday=monday, sunday=sunday,
                  links=_week_links("plans.week", monday), is_leader=is_leader, today=local_today(),
                  can_change=lambda item: plans.can_change(current_user, item), rule=plans.DONE_RULE)


@bp.route("/new", methods=["GET", "POST"])
def new():
    require_role(current_user, Role.TEAM_LEADER, what="plan.change")
    form = plan_form(current_user)
    if not form.is_submitted():
        form.planned_on.data = parse_day(request.args.get("day", "")) or local_today()
    if form.validate_on_submit():
        done = _saved(form, plans.add, _("Added to the plan."))
        if done is not None:
            return done
    return render("plans/form.html", status=422 if form.errors else 200, form=form, item=None)


def _saved(form, change, message: str):
    """Apply `change(actor, input)`, which returns the item; commit and go to the item's week. A refusal is shown
    on the form and None returned: the view shows the form again."""
    try:
        item = change(current_user._get_current_object(), plan_input(form))
    except plans.PlanError as error:
        show_refusal(form, error)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("plans.week", week=item.planned_on.isoformat()), 303)


def _changeable(item_id) -> PlanItem:
    item = get_in_scope(current_user, PlanItem, item_id)
    if not plans.can_change(current_user, item):
        raise RoleDenied("plan.change")
    return item


@bp.route("/<item_id>/edit", methods=["GET", "POST"])
def edit(item_id):
    item = _changeable(item_id)
    form = plan_form(current_user, obj=item)
    if form.validate_on_submit():
        done = _saved(form, lambda actor, data: plans.update(actor, item, data), _("The plan is changed."))
        if done is not None:
            return done
    return render("plans/form.html", status=422 if form.errors else 200, form=form, item=item)


@bp.route("/<item_id>/delete", methods=["POST"])
def delete(item_id):
    item = _changeable(item_id)
    day = item.planned_on
    plans.delete(current_user._get_current_object(), item)
    db.session.commit()
    flash(_("Removed from the plan."), "success")
    return redirect(url_for("plans.week", week=day.isoformat()), 303)


@bp.route("/unit")
def unit():
    monday, sunday = _asked_week()
    weeks = plans.unit_week(current_user, monday)
    return render("plans/unit.html", weeks=weeks, monday=monday, sunday=sunday,
                  links=_week_links("plans.unit", monday), rule=plans.DONE_RULE,
                  totals={"planned": sum(w.planned for w in weeks), "done": sum(w.done for w in weeks),
                          "missed": sum(w.missed for w in weeks), "to_come": sum(w.to_come for w in weeks)})
