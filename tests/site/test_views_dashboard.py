"""The staff dashboard: login required, SVG chart, top episodes, downloads, CSV export."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from episodes.downloads import count_download
from episodes.views import record_view
from tests.logins import add_account, log_in
from tests.site_data import add_episode
from web.chart import line_chart
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def stats(session):
    """Two episodes with views on the last three days and one podcast download."""
    now = datetime.now(timezone.utc)
    popular = add_episode(session, "popular", title="=HYPERLINK(\"x\") 社保卡怎么办")
    quiet = add_episode(session, "quiet", title="居住证办理")
    for days_ago, viewers in ((2, 3), (1, 5), (0, 4)):
        for viewer in range(viewers):
            record_view(session, popular.id, f"v{viewer}", now - timedelta(days=days_ago), SHANGHAI)
    record_view(session, quiet.id, "v1", now, SHANGHAI)
    count_download(session, quiet.id, "203.0.113.7", "AppleCoreMedia/1.0", now, SHANGHAI)
    session.commit()
    return popular, quiet


@pytest.fixture
def staff(session):
    add_account(session, "staff1")


def test_dashboard_needs_a_staff_login(client, session, stats):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    add_account(session, "judge1", "judge")
    log_in(client, "judge1")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/views.csv").status_code == 403


def test_dashboard_shows_chart_top_episodes_and_downloads(client, stats, staff):
    log_in(client, "staff1")
    html = client.get("/dashboard/?days=7").get_data(as_text=True)
    assert '<svg class="chart"' in html and html.count("<polyline") == 2
    top = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", html)
    assert top[:2] == [("=HYPERLINK(&#34;x&#34;) 社保卡怎么办", "12"), ("居住证办理", "1")]
    assert ("居住证办理", "1") in top[2:]  # the podcast download


def test_csv_export_lists_views_per_day_per_episode(client, stats, staff):
    log_in(client, "staff1")
    response = client.get("/dashboard/views.csv?days=7")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    popular = [int(r["views"]) for r in rows if r["slug"] == "popular"]
    assert popular == [3, 5, 4]
    assert {r["title"] for r in rows if r["slug"] == "popular"} == {"'=HYPERLINK(\"x\") 社保卡怎么办"}


def test_line_chart_scales_every_series_to_the_same_axis():
    days = [datetime(2026, 11, d).date() for d in (1, 2, 3)]
    chart = line_chart(days, {"a": [0, 5, 10], "b": [1, 1, 1]})
    assert chart.y_ticks[-1][1] == 10
    first, last = chart.lines[0].points.split()[0], chart.lines[0].points.split()[-1]
    assert first.endswith(f",{chart.height - 40:.1f}") and last.endswith(",16.0")


def test_staff_preview_drafts_and_their_views_are_not_counted(client, session, staff):
    draft = add_episode(session, "draft", status="draft", title="待发布的导办视频")
    published = add_episode(session, "live", title="已发布的节目")
    assert client.get("/e/draft").status_code == 404  # the public cannot see drafts
    log_in(client, "staff1")
    html = client.get("/e/draft").get_data(as_text=True)
    assert "预览：本期尚未发布" in html and "待发布的导办视频" in html
    for episode in (draft, published):
        response = client.post("/views/beacon", json={"episode": episode.id, "watched": 12},
                               headers={"User-Agent": "Mozilla/5.0 Chrome/120"})
        assert response.json == {"counted": False, "reason": "staff preview"}
