"""The catalog's migrations, in order. Append only; never edit one that has shipped.

Each migration declares the tables it creates as they were on the day it was added
(SQLAlchemy Core tables in a ``MetaData`` of its own, or plain DDL), never the ORM
models as they are now, so applying it means the same thing forever. Apply them with
``migrations.apply(engine)`` (``studio db upgrade``, and at app start).
"""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Connection, Date, DateTime, Float,
                        ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, inspect, text)

from episodes.migrations import Migrations

migrations = Migrations()


def _referenced(meta: MetaData, *names: str) -> None:
    """Declare tables made by an earlier migration, for foreign keys only (never created)."""
    for name in names:
        Table(name, meta, Column("id", Integer, primary_key=True))


def _create(connection: Connection, meta: MetaData, *tables: Table) -> None:
    meta.create_all(connection, tables=list(tables))


def _add_columns(connection: Connection, table: str, *columns: tuple[str, str]) -> None:
    """``ALTER TABLE table ADD COLUMN name ddl`` for each (name, ddl) the table lacks, so
    a catalog that already has some of them (made by a build between migrations)
    upgrades the same."""
    have = {column["name"] for column in inspect(connection).get_columns(table)}
    for name, ddl in columns:
        if name not in have:
            connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))


@migrations
def m0001_catalog(connection: Connection) -> None:
    meta = MetaData()
    episodes = Table(
        "episodes", meta,
        Column("id", Integer, primary_key=True),
        Column("kind", String(20), nullable=False),
        Column("slug", String(120), nullable=False, unique=True),
        Column("title", String(300), nullable=False),
        Column("summary", Text, nullable=False),
        Column("air_date", Date),
        Column("service_category", String(60), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("publish_at", DateTime(timezone=True)),
        Column("published_at", DateTime(timezone=True), index=True),
        Column("duration_ms", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    guests = Table(
        "guests", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("position", Integer, nullable=False),
        Column("name", String(100), nullable=False),
        Column("department", String(200), nullable=False),
    )
    media_assets = Table(
        "media_assets", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("kind", String(40), nullable=False),
        Column("variant", String(40), nullable=False),
        Column("path", String(500), nullable=False),
        Column("mime_type", String(100), nullable=False),
        Column("bytes", BigInteger, nullable=False),
        Column("duration_ms", Integer, nullable=False),
        Column("checksum", String(64), nullable=False),
        UniqueConstraint("episode_id", "kind", "variant", "mime_type"),
    )
    transcript_cues = Table(
        "transcript_cues", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("position", Integer, nullable=False),
        Column("start_ms", Integer, nullable=False),
        Column("end_ms", Integer, nullable=False),
        Column("text", Text, nullable=False),
        Column("plain_text", Text, nullable=False),
    )
    live_broadcasts = Table(
        "live_broadcasts", meta,
        Column("id", Integer, primary_key=True),
        Column("air_at", DateTime(timezone=True), nullable=False, index=True),
        Column("topic", String(300), nullable=False),
        Column("guests", JSON, nullable=False),
        Column("stream_url", String(500), nullable=False),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="SET NULL")),
    )
    users = Table(
        "users", meta,
        Column("id", Integer, primary_key=True),
        Column("username", String(80), nullable=False, unique=True),
        Column("password_hash", String(300), nullable=False),
        Column("role", String(20), nullable=False),
        Column("display_name", String(100), nullable=False),
        Column("active", Boolean, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    _create(connection, meta, episodes, guests, media_assets, transcript_cues, live_broadcasts,
            users)


@migrations
def m0002_view_counts(connection: Connection) -> None:
    meta = MetaData()
    _referenced(meta, "episodes")
    view_events = Table(
        "view_events", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False),
        Column("viewer", String(64), nullable=False),
        Column("hour", DateTime(timezone=True), nullable=False),
        UniqueConstraint("episode_id", "viewer", "hour"),
    )
    daily_views = Table(
        "daily_views", meta,
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"),
               primary_key=True),
        Column("day", Date, primary_key=True, index=True),
        Column("views", Integer, nullable=False),
    )
    view_salts = Table(
        "view_salts", meta,
        Column("day", Date, primary_key=True),
        Column("salt", String(64), nullable=False),
    )
    _create(connection, meta, view_events, daily_views, view_salts)


@migrations
def m0003_search_index(connection: Connection) -> None:
    # FTS5 with the trigram tokenizer (see episodes.search); triggers keep it in sync.
    if connection.dialect.name != "sqlite":
        return
    for statement in (
        "CREATE VIRTUAL TABLE search_titles USING fts5(title, summary, tokenize='trigram')",
        "CREATE VIRTUAL TABLE search_cues USING fts5(text, plain_text, episode_id UNINDEXED,"
        " tokenize='trigram')",
        "CREATE TRIGGER search_episode_ai AFTER INSERT ON episodes BEGIN"
        " INSERT INTO search_titles(rowid, title, summary) VALUES (new.id, new.title, new.summary);"
        " END",
        "CREATE TRIGGER search_episode_au AFTER UPDATE OF title, summary ON episodes BEGIN"
        " DELETE FROM search_titles WHERE rowid = old.id;"
        " INSERT INTO search_titles(rowid, title, summary) VALUES (new.id, new.title, new.summary);"
        " END",
        "CREATE TRIGGER search_episode_ad AFTER DELETE ON episodes BEGIN"
        " DELETE FROM search_titles WHERE rowid = old.id;"
        " END",
        "CREATE TRIGGER search_cue_ai AFTER INSERT ON transcript_cues BEGIN"
        " INSERT INTO search_cues(rowid, text, plain_text, episode_id)"
        " VALUES (new.id, new.text, new.plain_text, new.episode_id);"
        " END",
        "CREATE TRIGGER search_cue_au AFTER UPDATE ON transcript_cues BEGIN"
        " DELETE FROM search_cues WHERE rowid = old.id;"
        " INSERT INTO search_cues(rowid, text, plain_text, episode_id)"
        " VALUES (new.id, new.text, new.plain_text, new.episode_id);"
        " END",
        "CREATE TRIGGER search_cue_ad AFTER DELETE ON transcript_cues BEGIN"
        " DELETE FROM search_cues WHERE rowid = old.id;"
        " END",
        # the rows already in the catalog
        "INSERT INTO search_titles(rowid, title, summary) SELECT id, title, summary FROM episodes",
        "INSERT INTO search_cues(rowid, text, plain_text, episode_id)"
        " SELECT id, text, plain_text, episode_id FROM transcript_cues",
    ):
        connection.execute(text(statement))


@migrations
def m0004_contest(connection: Connection) -> None:
    meta = MetaData()
    _referenced(meta, "users")
    login_failures = Table(
        "login_failures", meta,
        Column("id", Integer, primary_key=True),
        Column("username", String(80), nullable=False, index=True),
        Column("remote_addr", String(64), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False, index=True),
    )
    contests = Table(
        "contests", meta,
        Column("id", Integer, primary_key=True),
        Column("slug", String(80), nullable=False, unique=True),
        Column("title", String(200), nullable=False),
        Column("max_duration_ms", Integer, nullable=False),
        Column("min_height", Integer, nullable=False),
        Column("max_bytes", BigInteger, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    rounds = Table(
        "contest_rounds", meta,
        Column("id", Integer, primary_key=True),
        Column("contest_id", Integer, ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("name", String(60), nullable=False),
        Column("judges_per_submission", Integer, nullable=False),
        UniqueConstraint("contest_id", "position"),
    )
    criteria = Table(
        "contest_criteria", meta,
        Column("id", Integer, primary_key=True),
        Column("contest_id", Integer, ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),
        Column("name", String(60), nullable=False),
        Column("weight", Integer, nullable=False),
        Column("min_score", Integer, nullable=False),
        Column("max_score", Integer, nullable=False),
        UniqueConstraint("contest_id", "name"),
    )
    judges = Table(
        "contest_judges", meta,
        Column("id", Integer, primary_key=True),
        Column("contest_id", Integer, ForeignKey("contests.id", ondelete="CASCADE"), nullable=False),
        Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        UniqueConstraint("contest_id", "user_id"),
    )
    submissions = Table(
        "contest_submissions", meta,
        Column("id", Integer, primary_key=True),
        Column("contest_id", Integer, ForeignKey("contests.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("code", String(16), nullable=False, unique=True),
        Column("title", String(200), nullable=False),
        Column("description", Text, nullable=False),
        Column("entrant_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
        Column("entrant_name", String(100), nullable=False),
        Column("entrant_org", String(200), nullable=False),
        Column("entrant_contact", String(200), nullable=False),
        Column("original_name", String(300), nullable=False),
        Column("stored_name", String(80), nullable=False, unique=True),
        Column("container", String(60), nullable=False),
        Column("size_bytes", BigInteger, nullable=False),
        Column("duration_ms", Integer, nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    round_entries = Table(
        "contest_round_entries", meta,
        Column("id", Integer, primary_key=True),
        Column("round_id", Integer, ForeignKey("contest_rounds.id", ondelete="CASCADE"),
               nullable=False),
        Column("submission_id", Integer, ForeignKey("contest_submissions.id", ondelete="CASCADE"),
               nullable=False),
        UniqueConstraint("round_id", "submission_id"),
    )
    conflicts = Table(
        "contest_conflicts", meta,
        Column("id", Integer, primary_key=True),
        Column("judge_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        Column("submission_id", Integer, ForeignKey("contest_submissions.id", ondelete="CASCADE"),
               nullable=False),
        Column("reason", String(200), nullable=False),
        UniqueConstraint("judge_id", "submission_id"),
    )
    prechecks = Table(
        "contest_prechecks", meta,
        Column("id", Integer, primary_key=True),
        Column("submission_id", Integer, ForeignKey("contest_submissions.id", ondelete="CASCADE"),
               nullable=False, unique=True),
        Column("status", String(20), nullable=False),
        Column("progress", Integer, nullable=False),
        Column("loudness_lufs", Float),
        Column("has_caption_stream", Boolean),
        Column("speech_chars", Integer),
        Column("jargon_density", Float),
        Column("plain_score", Float),
        Column("violations", JSON, nullable=False),
        Column("error", Text, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    assignments = Table(
        "contest_assignments", meta,
        Column("id", Integer, primary_key=True),
        Column("round_id", Integer, ForeignKey("contest_rounds.id", ondelete="CASCADE"),
               nullable=False),
        Column("submission_id", Integer, ForeignKey("contest_submissions.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("judge_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("status", String(20), nullable=False),
        Column("comment", Text, nullable=False),
        Column("submitted_at", DateTime(timezone=True)),
        UniqueConstraint("round_id", "submission_id", "judge_id"),
    )
    scores = Table(
        "contest_scores", meta,
        Column("id", Integer, primary_key=True),
        Column("assignment_id", Integer, ForeignKey("contest_assignments.id", ondelete="CASCADE"),
               nullable=False),
        Column("criterion_id", Integer, ForeignKey("contest_criteria.id", ondelete="CASCADE"),
               nullable=False),
        Column("value", Integer, nullable=False),
        UniqueConstraint("assignment_id", "criterion_id"),
    )
    score_audit = Table(
        "contest_score_audit", meta,
        Column("id", Integer, primary_key=True),
        Column("assignment_id", Integer, ForeignKey("contest_assignments.id", ondelete="CASCADE"),
               nullable=False, index=True),
        Column("actor_id", Integer, ForeignKey("users.id"), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("action", String(20), nullable=False),
        Column("values", JSON, nullable=False),
        Column("comment", Text, nullable=False),
    )
    _create(connection, meta, login_failures, contests, rounds, criteria, judges, submissions,
            round_entries, conflicts, prechecks, assignments, scores, score_audit)


@migrations
def m0005_podcast_downloads(connection: Connection) -> None:
    meta = MetaData()
    _referenced(meta, "episodes")
    downloads = Table(
        "podcast_downloads", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False),
        Column("listener", String(64), nullable=False),
        Column("counted_at", DateTime(timezone=True), nullable=False, index=True),
        Index("ix_podcast_downloads_recent", "episode_id", "listener", "counted_at"),
    )
    _create(connection, meta, downloads)
    # the media route looks every request up by library path
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_media_assets_path ON media_assets (path)"))


@migrations
def m0006_episode_change_index(connection: Connection) -> None:
    # the feeds' validator asks for max(updated_at) on every poll
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_episodes_updated_at ON episodes (updated_at)"))


@migrations
def m0007_leases(connection: Connection) -> None:
    # declared here as it was when added, so later edits to episodes.leases never change it
    Table("leases", MetaData(),
          Column("name", String(100), primary_key=True),
          Column("holder", String(200), nullable=False),
          Column("expires_at", DateTime(timezone=True), nullable=False),
          ).create(connection, checkfirst=True)


@migrations
def m0008_jobs(connection: Connection) -> None:
    # declared here as it was when added, so later edits to episodes.jobs never change it
    jobs = Table("jobs", MetaData(),
                 Column("id", Integer, primary_key=True),
                 Column("kind", String(80), nullable=False),
                 Column("target", String(300), nullable=False),
                 Column("key", String(400), nullable=False, unique=True),
                 Column("params", JSON, nullable=False),
                 Column("state", String(20), nullable=False),
                 Column("attempts", Integer, nullable=False),
                 Column("lease_expires_at", DateTime(timezone=True)),
                 Column("retry_at", DateTime(timezone=True)),
                 Column("worker", String(200), nullable=False),
                 Column("progress", Float, nullable=False),
                 Column("message", String(300), nullable=False),
                 Column("error", Text, nullable=False),
                 Column("created_at", DateTime(timezone=True), nullable=False),
                 Column("updated_at", DateTime(timezone=True), nullable=False),
                 Index("ix_jobs_state", "state"))
    jobs.create(connection, checkfirst=True)


@migrations
def m0009_submission_intake(connection: Connection) -> None:
    # Uploads from the site are checked by a job: a submission waits 'checking' until
    # the worker accepts or rejects it. Rows from before were checked on upload.
    _add_columns(connection, "contest_submissions",
                 ("intake", "VARCHAR(20) NOT NULL DEFAULT 'accepted'"), ("rejection", "JSON"))


@migrations
def m0010_session_generation(connection: Connection) -> None:
    # Sessions carry the user's generation; logout, a new password or disabling the
    # account raises it, which ends every session of that user.
    _add_columns(connection, "users", ("session_generation", "INTEGER NOT NULL DEFAULT 0"))


@migrations
def m0011_drop_apscheduler_jobs(connection: Connection) -> None:
    # Timed publishing reads the episode rows (status, publish_at), the only record of
    # when an episode goes out; the old APScheduler job store only repeated them.
    connection.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


@migrations
def m0012_review(connection: Connection) -> None:
    # Review and sign-off: every revision of an episode's captions, approvals, and the
    # episode's review state (草稿/待审/已审核). Declared as they were when added.
    meta = MetaData()
    _referenced(meta, "episodes")
    revisions = Table(
        "transcript_revisions", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("number", Integer, nullable=False),
        Column("author", String(100), nullable=False),
        Column("source", String(20), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("cues", JSON, nullable=False),
        Column("private", JSON, nullable=False),
        Column("note", Text, nullable=False),
        UniqueConstraint("episode_id", "number"),
    )
    approvals = Table(
        "transcript_approvals", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("revision", Integer, nullable=False),
        Column("approved_by", String(100), nullable=False),
        Column("approved_at", DateTime(timezone=True), nullable=False),
        Column("unreviewed", Boolean, nullable=False),
    )
    states = Table(
        "episode_reviews", meta,
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True),
        Column("state", String(20), nullable=False),
        Column("changed_by", String(100), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
    )
    _create(connection, meta, revisions, approvals, states)


@migrations
def m0013_review_workspace(connection: Connection) -> None:
    # The staff workspace: the plain wording staff chose per cue (保留规范说法) is saved
    # with each revision, and the machine transcript's unsure words are kept for marking.
    _add_columns(connection, "transcript_revisions", ("plain_choices", "JSON NOT NULL DEFAULT '[]'"))
    meta = MetaData()
    _referenced(meta, "episodes")
    words = Table(
        "uncertain_words", meta,
        Column("id", Integer, primary_key=True),
        Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("start_ms", Integer, nullable=False),
        Column("end_ms", Integer, nullable=False),
        Column("text", String(100), nullable=False),
        Column("probability", Float, nullable=False),
    )
    _create(connection, meta, words)


@migrations
def m0014_episode_work_folder(connection: Connection) -> None:
    # The work folder an episode was published from: the episode.rederive job writes an
    # approved revision back there and re-renders the videos from it.
    _add_columns(connection, "episodes", ("work_folder", "VARCHAR(1000) NOT NULL DEFAULT ''"))


@migrations
def m0015_live_ingest(connection: Connection) -> None:
    import secrets

    # Live ingest: each broadcast's secret stream key (the encoder's), who is pushing it
    # now (the media server's client id, '' when nobody), when the push started and
    # last stopped (the grace period before the recording becomes an episode runs from
    # there). Broadcasts announced before this get a key of their own.
    _add_columns(connection, "live_broadcasts",
                 ("stream_key", "VARCHAR(64) NOT NULL DEFAULT ''"),
                 ("publisher", "VARCHAR(64) NOT NULL DEFAULT ''"),
                 ("started_at", "TIMESTAMP WITH TIME ZONE"),
                 ("stopped_at", "TIMESTAMP WITH TIME ZONE"))
    for (broadcast_id,) in connection.execute(text(
            "SELECT id FROM live_broadcasts WHERE stream_key = ''")).all():
        connection.execute(text("UPDATE live_broadcasts SET stream_key = :key WHERE id = :id"),
                           {"key": secrets.token_urlsafe(24), "id": broadcast_id})
    connection.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ix_live_broadcasts_stream_key "
                            "ON live_broadcasts (stream_key)"))


@migrations
def m0016_postgres_search(connection: Connection) -> None:
    # PostgreSQL's search (see episodes.search): ILIKE on the catalog tables, served by
    # trigram GIN indexes. pg_trgm is a trusted extension (PostgreSQL 13+), so the
    # database's owner may create it. SQLite has its FTS5 tables since m0003.
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    for table, column in (("episodes", "title"), ("episodes", "summary"),
                          ("transcript_cues", "text"), ("transcript_cues", "plain_text")):
        connection.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm "
                                f"ON {table} USING gin ({column} gin_trgm_ops)"))


@migrations
def m0017_contest_entries_and_levels(connection: Connection) -> None:
    # Contests take entries until a deadline and while the organiser keeps them open;
    # criteria describe what each score level means; a pre-check keeps the recognised
    # transcript and how many caption tracks it extracted as WebVTT for the judges.
    additions = {"contests": (("deadline", "TIMESTAMP WITH TIME ZONE"),
                              ("is_open", "BOOLEAN NOT NULL DEFAULT TRUE")),
                 "contest_criteria": (("levels", "JSON"),),
                 "contest_prechecks": (("caption_tracks", "INTEGER NOT NULL DEFAULT 0"),
                                       ("transcript", "JSON"))}
    for table, columns in additions.items():
        _add_columns(connection, table, *columns)


@migrations
def m0018_live_views(connection: Connection) -> None:
    # Live viewers counted as episode views are: once per viewer, broadcast and hour.
    meta = MetaData()
    _referenced(meta, "live_broadcasts")
    events = Table(
        "live_view_events", meta,
        Column("id", Integer, primary_key=True),
        Column("broadcast_id", Integer, ForeignKey("live_broadcasts.id", ondelete="CASCADE"),
               nullable=False),
        Column("viewer", String(64), nullable=False),
        Column("hour", DateTime(timezone=True), nullable=False),
        UniqueConstraint("broadcast_id", "viewer", "hour"),
    )
    _create(connection, meta, events)
