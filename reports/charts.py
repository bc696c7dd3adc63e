"""The briefing's charts, drawn on the server as PNG (matplotlib's Agg backend, no display).

Chinese labels need a CJK font: Debian's fonts-noto-cjk (Noto Sans CJK SC), which `.ci/run`
installs and README "Word briefings" asks for. Without it the charts are still drawn, with a
warning in the log: matplotlib's default font shows the Chinese as empty boxes, which is
better than no briefing.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei")
WIDTH_INCHES, HEIGHT_INCHES, DPI = 6.4, 3.2, 160
BLUE, ORANGE = "#2f6db5", "#e08a2c"


@cache
def cjk_font() -> str | None:
    """The family of an installed CJK font, or None (charts then warn and use the default)."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    logger.warning(
        "No CJK font found (install Debian's fonts-noto-cjk): the briefing's charts will show "
        "Chinese labels as boxes."
    )
    return None


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Without a CJK font matplotlib warns once per missing glyph; cjk_font() said it once.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _font_kwargs() -> dict:
    family = cjk_font()
    return {"fontfamily": family} if family else {}


def bars(labels: Sequence[str], values: Sequence[float], *, unit: str) -> bytes:
    """Vertical bars, each with its value above it."""
    figure, axes = _figure()
    font = _font_kwargs()
    positions = range(len(labels))
    drawn = axes.bar(positions, values, color=BLUE, width=0.6)
    axes.bar_label(drawn, labels=[_number(value) for value in values], fontsize=10, **font)
    axes.set_xticks(list(positions), labels, fontsize=10, **font)
    axes.set_ylabel(unit, fontsize=10, **font)
    axes.margins(y=0.15)
    return _png(figure)


def paired_bars(
    labels: Sequence[str],
    first: Sequence[float],
    second: Sequence[float],
    *,
    names: tuple[str, str],
    unit: str,
) -> bytes:
    """Two bars per label (planned and disbursed), with a legend."""
    figure, axes = _figure()
    font = _font_kwargs()
    width = 0.38
    left = [index - width / 2 for index in range(len(labels))]
    right = [index + width / 2 for index in range(len(labels))]
    drawn_first = axes.bar(left, first, width, color=BLUE, label=names[0])
    drawn_second = axes.bar(right, second, width, color=ORANGE, label=names[1])
    for drawn, values in ((drawn_first, first), (drawn_second, second)):
        axes.bar_label(drawn, labels=[_number(value) for value in values], fontsize=8)
    axes.set_xticks(list(range(len(labels))), labels, fontsize=10, **font)
    axes.set_ylabel(unit, fontsize=10, **font)
    axes.legend(prop={"family": font.get("fontfamily"), "size": 9}, frameon=False)
    axes.margins(y=0.15)
    return _png(figure)


def funnel(labels: Sequence[str], values: Sequence[int], *, unit: str) -> bytes:
    """Horizontal bars, the first stage on top."""
    figure, axes = _figure()
    font = _font_kwargs()
    positions = list(range(len(labels)))[::-1]
    drawn = axes.barh(positions, values, color=BLUE, height=0.6)
    axes.bar_label(drawn, labels=[_number(value) for value in values], fontsize=10, padding=3)
    axes.set_yticks(positions, labels, fontsize=10, **font)
    axes.set_xlabel(unit, fontsize=10, **font)
    axes.margins(x=0.12)
    return _png(figure)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
