"""The ward's lists, kept by its coordinator: areas, teams, households, and households imported from a file."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func

from app.collation import by_name, sorted_by_name
from app.extensions import db
from app.field.forms import HouseholdForm, household_input
from app.forms import show_refusal
from app.lists.forms import (
    STATUS_LABELS,
    AreaForm,
    EraseForm,
    HouseholdFilterForm,
    ImportForm,
    MergeForm,
    TeamEditForm,
    TeamForm,
    UnitSettingsForm,
)
from app.models import Area, Household, HouseholdStatus, Role, Team, User, Ward
from app.services import backup
from app.services.lists import areas, households, importer, teams, unit_settings
from app.services.scope import get_in_scope, require_role, scoped
from app.services.workbook import MIMETYPE as XLSX_MIMETYPE
from app.units import area_word, area_word_choices, unit_name
from app.web import attachment, page_number, render

bp = Blueprint("lists", __name__, url_prefix="/lists")

PAGE_SIZE = 50


@bp.before_request
@login_required
def coordinators_only():
    require_role(current_user, Role.COORDINATOR, what="lists")


def _count(stmt) -> int:
    return households.count(stmt)


@bp.route("/")
def index():
    return render(
        "lists/index.html",
        areas=_count(scoped(current_user, Area).where(Area.retired.is_(False))),
        teams=_count(scoped(current_user, Team).where(Team.active.is_(True))),
        households=_count(scoped(current_user, Household).where(Household.status == HouseholdStatus.ACTIVE)),
        users=_count(scoped(current_user, User).where(User.active.is_(True))),
    )


# The unit's settings --------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """What the coordinator's own unit calls its residential areas (ấp, thôn, khu vực, khu phố, tổ dân phố)."""
    unit = get_in_scope(current_user, Ward, current_user.ward_code)
    form = UnitSettingsForm(data={"area_word": unit.area_word})
    form.area_word.choices = area_word_choices()
    if form.validate_on_submit():
        try:
            unit_settings.set_area_word(current_user, form.area_word.data)
        except unit_settings.SettingsError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Saved: %(unit)s calls its residential areas “%(word)s”.", unit=unit_name(unit),
                    word=area_word(unit).one), "success")
            return redirect(url_for("lists.settings"), 303)
    return render("lists/settings.html", status=422 if form.errors else 200, form=form, unit=unit)


# Areas ----------------------------------------------------------------------------------------------------

def _areas_page(form: AreaForm, status: int = 200):
    per_area = dict(db.session.execute(
        scoped(current_user, Household, Household.area_id, func.count())
        .where(Household.status == HouseholdStatus.ACTIVE).group_by(Household.area_id)).all())
    return render("lists/areas.html", status=status, form=form, areas=areas.ward_areas(current_user),
                  per_area=per_area)


def _area_form(area: Area | None = None) -> AreaForm:
    form = AreaForm(obj=area)
    form.name.label.text = _("Name of the %(area)s", area=area_word(current_user.ward).one)
    return form


@bp.route("/areas", methods=["GET", "POST"])
def areas_list():
    form = _area_form()
    if form.validate_on_submit():
        try:
            area = areas.create(current_user, form.name.data, form.official_households.data)
        except areas.AreaError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s added.", name=area.name), "success")
            return redirect(url_for("lists.areas_list"), 303)
    return _areas_page(form, 422 if form.errors else 200)


@bp.route("/areas/<area_id>", methods=["GET", "POST"])
def area_edit(area_id):
    area = get_in_scope(current_user, Area, area_id)
    form = _area_form(area)
    if form.validate_on_submit():
        try:
            areas.update(current_user, area, form.name.data, form.official_households.data)
        except areas.AreaError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s saved.", name=area.name), "success")
            return redirect(url_for("lists.areas_list"), 303)
    return render("lists/area_form.html", status=422 if form.errors else 200, form=form, area=area)


@bp.route("/areas/<area_id>/retired", methods=["POST"])
def area_retired(area_id):
    area = get_in_scope(current_user, Area, area_id)
    # The wanted state is sent, not toggled, so a form sent twice does not undo itself.
    retire = request.form.get("retired") == "1"
    areas.set_retired(current_user, area, retire)
    db.session.commit()
    flash(_("%(name)s retired: it no longer appears in the pickers.", name=area.name) if retire
          else _("%(name)s is in use again.", name=area.name), "success")
    return redirect(url_for("lists.areas_list"), 303)


# Teams ----------------------------------------------------------------------------------------------------

@bp.route("/teams", methods=["GET", "POST"])
def teams_list():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = teams.create_team(current_user, form.name.data)
        except teams.TeamError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Team %(name)s added; now give it %(areas)s and members.", name=team.name,
                    areas=area_word(current_user.ward).many), "success")
            return redirect(url_for("lists.team_edit", team_id=team.id), 303)
    rows = db.session.scalars(scoped(current_user, Team).order_by(Team.active.desc(), by_name(Team.name)))
    return render("lists/teams.html", status=422 if form.errors else 200, form=form, teams=list(rows))


def _team_form(team: Team) -> TeamEditForm:
    form = TeamEditForm(obj=team)
    shown_areas = {a.id: a for a in areas.ward_areas(current_user, active_only=True)}
    shown_areas.update({a.id: a for a in team.areas})
    form.area_ids.label.text = _("The %(areas)s the team covers", areas=area_word(current_user.ward).many)
    form.area_ids.choices = [
        (a.id, a.name + (" · " + _("retired") if a.retired else ""))
        for a in sorted_by_name(shown_areas.values(), key=lambda a: a.name)]
    people = db.session.scalars(scoped(current_user, User).where(
        User.role.in_(teams.MEMBER_ROLES), User.active.is_(True) | (User.team_id == team.id),
    ).order_by(by_name(User.display_name)))
    form.member_ids.choices = [
        (u.id, f"{u.display_name} · {u.role_label}" + (f" · {u.team.name}" if u.team and u.team_id != team.id else ""))
        for u in people]
    if not form.is_submitted():
        form.area_ids.data = [a.id for a in team.areas]
        form.member_ids.data = [u.id for u in team.members]
    return form


@bp.route("/teams/<team_id>", methods=["GET", "POST"])
def team_edit(team_id):
    team = get_in_scope(current_user, Team, team_id)
    form = _team_form(team)
    if form.validate_on_submit():
        try:
            teams.update_team(current_user, team, form.name.data, form.area_ids.data or [], form.member_ids.data or [])
        except teams.TeamError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Team %(name)s saved.", name=team.name), "success")
            return redirect(url_for("lists.teams_list"), 303)
    return render("lists/team_form.html", status=422 if form.errors else 200, form=form, team=team)


@bp.route("/teams/<team_id>/active", methods=["POST"])
def team_active(team_id):
    team = get_in_scope(current_user, Team, team_id)
    active = request.form.get("active") == "1"
    teams.set_team_active(current_user, team, active)
    db.session.commit()
    flash(_("Team %(name)s is active again.", name=team.name) if active
          else _("Team %(name)s deactivated.", name=team.name), "success")
    return redirect(url_for("lists.teams_list"), 303)


# Households -----------------------------------------------------------------------------------------------

def _filter_form() -> HouseholdFilterForm:
    form = HouseholdFilterForm(formdata=request.args)
    word = area_word(current_user.ward)
    form.area.label.text = word.One
    form.area.choices = [(0, _("All %(areas)s", areas=word.many))] + [(a.id, a.name) for a in areas.ward_areas(current_user)]
    return form


@bp.route("/households")
def households_list():
    form = _filter_form()
    page = page_number()
    if not form.validate():
        return render("lists/households.html", "lists/_households.html", 422, form=form, rows=[], total=0,
                      page=1, pages=0)
    wanted = households.HouseholdFilter(area_id=form.area.data or None, status=form.status.data or None,
                                        tag=form.tag.data or None, stale=form.stale.data, query=form.q.data or "")
    stmt = households.listing(current_user, wanted)
    pages = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    return render("lists/households.html", "lists/_households.html", form=form, rows=pages.items,
                  total=pages.total, page=page, pages=pages.pages, status_labels=STATUS_LABELS)


def _household_form(home: Household) -> HouseholdForm:
    form = HouseholdForm(obj=home)
    open_areas = [a for a in areas.ward_areas(current_user) if not a.retired or a.id == home.area_id]
    form.area_id.choices = [(a.id, a.name) for a in open_areas]
    form.area_id.label.text = area_word(current_user.ward).One
    if not form.is_submitted():
        form.priority_tags.data = home.tags
        form.phone_consent.data = home.phone_consent_at is not None
        form.tags_consent.data = home.tags_consent_at is not None
    return form


def _household_page(home: Household, form: HouseholdForm | None, erase_form: EraseForm, status: int = 200):
    editable = home.erased_at is None and home.status != HouseholdStatus.MERGED
    return render("lists/household.html", status=status, household=home, form=form if editable else None,
                  erase_form=erase_form, status_labels=STATUS_LABELS)


@bp.route("/households/<household_id>", methods=["GET", "POST"])
def household_edit(household_id):
    home = get_in_scope(current_user, Household, household_id)
    form = _household_form(home)
    if home.erased_at is None and home.status != HouseholdStatus.MERGED and form.validate_on_submit():
        data = household_input(form)
        try:
            households.update(current_user, home, data)
        except households.HouseholdError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Household saved."), "success")
            return redirect(url_for("lists.household_edit", household_id=home.id), 303)
    return _household_page(home, form, EraseForm(formdata=None), 422 if form.errors else 200)


@bp.route("/households/<household_id>/merge", methods=["GET", "POST"])
def household_merge(household_id):
    home = get_in_scope(current_user, Household, household_id)
    query = request.values.get("q", "")[:100]
    stmt = households.matching_words(scoped(current_user, Household).where(
        Household.area_id == home.area_id, Household.id != home.id, Household.status == HouseholdStatus.ACTIVE,
        Household.erased_at.is_(None)), query)
    candidates = list(db.session.scalars(stmt.order_by(Household.address_key).limit(30)))
    form = MergeForm()
    form.other_id.choices = [(h.id, h.label) for h in candidates]
    if form.validate_on_submit():
        other = get_in_scope(current_user, Household, form.other_id.data)
        try:
            households.merge(current_user, home, other)
        except households.HouseholdError as error:
            db.session.rollback()
            form.other_id.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The two households are merged; the visits are now on this one."), "success")
            return redirect(url_for("lists.household_edit", household_id=home.id), 303)
    return render("lists/merge.html", status=422 if form.errors else 200, household=home, form=form,
                  candidates=candidates, query=query)


@bp.route("/households/<household_id>/erase", methods=["POST"])
def household_erase(household_id):
    home = get_in_scope(current_user, Household, household_id)
    erase_form = EraseForm()
    if not erase_form.validate_on_submit():
        return _household_page(home, _household_form(home), erase_form, 422)
    households.erase(current_user, home)
    db.session.commit()
    backup.scrub_sqlite_journal()
    flash(_("The household's details are erased; its counts and visits stay in the figures of %(unit)s.",
            unit=unit_name(current_user.ward)), "success")
    return redirect(url_for("lists.household_edit", household_id=home.id), 303)


# Import ---------------------------------------------------------------------------------------------------

def _imports_folder():
    return importer.folder(current_app.instance_path)


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            checked = importer.check(current_user, upload.filename or "", upload.read())
        except importer.ImportFileError as error:
            form.file.errors.append(str(error.message))
        else:
            importer.save(_imports_folder(), checked)
            return redirect(url_for("lists.import_preview", token=checked.token), 303)
    return render("lists/import.html", status=422 if form.errors else 200, form=form)


@bp.route("/import/template.<kind>")
def import_template(kind):
    if kind == "csv":
        return attachment(importer.template_csv(), "text/csv", "mau-nhap-ho-gia-dinh.csv")
    if kind == "xlsx":
        return attachment(importer.template_xlsx(), XLSX_MIMETYPE, "mau-nhap-ho-gia-dinh.xlsx")
    return redirect(url_for("lists.import_upload"))


@bp.route("/import/<token>", methods=["GET", "POST"])
def import_preview(token):
    base = _imports_folder()
    checked = importer.load(base, current_user, token)
    problem = None
    if request.method == "POST" and checked.rows:
        try:
            stored = importer.store(current_user, checked)
        except importer.ImportFileError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            importer.discard(base, token)
            flash(_("%(n)s households imported.", n=stored), "success")
            return redirect(url_for("lists.households_list"), 303)
    return render("lists/import_preview.html", status=422 if problem else 200, checked=checked, problem=problem,
                  errors=checked.errors[:importer.SHOWN_ERRORS], rows=checked.rows[:importer.SHOWN_ROWS],
                  area_names={a.id: a.name for a in areas.ward_areas(current_user)},
                  labels={**importer.COLUMN_LABELS, "area": area_word(current_user.ward).One})
