"""An episode in review, for the workspace tests (Flask test client and Chromium): the
machine transcript as revision 1 (approved, so the public site shows it), a misheard
word the model was unsure of (挂史 for 挂失) and a misheard glossary term (政务服务中新)."""
from __future__ import annotations

import re

from flask import g

from episodes.models import Episode
from episodes.review import approve, save_revision, store_uncertain_words
from glossary.rewrite import rewrite_texts
from subtitles.cue import Cue
from subtitles.transcript import Word
from tests.site_data import add_episode, clip_files
from web.site import site_terms

SLUG = "ep-review"
MACHINE = (Cue(0, 2900, ("大家好，欢迎收看武陵政务直播间。",)),
           Cue(3000, 6400, ("办理营业执照可以到政务服务中新。",)),
           Cue(6500, 8900, ("社保卡丢了要先挂史。",)),
           Cue(9000, 12000, ("材料齐全当场就能办结。",)))
HEARD = [Word(6500, 7000, "社保卡", 0.91), Word(7800, 8300, "挂史", 0.32),
         Word(3000, 3400, "办理", 0.95)]


def add_review_episode(session, app, media_root, status: str = "published") -> Episode:
    """The episode, its media, revision 1 approved and public, and the unsure words."""
    episode = add_episode(session, SLUG, clip_files(media_root), media_root=media_root, status=status,
                          title="如何办理社保卡")
    terms = site_terms(app.config["GLOSSARY"])
    save_revision(session, episode, 0, MACHINE, "studio", "machine")
    approve(session, episode, "studio", lambda texts: rewrite_texts(texts, terms), revision=1)
    store_uncertain_words(session, episode, HEARD)
    session.commit()
    return episode


def csrf_of(client, slug: str = SLUG) -> str:
    """The CSRF token the review page hands its script.

    The ``session`` fixture keeps one app context open, so ``g`` outlives requests and
    Flask-WTF would hand back the login page's token (cleared from the session at login)."""
    g.pop("csrf_token", None)
    page = client.get(f"/review/{slug}").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def cues_json(cues=MACHINE, **changes):
    out = [{"start_ms": c.start_ms, "end_ms": c.end_ms, "text": c.text} for c in cues]
    for index, text in changes.items():
        out[int(index[1:])]["text"] = text
    return out


def post(client, token, path, body):
    return client.post(f"/review/{SLUG}/{path}", json=body, headers={"X-CSRFToken": token})
