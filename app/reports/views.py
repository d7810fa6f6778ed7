"""The periodic report: the coordinator writes its unit's report for a period, downloads it as DOCX or prints
it, and sends it; the province sees which units sent theirs, opens each, and downloads a roll-up."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.extensions import db
from app.forms import show_refusal
from app.models import Role
from app.reports.forms import CUTOFF_LABELS, KIND_LABELS, DueDaysForm, PeriodChoiceForm, ReportForm
from app.services import activity_photos
from app.services.reports import documents, periodic
from app.services.reports.indicators import ACTIVITY_KEYS, ACTIVITY_RULE
from app.services.reports.periods import ReportPeriod
from app.services.scope import PROVINCE_READERS, may, require_role
from app.web import attachment, render

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _chosen_period() -> tuple[PeriodChoiceForm, ReportPeriod]:
    form = PeriodChoiceForm(request.args)
    if not form.validate():
        form = PeriodChoiceForm(formdata=None)
    period = form.period()
    form.fill(period)
    return form, period


def _period_args(period: ReportPeriod) -> dict:
    return {"kind": period.kind.value, "cutoff": period.cutoff.value, "year": period.year, "number": period.number}


def _labels() -> dict:
    return {"kinds": KIND_LABELS, "cutoffs": CUTOFF_LABELS, "period_name": periodic.period_name,
            "period_span": periodic.period_span, "activity_keys": ACTIVITY_KEYS, "activity_rule": ACTIVITY_RULE}


@bp.route("")
@login_required
def index():
    if may(current_user, *PROVINCE_READERS):
        return redirect(url_for("reports.province", **request.args))
    ward = periodic.coordinators_ward(current_user)
    form, period = _chosen_period()
    existing = periodic.find(current_user, ward, period)
    due = periodic.due_date(ward.province, period)
    return render("reports/index.html", form=form, period=period, ward=ward, existing=existing, due=due,
                  timeliness=periodic.timeliness(existing, due, local_today()),
                  days_late=periodic.days_late(existing, due),
                  reports=periodic.ward_reports(current_user, ward), args=_period_args(period), **_labels())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    ward = periodic.coordinators_ward(current_user)
    _choice, period = _chosen_period()
    existing = periodic.find(current_user, ward, period)
    if existing is not None:
        return redirect(url_for("reports.report", report_id=existing.id), 303)
    form = ReportForm()
    if not form.is_submitted():
        form.fill(periodic.suggested_text(ward, period))
    elif form.validate():
        try:
            report = periodic.create(current_user, period, form.text())
        except periodic.ReportError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Draft saved. You can come back to it until it is sent."), "success")
            return redirect(url_for("reports.report", report_id=report.id), 303)
    return render("reports/report.html", status=422 if form.errors else 200, form=form, report=None, ward=ward,
                  period=period, rows=periodic.live_rows(current_user, ward, period), differences=[],
                  action=url_for("reports.new", **_period_args(period)), **_labels())


def _report_page(report, form: ReportForm | None, status: int = 200):
    rows = periodic.rows_of(current_user, report)
    differences = []
    if report.is_sent:
        differences = periodic.differences(rows, periodic.live_rows(current_user, report.ward,
                                                                    periodic.period_of(report)))
    return render("reports/report.html", status=status, form=form, report=report, ward=report.ward,
                  period=periodic.period_of(report), rows=rows, differences=differences,
                  action=url_for("reports.save", report_id=report.id), **_labels())


@bp.route("/<report_id>")
@login_required
def report(report_id):
    found = periodic.readable(current_user, report_id)
    form = None
    if current_user.role == Role.COORDINATOR and not found.is_sent:
        form = ReportForm(formdata=None, obj=found)
    return _report_page(found, form)


@bp.route("/<report_id>", methods=["POST"])
@login_required
def save(report_id):
    found = periodic.editable(current_user, report_id)
    form = ReportForm()
    if form.validate():
        try:
            periodic.save(current_user, found, form.text())
        except periodic.ReportError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return redirect(url_for("reports.report", report_id=found.id), 303)
    if found.is_sent:
        return _report_page(found, None, 409)
    return _report_page(found, form, 422)


@bp.route("/<report_id>/send", methods=["POST"])
@login_required
def send(report_id):
    """Save what the form holds, then send: the coordinator need not save first."""
    found = periodic.editable(current_user, report_id)
    if found.is_sent:
        return _report_page(found, None, 409)
    form = ReportForm()
    if not form.validate():
        return _report_page(found, form, 422)
    try:
        periodic.save(current_user, found, form.text())
        periodic.send(current_user, found)
    except periodic.ReportError as error:
        db.session.rollback()
        show_refusal(form, error)
        return _report_page(periodic.editable(current_user, report_id), form, 422)
    db.session.commit()
    flash(_("Report sent to the province. Its figures are kept as they are now."), "success")
    return redirect(url_for("reports.report", report_id=found.id), 303)


def _file_name(report, extension: str) -> str:
    return f"bao-cao-{report.ward.codename}-{report.kind}-{report.year}-{report.number:02d}.{extension}"


@bp.route("/<report_id>/docx")
@login_required
def download(report_id):
    found = periodic.readable(current_user, report_id)
    body = documents.report_docx(periodic.document(current_user, found),
                                 activity_photos.annex(found.ward_code, found.period_start, found.period_end))
    periodic.record_download(current_user, found, "docx")
    db.session.commit()
    return attachment(body, documents.MIME, _file_name(found, "docx"))


@bp.route("/<report_id>/print")
@login_required
def print_view(report_id):
    found = periodic.readable(current_user, report_id)
    document = periodic.document(current_user, found)
    with force_locale(periodic.DOCUMENT_LOCALE):  # the document's words, as in the DOCX
        return render("reports/print.html", document=document, report=found, heads=documents.table_heads,
                      cells=documents.table_cells, activity_heads=documents.activity_heads,
                      activity_cells=documents.activity_cells, activity_rule=ACTIVITY_RULE,
                      document_date=documents.document_date, motto=documents.MOTTO, slogan=documents.SLOGAN)


@bp.route("/province")
@login_required
def province():
    require_role(current_user, *PROVINCE_READERS, what="province reports")
    form, period = _chosen_period()
    return _province_page(form, period)


def _province_page(form: PeriodChoiceForm, period: ReportPeriod, due_form: DueDaysForm | None = None,
                   status: int = 200):
    received = periodic.province_reports(current_user, period)
    due_form = due_form or DueDaysForm(formdata=None, due_days=received.due_days)
    return render("reports/province.html", status=status, form=form, period=period, received=received,
                  due_form=due_form if may(current_user, Role.ADMIN) else None, args=_period_args(period),
                  **_labels())


@bp.route("/province/due-days", methods=["POST"])
@login_required
def due_days():
    require_role(current_user, Role.ADMIN, what="report.due_days")
    form, period = _chosen_period()
    due_form = DueDaysForm()
    if due_form.validate():
        try:
            periodic.set_due_days(current_user, due_form.due_days.data)
        except periodic.ReportError as error:
            show_refusal(due_form, error)
        else:
            db.session.commit()
            flash(_("Deadline saved."), "success")
            return redirect(url_for("reports.province", **_period_args(period)), 303)
    return _province_page(form, period, due_form, status=422)


@bp.route("/province/rollup.docx")
@login_required
def rollup():
    require_role(current_user, *PROVINCE_READERS, what="province reports")
    form = PeriodChoiceForm(request.args)
    if not form.validate():
        abort(400)
    period = form.period()
    body = documents.rollup_docx(periodic.rollup(current_user, period))
    periodic.record_rollup(current_user, period)
    db.session.commit()
    name = f"tong-hop-bao-cao-{period.kind}-{period.year}-{period.number:02d}.docx"
    return attachment(body, documents.MIME, name)
