"""What every chart shares: colours, the style, fixed-size deterministic PNGs, axes and number
formats in the report language, grade bands, and the small-cell mask."""

from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass, field
from typing import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..text import (
    fmt_number,
    is_small,
)

__all__ = [
    "PALETTE",
    "LIKERT_COLORS",
    "GRADE_COLORS",
    "DPI",
    "STYLE",
    "Chart",
    "chart",
    "figure_png",
    "quiet",
    "short_name",
    "new_figure",
    "make_axes",
    "num_formatter",
    "need_column",
    "floats",
    "small_mask",
    "grade_bands",
]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
"""Okabe–Ito colours (blue, orange, green, vermillion, sky blue, purple, yellow, black)."""

LIKERT_COLORS = {1: "#B35806", 2: "#F1A340", 3: "#92C5DE", 4: "#2166AC"}
"""Answer 1..4: dark orange, light orange, light blue, dark blue (diverging, colour-blind safe)."""

GRADE_COLORS = {"A": "#E8F1F8", "B": "#F4F4F4", "C": "#FBF0E0", "D": "#F8E3D8"}
"""Pale fills for the grade bands behind IKM charts."""

DPI = 110
"""Fixed resolution of every chart (pixels per inch)."""

STYLE: Mapping[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "svg.hashsalt": "clem",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
}
"""Matplotlib settings applied while a chart is drawn (never changed globally)."""


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A rendered chart for a notebook cell: PNG bytes plus alt text.

    Displays as ``image/png`` (the alt text goes into the output metadata,
    which the HTML export writes as the image's ``alt``); ``repr`` is the alt
    text, so text comparisons of executed notebooks see a stable line.
    """

    png: bytes = field(repr=False)
    alt: str = ""

    def _repr_png_(self):
        return self.png, {"alt": self.alt}

    def __repr__(self) -> str:
        return f"[{self.alt}]" if self.alt else "[chart]"


def quiet(fn):
    """Run a plotting function with matplotlib's ``UserWarning``s caught.

    Charts of edge cases (one respondent, no answers, a long name) make
    matplotlib warn ("constrained_layout not applied", "No artists with
    labels found to put in legend"); in a notebook the warning, with this
    machine's paths, would be printed into the report. The chart is drawn
    as well as it can be either way.
    """

    @functools.wraps(fn)
    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)

    return quiet


@quiet
def figure_png(fig: Figure, *, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig``: fixed DPI, tight box, white background, no metadata.

    The same figure gives the same bytes on every run (no timestamp, no
    software version in the PNG text chunks). Drawing happens here, so layout
    warnings ("constrained_layout not applied") are caught here too (:func:`quiet`):
    the tight box keeps what constrained layout could not place.
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12,
                    facecolor="white", metadata={"Software": None})
    return buf.getvalue()


def short_name(name, limit: int = 40) -> str:
    """A unit name for a chart's axis or legend: at most ``limit`` characters (the table has it whole)."""
    text = " ".join(str(name).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart(fig: Figure, alt: str = "") -> Chart:
    """Render ``fig`` to a :class:`Chart` (and release the figure)."""
    png = figure_png(fig)
    fig.clear()
    return Chart(png=png, alt=alt)


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def make_axes(fig: Figure, *args, **kwargs):
    with matplotlib.rc_context(STYLE):
        return fig.subplots(*args, **kwargs)


def num_formatter(decimals: int, lang: str, percent: bool = False):
    def f(x, _pos=None):
        return fmt_number(x, decimals, lang) + ("%" if percent else "")
    return FuncFormatter(f)


def need_column(df: pd.DataFrame, name: str, what: str) -> None:
    if name not in df.columns:
        raise ValueError(f"{what}: the table has no column {name!r}; pass the column name by keyword")


def floats(s) -> np.ndarray:
    return pd.to_numeric(pd.Series(s), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def small_mask(s, min_n: int) -> np.ndarray:
    return np.array([is_small(v, min_n) for v in pd.Series(s).tolist()], dtype=bool)


def grade_bands(ax, scheme, lang: str, *, vertical: bool, lo: float = 25.0, hi: float = 100.0) -> None:
    """Shade the grade bands of ``scheme`` along the value axis and letter them."""
    from ..scoring import get_scheme

    s = get_scheme(scheme if scheme is not None else "permenpan14_2017")
    bands = sorted(s.bands, key=lambda b: b.min_ikm)
    for i, b in enumerate(bands):
        start = max(b.min_ikm, lo)
        end = bands[i + 1].min_ikm if i + 1 < len(bands) else hi
        if end <= lo or start >= hi:
            continue
        end = min(end, hi)
        color = GRADE_COLORS.get(b.grade, "#F4F4F4")
        text = f"{b.grade}"
        if vertical:
            ax.axvspan(start, end, color=color, zorder=0, lw=0)
            ax.axvline(start, color="#9E9E9E", lw=0.6, ls=":", zorder=1)
            ax.text((start + end) / 2, 1.0, text, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=8.5, color="#555555")
        else:
            ax.axhspan(start, end, color=color, zorder=0, lw=0)
            ax.axhline(start, color="#9E9E9E", lw=0.6, ls=":", zorder=1)
            ax.text(1.0, (start + end) / 2, " " + text, transform=ax.get_yaxis_transform(), ha="left",
                    va="center", fontsize=8.5, color="#555555")
