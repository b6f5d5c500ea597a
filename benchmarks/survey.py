"""Generated surveys in the raw export format of the bundled sample.

``generate_survey(dst, n_responses=..., n_units=..., seed=...)`` writes, in
``dst``:

- ``survey.csv``: a KoboToolbox-style export with exactly the sample's columns,
  delimiter and label spellings (typos, case variants, "don't know" codes,
  off-scale values, refusals, fake personal data included), one row per
  response;
- ``survey.codebook.yml``: the sample's codebook with its own survey name;
- ``units.yml``: ``n_units`` generated units (name, slug, sectors, aliases,
  users per month);
- ``checklist.csv``: a service-standard checklist for every generated unit.

How: each generated response is a whole row of the sample survey drawn at
random (seeded) from the rows of its sector, so every answer keeps the
sample's spellings and the consistency between columns (service within
sector, "problem resolved" only after a problem, extra amount only when paid
extra); then its identity is made new: the unit (typed as the canonical name,
an alias, or a case or spacing variant; ``unmatched_unit_share`` > 0 adds typos that
match no unit, which clean_survey rejects as bad input),
enumerator codes of that unit, a fresh ``_uuid``, ``_id`` and ``_index``, the
dates moved back by 0..44 days together (start, end, interview date,
submission time) and the seconds of each time stamp drawn anew, and a new
respondent: name, NIK, phone number and address made up from the sample's
parts wherever the sample row has them (so that, as in a real survey, time
stamps and personal data are distinct in nearly every row, not copies of the
sample's 1,562). A few submissions are sent twice (same ``_uuid``), as Kobo
exports have.

Units get all three sectors, except one in seven (a civil-registration
office, ``adminduk`` only). Responses are spread over units in proportion to
their users per month (``equal_units=False``) or evenly
(``equal_units=True``, for the batch benchmarks, so that time per unit is
comparable across sizes).

The files are cached: a folder whose ``survey.json`` records the same
parameters is reused.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from clem_lib.codebook import normalize_label, slugify
from clem_lib.paths import CHECKLIST_FILE, SAMPLE_CODEBOOK, SAMPLE_DATA

__all__ = ["SurveyFiles", "generate_survey", "unit_names"]

GENERATOR_VERSION = 2
SECTORS = ("adminduk", "kesehatan", "pendidikan")
UNIT_COL = "identitas/kecamatan"
SECTOR_COL = "identitas/sektor"
ENUM_COL = "identitas/enumerator"
DATE_COLS = ("start", "end", "identitas/tanggal", "_submission_time")
TIME_COLS = ("start", "end", "_submission_time")
NAME_COL, NIK_COL, PHONE_COL, ADDRESS_COL = "responden/nama", "responden/nik", "responden/no_hp", "responden/alamat"
_SYLLABLES = ("ba", "ja", "ka", "la", "ma", "na", "pa", "sa", "ta", "wa", "ri", "su", "go", "de", "lo",
              "ne", "bu", "ji", "ko", "li", "mu", "ni", "po", "se", "to", "wi", "ra", "si")


@dataclass(frozen=True)
class SurveyFiles:
    """Paths of a generated survey."""

    folder: Path
    data: Path
    codebook: Path
    units: Path
    checklist: Path
    sep: str
    unit_names: tuple[str, ...]
    n_responses: int


def unit_names(n: int) -> list[str]:
    """``n`` unique, pronounceable kecamatan-like names (``Kec. Bajaka`` ...)."""
    k = len(_SYLLABLES)
    names = []
    for i in range(n):
        digits, j = [], i + k * k  # at least three syllables
        while j:
            j, r = divmod(j, k)
            digits.append(_SYLLABLES[r])
        word = "".join(reversed(digits))
        names.append(word.capitalize())
    return names


def _sector_of_sample_rows(sample: pd.DataFrame, codebook: dict) -> pd.Series:
    """Sector code of each sample row, from the codebook's sector scale (None when unmatched)."""
    spec = next(c for c in codebook["columns"] if c.get("role") == "sector")
    scale = codebook["scales"][spec["scale"]]
    lookup = {}
    for level in scale["levels"]:
        for label in [level["code"], level.get("id"), level.get("en"), *(level.get("aliases") or [])]:
            if label is not None:
                lookup[normalize_label(label)] = level["code"]
    return sample[SECTOR_COL].map(lambda v: lookup.get(normalize_label(v)))


def _typo(word: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(1, max(2, len(word) - 1)))
    return word[:i] + word[i + 1:] + "x"


def _shift_dates(values: pd.Series, days: np.ndarray) -> pd.Series:
    """Move ISO dates / timestamps back by ``days``; leave other spellings as they are."""
    head = values.str.slice(0, 10)
    parsed = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce")
    ok = parsed.notna().to_numpy()
    shifted = (parsed - pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d")
    out = values.copy()
    out[ok] = shifted[ok] + values.str.slice(10)[ok]
    return out


def _new_seconds(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Time stamps (``YYYY-MM-DDTHH:MM:SS...``) with new seconds and milliseconds; others as they are."""
    ok = values.str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").fillna(False).to_numpy()
    sec = pd.Series(rng.integers(0, 60, len(values)), index=values.index).map("{:02d}".format)
    millis = pd.Series(rng.integers(0, 1000, len(values)), index=values.index).map(".{:03d}".format)
    tail = values.str.slice(19)
    has_millis = tail.str.match(r"\.\d{3}").fillna(False)
    new = values.str.slice(0, 17) + sec + millis.where(has_millis, "") + tail.where(~has_millis, tail.str.slice(4))
    out = values.copy()
    out[ok] = new[ok]
    return out


def _new_people(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """New name, NIK, phone and address in every row where the sample row has one (in place)."""
    n = len(frame)
    names = [v.split() for v in frame[NAME_COL].unique() if v]
    first = sorted({w[0] for w in names})
    last = sorted({x for w in names for x in w[1:]})
    addresses = [v.split(", ") for v in frame[ADDRESS_COL].unique() if v.count(", ") >= 3]
    streets = sorted({a[0].split(" No. ")[0] for a in addresses})
    villages = sorted({a[2] for a in addresses})

    def pick(words, size):
        return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]

    two = rng.random(n) < 0.5
    name = pick(first, n) + " " + np.where(two, pick(last, n), pick(last, n) + " " + pick(last, n))
    nik = ["3372" + f"{v:012d}" for v in rng.integers(0, 10**12, n)]
    phone = ["08" + f"{v:010d}" for v in rng.integers(10**9, 10**10, n)]
    address = [f"{st} No. {no}, RT {rt:02d}/RW {rw:02d}, {vil}, Surakarta" for st, no, rt, rw, vil in
               zip(pick(streets, n), rng.integers(1, 250, n), rng.integers(1, 16, n), rng.integers(1, 25, n),
                   pick(villages, n))]
    for col, new in ((NAME_COL, name), (NIK_COL, nik), (PHONE_COL, phone), (ADDRESS_COL, address)):
        filled = (frame[col] != "").to_numpy()
        frame.loc[filled, col] = np.asarray(new, dtype=object)[filled]


def generate_survey(dst, *, n_responses: int, n_units: int, seed: int = 20131,
                    equal_units: bool = False, duplicate_share: float = 0.002,
                    unmatched_unit_share: float = 0.0) -> SurveyFiles:
    """Write a survey of ``n_responses`` rows over ``n_units`` units in ``dst`` (see module doc)."""
    dst = Path(dst)
    params = {"version": GENERATOR_VERSION, "n_responses": n_responses, "n_units": n_units, "seed": seed,
              "equal_units": equal_units, "duplicate_share": duplicate_share,
              "unmatched_unit_share": unmatched_unit_share,
              "sample_bytes": SAMPLE_DATA.stat().st_size}
    stamp = dst / "survey.json"
    names = unit_names(n_units)
    canonical = [f"Kec. {w}" for w in names]
    files = SurveyFiles(folder=dst, data=dst / "survey.csv", codebook=dst / "survey.codebook.yml",
                        units=dst / "units.yml", checklist=dst / "checklist.csv", sep=";",
                        unit_names=tuple(canonical), n_responses=n_responses)
    if stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == params and files.data.exists():
        return files
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    rng = np.random.default_rng(seed)

    codebook = yaml.safe_load(SAMPLE_CODEBOOK.read_text(encoding="utf-8"))
    sample = pd.read_csv(SAMPLE_DATA, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    sector = _sector_of_sample_rows(sample, codebook)
    pools = {s: np.flatnonzero((sector == s).to_numpy()) for s in SECTORS}

    # --- units
    adminduk_only = (np.arange(n_units) % 7) == 0
    users = np.round(np.exp(rng.normal(np.log(800), 0.8, n_units))).astype(int) + 50
    units_doc = []
    for i, (word, name) in enumerate(zip(names, canonical)):
        units_doc.append({"name": name, "slug": slugify(name),
                          "sectors": ["adminduk"] if adminduk_only[i] else list(SECTORS),
                          "users_per_month": int(users[i]),
                          "aliases": [f"Kecamatan {word}", word]})
    files.units.write_text(
        "# Generated units for the benchmarks (synthetic).\n"
        + yaml.safe_dump({"units": units_doc}, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # --- responses per unit
    n_dup = int(round(n_responses * duplicate_share))
    n_rows = n_responses - n_dup
    if equal_units:
        counts = np.full(n_units, n_rows // n_units)
        counts[: n_rows - counts.sum()] += 1
    else:
        counts = rng.multinomial(n_rows, users / users.sum())
    unit_idx = np.repeat(np.arange(n_units), counts)
    rng.shuffle(unit_idx)
    # sector: adminduk for single-sector units, else uniform over three
    sec_idx = np.where(adminduk_only[unit_idx], 0, rng.integers(0, 3, n_rows))
    src = np.empty(n_rows, dtype=np.int64)
    for k, s in enumerate(SECTORS):
        mask = sec_idx == k
        src[mask] = rng.choice(pools[s], size=int(mask.sum()))
    frame = sample.iloc[src].reset_index(drop=True)

    # unit as typed: canonical 70%, alias 15%, short alias 8%, upper case 5%, no dot 2%
    kind = rng.choice(5, size=n_rows, p=[0.70, 0.15, 0.08, 0.05, 0.02])
    words = np.asarray(names, dtype=object)[unit_idx]
    canon = np.asarray(canonical, dtype=object)[unit_idx]
    typed = np.where(kind == 0, canon,
             np.where(kind == 1, "Kecamatan " + words,
              np.where(kind == 2, words,
               np.where(kind == 3, np.char.upper(canon.astype(str)).astype(object),
                        "Kec " + words))))
    bad = np.flatnonzero(rng.random(n_rows) < unmatched_unit_share)
    for j in bad:
        typed[j] = "Kec. " + _typo(words[j], rng)
    frame[UNIT_COL] = typed
    frame[ENUM_COL] = [f"E{u:05d}-{e}" for u, e in zip(unit_idx, rng.integers(1, 5, n_rows))]
    days = rng.integers(0, 45, n_rows)
    for col in DATE_COLS:
        frame[col] = _shift_dates(frame[col], days)
    for col in TIME_COLS:
        frame[col] = _new_seconds(frame[col], rng)
    _new_people(frame, rng)
    raw = rng.bytes(16 * n_rows)
    frame["_uuid"] = [str(uuid.UUID(bytes=raw[16 * i: 16 * i + 16], version=4)) for i in range(n_rows)]
    # resubmissions: the same submission exported twice
    if n_dup:
        again = rng.choice(n_rows, size=n_dup, replace=False)
        frame = pd.concat([frame, frame.iloc[again]], ignore_index=True)
        order = rng.permutation(len(frame))
        frame = frame.iloc[order].reset_index(drop=True)
    frame["_id"] = np.arange(1, len(frame) + 1) + 50_000_000
    frame["_index"] = np.arange(1, len(frame) + 1)
    frame.to_csv(files.data, sep=";", index=False, lineterminator="\n", encoding="utf-8")

    # --- codebook: the sample's, with its own name
    text = SAMPLE_CODEBOOK.read_text(encoding="utf-8")
    survey_name = f"bench_{n_units}_units_{n_responses}"
    lines = [f"survey_name: {survey_name}" if ln.startswith("survey_name:") else ln
             for ln in text.splitlines()]
    files.codebook.write_text("# Generated for the benchmarks from the sample's codebook.\n"
                              + "\n".join(lines) + "\n", encoding="utf-8")

    # --- checklist: each unit copies a sample unit's observations
    checklist = pd.read_csv(CHECKLIST_FILE, dtype=str, keep_default_na=False)
    sample_units = list(dict.fromkeys(checklist["unit"]))
    one_sector = sample_units[0]  # the sample lists its civil-registration office first
    many = sample_units[1:] or sample_units
    parts = []
    for i, name in enumerate(canonical):
        model = one_sector if adminduk_only[i] else many[i % len(many)]
        part = checklist[checklist["unit"] == model].copy()
        part["unit"] = name
        parts.append(part)
    pd.concat(parts, ignore_index=True).to_csv(files.checklist, index=False, lineterminator="\n")

    stamp.write_text(json.dumps(params, indent=1), encoding="utf-8")
    return files
