"""The whole draft of one export: the passes in order, then the units and what is left for a person to decide."""

from __future__ import annotations

from pathlib import Path

from ..codebook import FIXED_NAMES, UNSUR_14_2017
from ..io import read_survey
from .answers import finish_scales
from .classify import classify
from .common import CHECK, RANK, short, slug_name
from .document import Draft
from .export import read_spss_meta
from .files import survey_name_from
from .locations import pass_locations
from .meta import pass_meta
from .personal import pass_personal
from .special import pass_select_multiple
from .state import DraftState, Entry
from .units import draft_units, pass_unit
from .unsur import pass_unsur
from .xlsform import read_xlsform

__all__ = ["draft_survey"]


def draft_survey(data_path, form_path=None) -> Draft:
    """Draft a codebook and a units file for an export.

    Parameters
    ----------
    data_path : str or Path
        The export (CSV with ``;`` or ``,``, UTF-8 or Windows-1252; Excel;
        SPSS ``.sav``), read with :func:`clem_lib.io.read_survey`.
    form_path : str or Path, optional
        The Kobo/ODK XLSForm (``.xlsx``) the export came from.

    Returns
    -------
    Draft
        The guesses; :meth:`Draft.codebook_yaml` and :meth:`Draft.units_yaml`
        give the two files' text, :attr:`Draft.todo` what a person still has
        to decide.

    Raises
    ------
    ClemInputError
        The export (or the form) cannot be read.
    """
    data_path = Path(data_path)
    raw = read_survey(data_path, codebook=None)
    form = read_xlsform(form_path) if form_path is not None else None
    meta = read_spss_meta(data_path)
    st = DraftState(raw, data_path, form, meta)
    _run(st)

    survey_name = survey_name_from(data_path)
    title, title_note = None, ""
    if form is not None and form.form_id:
        survey_name = slug_name(form.form_id)
    if form is not None and form.title:
        title, title_note = form.title, "the form's form_title (sure)"
    elif meta is not None and getattr(meta, "file_label", None):
        title, title_note = str(meta.file_label), "the SPSS file label (likely)"

    units = draft_units(st)
    todo = _todo(st, units)
    found = sum(1 for e in st.entries if e.role == "unsur")
    scheme_note = st.scheme_note
    if st.scheme == "permenpan14_2017":
        scheme_note += f": {found} of 9 found" + (" (sure)" if found == 9 else " (check)")
        if 0 < found < 9:
            missing = [k for k in UNSUR_14_2017 if k not in {e.fields.get('unsur') for e in st.entries
                                                               if e.role == 'unsur'}]
            todo.append(f"unsur not found in the export: {', '.join(missing)}")
    return Draft(
        survey_name=survey_name, data_path=data_path, title_id=title, title_note=title_note,
        scheme=st.scheme, scheme_note=scheme_note, entries=st.entries, scales=st.scales, units=units,
        skipped=st.skipped, todo=todo, n_rows=len(raw), n_cols=len(raw.columns),
    )


def _run(st: DraftState) -> None:
    """The passes over the columns, surest kinds first; each leaves the columns it decided to the next."""
    cols = list(st.raw.columns)
    pass_meta(st, cols)
    pass_select_multiple(st, cols)
    pass_personal(st, cols)
    pass_unsur(st, cols)
    for col in cols:
        if col not in st.done:
            classify(st, col)
    pass_unit(st, cols)
    pass_locations(st)
    _resolve_fixed_names(st)
    finish_scales(st)


def _resolve_fixed_names(st: DraftState) -> None:
    """One column per fixed output name (respondent_id, unit, gender ...): the surest guess, then the first."""
    keep: dict[str, Entry] = {}
    for e in sorted(st.entries, key=lambda e: (RANK[e.sure], e.order)):
        key = FIXED_NAMES.get(e.role)
        if key is None:
            continue
        if key in keep:
            st.entries.remove(e)
            same = e.role == "respondent_id" and st.raw[e.source].equals(st.raw[keep[key].source])
            st.skipped.append((e.source, f"the same ids as '{keep[key].source}'" if same else
                               f"also looks like {e.role} ('{keep[key].source}' is read) (check)"))
        else:
            keep[key] = e
    st.entries.sort(key=lambda e: e.order)


def _listed(items: list, limit: int = 8, sep: str = "; ", fmt=lambda x: f"'{short(x, 50)}'") -> str:
    """The first ``limit`` items joined, `` ...`` when there are more."""
    return sep.join(fmt(x) for x in items[:limit]) + (" ..." if len(items) > limit else "")


def _todo(st: DraftState, units: list) -> list:
    """What a person still has to decide or check, most needed first, each once."""
    todo = list(dict.fromkeys(st.todo))
    if not any(e.role == "unsur" for e in st.entries):
        todo.insert(0, "no unsur answers recognised: map the IKM questions with role: unsur, unsur: <key>")
    checks = [e.source for e in st.entries if e.sure == CHECK]
    if checks:
        todo.append(f"{len(checks)} low-confidence guess(es) marked (check): " + _listed(checks))
    unread = [c for c, reason in st.skipped if reason.endswith("(check)")]
    if unread:
        todo.append(f"{len(unread)} column(s) not mapped (listed at the end of the codebook): " + _listed(unread))
    guessed = [u.name for u in units if "guessed from the name" in u.sector_note]
    if guessed:
        todo.append("check the sectors guessed from the unit names: " + _listed(guessed, sep=", ", fmt=str))
    merged = [u.name for u in units if u.note]
    if merged:
        todo.append("check the unit spellings merged by similarity: " + _listed(merged, sep=", ", fmt=str))
    if units:
        todo.insert(0, f"fill users_per_month for {len(units)} unit(s) in the units file")
    if st.positional:
        todo.append("unsur numbered U1..U9 were mapped in the regulation's order (... 8 pengaduan, 9 sarana); "
                    "the annexed questionnaire asks sarana before pengaduan: check against the questionnaire")
    return todo
