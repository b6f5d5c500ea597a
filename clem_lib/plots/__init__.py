"""Charts of the reports, readable in print and by colour-blind readers.

Every function takes a tidy result table (from :mod:`clem_lib.scoring`,
:mod:`clem_lib.stats` or the cleaned table) first, names columns by keyword,
and returns a :class:`matplotlib.figure.Figure` built without pyplot (no
global figure state, nothing shown twice by the notebook's inline backend).
:func:`chart` turns a figure into a deterministic PNG display object for a
notebook cell; :func:`figure_png` returns the bytes.

Conventions
    * Okabe–Ito colours (:data:`PALETTE`), the cividis map for heat maps, and
      a blue/orange diverging scale for answers: safe for the common forms of
      colour blindness and legible in greyscale print.
    * Axes are labelled in the report language with their unit; n is shown
      on every chart (in the title or next to the bars).
    * Groups with fewer than ``min_n`` answers are not drawn; the chart shows
      ``"n < 5"`` where the value would be.
    * Numbers on axes and labels use the language's decimal mark.
    * Output bytes are deterministic: fixed DPI, fixed size, PNG metadata
      without software version or time.
"""

from .overview import *  # noqa: F401,F403
from .style import Chart, DPI, GRADE_COLORS, LIKERT_COLORS, PALETTE, STYLE, chart, figure_png  # noqa: F401
from .unit import *  # noqa: F401,F403

__all__ = [
    "PALETTE",
    "LIKERT_COLORS",
    "GRADE_COLORS",
    "DPI",
    "STYLE",
    "Chart",
    "chart",
    "figure_png",
    "likert_shares",
    "plot_sample",
    "plot_ikm_elements",
    "plot_likert",
    "plot_forest",
    "plot_channel",
    "plot_ipa",
    "plot_rounds",
    "plot_ikm_ranking",
    "plot_heatmap",
    "plot_access_units",
    "plot_rounds_city",
    "plot_resolution_curves",
]
