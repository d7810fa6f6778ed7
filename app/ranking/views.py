"""Emulation campaigns: the list, a new campaign, the leaderboard, a team's detail, the export, the public
link, the public board it opens and its printable poster; at the end, who is proposed for commendation, as a
DOCX list and printable certificates."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import charts, sharing
from app.clock import local_today
from app.extensions import db
from app.forms import show_refusal
from app.models import Campaign, Role, Ward, unit_order
from app.ranking import marks
from app.ranking.forms import PROVINCE, CampaignForm, CommendationForm, WardFilterForm, weight_field
from app.services import ranking, workbook
from app.services.ranking import commendation as commend
from app.services.reports import documents, exports
from app.services.reports.periodic import DOCUMENT_LOCALE
from app.services.scope import RoleDenied, get_in_scope, may, require_role, scoped
from app.units import unit_name
from app.web import attachment, render

bp = Blueprint("ranking", __name__)
bp.add_app_template_global(marks.rows, "leaderboard_rows")


@bp.route("/campaigns")
@login_required
def campaigns():
    return render("ranking/campaigns.html", campaigns=ranking.campaigns(current_user),
                  may_create=current_user.role == Role.YOUTH_LEADER)


def _scope_choices() -> list[tuple[str, str]]:
    wards = db.session.scalars(scoped(current_user, Ward).order_by(*unit_order()))
    choices = [(str(w.code), unit_name(w)) for w in wards]
    if current_user.ward_code is None:
        choices.insert(0, (PROVINCE, _("The whole province")))
    return choices


@bp.route("/campaigns/new", methods=["GET", "POST"])
@login_required
def campaign_new():
    require_role(current_user, Role.YOUTH_LEADER, what="campaign.create")
    form = CampaignForm()
    form.scope.choices = _scope_choices()
    if form.validate_on_submit():
        data = ranking.CampaignInput(
            name=form.name.data, start_date=form.start_date.data, end_date=form.end_date.data,
            ward_code=None if form.scope.data == PROVINCE else int(form.scope.data), weights=form.weights())
        try:
            campaign = ranking.create(current_user, data)
        except ranking.CampaignError as error:
            target = weight_field(error.field) if error.field in ranking.DEFAULT_WEIGHTS else error.field
            form[target].errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Campaign created."), "success")
            return redirect(url_for("ranking.campaign", campaign_id=campaign.id), 303)
    return render("ranking/campaign_form.html", status=422 if form.errors else 200, form=form,
                  rules=ranking.RULES, weight_field=weight_field, max_days=ranking.MAX_DAYS)


def _campaign(campaign_id) -> Campaign:
    return get_in_scope(current_user, Campaign, campaign_id)


def _ward_filter(board: ranking.Board) -> WardFilterForm:
    form = WardFilterForm(request.args)
    form.ward.choices = list(board.wards)
    form.validate()
    return form


@bp.route("/campaigns/<campaign_id>")
@login_required
def campaign(campaign_id):
    record = _campaign(campaign_id)
    board = ranking.leaderboard(record)
    ward_form = _ward_filter(board)
    ward = ward_form.ward.data
    own_team = current_user.team_id if current_user.in_team else None
    standings = [s for s in board.standings if ward is None or s.ward_code == ward]
    # A province has some 1,800 teams: the top of the board and the viewer's own team, every team of a
    # chosen ward, and every team on asking ("show all").
    listed = len(standings)
    if ward is None and not _show_all():
        standings = ranking.board_top(standings, own_team)
    return render("ranking/campaign.html", "ranking/_leaderboard.html", status=422 if ward_form.errors else 200,
                  board=board, campaign=record, lines=marks.lines(standings),
                  hidden=listed - len(standings), ward=ward,
                  ward_form=ward_form, rules=ranking.RULES,
                  rule_note=ranking.RULE_NOTE, may_manage=ranking.may_manage(current_user, record),
                  may_commend=may(current_user, *commend.READERS),
                  own_team=own_team, share_text=sharing.leaderboard_summary(board),
                  share_url=_share_url(record))


def _share_url(record: Campaign) -> str:
    """What the leaderboard's share button sends: the public board, which opens for anyone, while the campaign
    has one; else this page, for those who may log in and see it."""
    if record.share_token:
        return _public_url(record)
    return url_for("ranking.campaign", campaign_id=record.id, _external=True)


def _public_url(record: Campaign) -> str:
    return url_for("ranking.public", token=record.share_token, _external=True)


def _show_all() -> bool:
    return request.args.get("all") == "1"


@bp.route("/campaigns/<campaign_id>/teams/<team_id>")
@login_required
def team(campaign_id, team_id):
    record = _campaign(campaign_id)
    chosen = ranking.campaign_team(record, team_id)
    board = ranking.leaderboard(record)
    standing = next(s for s in board.standings if s.team_id == chosen.id)
    weeks = ranking.weekly_points(record, chosen)
    return render("ranking/team.html", campaign=record, board=board, standing=standing, team=chosen,
                  weeks=weeks, week_chart=charts.columns(weeks, local_today()), rules=ranking.RULES,
                  days=ranking.counted_days(current_user, record, chosen), weight=ranking.weight,
                  marks=marks.RankMarks())


@bp.route("/campaigns/<campaign_id>/export.<fmt>")
@login_required
def export(campaign_id, fmt):
    if fmt not in exports.FORMATS:
        abort(404)
    record = _campaign(campaign_id)
    require_role(current_user, Role.YOUTH_LEADER, Role.COORDINATOR, Role.ADMIN, what="campaign.export")
    board = ranking.leaderboard(record)
    if fmt == "xlsx":
        lines = exports.leaderboard_table(board, as_text=False)
        body, mimetype = exports.table_xlsx(_("Ranking"), lines, heading_rows=4), workbook.MIMETYPE
    else:
        body = exports.table_csv(exports.leaderboard_table(board, as_text=True)).encode("utf-8-sig")
        mimetype = "text/csv; charset=utf-8"
    ranking.record_export(current_user, record, fmt)
    db.session.commit()
    name = f"xep-hang-{record.id}-{record.start_date:%Y%m%d}-{record.end_date:%Y%m%d}.{fmt}"
    return attachment(body, mimetype, name)


@bp.route("/campaigns/<campaign_id>/share", methods=["POST"])
@login_required
def share(campaign_id):
    record = _campaign(campaign_id)
    ranking.share(current_user, record)
    db.session.commit()
    flash(_("Public link created. Anyone with it can see the team scores."), "success")
    return redirect(url_for("ranking.campaign", campaign_id=record.id, _anchor="share"), 303)


@bp.route("/campaigns/<campaign_id>/share/revoke", methods=["POST"])
@login_required
def revoke(campaign_id):
    record = _campaign(campaign_id)
    ranking.revoke(current_user, record)
    db.session.commit()
    flash(_("Public link revoked: it no longer opens the board."), "success")
    return redirect(url_for("ranking.campaign", campaign_id=record.id, _anchor="share"), 303)


def _shared_campaign(token: str) -> Campaign:
    record = ranking.by_share_token(token)
    if record is None:
        abort(404)
    return record


# A projected board is reloaded, never cached by a proxy, and a revoked link must stop at once.
PUBLIC_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.route("/board/public/<token>")
def public(token):
    record = _shared_campaign(token)
    board = ranking.leaderboard(record)
    standings = board.standings if _show_all() else ranking.board_top(board.standings, None)
    link = _public_url(record)
    response, status = render("ranking/public.html", campaign=record, board=board,
                              lines=marks.lines(standings),
                              hidden=len(board.standings) - len(standings), share_url=link,
                              share_text=sharing.leaderboard_summary(board), qr=_qr(link))
    return response, status, PUBLIC_HEADERS


def _qr(link: str):
    return sharing.qr_svg(link, title=_("QR code of the link to this board"))


@bp.route("/board/public/<token>/poster")
def poster(token):
    """An A4 sheet for a notice board: the campaign, the QR code of its public board, a call to look."""
    record = _shared_campaign(token)
    link = _public_url(record)
    response, status = render("ranking/poster.html", campaign=record, link=link, qr=_qr(link))
    return response, status, PUBLIC_HEADERS


# --- Commendation at the campaign's end ---------------------------------------------------------------------

@bp.route("/campaigns/<campaign_id>/commendation", methods=["GET", "POST"])
@login_required
def commendation(campaign_id):
    record = _campaign(campaign_id)
    found = commend.commendation(current_user, record)
    manages = ranking.may_manage(current_user, record)
    form = None
    if request.method == "POST":
        if not manages:
            raise RoleDenied("campaign.commendation_rule")
        form = CommendationForm()
        if form.validate():
            try:
                commend.set_rule(current_user, record, form.rule())
            except commend.CommendationError as error:
                show_refusal(form, error)
            else:
                db.session.commit()
                flash(_("Commendation rule saved."), "success")
                return redirect(url_for("ranking.commendation", campaign_id=record.id), 303)
    elif manages:
        form = CommendationForm(formdata=None, obj=found.rule)
    return render("ranking/commendation.html", status=422 if form is not None and form.errors else 200,
                  campaign=record, found=found, form=form, ready_day=record.end_date + timedelta(days=1),
                  marks=marks.RankMarks(),
                  rule_text=documents.commendation_rule_text(found))


@bp.errorhandler(commend.NotOver)
def not_over(error: commend.NotOver):
    message = _("The campaign runs until %(day)s. The list and the certificates are ready from the next day; "
                "until then the commendation page shows a provisional list.", day=f"{error.campaign.end_date:%d/%m/%Y}")
    return render("error.html", "_error.html", 409, code=409, message=message)


def _final_commendation(record: Campaign) -> commend.Commendation:
    found = commend.commendation(current_user, record)
    commend.require_final(found)
    return found


@bp.route("/campaigns/<campaign_id>/commendation.docx")
@login_required
def commendation_docx(campaign_id):
    record = _campaign(campaign_id)
    found = _final_commendation(record)
    body = documents.commendation_docx(found, current_user.display_name, local_today())
    commend.record_export(current_user, found, "docx")
    db.session.commit()
    name = f"de-nghi-khen-thuong-{record.id}-{record.end_date:%Y%m%d}.docx"
    return attachment(body, documents.MIME, name)


@bp.route("/campaigns/<campaign_id>/commendation/certificates")
@login_required
def certificates(campaign_id):
    """One A4 landscape sheet per proposed volunteer (or the one `?member=` names), to print."""
    record = _campaign(campaign_id)
    found = _final_commendation(record)
    chosen = commend.certified(found, request.args.get("member"))
    commend.record_export(current_user, found, "certificates")
    db.session.commit()
    with force_locale(DOCUMENT_LOCALE):  # a certificate's words, as the DOCX's
        return render("ranking/certificates.html", campaign=record, found=found, volunteers=chosen,
                      document_date=documents.document_date, today=local_today(), motto=documents.MOTTO,
                      slogan=documents.SLOGAN)
