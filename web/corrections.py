"""Corrections that teach the glossary (以后自动改), from the review workspace.

When a saved edit replaces a misheard form of a glossary term (趋司法局 → 区司法局),
:func:`learn_from_revision` records it through :mod:`glossary.learned`, which owns the
file and its rules; staff can also teach a correction by hand (reason "recurring"),
see every correction with who and when, and undo one. Later transcripts are corrected
with them by the pipeline. The file lives in the instance folder, which the site and
the CLI share.
"""
from __future__ import annotations

from typing import Sequence

from flask import Blueprint, current_app, jsonify
from flask_login import current_user

from glossary import Glossary, learned
from glossary.errors import GlossaryError
from subtitles.cue import Cue
from subtitles.review import diff
from web.auth import role_required
from web.limits import posted_object
from web.staff_api import STAFF, error, local_iso

bp = Blueprint("corrections", __name__, url_prefix="/corrections")  # nested in web.review's


def learned_file():
    return learned.path_in(current_app.instance_path)


def learn_from_revision(before: Sequence[Cue], after: Sequence[Cue], terms: Glossary,
                        by: str) -> tuple[list[dict], str]:
    """Teach the misheard terms an edit fixed, cue by changed cue; returns what was
    learned and a warning for staff when the file could not be written (the edit itself
    is saved either way)."""
    try:
        found = [correction for change in diff(before, after) if change.kind == "changed"
                 for correction in learned.learn_from_edit(learned_file(), change.before.text,
                                                           change.after.text, terms, by)]
    except GlossaryError as exc:
        current_app.logger.error("learning corrections failed: %s", exc)
        return [], "修改已保存，但没能记住这次术语更正（自动更正文件无法写入），请告诉技术人员。"
    return [correction_json(c) for c in found], ""


def correction_json(correction: learned.LearnedCorrection) -> dict:
    return {"id": correction.id, "heard": correction.heard, "after": correction.after,
            "reason": "审核时的更正" if correction.reason == "review" else "以后自动改",
            "by": correction.by, "at": local_iso(correction.at), "active": correction.active,
            "undone_by": correction.undone_by, "undone_at": local_iso(correction.undone_at or None)}


@bp.get("/")
@role_required(*STAFF)
def listing():
    """Every learned correction, newest first, undone ones included."""
    try:
        found = learned.load(learned_file())
    except GlossaryError as exc:
        current_app.logger.error("%s", exc)
        return error(409, "自动更正文件已损坏，无法读取，请告诉技术人员。")
    return jsonify({"corrections": [correction_json(c) for c in reversed(found)]})


@bp.post("/")
@role_required(*STAFF)
def teach():
    """以后自动改: ``heard`` reads ``after`` in every later transcript."""
    data = posted_object() or {}
    heard, after = data.get("heard"), data.get("after")
    if not (isinstance(heard, str) and isinstance(after, str)):
        return error(400, "请填写听错的说法和正确的说法。")
    try:
        correction = learned.learn(learned_file(), heard, after, current_user.username, "recurring")
    except GlossaryError as exc:
        return error(400, f"不能记住这条更正：{teach_problem(str(exc))}")
    return jsonify({"correction": correction_json(correction)})


def teach_problem(problem: str) -> str:
    """glossary.learned's refusal in Chinese."""
    if "heard form needs" in problem:
        return f"听错的说法要 {learned.MIN_HEARD} 到 {learned.MAX_TEXT} 个字。"
    if "correction needs" in problem:
        return f"正确的说法要 1 到 {learned.MAX_TEXT} 个字。"
    if "is already" in problem:
        return "两种说法相同。"
    if "contains" in problem:
        return "正确的说法里包含听错的说法，会被反复更正。"
    if "several lines" in problem:
        return "不能包含换行。"
    if "formula" in problem or "=" in problem:
        return "不能以 = + - @ 开头（电子表格会当作公式）。"
    return "文件无法写入，请告诉技术人员。"


@bp.post("/<int:correction_id>/undo")
@role_required(*STAFF)
def undo(correction_id: int):
    try:
        correction = learned.undo(learned_file(), correction_id, current_user.username)
    except GlossaryError as exc:
        message = "这条更正已经撤销过了。" if "already undone" in str(exc) else "没有这条更正。"
        return error(409 if "already undone" in str(exc) else 404, message)
    return jsonify({"correction": correction_json(correction)})
