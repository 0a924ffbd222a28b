"""The staff review workspace: episodes by review state, and the page where staff
correct captions against the video, approve them and publish.

The page is ``review/page.html`` plus ``static/review.js``; everything it changes goes
through the JSON endpoints below (CSRF token in the ``X-CSRFToken`` header), which use
:mod:`episodes.review` and :mod:`episodes.publishing`, so the CLI and the site share one
set of rules. A save names the revision it was made on; saving over a newer one is a
409 naming who saved it and when, and the refused text stays in the editor. An
approved revision is re-derived (tracks, videos) by the ``episode.rederive`` job,
which ``studio worker`` runs; the page shows its progress from the job row.
"""
from __future__ import annotations

from typing import Sequence

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request, send_from_directory
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from episodes import publishing
from episodes.assets import AssetKind
from episodes.errors import CatalogError
from episodes.jobs import Job
from episodes.models import Episode, Guest, MediaAsset, utcnow
from episodes.review import (REVIEW_STATES, EpisodeReview, TranscriptApproval, approve,
                             require_approved, review_log, save_revision, submit, uncertain_words)
from episodes.typed import name_and_department
from glossary import Glossary
from glossary.rewrite import rewrite_texts
from subtitles.profiles import get_profile
from subtitles.review import CueProblem, MergeConflict, RevisionConflict, diff, merge, validate_cues
from web.auth import role_required
from web import corrections
from web.corrections import learn_from_revision
from web.db import get_jobs, get_session
from web.limits import RouteLimit, limit_route, posted_object
from web.site import site_terms
from web.staff_api import STAFF, error, local_iso
from web.workspace import (Assistant, BadCues, analyse, cues_from_json, cues_json, plain_choices,
                           private_from_json, problem_message, revision_json)

bp = Blueprint("review", __name__, url_prefix="/review")
bp.register_blueprint(corrections.bp)  # /review/corrections/: the glossary corrections staff taught
REDERIVE = "episode.rederive"
# The list's columns, in the order an episode moves through them.
STAGES = ("草稿", "待审", "已审核", "已排期", "已发布", "已下线")
GONE = "这期节目已不存在（可能刚被删除）。您的修改没有保存，仍在编辑器中，可以先复制保留。"
TITLE_MAX, SUMMARY_MAX, CATEGORY_MAX, GUESTS_MAX = 300, 5000, 60, 20
# A save or check posts every cue: the longest episode the workspace takes, in JSON, is
# far over the site's 256 KiB form limit (web.limits).
CUES_MAX_BYTES = 8 * 1024 * 1024


def init_app(app: Flask) -> None:
    app.config.setdefault("REVIEW_MAX_BYTES", CUES_MAX_BYTES)
    for endpoint in ("review.save", "review.check"):
        limit_route(app, endpoint, RouteLimit.from_config("REVIEW_MAX_BYTES"))


def gate_on() -> bool:
    """The ``review_required`` setting: True unless the office turned the approval gate off."""
    value = current_app.config["REVIEW_REQUIRED"]
    return value.strip().lower() not in ("0", "false", "no", "off") if isinstance(value, str) else bool(value)


def terms() -> Glossary:
    """The office's term base (setting ``glossary``), loaded once per app."""
    if "review_terms" not in current_app.extensions:
        current_app.extensions["review_terms"] = site_terms(current_app.config["GLOSSARY"])
    return current_app.extensions["review_terms"]


def assistant() -> Assistant:
    """Per-text marks, suggestions and rewrites for the configured term base and profile."""
    if "review_assistant" not in current_app.extensions:
        current_app.extensions["review_assistant"] = Assistant(
            terms(), get_profile(current_app.config["PROFILE"]))
    return current_app.extensions["review_assistant"]


def plain(texts: Sequence[str]) -> list[str]:
    """The episode's cue texts in plain wording, as one track (see episodes.review.PlainWording)."""
    return rewrite_texts(texts, terms())


def stage(episode: Episode, state: str) -> str:
    """Where the episode stands for staff: publishing status first, then review state."""
    return {"archived": "已下线", "published": "已发布", "scheduled": "已排期"}.get(
        episode.status, REVIEW_STATES.get(state, "草稿"))


def review_of(episode: Episode) -> EpisodeReview:
    """The episode's review row, read only (one never reviewed is a draft nobody moved)."""
    return get_session().get(EpisodeReview, episode.id) or \
        EpisodeReview(episode_id=episode.id, state="draft", changed_by="")


def episode_or_gone(slug: str) -> Episode | None:
    return get_session().scalars(select(Episode).where(Episode.slug == slug)
                                 .options(selectinload(Episode.guests), selectinload(Episode.assets))).first()


def posted() -> dict:
    return posted_object() or {}


def posted_revision(data: dict) -> int | None:
    value = data.get("revision", data.get("base"))
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@bp.route("/")
@role_required(*STAFF)
def index():
    session = get_session()
    episodes = session.scalars(select(Episode).order_by(Episode.updated_at.desc(), Episode.id.desc())).all()
    reviews = {row.episode_id: row for row in session.scalars(select(EpisodeReview))}
    # who signed off the text that is scheduled or out: the latest approval of each episode
    approvers = {row.episode_id: row.approved_by for row in session.scalars(
        select(TranscriptApproval).order_by(TranscriptApproval.id))}
    columns: dict[str, list] = {name: [] for name in STAGES}
    for episode in episodes:
        review = reviews.get(episode.id)
        state = review.state if review else "draft"
        where = stage(episode, state)
        if review and where in ("草稿", "待审", "已审核"):
            who, when = review.changed_by, review.changed_at
        else:
            who = f"审核：{approvers[episode.id]}" if episode.id in approvers else ""
            when = episode.publish_at if where == "已排期" else episode.published_at or episode.updated_at
        pending = where in ("已排期", "已发布") and state != "approved"  # public text not the current one
        columns[where].append({"episode": episode, "who": who, "when": when, "pending": pending})
    return render_template("review/index.html", columns=columns)


@bp.route("/<slug>")
@role_required(*STAFF)
def page(slug: str):
    episode = episode_or_gone(slug)
    if episode is None:
        abort(404, "没有找到这期节目，可能已被删除。")
    video = episode.asset(AssetKind.WEB_VIDEO)
    return render_template("review/page.html", episode=episode, video=video,
                           poster=episode.asset(AssetKind.POSTER))


@bp.get("/<slug>/state")
@role_required(*STAFF)
def state(slug: str):
    """Everything the page shows, for its first load and after a conflict."""
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    session = get_session()
    log = review_log(session, episode.id)
    current = log.current
    cues = current.cues if current else ()
    review = review_of(episode)
    body = {
        "slug": episode.slug, "status": episode.status,
        "stage": stage(episode, review.state), "review": REVIEW_STATES[review.state],
        "review_by": review.changed_by,
        "review_at": local_iso(review.changed_at), "publish_at": local_iso(episode.publish_at),
        "revision": revision_json(current), "approved": revision_json(log.approved),
        "cues": cues_json(cues),
        "private": [vars(span) for span in (current.private if current else ())],
        "analysis": analyse(cues, current.plain_choices if current else (), assistant(),
                            uncertain_words(session, episode.id)),
        "history": [{**revision_json(r), "when": local_iso(r.created_at)} for r in reversed(log.revisions)],
        "meta": {"title": episode.title, "summary": episode.summary, "category": episode.service_category,
                 "guests": "\n".join(f"{g.name}：{g.department}" if g.department else g.name
                                     for g in episode.guests)},
        "job": job_status(episode.slug), "gate": gate_on(),
        "csrf": generate_csrf(),  # a fresh token after staff log in again (see review.js)
    }
    return jsonify(body)


@bp.post("/<slug>/check")
@role_required(*STAFF)
def check_cues(slug: str):
    """Violations, marks, suggestions and plain rewrite of the cues in the editor."""
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    data = posted()
    try:
        cues = cues_from_json(data.get("cues"))
        choices = plain_choices(cues, data.get("keep", {}), assistant())
    except BadCues as exc:
        return error(400, str(exc), cue=exc.cue)
    try:
        validate_cues(cues)
        blocking = ""
    except CueProblem as exc:  # shown at once; the autosave would be refused for it
        blocking = problem_message(exc)
    return jsonify({"analysis": analyse(cues, choices, assistant(), uncertain_words(get_session(), episode.id)),
                    "blocking": blocking})


@bp.post("/<slug>/save")
@role_required(*STAFF)
def save(slug: str):
    """Save the editor's cues as the revision after ``base`` (autosave); misheard terms
    the edit fixed are taught to the glossary (以后自动改). With ``reapply`` (after a
    409) the cues are merged per cue onto the newest revision: only what the editor
    changed since ``base`` is applied, and cues both changed keep the saved text and
    come back as ``conflicts`` for the editor to resolve."""
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    data = posted()
    base = posted_revision(data)
    if base is None:
        return error(400, "缺少修改所依据的版本号，请刷新页面后再试。")
    try:
        cues = cues_from_json(data.get("cues"))
        private = private_from_json(data.get("private", []))
        log = review_log(session, episode.id)
        previous = log.current
        conflicts = []
        if data.get("reapply") is True and previous is not None and base < previous.number:
            if not any(r.number == base for r in log.revisions):
                return error(400, f"没有第 {base} 版，请刷新页面后再试。")
            cues, conflicts = merge(log.revision(base).cues, previous.cues, cues)
            base = previous.number
        choices = plain_choices(cues, data.get("keep", {}), assistant())
        revision = save_revision(session, episode, base, cues, current_user.username, "browser",
                                 private, plain_choices=choices)
        session.commit()
    except BadCues as exc:
        return error(400, str(exc), cue=exc.cue)
    except CueProblem as exc:
        return error(400, problem_message(exc), cue=exc.cue)
    except RevisionConflict:
        session.rollback()
        return conflict(episode, base)
    learned, warning = learn_from_revision(previous.cues if previous else (), cues, terms(),
                                           current_user.username) if revision != previous else ([], "")
    return jsonify({"revision": revision_json(revision), "stage": stage(episode, review_of(episode).state),
                    "learned": learned, "warning": warning,
                    "conflicts": [merge_conflict_json(c) for c in conflicts]})


def merge_conflict_json(clash: MergeConflict) -> dict:
    """One cue both editors changed: which cue kept the other's text, and the refused text."""
    first = clash.position + 1
    numbers = f"第 {first} 句" if len(clash.theirs) <= 1 else f"第 {first}–{first + len(clash.theirs) - 1} 句"
    mine = "／".join(c.text for c in clash.mine) or "（删除）"
    return {"cue": first, "mine": cues_json(clash.mine), "theirs": cues_json(clash.theirs),
            "message": f"{numbers}两人都改了：保留了已保存的版本，您的修改是“{mine}”，请核对后重新修改。"}


def conflict(episode: Episode, base: int):
    """409: who saved the newer revision and when; the editor keeps the refused text."""
    theirs = review_log(get_session(), episode.id).current
    when = local_iso(theirs.created_at) if theirs else None
    message = (f"第 {theirs.number} 版已由 {theirs.author} 于 {when['text']} 保存，晚于您打开的第 {base} 版。"
               "您的修改没有保存，仍在编辑器中：可以载入最新版本，或在最新版本上重新应用您的修改。"
               if theirs else "这期节目的字幕已变化，您的修改没有保存，仍在编辑器中。")
    return error(409, message, theirs={**revision_json(theirs), "when": when} if theirs else None)


@bp.get("/<slug>/revisions/<int:number>")
@role_required(*STAFF)
def revision_diff(slug: str, number: int):
    """What revision ``number`` changed from the one before it."""
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    log = review_log(get_session(), episode.id)
    wanted = next((r for r in log.revisions if r.number == number), None)
    if wanted is None:
        return error(404, f"没有第 {number} 版。")
    before = next((r.cues for r in log.revisions if r.number == number - 1), ())
    return jsonify({"revision": revision_json(wanted), "changes": [
        {"kind": change.kind, "before": cues_json([change.before])[0] if change.before else None,
         "after": cues_json([change.after])[0] if change.after else None}
        for change in diff(before, wanted.cues)]})


@bp.post("/<slug>/revert")
@role_required(*STAFF)
def revert(slug: str):
    """Make an old revision's text current again, as a new revision (nothing is erased)."""
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    data = posted()
    base, to = posted_revision(data), data.get("to")
    log = review_log(session, episode.id)
    old = next((r for r in log.revisions if r.number == to), None)
    if base is None or old is None:
        return error(400, "要恢复的版本不存在，请刷新页面后再试。")
    try:
        revision = save_revision(session, episode, base, old.cues, current_user.username, "revert",
                                 old.private, plain_choices=old.plain_choices)
        session.commit()
    except RevisionConflict:
        session.rollback()
        return conflict(episode, base)
    return jsonify({"revision": revision_json(revision)})


@bp.post("/<slug>/submit")
@role_required(*STAFF)
def submit_for_review(slug: str):
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    try:
        submit(session, episode, current_user.username)
    except CatalogError:
        return error(400, "还没有字幕，无法提交审核。")
    session.commit()
    return jsonify({"stage": stage(episode, "in_review")})


@bp.post("/<slug>/approve")
@role_required(*STAFF)
def approve_revision(slug: str):
    """审核通过: approves the revision the approver saw, then re-derives the tracks."""
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    seen = posted_revision(posted())
    if seen is None:
        return error(400, "缺少您审核的版本号，请刷新页面后再试。")
    try:
        approval = approve(session, episode, current_user.username, plain, revision=seen)
    except RevisionConflict:
        session.rollback()
        return conflict(episode, seen)
    except CatalogError:
        return error(400, "还没有字幕，无法审核。")
    rederive(episode, approval.revision)
    session.commit()
    return jsonify({"stage": stage(episode, "approved"), "review": REVIEW_STATES["approved"],
                    "approved": approval.revision,
                    "by": approval.by, "at": local_iso(approval.at), "job": job_status(episode.slug)})


def rederive(episode: Episode, revision: int) -> None:
    """Ask ``studio worker`` to rebuild tracks and videos from ``revision``: one job per
    approved revision, so a second approval is not mistaken for the first one's job."""
    get_jobs().enqueue(get_session(), REDERIVE, episode.slug, key=f"{REDERIVE}:{episode.slug}:{revision}",
                       revision=revision)


def job_status(slug: str) -> dict | None:
    """The latest re-derivation of ``slug`` as the page shows it."""
    job = get_session().scalars(select(Job).where(Job.kind == REDERIVE, Job.target == slug)
                                .order_by(Job.id.desc())).first()
    if job is None:
        return None
    label = {"queued": "新视频排队等待生成", "running": f"新视频生成中 {round(job.progress * 100)}%",
             "done": "已更新", "failed": f"新视频生成失败：{job.message}" if job.message
             else "新视频生成失败，请联系技术人员" + (f"（{job.error}）" if job.error else "")}[job.state]
    return {"state": job.state, "progress": job.progress, "label": label}


@bp.get("/<slug>/job")
@role_required(*STAFF)
def job(slug: str):
    return jsonify({"job": job_status(slug)})


@bp.post("/<slug>/publish")
@role_required(*STAFF)
def publish(slug: str):
    """Publish now, schedule, unpublish or archive; publishing obeys the approval gate."""
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    data, now = posted(), utcnow()
    action = data.get("action")
    try:
        if action in ("now", "schedule"):
            require_approved(session, episode, gate_on=gate_on(), plain=plain)
        if action == "now":
            publishing.publish_now(episode, now)
        elif action == "schedule":
            at = data.get("at")
            if not isinstance(at, str) or not at.strip():
                return error(400, "请填写发布时间。")
            publishing.schedule(episode, publishing.parse_local_time(at.replace("T", " "),
                                                                     current_app.config["TIMEZONE"]), now)
        elif action == "unpublish":
            publishing.unpublish(episode)
        elif action == "archive":
            publishing.archive(episode)
        else:
            return error(400, "未知的发布操作。")
    except CatalogError as exc:
        session.rollback()
        return error(409, publish_problem(action, exc))
    session.commit()
    return jsonify({"status": episode.status, "stage": stage(episode, review_of(episode).state),
                    "publish_at": local_iso(episode.publish_at)})


def publish_problem(action: str, exc: CatalogError) -> str:
    """The publishing refusal in Chinese (the CLI's English message stays in the log)."""
    current_app.logger.info("publish %s refused: %s", action, exc)
    text = str(exc)
    if "not approved" in text:
        return "当前版本的字幕还没有审核通过，不能发布。请先点“审核通过”。"
    if "in the past" in text:
        return "发布时间已经过去，请选择将来的时间，或直接“立即发布”。"
    if "not a time" in text:
        return "发布时间的格式不对，例如 2026-12-01 19:30。"
    if "already published" in text:
        return "这期节目已经发布；要重新定时，请先撤回发布。"
    if "already archived" in text:
        return "这期节目已经下线。"
    return "这期节目当前的状态不能这样操作。"


@bp.post("/<slug>/meta")
@role_required(*STAFF)
def meta(slug: str):
    """Title, summary, category and guests (``姓名：单位`` a line)."""
    session = get_session()
    episode = episode_or_gone(slug)
    if episode is None:
        return error(404, GONE)
    data = posted()
    fields = {name: data.get(name) for name in ("title", "summary", "category", "guests")}
    if not all(isinstance(value, str) for value in fields.values()):
        return error(400, "节目信息的格式不对。")
    title, summary, category = (fields[n].strip() for n in ("title", "summary", "category"))
    guest_lines = [line.strip() for line in fields["guests"].splitlines() if line.strip()]
    if not title:
        return error(400, "标题不能为空。")
    if len(title) > TITLE_MAX or len(summary) > SUMMARY_MAX or len(category) > CATEGORY_MAX \
            or len(guest_lines) > GUESTS_MAX or any(len(line) > 300 for line in guest_lines):
        return error(400, f"内容太长：标题最多 {TITLE_MAX} 字，简介最多 {SUMMARY_MAX} 字，"
                          f"分类最多 {CATEGORY_MAX} 字，嘉宾最多 {GUESTS_MAX} 位。")
    episode.title, episode.summary, episode.service_category = title, summary, category
    guests = [name_and_department(line) or (line, "") for line in guest_lines]
    episode.guests = [Guest(position=i, name=name[:100], department=department[:200])
                      for i, (name, department) in enumerate(guests)]
    session.commit()
    return jsonify({"ok": True})


@bp.get("/media/<path:relpath>")
@role_required(*STAFF)
def media(relpath: str):
    """Any catalog file, whatever its episode's status: staff review unpublished videos.
    The public ``/media`` route stays published-only."""
    asset = get_session().scalar(select(MediaAsset).where(MediaAsset.path == relpath).limit(1))
    if asset is None:
        abort(404, "没有找到这个文件。")
    response = send_from_directory(current_app.config["MEDIA_ROOT"], relpath, mimetype=asset.mime_type,
                                   conditional=True, etag=asset.checksum)
    response.headers["Cache-Control"] = "private, no-store"
    return response
