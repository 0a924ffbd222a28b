"""The contest for entrants and judges: upload a video; review assigned work blind.

Judges see a submission's blind code, title, description, video and pre-check,
never who made it; they can open only what is assigned to them (403 otherwise)
and see other judges' scores only after submitting their own. Organiser pages are
in :mod:`web.contest_admin`.
"""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from episodes.contest import (Contest, PrecheckReport, Submission, add_submission, get_contest, get_round,
                              get_submission)
from episodes.errors import NotFound
from episodes.jobs import progress
from episodes.judging import Assignment, find_assignment, judge_assignments, other_reviews, save_review
from episodes.models import User
from episodes.uploads import UPLOADS_FOLDER, UploadRejected, check_name, download_name, mime_type, store
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


def init_app(app: Flask) -> None:
    app.config.setdefault("CONTEST_UPLOADS", str(Path(app.instance_path) / UPLOADS_FOLDER))
    app.config.setdefault("MAX_UPLOAD_BYTES", None)
    # Checked before CSRFProtect reads the form, so an oversize body is refused from its
    # Content-Length, or cut off while it streams in, rather than spooled to disk.
    limit_route(app, "contest.submit", RouteLimit(upload_limit, largest_upload))
    app.add_template_filter(rejection_text)


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
    checks = {s.id: progress(db, f"contest.intake:{s.id}") for s in mine if s.intake == "checking"}
    return render_template("contest/entrant_home.html", contests=contests, submissions=mine,
                           checks=checks)


@bp.route("/<slug>/submit", methods=("GET", "POST"))
@role_required("entrant")
def submit(slug: str):
    contest = contest_or_404(slug)
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
    get_jobs().enqueue(db, "contest.intake", submission.id)
    db.commit()
    return submission


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
        save_draft = SubmitField("保存草稿")
        submit_final = SubmitField("提交评分（提交后不能修改）")

    for c in contest.criteria:
        setattr(ScoreForm, f"c{c.id}", IntegerField(
            f"{c.name}（{c.min_score}–{c.max_score} 分，权重 {c.weight}%）",
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
        refusal = _refusal(contest, item, values, form.submit_final.data)
        if refusal:
            return _review_page(contest, item, form, refusal, 422)
        save_review(get_session(), contest, item, values, form.comment.data or "",
                    submit=form.submit_final.data)
        get_session().commit()
        flash("评分已提交。" if item.status == "submitted" else "草稿已保存。")
        return redirect(url_for("contest.review", slug=slug, position=position, code=code))
    return _review_page(contest, item, form, "", 400 if form.is_submitted() else 200)


def _refusal(contest: Contest, item: Assignment, values: dict[int, int], submit: bool) -> str:
    """Why a save cannot happen, in the judge's words (``save_review`` enforces the same)."""
    if item.status == "submitted":
        return "评分已经提交，不能再修改。"
    if submit and len(values) < len(contest.criteria):
        return "提交前请为每一项标准打分；也可以先保存草稿。"
    return ""


def _review_page(contest: Contest, item: Assignment, form: Form, error: str, status: int):
    db = get_session()
    report = db.scalar(select(PrecheckReport).where(PrecheckReport.submission_id == item.submission_id))
    return render_template("contest/review.html", contest=contest, review=item, form=form,
                           error=error, report=report, others=other_reviews(db, item)), status


@bp.route("/<slug>/video/<code>")
@role_required("judge", "organiser")
def video(slug: str, code: str):
    """The submitted file, for judges it is assigned to and for organisers; always a
    video type, never sniffed or rendered as a page."""
    db, contest = get_session(), contest_or_404(slug)
    try:
        submission = get_submission(db, contest, code)
    except NotFound:
        abort(404, "没有这件作品。")
    if current_user.role == "judge" and db.scalar(select(Assignment.id).where(
            Assignment.submission_id == submission.id, Assignment.judge_id == current_user.id)) is None:
        abort(403, "这件作品没有分配给您评审。")
    stored = uploads_folder(contest) / submission.stored_name
    if not stored.is_file():
        abort(404, "视频文件不在服务器上，请联系组织方。")
    response = send_file(stored, conditional=True, mimetype=mime_type(submission),
                         download_name=download_name(submission))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
