"""Progress reporting through an injected object, so the core never prints.

The CLI passes a :class:`TqdmProgress` drawing on stderr; tests and scheduled jobs
pass :data:`NULL_PROGRESS`.
"""
from __future__ import annotations

from typing import IO, Protocol


class Bar(Protocol):
    def update(self, n: float) -> None: ...
    def close(self) -> None: ...


class Progress(Protocol):
    def bar(self, total: float | None, desc: str, unit: str = "s") -> Bar: ...
    def message(self, text: str) -> None: ...


class TqdmProgress:
    def __init__(self, stream: IO[str]):
        self.stream = stream

    def bar(self, total: float | None, desc: str, unit: str = "s") -> Bar:
        from tqdm import tqdm  # here: every command gets an Environment, few draw bars

        return tqdm(total=total, desc=desc, unit=unit, file=self.stream, leave=False,
                    dynamic_ncols=True, bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                    "{n:.1f}/{total:.1f} {unit} [{elapsed}<{remaining}]")

    def message(self, text: str) -> None:
        from tqdm import tqdm

        tqdm.write(text, file=self.stream)


class _NullBar:
    def update(self, n: float) -> None:
        pass

    def close(self) -> None:
        pass


class NullProgress:
    def bar(self, total: float | None, desc: str, unit: str = "s") -> Bar:
        return _NullBar()

    def message(self, text: str) -> None:
        pass


NULL_PROGRESS = NullProgress()
