"""A line chart as plain numbers for an SVG template: no JavaScript, no chart library.

The dashboard draws it server-side, so it works under the strict CSP and on the
oldest office PC; screen-reader users get the totals in the table under it and every
number in the CSV export.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
# Colour-blind-safe palette (Okabe–Ito), dark enough on white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str  # "x,y x,y …" for <polyline points=…>


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int  # where the plot area starts and ends horizontally
    right: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]  # (y position, value)
    x_ticks: list[tuple[float, str]]  # (x position, label)


def line_chart(days: list[date], series: dict[str, list[int]]) -> Chart:
    """One line per series over ``days`` (each series has one value per day)."""
    top = _nice_max(max((max(v) for v in series.values() if v), default=0))
    x = _scale(len(days))
    lines = [Line(label, COLOURS[i % len(COLOURS)],
                  " ".join(f"{x(d):.1f},{_y(v, top):.1f}" for d, v in enumerate(values)))
             for i, (label, values) in enumerate(series.items())]
    step = max(1, math.ceil(len(days) / 8))
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, lines,
                 [(_y(v, top), v) for v in range(0, top + 1, max(1, top // 4))],
                 [(x(i), f"{day.month}/{day.day}") for i, day in enumerate(days) if i % step == 0])


def _scale(count: int):
    span = WIDTH - LEFT - RIGHT
    return lambda i: LEFT + (span * i / (count - 1) if count > 1 else span / 2)


def _y(value: int, top: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (4, 8, 10, 20, 40, …), never 0."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(value)) - 1)
    return next(m * magnitude for m in (1, 2, 4, 8, 10) if m * magnitude >= value)
