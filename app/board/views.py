"""Boards: the team board (areas, members, follow-ups, who works which area); the ward board (indicators
against targets, areas, teams, weekly trend), its targets, visit review and report; the province board."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import cards, charts, clock, sharing
from app.board.forms import AreaAssignmentForm, FlagForm, PeriodForm, TargetForm, VisitFilterForm
from app.collation import by_name
from app.extensions import db, htmx
from app.forms import show_refusal
from app.models import ONLINE_SERVICES, Area, Indicator, Role, Team, User, Visit, Ward
from app.services import activities, ranking, visits, workbook
from app.services.lists import teams
from app.services.reports import board_periods, coverage, exports, figures, official, periodic, periods, targets
from app.services.reports.coverage import Period
from app.services.reports.indicators import ACTIVITY_RULE, BY_KEY, DEFINITIONS
from app.services.reports.periods import Kind
from app.services.scope import PROVINCE_READERS, get_in_scope, require_role, scoped
from app.services.text import holds_words
from app.units import area_word
from app.web import acting_user, attachment, page_number, render

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
        followups=figures.open_followups(current_user),
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
    message = _("Saved: who works which %(area)s.", area=area_word(current_user.ward).one)
    if not htmx:
        flash(message, "success")
        return redirect(url_for("board.team", _anchor="assignments"), 303)
    return render("board/assignments.html", "board/_assignments.html", saved=message,
                  **_assignment_context(AreaAssignmentForm(formdata=None)))


# --- Ward board -------------------------------------------------------------------------------------------

BOARD_ROLES = (Role.COORDINATOR, *PROVINCE_READERS)
VISITS_PAGE = 50


def _board_ward() -> Ward | None:
    """The ward whose board is asked for: the coordinator's own, or `?code=` of the actor's province
    (None when the administrator or the province department names no ward)."""
    actor = acting_user()
    require_role(actor, *BOARD_ROLES, what="ward board")
    code = request.args.get("code") or actor.ward_code
    return None if code is None else get_in_scope(actor, Ward, code)


@dataclass
class BoardPeriod:
    """The board's period form, the days it shows, the presets offered above the form and the one chosen."""

    form: PeriodForm
    period: Period
    presets: list[board_periods.Choice]
    chosen: board_periods.Preset | None
    label: str


def _period(ward_code: int | None = None) -> BoardPeriod:
    """The days asked for (`?start=&end=`), else this reporting month; the campaign preset is the running
    campaign of the ward (or, on the province board, of the whole province)."""
    campaign = next((c for c in ranking.active_campaigns(acting_user()) if c.ward_code in (None, ward_code)), None)
    presets = board_periods.presets(campaign)
    form = PeriodForm(request.args)
    period = default = presets[0].period
    if form.validate():
        start = form.start.data or default.start
        end = form.end.data or (default.end if start <= default.end else start)
        period = Period(start, max(start, end))
        form.start.data, form.end.data = period.start, period.end  # the form shows the days the board shows
    return BoardPeriod(form, period, presets, board_periods.chosen(presets, period),
                       board_periods.describe(period, campaign))


def _sort() -> tuple[str, bool]:
    return request.args.get("sort", Indicator.REACH.value), request.args.get("order") != "best"


def _board_args(**changes) -> dict:
    """The current query string with some values changed: sort links keep the period and the ward."""
    args = {k: v for k, v in request.args.items() if k in ("code", "start", "end", "sort", "order", "ky", "q")}
    return {**args, **changes}


@bp.route("/ward")
@login_required
def ward():
    board_ward = _board_ward()
    if board_ward is None:  # the province chooses a ward from the province board
        return redirect(url_for("board.province", _anchor="wards"))
    shown = _period(board_ward.code)
    period = shown.period
    actor = acting_user()
    report = coverage.ward_report(actor, board_ward, period, with_trend=True)
    sort, worst_first = _sort()
    # A report sent for exactly this period: what moved since (its figures against the board's, same rows).
    sent = periodic.sent_for_board(actor, board_ward, period.start, period.end)
    changed = periodic.differences(periodic.rows_of(actor, sent), periodic.rows_from(report.total)) if sent else []
    areas = coverage.sort_rows(report.areas, sort, worst_first)
    return render(
        "board/ward.html", "board/_ward.html", 422 if shown.form.errors else 200, sent_report=sent,
        differences=changed, shown=shown, form=shown.form, report=report, definitions=DEFINITIONS, sort=sort,
        cards=cards.indicator_cards(report.total, with_rates=True),
        worst_first=worst_first, areas=areas,
        teams=coverage.sort_rows(report.teams, sort, worst_first),
        board_args=_board_args, is_coordinator=actor.role == Role.COORDINATOR,
        official=_official_board([(board_ward.code, board_ward.name)]), **_ward_charts(report, areas, sort),
        per_service=activities.people_per_service(board_ward.code, period.start, period.end),
        online_services=ONLINE_SERVICES, activity_rule=ACTIVITY_RULE,
        activities_link=url_for("activities.activities_list") if actor.role == Role.COORDINATOR else None,
        share_text=sharing.ward_summary(report, shown.label), share_url=url_for("board.ward", _external=True, **_board_args()),
    )


def _ward_charts(report: coverage.WardReport, areas: list[coverage.Row], sort: str) -> dict:
    """The weekly trend against the reach target, and the areas' bars for the indicator shown (reach unless
    another is sorted by) in the table's order: worst first unless asked otherwise."""
    shown = BY_KEY.get(sort, BY_KEY[Indicator.REACH])  # type: ignore[call-overload]  # a StrEnum finds it
    target = report.total.figures[shown.key].target
    return {
        "trend": charts.trend(report.trend, report.total.figures[Indicator.REACH].target, clock.local_today()),
        "area_bars": charts.bars([(row.name, row.figures[shown.key].to_date, row.figures[shown.key].band)
                                  for row in areas], target),
        "bars_of": shown,
    }


def _official_board(units: list[tuple[int, str]]) -> official.OfficialBoard:
    """The official figures of these units for the period `?ky=` names (else the latest with figures)."""
    actor = acting_user()
    period = official.chosen_period(actor, request.args.get("ky"), [code for code, _name in units])
    return official.board(actor, units, period)


@bp.route("/province")
@login_required
def province():
    actor = acting_user()
    require_role(actor, *PROVINCE_READERS, what="province board")
    shown = _period()
    period = shown.period
    rows, total = coverage.province_rows(actor, period)
    sort, worst_first = _sort()
    q = request.args.get("q", "")[:100]  # finding a unit among the province's (without JavaScript too)
    listed = [row for row in coverage.sort_rows(rows, sort, worst_first) if holds_words(row.name, q)]
    return render(
        "board/province.html", "board/_province.html", 422 if shown.form.errors else 200,
        shown=shown, form=shown.form, period=period, rows=listed, q=q, total=total, cards=cards.indicator_cards(total),
        definitions=DEFINITIONS, sort=sort, worst_first=worst_first, board_args=_board_args,
        official=_official_board([(row.ident, row.name) for row in rows]), activity_rule=ACTIVITY_RULE,
    )


# --- Targets ----------------------------------------------------------------------------------------------

def _coordinators_ward() -> Ward:
    require_role(current_user, Role.COORDINATOR, what="ward")
    return get_in_scope(current_user, Ward, current_user.ward_code)


@bp.route("/ward/targets", methods=["GET", "POST"])
@login_required
def ward_targets():
    board_ward = _coordinators_ward()
    form = TargetForm()
    if not form.is_submitted():  # proposed: the whole of this reporting month, the boards' default
        month = periods.current(Kind.MONTH)
        form.period_start.data, form.period_end.data = month.start, month.end
    elif form.validate():
        try:
            targets.set_target(current_user, board_ward, Indicator(form.indicator.data), form.period_start.data,
                               form.period_end.data, form.value.data)
        except targets.TargetError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("board.ward_targets"), 303)
    return render("board/targets.html", status=422 if form.errors else 200, form=form, ward=board_ward,
                  targets=targets.ward_targets(current_user, board_ward), definitions=DEFINITIONS,
                  province_defaults=targets.province_defaults(current_user, clock.local_today()),
                  labels={d.key.value: d.label for d in DEFINITIONS})


# --- Visit review -----------------------------------------------------------------------------------------

def _filter_form() -> VisitFilterForm:
    form = VisitFilterForm(request.args)
    anything = [(0, _("All"))]
    form.area.label.text = area_word(current_user.ward).One
    form.area.choices = anything + [(a.id, a.name) for a in db.session.scalars(
        scoped(current_user, Area).order_by(by_name(Area.name)))]
    form.team.choices = anything + [(t.id, t.name) for t in db.session.scalars(
        scoped(current_user, Team).order_by(by_name(Team.name)))]
    form.volunteer.choices = anything + [(u.id, u.display_name) for u in db.session.scalars(
        scoped(current_user, User).where(User.team_id.is_not(None)).order_by(by_name(User.display_name)))]
    return form


@bp.route("/ward/visits")
@login_required
def ward_visits():
    board_ward = _coordinators_ward()
    form = _filter_form()
    page = page_number()
    rows, pages = [], 0
    if form.validate():
        flagged = {"yes": True, "no": False}.get(form.flagged.data or "")
        wanted = visits.VisitFilter(
            area_id=form.area.data or None, team_id=form.team.data or None, volunteer_id=form.volunteer.data or None,
            outcome=form.outcome.data or None, flagged=flagged,
            start=clock.local_day_bounds(form.start.data)[0] if form.start.data else None,
            end=clock.local_day_bounds(form.end.data)[1] if form.end.data else None,
        )
        rows, pages = visits.review_list(current_user, wanted, page, VISITS_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render("board/visits.html", "board/_visits.html", 422 if form.errors else 200, form=form,
                  ward=board_ward, visits=rows, page=page, pages=pages, args=args)


def _reviewed_visit(visit_id) -> Visit:
    _coordinators_ward()
    return get_in_scope(current_user, Visit, visit_id)


@bp.route("/ward/visits/<visit_id>")
@login_required
def ward_visit(visit_id):
    return render("board/visit.html", visit=_reviewed_visit(visit_id), form=FlagForm(formdata=None))


@bp.route("/ward/visits/<visit_id>/flag", methods=["POST"])
@login_required
def ward_visit_flag(visit_id):
    record = _reviewed_visit(visit_id)
    form = FlagForm()
    if form.validate():
        try:
            visits.flag(current_user, record, form.reason.data)
        except visits.VisitError as error:
            form.reason.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Visit flagged: it no longer counts in the figures."), "success")
            return redirect(url_for("board.ward_visit", visit_id=record.id), 303)
    return render("board/visit.html", status=422, visit=record, form=form)


@bp.route("/ward/visits/<visit_id>/unflag", methods=["POST"])
@login_required
def ward_visit_unflag(visit_id):
    record = _reviewed_visit(visit_id)
    visits.unflag(current_user, record)
    db.session.commit()
    flash(_("Flag removed: the visit counts again."), "success")
    return redirect(url_for("board.ward_visit", visit_id=record.id), 303)


# --- Export -----------------------------------------------------------------------------------------------

@bp.route("/ward/report.<fmt>")
@login_required
def ward_export(fmt):
    if fmt not in exports.FORMATS:
        abort(404)
    board_ward = _board_ward()
    if board_ward is None:
        abort(404)
    shown = _period(board_ward.code)
    if shown.form.errors:
        abort(400)
    period = shown.period
    view = request.args.get("view", exports.INDICATORS)
    if fmt == "csv" and view not in exports.VIEWS:
        abort(404)
    report = coverage.ward_report(current_user, board_ward, period)
    followups = exports.open_followups(current_user, board_ward)
    if fmt == "xlsx":
        body, mimetype = exports.xlsx(report, followups), workbook.MIMETYPE
    else:
        body, mimetype = exports.csv_text(report, followups, view).encode("utf-8-sig"), "text/csv; charset=utf-8"
    exports.record_export(current_user, board_ward, period, fmt, view if fmt == "csv" else "all")
    db.session.commit()
    name = exports.filename(board_ward, period, fmt, view if fmt == "csv" else None)
    return attachment(body, mimetype, name)
