"""The cue: what one subtitle shows, and when. Times are integer milliseconds."""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Cue:
    """``origin`` is the position of the file event a cue was read from (None for cues
    cut from speech), so a fixed cue can be written back with that event's style,
    layer and margins. ``locked`` marks text carrying formatting (ASS override tags,
    SRT ``<i>``): it may be retimed but never re-broken, split or merged. Neither
    takes part in equality: they say where a cue came from, not what it shows.
    """

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    origin: int | None = field(default=None, compare=False)
    locked: bool = field(default=False, compare=False)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def text(self) -> str:
        """All lines joined without a separator: Chinese needs no space between lines."""
        return "".join(self.lines)

    def shifted(self, start_ms: int | None = None, end_ms: int | None = None) -> "Cue":
        return replace(self, start_ms=self.start_ms if start_ms is None else start_ms,
                       end_ms=self.end_ms if end_ms is None else end_ms)
