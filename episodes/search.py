"""Chinese search over titles and transcript cues: the same results on SQLite and PostgreSQL.

Chinese has no spaces, so word tokenizers see a whole sentence as one token. Both
engines therefore match substrings, case-insensitively for Latin letters: a hit is a
title or cue where every word of the query appears in one of its text columns.

- SQLite: FTS5 with the trigram tokenizer indexes every three-character window, which
  makes any substring of three or more characters findable; one- and two-character
  queries (``社保``) fall back to ``LIKE`` on the same tables. Two FTS tables mirror the
  catalog: ``search_titles`` (rowid = episode id) and ``search_cues`` (rowid = transcript
  cue id), kept in sync by triggers (migration ``m0003_search_index``);
  ``reindex_episode`` repairs one episode.
- PostgreSQL: ``ILIKE`` on the catalog tables themselves, served by ``pg_trgm`` trigram
  GIN indexes for words of three characters or more (migration
  ``m0016_postgres_search``). Shorter words are the same ``ILIKE`` without the index's
  help (a trigram index cannot narrow them), so they never depend on trigrams.

Only published episodes are returned.

Example::

    for hit in search(session, "营业执照"):
        print(hit.title, hit.start_ms, hit.text)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

_HITS = """
SELECT * FROM (
SELECT e.id AS episode_id, e.slug, e.title, e.kind, c.start_ms, c.text FROM {cues}
  WHERE e.status = 'published' AND {cue_filter}
UNION ALL
SELECT e.id, e.slug, e.title, e.kind, NULL, e.summary FROM {titles}
  WHERE e.status = 'published' AND {title_filter}
) AS hits ORDER BY episode_id DESC, start_ms IS NOT NULL, start_ms
LIMIT :limit OFFSET :offset
"""
_FTS_CUES = ("search_cues JOIN transcript_cues c ON c.id = search_cues.rowid"
             " JOIN episodes e ON e.id = c.episode_id")
_FTS_TITLES = "search_titles JOIN episodes e ON e.id = search_titles.rowid"
TRIGRAM = 3
# A NUL inside an FTS5 MATCH string is an SQLite error, and no control character
# belongs in a search box: they separate words as spaces do.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Hit:
    """Where the words were found: a title (``start_ms`` None) or a transcript cue."""

    episode_id: int
    slug: str
    title: str
    kind: str
    start_ms: int | None
    text: str


def reindex_episode(session: Session, episode_id: int) -> None:
    """Re-read one episode's title and cues into the index (the caller commits).

    The triggers already do this on every change; call it after writing the
    catalog with raw SQL that bypassed them, or to repair a damaged index. On
    PostgreSQL the indexes are the database's own and need no repair.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    params = {"episode": episode_id}
    session.execute(text("DELETE FROM search_titles WHERE rowid = :episode"), params)
    session.execute(text("DELETE FROM search_cues WHERE episode_id = :episode"), params)
    _fill(session, "id = :episode", "episode_id = :episode", params)


def search(session: Session, query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Published titles and cues containing every word of ``query``, newest episode first."""
    words = query_words(query)
    if not words:
        return []
    params: dict[str, object] = {"limit": limit, "offset": offset}
    if session.get_bind().dialect.name == "sqlite":
        sql = _HITS.format(
            cues=_FTS_CUES, titles=_FTS_TITLES,
            cue_filter=_fts_filter("search_cues", ("text", "plain_text"), words, params),
            title_filter=_fts_filter("search_titles", ("title", "summary"), words, params))
    else:
        sql = _HITS.format(
            cues="transcript_cues c JOIN episodes e ON e.id = c.episode_id", titles="episodes e",
            cue_filter=_contains("c", ("text", "plain_text"), words, params, "ILIKE"),
            title_filter=_contains("e", ("title", "summary"), words, params, "ILIKE"))
    return [Hit(*row) for row in session.execute(text(sql), params)]


def query_words(query: str) -> list[str]:
    """The words of a search box query, control characters read as spaces.

    >>> query_words("社保\\x00卡  办理")
    ['社保', '卡', '办理']
    """
    return _CONTROL.sub(" ", query).split()


def _fts_filter(table: str, columns: tuple[str, ...], words: list[str],
                params: dict[str, object]) -> str:
    """FTS MATCH when every word has three characters or more, else LIKE on each column."""
    if all(len(w) >= TRIGRAM for w in words):
        params[f"{table}_q"] = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        return f"{table} MATCH :{table}_q"
    return _contains(table, columns, words, params, "LIKE")


def _contains(table: str, columns: tuple[str, ...], words: list[str],
              params: dict[str, object], operator: str) -> str:
    """Every word in one of ``columns``: ``LIKE``/``ILIKE`` with ``%``, ``_`` and ``\\``
    escaped, so a query's wildcard characters match only themselves."""
    clauses = []
    for i, word in enumerate(words):
        key = f"{table}_q{i}"
        params[key] = "%" + word.replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        clauses.append("(" + " OR ".join(f"{table}.{c} {operator} :{key} ESCAPE '\\'"
                                         for c in columns) + ")")
    return " AND ".join(clauses)


def _fill(connection, title_where: str, cue_where: str | None = None,
          params: dict[str, object] | None = None) -> None:
    connection.execute(text("INSERT INTO search_titles(rowid, title, summary) "
                            f"SELECT id, title, summary FROM episodes WHERE {title_where}"), params)
    connection.execute(text("INSERT INTO search_cues(rowid, text, plain_text, episode_id) "
                            "SELECT id, text, plain_text, episode_id FROM transcript_cues "
                            f"WHERE {cue_where or title_where}"), params)
