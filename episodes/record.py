"""The episode record: what ``episode.json`` says about a recording, typed and checked.

One shape from ingest to the site: ``studio run`` builds an :class:`EpisodeRecord`
from what people typed, the ingest stage completes it (title and slug derived from
the file name, probed duration) and writes it with :meth:`EpisodeRecord.to_json`;
the artwork, podcast and bumper stages and ``studio publish`` read it back with
:meth:`EpisodeRecord.load`, and the catalog stores it.

A record that exists is valid: the constructor checks every field, and
:meth:`EpisodeRecord.from_json` turns any problem in a file (not JSON, not an object,
NaN or absurd numbers, text that is not Unicode, nesting too deep) into one
:class:`CatalogError` naming the file.

Example::

    record = EpisodeRecord(title="营业执照怎么办", slug="ying-ye-zhi-zhao", kind="guide")
    path.write_text(record.to_json(), encoding="utf-8")
    assert EpisodeRecord.load(path) == record
"""
from __future__ import annotations

import contextlib
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from episodes.errors import CatalogError

# Each kind of programme with the show it belongs to (cover art, podcast tags,
# bumpers, feed titles and the site's listings all name the show from here).
SHOW_NAMES = {"episode": "武陵政务直播间", "guide": "武陵政务服务导办"}
KINDS = tuple(SHOW_NAMES)  # call-in show episode, service-guide video
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")
# Not allowed in XML 1.0, so one of them in a title would break every feed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The catalog column is a 32-bit integer: about 24 days, far beyond any recording.
MAX_DURATION_MS = 2**31 - 1


@dataclass(frozen=True)
class Guest:
    """A guest of the programme, as shown on the cover and the episode page."""

    name: str
    department: str = ""

    def __post_init__(self) -> None:
        _check_text("guest name", self.name)
        _check_text("guest department", self.department)
        if not self.name.strip():
            raise CatalogError("a guest has an empty name")


@dataclass(frozen=True)
class EpisodeRecord:
    """An episode or guide video: every field ``episode.json`` holds.

    ``source`` is the recording's absolute path (``studio render`` finds it there);
    ``duration_ms`` is 0 until the ingest stage has probed the recording.
    """

    title: str
    slug: str
    kind: str = "guide"
    summary: str = ""
    air_date: date | None = None
    service_category: str = ""
    guests: tuple[Guest, ...] = ()
    duration_ms: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("title", "slug", "kind", "summary", "service_category", "source"):
            _check_text(name, getattr(self, name))
        if not self.title.strip():
            raise CatalogError("missing or empty 'title'")
        if self.kind not in KINDS:
            raise CatalogError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not SLUG.fullmatch(self.slug):
            raise CatalogError(f"slug {self.slug!r} must be lowercase ASCII letters, digits "
                               "and '-'")
        if self.air_date is not None and not isinstance(self.air_date, date):
            raise CatalogError(f"air_date {self.air_date!r} is not a date")
        if not all(isinstance(guest, Guest) for guest in self.guests):
            raise CatalogError("guests must be Guest records")
        if (isinstance(self.duration_ms, bool) or not isinstance(self.duration_ms, int)
                or not 0 <= self.duration_ms <= MAX_DURATION_MS):
            raise CatalogError(f"duration_ms must be a whole number of milliseconds from 0 "
                               f"to {MAX_DURATION_MS}, not {self.duration_ms!r}")

    @property
    def show_name(self) -> str:
        return SHOW_NAMES[self.kind]

    @property
    def own_names(self) -> list[str]:
        """Names the recording says as staff spell them: its programme's and its guests'
        departments (the speech recognition's glossary recognises them)."""
        return [self.show_name, *self.departments]

    @property
    def about(self) -> str:
        """What staff say the recording is about before anyone has heard it (its title,
        summary, service category and guests' departments): the decoding prompt names
        the glossary terms in it."""
        return "\n".join([self.title, self.summary, self.service_category,
                          *(guest.department for guest in self.guests)])

    @property
    def air_date_text(self) -> str:
        """The air date as covers, title cards and tags print it: 2026-11-24, or nothing."""
        return self.air_date.isoformat() if self.air_date else ""

    @property
    def departments(self) -> list[str]:
        """The guests' departments, once each, sorted (for covers and title cards)."""
        return sorted({guest.department for guest in self.guests if guest.department})

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "kind": self.kind, "slug": self.slug,
                "summary": self.summary,
                "air_date": self.air_date_text or None,
                "service_category": self.service_category,
                "guests": [{"name": g.name, "department": g.department} for g in self.guests],
                "duration_ms": self.duration_ms, "source": self.source}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, path: object) -> "EpisodeRecord":
        """Parse and check ``episode.json``'s text; every problem names ``path``."""
        try:
            return cls.from_dict(_parse(text))
        except CatalogError as exc:
            raise CatalogError(exc.problem, path) from None

    @classmethod
    def load(cls, path: Path) -> "EpisodeRecord":
        """Read ``path`` (UTF-8, with or without the BOM Windows Notepad writes);
        unreadable or non-UTF-8 files are a one-line error too."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"cannot read it as UTF-8 text ({exc})", path) from exc
        return cls.from_json(text, path)

    @classmethod
    def from_dict(cls, data: object) -> "EpisodeRecord":
        if not isinstance(data, dict):
            raise CatalogError("must hold a JSON object")
        for name in ("title", "kind", "slug"):
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise CatalogError(f"missing or empty {name!r}")
        return cls(title=data["title"].strip(), kind=data["kind"], slug=data["slug"],
                   summary=_optional_text(data, "summary"),
                   air_date=_air_date(data.get("air_date")),
                   service_category=_optional_text(data, "service_category"),
                   guests=_guests(data.get("guests") or []),
                   duration_ms=_milliseconds(data.get("duration_ms") or 0),
                   source=_optional_text(data, "source"))


def _parse(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise CatalogError("is nested too deeply to be an episode record") from None
    except ValueError as exc:
        raise CatalogError(f"not valid JSON ({exc})") from None


def _reject_constant(name: str) -> float:
    raise CatalogError(f"holds {name}, which is not a number")


def _check_text(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise CatalogError(f"{name} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise CatalogError(f"{name} holds a lone surrogate (broken Unicode): retype it") from None
    if CONTROL_CHARACTERS.search(value):
        raise CatalogError(f"{name} holds control characters (pasted from another program?); "
                           "they would break the feeds: remove them")


def _optional_text(data: dict, name: str) -> str:
    """The field, "" when absent or null; the record checks that it is text."""
    value = data.get(name)
    return "" if value is None else value


def _air_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    raise CatalogError(f"air_date {value!r} is not YYYY-MM-DD")


def _guests(items: object) -> tuple[Guest, ...]:
    if not isinstance(items, list) or not all(isinstance(g, dict) and g.get("name") for g in items):
        raise CatalogError("guests must be a list of {\"name\", \"department\"} objects")
    return tuple(Guest(g["name"], g.get("department") or "") for g in items)


def _milliseconds(value: object) -> int:
    """A duration as JSON gives it: a whole number, or a finite float (fraction dropped)."""
    if isinstance(value, float) and math.isfinite(value) and 0 <= value <= MAX_DURATION_MS:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the record checks the range
    raise CatalogError(f"duration_ms must be a whole number of milliseconds from 0 to "
                       f"{MAX_DURATION_MS}, not {value!r}")
