"""The search page: titles and transcript moments, with the words highlighted.

Highlighting escapes the subtitle text first and only then wraps the matched
pieces in ``<mark>``, so a cue containing markup can never become markup.
"""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape

from episodes.search import query_words, search
from web.db import get_session

bp = Blueprint("search", __name__)

PER_PAGE = 20
MAX_QUERY = 100


def highlight(text: str, words: list[str]) -> Markup:
    """``text`` escaped, with every occurrence of any of ``words`` in ``<mark>``.

    >>> highlight("<b>社保</b>卡", ["社保"])
    Markup('&lt;b&gt;<mark>社保</mark>&lt;/b&gt;卡')
    """
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)
    pieces, position = [], 0
    for found in pattern.finditer(text):
        pieces += [escape(text[position:found.start()]),
                   Markup("<mark>%s</mark>") % found.group()]
        position = found.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


MAX_PAGE = 10_000  # beyond this the offset overflows SQLite's integers; nobody pages that far


@bp.route("/search")
def results():
    words = query_words(request.args.get("q", "")[:MAX_QUERY])
    query = " ".join(words)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    hits = search(get_session(), query, limit=PER_PAGE + 1, offset=(number - 1) * PER_PAGE)
    return render_template("site/search.html", query=query, words=words,
                           hits=hits[:PER_PAGE], number=number, more=len(hits) > PER_PAGE,
                           highlight=highlight)
