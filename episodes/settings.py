"""Settings as data: one table with each setting's default and help text.

The one table for the CLI and the site: ``studio`` reads it through the injected
environment of each command, the web app in ``create_app``. A setting is read
from, in order of precedence: a CLI option (or the site's instance ``config.py``),
the environment variable ``WULING_<NAME>``, the default here. The README documents
every row (``tests/test_docs.py`` fails when one is missing).

Example::

    get("timezone", {"WULING_TIMEZONE": "UTC"})   # 'UTC'
    get_int("beam_size", 1, 20, {})               # 5
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from subtitles.errors import WulingError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env_var(self) -> str:
        return "WULING_" + self.name.upper()


def _default_cache_dir() -> str:
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(xdg) / "wuling-studio")


SETTINGS: tuple[Setting, ...] = (
    Setting("model", "base",
            "Speech model: 'base' (the embedded Whisper base model), a local "
            "CTranslate2 model folder, or a faster-whisper model name."),
    Setting("model_cache", _default_cache_dir(),
            "Folder where the embedded model is assembled once and reused."),
    Setting("compute_type", "int8", "CTranslate2 compute type for the speech model."),
    Setting("cpu_threads", "0", "Threads for the speech model; 0 means one per core."),
    Setting("language", "zh", "Spoken language; 'auto' detects it."),
    Setting("beam_size", "5", "Beam width of the speech decoder: 5 is more accurate, "
            "1 (greedy) about 1.6x faster."),
    Setting("second_pass", "off", "Transcribe twice: the second time prompted with the glossary "
            "terms the first suggests were said (about twice the model time; bench/RESULTS.md)."),
    Setting("profile", "broadcast-zh", "Subtitle profile used to cut cues."),
    Setting("glossary", "", "Term base CSV or folder; empty = shipped default."),
    Setting("instance_path", "instance",
            "Folder for the catalog database, media library and site config."),
    Setting("database_url", "",
            "SQLAlchemy URL of the catalog; empty means SQLite in the instance folder."),
    Setting("timezone", "Asia/Shanghai", "Time zone for times typed or shown to people."),
    Setting("review_required", "on",
            "The approval gate: publishing (CLI, site, scheduler) refuses captions not approved "
            "in review (审核通过); 'off' lets unreviewed text go out."),
    Setting("scheduler_reconcile_seconds", "5",
            "How often the publish scheduler re-reads scheduled episodes and renews its lease."),
    Setting("scheduler_lease_seconds", "30",
            "How long the publish scheduler's lease lasts unrenewed: a scheduler that died "
            "is replaced within this time."),
    Setting("site_url", "http://127.0.0.1:8000",
            "Public address of the site; feeds use it for absolute links."),
    Setting("podcast_owner_email", "podcast@example.gov.cn",
            "Contact address in the podcast feed's <itunes:owner>."),
    Setting("podcast_artwork", "",
            "Absolute URL of the call-in show's square podcast artwork (1400-3000 px); empty "
            "means the artwork `studio publish` draws once into the media library."),
    Setting("guides_podcast_artwork", "",
            "Absolute URL of the guide videos' square podcast artwork (1400-3000 px); empty "
            "means the drawn one."),
    Setting("podcast_locked", "no",
            "yes: the feeds carry <podcast:locked>yes</podcast:locked>, telling other "
            "podcast hosts to refuse to import them (the owner email confirms a move)."),
    Setting("site_sponsor", "",
            "主办单位 shown in the site's footer, e.g. the district government office; empty: "
            "no line."),
    Setting("site_code", "", "网站标识码 (government website code) shown in the footer; empty: none."),
    Setting("icp_record", "", "ICP备案号 shown in the footer, linked to the MIIT register; "
            "empty: none."),
    Setting("police_record", "", "公安机关备案号 shown in the footer, linked to the public "
            "security register by its number; empty: none."),
    Setting("site_logo", "", "Path of the office's logo picture (PNG, JPEG or WebP) shown in "
            "the header before the site name; empty: the name only. No emblem ships."),
    Setting("render_preset", "veryfast",
            "x264 preset for rendered videos (slower presets: smaller files, longer renders)."),
    Setting("render_crf", "23", "x264 quality for rendered videos (lower: better, bigger)."),
    Setting("queue_url", "",
            "Job queue: empty means SQLite in the instance folder; redis://HOST:PORT/DB for "
            "workers on other machines."),
    Setting("job_retries", "3", "Times a failed background job is tried again."),
    Setting("job_retry_delay", "10",
            "Seconds before a failed job's first retry; each later retry waits twice as long."),
    Setting("job_lease_seconds", "60",
            "A running job renews its lease every third of this; a job whose lease runs out "
            "(its worker died) is run again."),
    Setting("live_path", "",
            "Folder for live broadcasts (recordings, HLS segments, live captions); empty means "
            "live/ in the instance folder."),
    Setting("live_rtmp_port", "1935", "Port the media server takes the encoder's RTMP push on."),
    Setting("live_early_minutes", "60",
            "How many minutes before its air time a broadcast's stream key starts working."),
    Setting("live_late_minutes", "180",
            "How many minutes after its air time a broadcast can still go on air."),
    Setting("live_grace_seconds", "120",
            "A push that stops and comes back within this many seconds continues the same "
            "broadcast; after it, the recording becomes a draft episode."),
    Setting("live_hotline", "", "Call-in hotline number shown on the live page."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


class SettingError(WulingError):
    """A setting whose value cannot be used; the message names the setting."""


def get(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The effective value of setting ``name`` in ``environ`` (then the default).

    Commands pass their injected environment (``env.environ``); ``None`` means the
    process environment, for code that runs outside a command (worker tasks).
    """
    setting = _BY_NAME[name]
    return (os.environ if environ is None else environ).get(setting.env_var) or setting.default


def get_int(name: str, low: int, high: int, environ: Mapping[str, str] | None = None) -> int:
    """An integer setting, or a one-line error naming the setting and the allowed range."""
    value = get(name, environ)
    if not value.strip().isdecimal() or not low <= int(value) <= high:
        raise SettingError(f"setting {name} must be a whole number from {low} to {high}, "
                           f"not {value!r}")
    return int(value)


FLAG_VALUES = {"on": True, "true": True, "yes": True, "1": True,
               "off": False, "false": False, "no": False, "0": False}


def get_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """An on/off setting, or a one-line error naming the setting and the accepted words."""
    value = get(name, environ)
    if value.strip().lower() not in FLAG_VALUES:
        raise SettingError(f"setting {name} must be on or off, not {value!r}")
    return FLAG_VALUES[value.strip().lower()]
