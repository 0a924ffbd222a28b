"""The contest for organisers: set-up, judging progress, rankings, advancing, exports.

Only organisers reach these pages; they are the only place (with the CLI) where
entrant identity is shown next to scores.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import (DateTimeLocalField, FloatField, IntegerField, PasswordField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from episodes import accounts
from episodes.contest import (DEFAULT_ROUNDS, DEFAULT_RUBRIC, Contest, PrecheckReport, RubricItem, Submission,
                              add_conflict, add_judge, create_contest, get_round, get_submission, judges,
                              parse_criterion, parse_rounds)
from episodes.errors import CatalogError, NotFound
from episodes.judging import Assignment, advance, assign_round, audit_changes, audit_log, progress
from episodes.results import raw_only, ranking_table, scores_table, standings, to_csv, to_xlsx
from episodes.scoring import MIN_ENTRIES_PER_JUDGE
from web.auth import role_required
from web.contest import caption_tracks, contest_or_404, error_page
from web.db import get_session
from web.forms import Form

bp = Blueprint("contest_admin", __name__, url_prefix="/contest/admin")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
for _code in (403, 404):
    bp.register_error_handler(_code, error_page)


def rubric_line(item: RubricItem) -> str:
    """A criterion as the organiser's form shows and reads it: ``政策准确 30｜0-3：…；4-7：…``."""
    levels = "；".join(f"{low}-{high}：{text}" if low != high else f"{low}：{text}"
                      for low, high, text in item.levels)
    return f"{item.name} {item.weight}" + (f"｜{levels}" if levels else "")


def local_deadline(field_value: datetime | None) -> datetime | None:
    """A ``datetime-local`` value (no zone: the district's own time) as UTC."""
    if field_value is None:
        return None
    return field_value.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"])).astimezone(ZoneInfo("UTC"))


def deadline_field() -> DateTimeLocalField:
    """An entry deadline as the browser's date-and-time picker gives it (local time)."""
    return DateTimeLocalField("截止时间（不填则不设截止时间）", format="%Y-%m-%dT%H:%M", validators=[Optional()])


class ContestForm(Form):
    slug = StringField("网址标识（英文、数字、连字符）", validators=[
        DataRequired(), Length(max=80), Regexp(r"^[a-z0-9][a-z0-9-]*$", message="只能用小写英文、数字和连字符。")])
    title = StringField("大赛名称", validators=[DataRequired(), Length(max=200)])
    max_seconds = IntegerField("最长时长（秒）", default=180, validators=[NumberRange(10, 3600)])
    min_height = IntegerField("最低分辨率（p）", default=720, validators=[NumberRange(240, 2160)])
    max_mb = IntegerField("文件大小上限（MB）", default=500, validators=[NumberRange(1, 4096)])
    rounds = StringField("轮次（用顿号或逗号分隔）", default="、".join(DEFAULT_ROUNDS),
                         validators=[DataRequired()])
    rubric = TextAreaField("评分标准（每行：名称 权重｜分数段：含义；…，权重合计 100，分数段覆盖 0–10 分）",
                           default="\n".join(map(rubric_line, DEFAULT_RUBRIC)),
                           validators=[DataRequired()])
    deadline = deadline_field()


class EntriesForm(Form):
    """Whether the contest takes entries, and until when (local time)."""
    state = SelectField("征集状态", choices=[SelectChoice("open", "征集中"), SelectChoice("closed", "已停止征集")])
    deadline = deadline_field()


class NameForm(Form):
    username = StringField("评委用户名", validators=[DataRequired(), Length(max=80)])
    code = StringField("作品编号", validators=[Optional(), Length(max=16)])


class AdvanceForm(Form):
    top = IntegerField("晋级名额（前 N 名）", validators=[Optional(), NumberRange(1)])
    threshold = FloatField("或晋级分数线（按本轮排名所用的分数）", validators=[Optional(), NumberRange(0, 100)])


class AssignForm(Form):
    judges_per_submission = IntegerField("每件作品的评委人数", validators=[Optional(), NumberRange(1, 20)])


class AccountForm(Form):
    """A new judge (joins this contest's panel) or entrant account, made by the organiser."""
    username = StringField("用户名", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    role = SelectField("身份", choices=[SelectChoice("judge", "评委"), SelectChoice("entrant", "参赛者")])
    password = PasswordField("初始密码（至少 10 位）", validators=[DataRequired(), Length(max=200)])


def parse_rubric(text: str) -> tuple[RubricItem, ...]:
    """Lines like ``政策准确 30｜0-3：有错误；4-10：准确`` -> rubric items; CatalogError on a bad line."""
    rubric = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        criterion = parse_criterion(line)
        if criterion is None:
            raise CatalogError(f"评分标准这一行看不懂：“{line}”（应为“名称 权重”，"
                               "可在“｜”后写分数段：“0-3：含义；4-7：含义；8-10：含义”）")
        rubric.append(criterion)
    return tuple(rubric)


@bp.route("/", methods=("GET", "POST"))
@role_required("organiser")
def home():
    db, form = get_session(), ContestForm()
    error = ""
    if form.validate_on_submit():
        try:
            contest = create_contest(
                db, form.slug.data, form.title.data.strip(), max_duration_ms=form.max_seconds.data * 1000,
                min_height=form.min_height.data, max_bytes=form.max_mb.data * 1024 * 1024,
                rounds=parse_rounds(form.rounds.data),
                rubric=parse_rubric(form.rubric.data), deadline=local_deadline(form.deadline.data))
            db.commit()
            return redirect(url_for("contest_admin.manage", slug=contest.slug))
        except CatalogError as exc:
            db.rollback()
            error = exc.problem
    contests = list(db.scalars(select(Contest).order_by(Contest.created_at.desc())))
    status = 422 if error else 400 if form.is_submitted() and form.errors else 200
    return render_template("contest/admin_home.html", contests=contests, form=form,
                           error=error), status


@bp.route("/<slug>")
@role_required("organiser")
def manage(slug: str):
    db, contest = get_session(), contest_or_404(slug)
    submissions = list(db.scalars(select(Submission).where(Submission.contest_id == contest.id)
                                  .order_by(Submission.id)))
    reports = {r.submission_id: r for r in db.scalars(select(PrecheckReport).where(
        PrecheckReport.submission_id.in_([s.id for s in submissions])))}
    rounds = [(r, progress(db, contest, r)) for r in contest.rounds]
    return render_template("contest/admin_manage.html", contest=contest, rounds=rounds,
                           submissions=submissions, reports=reports, panel=judges(db, contest),
                           name_form=NameForm(), assign_form=AssignForm(), account_form=AccountForm(),
                           entries_form=EntriesForm(state="open" if contest.is_open else "closed",
                                                    deadline=_local(contest.deadline)))


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


def _act(slug: str, action, form_class: type[Form], **args) -> Response:
    """Run ``action(db, contest, form, **args)`` for a valid POST, commit, and go back."""
    db, contest = get_session(), contest_or_404(slug)
    form = form_class()
    if not form.validate_on_submit():
        abort(400, "表单无效或已过期，请刷新后重试。")
    try:
        flash(action(db, contest, form, **args))
        db.commit()
    except CatalogError as exc:
        db.rollback()
        flash(f"操作未完成：{exc.problem}")
    return redirect(url_for("contest_admin.manage", slug=slug))


def _add_judge(db, contest, form) -> str:
    add_judge(db, contest, accounts.get_user(db, form.username.data.strip()))
    return f"已将 {form.username.data} 加入评委组。"


def _add_conflict(db, contest, form) -> str:
    add_conflict(db, accounts.get_user(db, form.username.data.strip()),
                 get_submission(db, contest, (form.code.data or "").strip()), "organiser")
    return f"已登记利益冲突：{form.username.data} 不评审 {form.code.data}。"


@bp.route("/<slug>/entries", methods=("POST",))
@role_required("organiser")
def entries(slug: str):
    return _act(slug, _set_entries, EntriesForm)


def _set_entries(db, contest, form) -> str:
    contest.is_open = form.state.data == "open"
    contest.deadline = local_deadline(form.deadline.data)
    return "已更新征集状态和截止时间。"


@bp.route("/<slug>/judges", methods=("POST",))
@role_required("organiser")
def judges_add(slug: str):
    return _act(slug, _add_judge, NameForm)


@bp.route("/<slug>/conflicts", methods=("POST",))
@role_required("organiser")
def conflicts_add(slug: str):
    return _act(slug, _add_conflict, NameForm)


@bp.route("/<slug>/accounts", methods=("POST",))
@role_required("organiser")
def accounts_add(slug: str):
    return _act(slug, _add_account, AccountForm)


def _add_account(db, contest, form) -> str:
    user = accounts.create_user(db, form.username.data, form.password.data, form.role.data,
                                form.display_name.data or "")
    if user.role == "judge":
        add_judge(db, contest, user)
        return f"已创建评委账号 {user.username} 并加入评委组。"
    return f"已创建参赛者账号 {user.username}。"


@bp.route("/<slug>/r<int:position>/assign", methods=("POST",))
@role_required("organiser")
def assign(slug: str, position: int):
    return _act(slug, _assign, AssignForm, position=position)


def _assign(db, contest, form, position: int) -> str:
    round_ = get_round(contest, position)
    if form.judges_per_submission.data:
        round_.judges_per_submission = form.judges_per_submission.data
    return f"已分配 {assign_round(db, contest, round_)} 份评审任务。"


@bp.route("/<slug>/r<int:position>/results", methods=("GET", "POST"))
@role_required("organiser")
def results(slug: str, position: int):
    db, contest = get_session(), contest_or_404(slug)
    round_, form = _round_or_404(contest, position), AdvanceForm()
    if form.validate_on_submit():
        try:
            moved = advance(db, contest, round_, form.top.data, form.threshold.data)
            db.commit()
            flash(f"{len(moved)} 件作品晋级下一轮。")
            return redirect(url_for("contest_admin.results", slug=slug, position=position))
        except CatalogError as exc:
            db.rollback()
            flash(f"操作未完成：{exc.problem}")
    return render_template("contest/admin_results.html", contest=contest, round=round_, form=form,
                           standings=standings(db, contest, round_), raw_only=raw_only(db, contest, round_),
                           min_entries=MIN_ENTRIES_PER_JUDGE, progress=progress(db, contest, round_))


def _round_or_404(contest: Contest, position: int):
    try:
        return get_round(contest, position)
    except NotFound:
        abort(404, "没有这一轮。")


TABLES = {"ranking": ranking_table, "scores": scores_table}


@bp.route("/<slug>/r<int:position>/<kind>.csv")
@role_required("organiser")
def export_csv(slug: str, position: int, kind: str):
    db, contest = get_session(), contest_or_404(slug)
    if kind not in TABLES:
        abort(404, "只能导出 ranking 或 scores。")
    body = to_csv(TABLES[kind](db, contest, _round_or_404(contest, position)))
    return _attachment(body, "text/csv; charset=utf-8", f"{contest.slug}-round{position}-{kind}.csv")


@bp.route("/<slug>/r<int:position>/results.xlsx")
@role_required("organiser")
def export_xlsx(slug: str, position: int):
    db, contest = get_session(), contest_or_404(slug)
    round_ = _round_or_404(contest, position)
    body = to_xlsx([ranking_table(db, contest, round_), scores_table(db, contest, round_)])
    return _attachment(body, XLSX_MIME, f"{contest.slug}-round{position}.xlsx")


def _attachment(body, mime: str, name: str) -> Response:
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<slug>/submissions/<code>")
@role_required("organiser")
def submission(slug: str, code: str):
    db, contest = get_session(), contest_or_404(slug)
    try:
        item = get_submission(db, contest, code)
    except NotFound:
        abort(404, "没有这件作品。")
    reviews = list(db.scalars(select(Assignment).where(Assignment.submission_id == item.id)))
    report = db.scalar(select(PrecheckReport).where(PrecheckReport.submission_id == item.id))
    audit = audit_changes([entry for r in contest.rounds for entry in audit_log(db, r)
                           if entry.assignment_id in {a.id for a in reviews}])
    return render_template("contest/admin_submission.html", contest=contest, submission=item,
                           reviews=reviews, report=report, audit=audit,
                           tracks=caption_tracks(contest, item, report))
