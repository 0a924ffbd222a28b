"""The contest for entrants and judges: upload a video; review assigned work blind.

Entrants upload, see their pre-check, and withdraw or replace an entry while the
contest is open and before its deadline. Judges see a submission's blind code,
title, description, video with its captions as WebVTT tracks, the recognised
transcript and the pre-check, never who made it; they can open only what is
assigned to them (403 otherwise) and see other judges' scores only after submitting
their own. Organiser pages are in :mod:`web.contest_admin`.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template,
                   request, send_file, url_for)
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from episodes.contest import (Contest, PrecheckReport, Submission, add_submission, closed_because,
                              get_contest, get_round, get_submission, job_key, replace_video, withdraw)
from episodes.errors import CatalogError, NotFound
from episodes.jobs import progress
from episodes.judging import Assignment, find_assignment, judge_assignments, other_reviews, save_review
from episodes.models import User, utcnow
from episodes.uploads import (UPLOADS_FOLDER, UploadRejected, caption_name, check_name, download_name,
                              mime_type, remove_stored, store, transcript_name)
from web.auth import role_required
from web.db import get_jobs, get_session
from web.forms import Form
from web.limits import RouteLimit, limit_route

bp = Blueprint("contest", __name__, url_prefix="/contest")
FORM_OVERHEAD = 1 << 20  # multipart boundaries and text fields around the video

# What the site says for each upload rule (episodes.uploads.UploadRejected.reason): the
# first three are refused while the upload arrives, the others by the intake job.
REJECTIONS = {
    "bad_name": "文件名不能包含路径或以“.”开头，请改用普通文件名。",
    "empty": "文件是空的（0 字节），请重新选择视频文件。",
    "too_large": "文件超过 {limit_mb} MB 的大小上限。",
    "not_video": "无法识别为视频：只接受 MP4、MOV、MKV 或 WebM 格式的视频文件。",
    "codec": "视频编码 {codec} 不在允许范围内，请导出为 H.264（MP4）。",
    "no_audio": "视频没有声音轨道：参赛作品须有配音或讲解。",
    "too_long": "视频时长 {seconds} 秒，超过 {limit} 秒的上限。",
    "too_small": "视频分辨率为 {size}，低于 {limit}p 的最低要求。",
}
# What an entry's state and a review's state are called on every contest page.
INTAKE_LABELS = {"checking": "待检查（格式）", "accepted": "已受理", "rejected": "未通过"}
PRECHECK_LABELS = {"pending": "排队中", "running": "进行中", "done": "已完成", "failed": "未能完成"}
REVIEW_LABELS = {"assigned": "未评", "draft": "草稿", "submitted": "已提交"}


def init_app(app: Flask) -> None:
    app.config.setdefault("CONTEST_UPLOADS", str(Path(app.instance_path) / UPLOADS_FOLDER))
    app.config.setdefault("MAX_UPLOAD_BYTES", None)
    # Checked before CSRFProtect reads the form, so an oversize body is refused from its
    # Content-Length, or cut off while it streams in, rather than spooled to disk.
    for endpoint in ("contest.submit", "contest.replace"):
        limit_route(app, endpoint, RouteLimit(upload_limit, largest_upload))
    app.add_template_filter(rejection_text)
    app.add_template_global(closed_message)
    app.jinja_env.globals.update(intake_labels=INTAKE_LABELS, precheck_labels=PRECHECK_LABELS,
                                 review_labels=REVIEW_LABELS)


def upload_limit(_app: Flask) -> int:
    """The body an upload to this contest may carry: its file size limit plus the form."""
    max_bytes = get_session().scalar(select(Contest.max_bytes).where(
        Contest.slug == (request.view_args or {}).get("slug")))
    return (max_bytes or 0) + FORM_OVERHEAD


def largest_upload(app: Flask) -> int:
    """MAX_UPLOAD_BYTES if set, else the largest contest limit in the catalog (at least
    the default contest's), plus the form: uploads to a contest whose limit is raised
    above this need MAX_UPLOAD_BYTES or a restart of ``studio serve``."""
    if app.config["MAX_UPLOAD_BYTES"]:
        return app.config["MAX_UPLOAD_BYTES"] + FORM_OVERHEAD
    with app.extensions["catalog_sessions"]() as db:
        largest = db.scalar(select(func.max(Contest.max_bytes))) or 0
    default = Contest.__table__.c.max_bytes.default.arg  # a new contest's limit
    return max(largest, default) + FORM_OVERHEAD


@bp.errorhandler(413)
def too_large(_error):
    return render_template("site/error.html", code=413,
                           message="上传的文件超过大小上限，请压缩后重新提交。"), 413


def error_page(error: HTTPException):
    """A refusal (403, 404, 409) as a page in Chinese that says why."""
    return render_template("site/error.html", code=error.code, message=error.description), error.code


for _code in (403, 404, 409):
    bp.register_error_handler(_code, error_page)


def closed_message(contest: Contest) -> str:
    """Why ``contest`` takes no uploads, withdrawals or replacements now ('' when it does)."""
    reason = closed_because(contest, utcnow())
    if reason == "closed":
        return f"“{contest.title}”已停止征集作品：不能再提交、撤回或替换作品。"
    if reason == "deadline":
        local = current_app.jinja_env.filters["local_time"](contest.deadline).striptags()
        return f"“{contest.title}”的截止时间（{local}）已过：不能再提交、撤回或替换作品。"
    return ""


def require_open(contest: Contest) -> None:
    """403 with the reason when the contest takes no entries now."""
    message = closed_message(contest)
    if message:
        abort(403, message)


def uploads_folder(contest: Contest) -> Path:
    return Path(current_app.config["CONTEST_UPLOADS"]) / contest.slug


def contest_or_404(slug: str) -> Contest:
    try:
        return get_contest(get_session(), slug)
    except NotFound:
        abort(404, "没有这个大赛。")


class UploadForm(Form):
    title = StringField("作品标题", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("作品简介", validators=[Optional(), Length(max=2000)])
    video = FileField("视频文件", validators=[FileRequired("请选择视频文件。")])


class ReplaceForm(Form):
    video = FileField("新的视频文件", validators=[FileRequired("请选择视频文件。")])


class WithdrawForm(Form):
    confirm = BooleanField("我确认撤回这件作品（撤回后作品和预检结果将被删除）",
                           validators=[InputRequired("请先勾选确认，再撤回作品。")])


def rejection_text(rejection: dict) -> str:
    """Why a submission was refused, in the entrant's words."""
    detail = dict(rejection)
    return REJECTIONS[detail.pop("reason")].format(**detail)


@bp.route("/")
@role_required("entrant")
def entrant_home():
    db = get_session()
    contests = list(db.scalars(select(Contest).order_by(Contest.created_at.desc())))
    mine = list(db.scalars(select(Submission).where(Submission.entrant_user_id == current_user.id)
                           .order_by(Submission.created_at.desc())))
    checks = {s.id: progress(db, job_key("contest.intake", s)) for s in mine if s.intake == "checking"}
    reports = _reports(s.id for s in mine)
    return render_template("contest/entrant_home.html", contests=contests, submissions=mine,
                           checks=checks, reports=reports)


def _reports(submission_ids) -> dict[int, PrecheckReport]:
    return {r.submission_id: r for r in get_session().scalars(select(PrecheckReport).where(
        PrecheckReport.submission_id.in_(list(submission_ids))))}


@bp.route("/<slug>/submit", methods=("GET", "POST"))
@role_required("entrant")
def submit(slug: str):
    contest = contest_or_404(slug)
    require_open(contest)
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("contest/submit.html", contest=contest, form=form), status
    try:
        _store_upload(contest, form)
    except UploadRejected as exc:
        error = REJECTIONS[exc.reason].format(**exc.detail)
        return render_template("contest/submit.html", contest=contest, form=form, error=error), 422
    flash("作品已收到，系统正在检查视频格式，随后进行自动预检，结果见下表。")
    return redirect(url_for("contest.entrant_home"))


def _store_upload(contest: Contest, form: UploadForm) -> Submission:
    """Keep the upload and queue its intake check (``studio worker`` runs ffprobe, strips
    the tags and pre-checks it; the web process never runs media tools)."""
    db = get_session()
    user = db.get(User, current_user.id)
    upload = form.video.data
    name = check_name(upload.filename or "")
    stored = store(upload.stream, uploads_folder(contest), contest.max_bytes, name)
    submission = add_submission(
        db, contest, checked=False, title=form.title.data.strip(),
        description=form.description.data or "", original_name=name, stored_name=stored.name,
        container="", size_bytes=stored.size_bytes, duration_ms=0, width=0, height=0,
        sha256=stored.sha256, entrant_user_id=user.id, entrant_name=user.display_name)
    get_jobs().enqueue(db, "contest.intake", submission.id, key=job_key("contest.intake", submission))
    db.commit()
    return submission


def my_entry(slug: str, code: str) -> tuple[Contest, Submission]:
    """The logged-in entrant's own entry; 404 for anyone else's (their codes stay secret)."""
    db, contest = get_session(), contest_or_404(slug)
    try:
        entry = get_submission(db, contest, code)
    except NotFound:
        entry = None
    if entry is None or entry.entrant_user_id != current_user.id:
        abort(404, "没有这件作品，或它不是您提交的。")
    return contest, entry


@bp.route("/<slug>/entries/<code>")
@role_required("entrant")
def entry(slug: str, code: str):
    contest, item = my_entry(slug, code)
    return _entry_page(contest, item, ReplaceForm(), WithdrawForm(), "", 200)


def _entry_page(contest: Contest, item: Submission, replace_form: Form, withdraw_form: Form,
                error: str, status: int):
    check = progress(get_session(), job_key("contest.intake", item)) if item.intake == "checking" else None
    return render_template("contest/entry.html", contest=contest, submission=item, check=check,
                           report=_reports([item.id]).get(item.id), replace_form=replace_form,
                           withdraw_form=withdraw_form, error=error), status


@bp.route("/<slug>/entries/<code>/withdraw", methods=("POST",))
@role_required("entrant")
def withdraw_entry(slug: str, code: str):
    contest, item = my_entry(slug, code)
    require_open(contest)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _entry_page(contest, item, ReplaceForm(), form, "", 400)
    db = get_session()
    try:
        stored = withdraw(db, item)
    except CatalogError:
        abort(409, "评委已经为这件作品提交了评分，不能再撤回。")
    db.commit()
    remove_stored(uploads_folder(contest), stored)
    flash(f"作品 {code} 已撤回。")
    return redirect(url_for("contest.entrant_home"))


@bp.route("/<slug>/entries/<code>/replace", methods=("POST",))
@role_required("entrant")
def replace(slug: str, code: str):
    contest, item = my_entry(slug, code)
    require_open(contest)
    form = ReplaceForm()
    if not form.validate_on_submit():
        return _entry_page(contest, item, form, WithdrawForm(), "", 400)
    db = get_session()
    try:
        name = check_name(form.video.data.filename or "")
        stored = store(form.video.data.stream, uploads_folder(contest), contest.max_bytes, name)
    except UploadRejected as exc:
        return _entry_page(contest, item, form, WithdrawForm(),
                           REJECTIONS[exc.reason].format(**exc.detail), 422)
    try:
        old = replace_video(db, item, stored_name=stored.name, original_name=name,
                            size_bytes=stored.size_bytes, sha256=stored.sha256)
    except CatalogError:
        remove_stored(uploads_folder(contest), stored.name)
        abort(409, "评委已经为这件作品提交了评分，不能再替换视频。")
    get_jobs().enqueue(db, "contest.intake", item.id, key=job_key("contest.intake", item))
    db.commit()
    remove_stored(uploads_folder(contest), old)
    flash(f"作品 {code} 的视频已替换，系统正在重新检查格式并预检。")
    return redirect(url_for("contest.entry", slug=slug, code=code))


@bp.route("/judge")
@role_required("judge")
def judge_home():
    reviews = judge_assignments(get_session(), _me())
    return render_template("contest/judge_home.html", reviews=reviews)


def _me() -> User:
    return get_session().get(User, current_user.id)


def my_review(slug: str, position: int, code: str) -> tuple[Contest, Assignment]:
    """The logged-in judge's review, or 403 when the work is not assigned to them."""
    db, contest = get_session(), contest_or_404(slug)
    try:
        review = find_assignment(db, _me(), get_round(contest, position),
                                 get_submission(db, contest, code))
    except NotFound:
        review = None
    if review is None:
        abort(403, "这件作品没有分配给您评审。")
    return contest, review


def score_form(contest: Contest, review: Assignment) -> Form:
    """A form with one bounded field per criterion, filled with the judge's draft."""
    class ScoreForm(Form):
        comment = TextAreaField("评语", validators=[Optional(), Length(max=2000)])
        confirm = BooleanField("我已核对全部分数，确认提交（提交后不能修改）")
        save_draft = SubmitField("保存草稿")
        submit_final = SubmitField("提交评分（提交后不能修改）")

    for c in contest.criteria:
        setattr(ScoreForm, f"c{c.id}", IntegerField(
            f"{c.name}得分（{c.min_score}–{c.max_score} 分）",
            validators=[Optional(), NumberRange(c.min_score, c.max_score)]))
    data = {f"c{s.criterion_id}": s.value for s in review.scores} | {"comment": review.comment}
    return ScoreForm(data=data)


@bp.route("/<slug>/r<int:position>/<code>", methods=("GET", "POST"))
@role_required("judge")
def review(slug: str, position: int, code: str):
    contest, item = my_review(slug, position, code)
    form = score_form(contest, item)
    if form.validate_on_submit():
        values = {c.id: form[f"c{c.id}"].data for c in contest.criteria
                  if form[f"c{c.id}"].data is not None}
        refusal = _refusal(contest, item, values, form.submit_final.data, form.confirm.data)
        if refusal:
            return _review_page(contest, item, form, refusal, 422)
        save_review(get_session(), contest, item, values, form.comment.data or "",
                    submit=form.submit_final.data)
        get_session().commit()
        flash("评分已提交。" if item.status == "submitted" else "草稿已保存。")
        return redirect(url_for("contest.review", slug=slug, position=position, code=code))
    return _review_page(contest, item, form, "", 400 if form.is_submitted() else 200)


def _refusal(contest: Contest, item: Assignment, values: dict[int, int], submit: bool,
             confirmed: bool) -> str:
    """Why a save cannot happen, in the judge's words (``save_review`` enforces the same;
    the confirmation is the site's: submitting is final, so it is never one stray tap)."""
    if item.status == "submitted":
        return "评分已经提交，不能再修改。"
    if submit and len(values) < len(contest.criteria):
        return "提交前请为每一项标准打分；也可以先保存草稿。"
    if submit and not confirmed:
        return "提交评分后不能修改：请勾选“我已核对全部分数，确认提交”后再提交；也可以先保存草稿。"
    return ""


def _review_page(contest: Contest, item: Assignment, form: Form, error: str, status: int):
    db = get_session()
    report = db.scalar(select(PrecheckReport).where(PrecheckReport.submission_id == item.submission_id))
    return render_template("contest/review.html", contest=contest, review=item, form=form,
                           error=error, report=report, tracks=caption_tracks(contest, item.submission, report),
                           others=other_reviews(db, item)), status


def caption_tracks(contest: Contest, submission: Submission,
                   report: PrecheckReport | None) -> list[dict[str, str]]:
    """The ``<track>``s of the player: the video's own caption tracks and the recognised
    speech, as the pre-check wrote them (none before it has run)."""
    if report is None or report.status != "done":
        return []
    names = [(f"captions{n}", f"作品自带字幕 {n + 1}" if report.caption_tracks > 1 else "作品自带字幕")
             for n in range(report.caption_tracks)]
    if report.transcript:
        names.append(("transcript", "自动识别文字（参考）"))
    return [{"src": url_for("contest.captions", slug=contest.slug, code=submission.code, name=name),
             "label": label} for name, label in names]


def viewable(slug: str, code: str) -> tuple[Contest, Submission]:
    """A submission the logged-in judge is assigned (403 otherwise) or any, for organisers."""
    db, contest = get_session(), contest_or_404(slug)
    try:
        submission = get_submission(db, contest, code)
    except NotFound:
        abort(404, "没有这件作品。")
    if current_user.role == "judge" and db.scalar(select(Assignment.id).where(
            Assignment.submission_id == submission.id, Assignment.judge_id == current_user.id)) is None:
        abort(403, "这件作品没有分配给您评审。")
    return contest, submission


def _send_stored(path: Path, mimetype: str, download: str):
    """A stored file, never sniffed or rendered as a page."""
    if not path.is_file():
        abort(404, "文件不在服务器上，请联系组织方。")
    response = send_file(path, conditional=True, mimetype=mimetype, download_name=download)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/<slug>/video/<code>")
@role_required("judge", "organiser")
def video(slug: str, code: str):
    """The submitted file, for judges it is assigned to and for organisers; always a
    video type."""
    contest, submission = viewable(slug, code)
    return _send_stored(uploads_folder(contest) / submission.stored_name, mime_type(submission),
                        download_name(submission))


@bp.route("/<slug>/captions/<code>/<name>.vtt")
@role_required("judge", "organiser")
def captions(slug: str, code: str, name: str):
    """A caption track (``captions0``…) or the recognised speech (``transcript``) of a
    submission as WebVTT, written by the pre-check; named by the blind code only."""
    contest, submission = viewable(slug, code)
    track = re.fullmatch(r"captions([0-9]{1,2})", name)
    if name == "transcript":
        stored = transcript_name(submission.stored_name)
    elif track:
        stored = caption_name(submission.stored_name, int(track[1]))
    else:
        abort(404, "没有这条字幕。")
    return _send_stored(uploads_folder(contest) / stored, "text/vtt; charset=utf-8",
                        f"{submission.code}-{name}.vtt")
