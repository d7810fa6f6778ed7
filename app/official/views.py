"""The official figures: the coordinator enters its unit's for a period; the province imports one file for all
its units and sets its targets. The boards show them (board/views.py)."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.extensions import db
from app.forms import show_refusal
from app.models import Role, Ward
from app.official.forms import EntryForm, FiguresFileForm, ProvinceTargetForm
from app.services.lists import importer
from app.services.reports import official, official_import, targets
from app.services.reports.indicators import DEFINITIONS
from app.services.reports.official import OfficialPeriod
from app.services.scope import get_in_scope, require_role
from app.services.workbook import MIMETYPE as XLSX_MIMETYPE
from app.web import attachment, render

bp = Blueprint("official", __name__, url_prefix="/official")


@bp.before_request
@login_required
def _logged_in():
    return None


# The coordinator's entry ---------------------------------------------------------------------------------------

@bp.route("/ward", methods=["GET", "POST"])
def entry():
    require_role(current_user, Role.COORDINATOR, what="official figures")
    ward = get_in_scope(current_user, Ward, current_user.ward_code)
    asked = official.chosen_period(current_user, request.values.get("ky"), [ward.code])
    choices = official.period_choices(local_today(), asked)
    form = EntryForm()
    form.period.choices = [(p.key, p.label) for p in choices]
    if not form.is_submitted():
        form.period.data = asked.key
        form.fill(official.unit_values(current_user, ward, asked))
    elif form.validate():
        period = OfficialPeriod.parse(form.period.data)
        assert period is not None  # one of the choices
        try:
            done = official.save_entry(current_user, ward, period, form.values())
        except official.FigureError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            changed = sum(change.status != "same" for change in done)
            flash(_("Official figures of %(period)s saved (%(n)s changed).", period=period.label, n=changed),
                  "success")
            return redirect(url_for("board.ward", ky=period.key, _anchor="official"), 303)
    return render("official/entry.html", status=422 if form.errors else 200, form=form, ward=ward,
                  labels=official.LABELS)


# The province's targets ----------------------------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
def province_targets():
    require_role(current_user, Role.ADMIN, what="province targets")
    form = ProvinceTargetForm()
    if form.validate_on_submit():
        try:
            targets.set_province_target(current_user, form.indicator.data, form.valid_from.data, form.value.data)
        except targets.TargetError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("official.province_targets"), 303)
    return render("official/targets.html", status=422 if form.errors else 200, form=form,
                  targets=targets.province_target_list(current_user),
                  labels={**official.LABELS, **{d.key: d.label for d in DEFINITIONS}})


# The province's file -------------------------------------------------------------------------------------------

def _imports_folder():
    return importer.folder(current_app.instance_path)


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    require_role(current_user, Role.ADMIN, what="official figures import")
    form = FiguresFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            checked = official_import.check(current_user, upload.filename or "", upload.read())
        except importer.ImportFileError as error:
            form.file.errors.append(str(error.message))
        else:
            importer.save(_imports_folder(), checked)
            return redirect(url_for("official.import_preview", token=checked.token), 303)
    return render("official/import.html", status=422 if form.errors else 200, form=form,
                  names=official.TEMPLATE_NAMES.values())


@bp.route("/import/template.<kind>")
def import_template(kind):
    require_role(current_user, Role.ADMIN, what="official figures import")
    if kind == "csv":
        return attachment(official_import.template_csv(), "text/csv", "mau-so-lieu-chinh-thuc.csv")
    if kind == "xlsx":
        return attachment(official_import.template_xlsx(), XLSX_MIMETYPE, "mau-so-lieu-chinh-thuc.xlsx")
    return redirect(url_for("official.import_upload"))


@bp.route("/import/<token>", methods=["GET", "POST"])
def import_preview(token):
    require_role(current_user, Role.ADMIN, what="official figures import")
    base = _imports_folder()
    checked = importer.load(base, current_user, token, official_import.OfficialChecked)
    problem = None
    if request.method == "POST":
        try:
            done = official_import.store(current_user, checked)
        except importer.ImportFileError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            importer.discard(base, token)
            changed = sum(change.status != "same" for change in done)
            flash(_("%(n)s official figures stored (%(changed)s new or changed).", n=len(done), changed=changed),
                  "success")
            return redirect(url_for("board.province", _anchor="official"), 303)
    status = 422 if problem or checked.errors else 200
    return render("official/import_preview.html", status=status, checked=checked, problem=problem,
                  errors=checked.errors[:official_import.SHOWN_ERRORS], column_labels=official_import.COLUMN_LABELS,
                  labels={i.value: label for i, label in official.LABELS.items()}, period_label=_period_label)


def _period_label(key: str) -> str:
    period = OfficialPeriod.parse(key)
    return period.label if period else key
