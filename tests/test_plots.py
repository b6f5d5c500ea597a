"""Charts: deterministic bytes, labelled axes in both languages, n shown, small cells suppressed."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import clem_lib as clem

UNSUR = clem.get_scheme("permenpan14_2017").unsur


def _table(n=60, seed=7):
    rng = np.random.default_rng(seed)
    d = {"unit": pd.array(["Kec. Serengan"] * n, dtype="string"),
         "sector": pd.array(rng.choice(["adminduk", "kesehatan"], n), dtype="string"),
         "service": pd.array(rng.choice(["KTP-el", "Rawat jalan"], n), dtype="string"),
         "channel": pd.array(np.where(np.arange(n) < 12, "broker", "in_person"), dtype="string"),
         "cost_paid": pd.array(rng.normal(50000, 10000, n), dtype="Float64"),
         "days_to_complete": pd.array(rng.gamma(3, 2, n), dtype="Float64"),
         "overall_satisfaction": pd.array(rng.integers(1, 5, n), dtype="Int64")}
    for k in UNSUR:
        d[f"unsur_{k}"] = pd.array(rng.integers(1, 5, n), dtype="Int64")
        d[f"harapan_{k}"] = pd.array(rng.integers(2, 5, n), dtype="Int64")
    return pd.DataFrame(d)


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title(loc="left")]
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    for leg in fig.legends:
        out += [t.get_text() for t in leg.get_texts()]
    return out


def test_likert_shares_counts_and_shares():
    df = pd.DataFrame({"unsur_waktu": pd.array([1, 2, 2, 4, pd.NA], dtype="Int64")})
    s = clem.likert_shares(df, columns=["unsur_waktu"])
    assert s["answer"].tolist() == [1, 2, 3, 4]
    assert s["count"].tolist() == [1, 2, 0, 1]
    assert s["n"].tolist() == [4, 4, 4, 4]
    assert s["share"].tolist() == [0.25, 0.5, 0.0, 0.25]


def test_same_chart_same_bytes_and_no_metadata():
    df = _table()
    a = clem.figure_png(clem.plot_likert(clem.likert_shares(df), lang="id"))
    b = clem.figure_png(clem.plot_likert(clem.likert_shares(df), lang="id"))
    assert a == b
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"tEXt" not in a and b"tIME" not in a  # no software version, no timestamp
    c = clem.chart(clem.plot_likert(clem.likert_shares(df), lang="id"), alt="likert")
    assert c.png == a and c._repr_png_() == (a, {"alt": "likert"}) and repr(c) == "[likert]"


def test_likert_labels_switch_language_and_show_n():
    df = _table()
    fig_id = clem.plot_likert(clem.likert_shares(df), lang="id")
    fig_en = clem.plot_likert(clem.likert_shares(df), lang="en")
    t_id, t_en = _texts(fig_id), _texts(fig_en)
    assert "Persentase jawaban (%)" in t_id and "Share of answers (%)" in t_en
    assert "Waktu penyelesaian (n = 60)" in t_id and "Time to complete (n = 60)" in t_en
    assert "Sangat baik (4)" in t_id and "Very good (4)" in t_en


def test_ikm_elements_suppresses_small_unsur_and_draws_bands():
    nrr = clem.nrr(_table())
    nrr["ikm_unsur"] = nrr["nrr_converted"]
    nrr.loc[nrr["unsur"] == "sarana", "n"] = 3
    nrr.loc[nrr["unsur"] == "sarana", "ikm_unsur"] = 33.33  # a value no other unsur has
    fig = clem.plot_ikm_elements(nrr, overall=70.0, lang="id", min_n=5)
    texts = _texts(fig)
    assert "n < 5" in texts
    assert {"A", "B", "C", "D"} <= set(texts)
    assert "IKM (skala 25–100)" in texts
    shown = [t for t in texts if "," in t and t.replace(",", "").isdigit()]
    assert "33,3" not in shown and len(shown) == len(UNSUR) - 1  # the suppressed value is not written
    assert len(fig.axes[0].patches) == (len(UNSUR) - 1) + 4  # 8 bars (none for the small unsur) + 4 bands


def test_forest_marks_small_rows_and_uses_decimal_comma():
    g = pd.DataFrame({"label": ["a", "b"], "gap": [-0.4, 0.1], "ci_low": [-0.6, -0.1], "ci_high": [-0.2, 0.3],
                      "p_adjusted": [0.01, 0.5], "n1": [30, 2], "n2": [40, 40]})
    fig = clem.plot_forest(g, lang="id")
    texts = _texts(fig)
    assert "n < 5" in texts and "a (n = 30 / 40)" in texts and "b (n = 2 / 40)" in texts
    assert any("," in t for t in [x.get_text() for x in fig.axes[0].get_xticklabels()])


def test_channel_ipa_and_city_charts_render():
    df = _table()
    for fig in (clem.plot_channel(df, lang="en"), clem.plot_sample(df, lang="id"),
                clem.plot_ipa(clem.ipa(df), performance="mean_x", importance="mean_y", lang="en")):
        assert len(clem.figure_png(fig)) > 5000
    units = ["Kec. A", "Kec. B", "Kec. C"]
    ikm = pd.DataFrame({"unit": units, "ikm": [80.0, 70.0, np.nan], "ci_low": [78, 68, np.nan],
                        "ci_high": [82, 72, np.nan], "n": [50, 40, 3]})
    texts = _texts(clem.plot_ikm_ranking(ikm, lang="en"))
    assert "Kec. A (n = 50)" in texts and "n < 5" in texts and "80.00" in texts
    heat = pd.DataFrame([{"unit": u, "unsur": k, "ikm_unsur": 75.0, "n": 2 if u == "Kec. C" else 30}
                         for u in units for k in UNSUR])
    htexts = _texts(clem.plot_heatmap(heat, lang="id"))
    assert htexts.count("n < 5") == len(UNSUR) and "75,0" in htexts
    acc = pd.DataFrame({"unit": units, "pct_not_friendly": [0.5, 0.25, 0.9], "n": [50, 40, 3]})
    atexts = _texts(clem.plot_access_units(acc, lang="en"))
    assert "50% (n = 50)" in atexts and "n < 5" in atexts
    rounds = pd.DataFrame({"round": [1, 2], "ikm": [70.0, 75.0], "ci_low": [68, 73], "ci_high": [72, 77],
                           "n": [50, 60]})
    rtexts = _texts(clem.plot_rounds(rounds, lang="id"))
    assert "Putaran 1" in rtexts and any("75,00 (n = 60)" in t for t in rtexts)


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match="no column 'ikm'"):
        clem.plot_ikm_ranking(pd.DataFrame({"unit": ["a"], "n": [5]}))


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_sample_chart_legend_does_not_cover_the_bars():
    df = _table(n=80)
    fig = clem.plot_sample(df, lang="id")
    r = _drawn(fig)
    assert not fig.axes[0].get_legend() and len(fig.legends) == 1
    leg = fig.legends[0].get_window_extent(r)
    assert not leg.overlaps(fig.axes[0].get_window_extent(r))  # outside the plotting area
    for t in fig.axes[0].texts:  # and no count is hidden
        assert not leg.overlaps(t.get_window_extent(r))


def test_rounds_labels_sit_above_their_interval_and_channel_values_carry_units():
    rounds = pd.DataFrame({"round": [1, 2], "ikm": [72.89, 71.80], "ci_low": [71.2, 70.1],
                           "ci_high": [74.5, 73.5], "n": [124, 124]})
    fig = clem.plot_rounds(rounds, lang="id")
    r = _drawn(fig)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if "(n = " in t.get_text()]
    assert len(labels) == 2
    for t, hi in zip(labels, rounds["ci_high"]):
        box = t.get_window_extent(r)
        cap_y = ax.transData.transform((1.0, hi))[1]
        assert box.y0 >= cap_y  # the label does not cross the line or the interval
    df = _table()
    texts = _texts(clem.plot_channel(df, lang="id"))
    assert sum(t.startswith("Rp ") and "(n = " in t for t in texts) == 2
    assert sum(" hari (n = " in t for t in texts) == 2
    en = _texts(clem.plot_channel(df, lang="en"))
    assert sum(" days (n = " in t for t in en) == 2


def test_ipa_labels_cover_no_other_point():
    """Dispendukcapil's elements cluster in quadrant IV: every label stays clear of the other markers."""
    from matplotlib.transforms import Bbox

    rep = clem.UnitReport.build(unit="dispendukcapil", data_path=str(clem.cleaned_sample()), lang="id")
    t = rep.ipa
    fig = clem.plot_ipa(t, performance="mean_x", importance="mean_y", x_split=float(t["x_cross"].iloc[0]),
                        y_split=float(t["y_cross"].iloc[0]), lang="id")
    r = _drawn(fig)
    ax = fig.axes[0]
    names = {clem.unsur_label(k, "id") for k in t["unsur"]}
    labels = [a for a in ax.texts if a.get_text() in names]
    assert len(labels) == len(t)
    pts = ax.transData.transform(np.column_stack([t["mean_x"].astype(float), t["mean_y"].astype(float)]))
    half = 3.0 * fig.dpi / 72.0  # the drawn marker (s=42 points²) is about 6.5 points wide
    from matplotlib.text import Text

    for a in labels:
        box = Text.get_window_extent(a, r)  # the words (a leader line may pass a neighbour)
        own = np.asarray(a.xy, dtype=float)
        for (px, py), (mx, my) in zip(pts, zip(t["mean_x"].astype(float), t["mean_y"].astype(float))):
            if np.allclose((mx, my), own):
                continue
            assert not box.overlaps(Bbox.from_extents(px - half, py - half, px + half, py + half)), a.get_text()
    others = [Text.get_window_extent(b, r) for b in labels]
    assert not any(others[i].overlaps(others[j]) for i in range(len(others)) for j in range(i + 1, len(others)))


def test_rounds_of_many_units_name_the_largest_rise_and_fall_not_every_unit():
    units = [f"Puskesmas {i:02d}" for i in range(30)]
    rows = []
    for i, u in enumerate(units):
        rows += [{"unit": u, "round": 1, "ikm": 80.0, "n": 40},
                 {"unit": u, "round": 2, "ikm": 80.0 + (i - 10) * 0.5, "n": 40}]
    rows[1]["n"] = 3  # a unit whose latest round is too small: no change to report
    rounds = pd.DataFrame(rows)
    fig = clem.plot_rounds_city(rounds, lang="en")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Other units (28)", "Largest rise: Puskesmas 29 (+9.50)",
                      "Largest fall: Puskesmas 01 (−4.50)"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a layout warning would print into the report
        png = clem.figure_png(fig)
    w, h = Image.open(io.BytesIO(png)).size
    assert h < 800 and w < 1200  # the legend stays the chart's size, not one line per unit
    few = clem.plot_rounds_city(rounds[rounds["unit"].isin(units[:3])], lang="id")
    assert [t.get_text() for t in few.axes[0].get_legend().get_texts()] == units[:3]
