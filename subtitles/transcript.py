"""What the recogniser heard: segments and words with integer-millisecond times.

Serialised as the transcript JSON that ``studio transcribe`` writes beside the
subtitles; every later stage reads it instead of running the model again.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from subtitles.errors import SubtitleError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Word:
    start_ms: int
    end_ms: int
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start_ms: int
    end_ms: int
    text: str
    words: tuple[Word, ...]
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@dataclass
class Transcript:
    language: str
    duration_ms: int
    segments: list[Segment] = field(default_factory=list)
    model: str = ""
    source: str = ""

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    def to_json(self) -> str:
        data = {"format_version": FORMAT_VERSION, **asdict(self)}
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, path: object = None) -> "Transcript":
        try:
            data = json.loads(text)
            segments = [
                Segment(**{**seg, "words": tuple(Word(**w) for w in seg["words"])})
                for seg in data["segments"]
            ]
            return cls(language=data["language"], duration_ms=int(data["duration_ms"]),
                       segments=segments, model=data.get("model", ""),
                       source=data.get("source", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise SubtitleError(f"not a Wuling transcript JSON ({exc})", path) from exc

    @classmethod
    def load(cls, path: Path | str) -> "Transcript":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SubtitleError(f"cannot read transcript ({exc})", path) from exc
        return cls.from_json(text, path)
