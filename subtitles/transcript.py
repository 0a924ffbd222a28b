"""What the recogniser heard: segments and words with integer-millisecond times.

Serialised as the transcript JSON that ``studio transcribe`` writes beside the
subtitles; every later stage reads it instead of running the model again.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable

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


def map_word_texts(words: tuple[Word, ...], convert: Callable[[str], str]) -> tuple[Word, ...]:
    """Apply a text conversion to words in context, keeping each word's own time.

    Conversions such as OpenCC's phrase tables, punctuation rules or a correction
    staff taught (补办物 → 补办, across three words) need the neighbouring characters,
    so the joined text is converted and cut back at the old word boundaries. When the
    conversion changed the length, the old and new text are aligned (difflib): a
    changed stretch goes to the word its first old character was in (an insertion to
    the word before it), and a word left with no text is dropped.
    """
    texts = [w.text for w in words]
    old = "".join(texts)
    new = convert(old)
    if len(new) == len(old):
        out, pos = [], 0
        for word in words:
            out.append(replace(word, text=new[pos:pos + len(word.text)]))
            pos += len(word.text)
        return tuple(out)
    owner = [i for i, text in enumerate(texts) for _ in text]
    pieces = [""] * len(words)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                pieces[owner[i1 + k]] += new[j1 + k]
        elif owner:
            pieces[owner[i1] if i1 < i2 else owner[max(i1 - 1, 0)]] += new[j1:j2]
    return tuple(replace(word, text=piece) for word, piece, text in zip(words, pieces, texts)
                 if piece or not text)


@dataclass
class Transcript:
    language: str
    duration_ms: int
    segments: list[Segment] = field(default_factory=list)
    model: str = ""
    source: str = ""
    # Post-corrections applied to the recogniser's text, kept for audit:
    # [{"segment", "start", "end", "before", "after", "term", "score"}].
    corrections: list[dict] = field(default_factory=list)

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
                       source=data.get("source", ""), corrections=data.get("corrections", []))
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
