"""The staff dashboard: views per day per episode (SVG chart), top episodes, podcast
downloads, and the same numbers as CSV for the office's monthly report.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from episodes.downloads import downloads_per_episode
from episodes.models import Episode
from episodes.views import daily_counts, top_episodes
from subtitles.spreadsheet import spreadsheet_safe
from web.auth import role_required
from web.chart import line_chart
from web.db import get_session

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
PERIODS = (7, 30, 90)
CHART_EPISODES = 5
CSV_HEADER = ("day", "episode_id", "slug", "title", "views")


def period() -> tuple[int, date, date]:
    """The chosen number of days (7, 30 or 90) and its first and last local day."""
    days = request.args.get("days", 30, type=int)
    days = days if days in PERIODS else 30
    today = datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    return days, today - timedelta(days=days - 1), today


@bp.route("/")
@role_required("staff", "organiser")
def index():
    session = get_session()
    days, first, last = period()
    top = top_episodes(session, first)
    titles = _titles(session, [episode_id for episode_id, _ in top])
    chart_ids = [episode_id for episode_id, _ in top[:CHART_EPISODES]]
    calendar = [first + timedelta(days=i) for i in range(days)]
    per_day = {(e, d): v for e, d, v in daily_counts(session, first)}
    series = {f"#{e} {titles[e]}": [per_day.get((e, d), 0) for d in calendar] for e in chart_ids}
    since = datetime.combine(first, time(), ZoneInfo(current_app.config["TIMEZONE"]))
    downloads = downloads_per_episode(session, since.astimezone(timezone.utc))
    return render_template("dashboard/index.html", days=days, periods=PERIODS, first=first,
                           last=last, chart=line_chart(calendar, series), top=top, titles=titles,
                           downloads=downloads, download_titles=_titles(session, list(downloads)))


@bp.route("/views.csv")
@role_required("staff", "organiser")
def export_csv():
    session = get_session()
    days, first, last = period()
    rows = daily_counts(session, first)
    episodes = {e.id: e for e in session.scalars(
        select(Episode).where(Episode.id.in_({row[0] for row in rows})))}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for episode_id, day, views in rows:
        episode = episodes[episode_id]
        writer.writerow((day.isoformat(), episode_id, episode.slug, spreadsheet_safe(episode.title), views))
    name = f"views-{first.isoformat()}-{last.isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",  # BOM: Excel reads UTF-8
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _titles(session, ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(Episode.id, Episode.title).where(Episode.id.in_(ids))).all())

