"""The drafted codebook and units file, and their text: YAML written line by line with a comment on every guess.

The YAML is written as text (comments cannot be round-tripped through a YAML library) and is
deterministic: the same draft gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .common import quoted, short

__all__ = ["Unit", "Draft", "yaml_scalar", "yaml_flow", "yaml_comment"]

_RESERVED = {"yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", ""}
_PLAIN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()/&+-]*")


def yaml_scalar(value) -> str:
    """One YAML scalar, flow-context safe: plain when it can be, else in double quotes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    s = str(value)
    if (_PLAIN_RE.fullmatch(s) and s == s.strip() and "  " not in s and s.lower() not in _RESERVED
            and " -" not in s and not s.endswith((".", "-"))):
        return s
    return quoted(s)


def yaml_flow(value) -> str:
    """A mapping, list or scalar in YAML flow style on one line."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k)}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    return yaml_scalar(value)


def yaml_comment(text: str, indent: str = "") -> list[str]:
    """A comment line (the text on one line), none for an empty text."""
    text = " ".join(str(text).split())
    return [f"{indent}# {text}"] if text else []


@dataclass
class Unit:
    """A drafted unit of the units file."""

    name: str
    slug: str
    sectors: list
    sector_note: str
    aliases: list
    count: int  # rows of the export at this unit
    note: str = ""  # a comment above the unit (spellings merged by similarity)
    #: "district" / "agency" -> (value or None, comment): the value with its comment, or only a comment
    locations: dict = field(default_factory=dict)


@dataclass
class Draft:
    """A drafted codebook and units file, with what still needs a human decision.

    Attributes
    ----------
    survey_name : str
    data_path : Path
    title_id : str or None
    scheme : str
        ``permenpan14_2017`` or ``kepmenpan25_2004``.
    entries : list
        The codebook columns, in export order.
    scales : dict
        Drafted scales: name -> (specification, comment).
    units : list
        Drafted units (:class:`Unit`: canonical name, slug, sectors, district and agency, aliases).
    skipped : list
        ``(column, reason)`` of export columns left out of the codebook.
    todo : list of str
        What a person still has to decide or check.
    """

    survey_name: str
    data_path: Path
    title_id: str | None
    title_note: str
    scheme: str
    scheme_note: str
    entries: list
    scales: dict
    units: list
    skipped: list
    todo: list
    n_rows: int = 0
    n_cols: int = 0
    source: dict = field(default_factory=dict)

    # -- the codebook as text -------------------------------------------------------------------
    def codebook_yaml(self, units_file: str = "") -> str:
        """The codebook as YAML text with a comment on every guess.

        Parameters
        ----------
        units_file : str, optional
            File name of the drafted units file, named in the header comment.

        Returns
        -------
        str
        """
        out = [
            f"# Codebook drafted by `clem init` from {self.data_path.name} ({self.n_rows} rows, "
            f"{self.n_cols} columns).",
            "# Format: docs/codebook.md. Each guess says what it was guessed from and how sure:",
            "# (sure), (likely) or (check). Review every (check) before publishing results.",
        ]
        if units_file:
            out.append(f"# Units: {units_file} (fill users_per_month there).")
        out.append(f"survey_name: {yaml_scalar(self.survey_name)}")
        if self.title_id:
            out.append(f"title_id: {yaml_scalar(self.title_id)}   # {self.title_note}")
        out.append(f"scheme: {self.scheme}   # {self.scheme_note}")
        if self.source:
            out.append("")
            out.append("source:")
            for k, (v, note) in self.source.items():
                out.append(f"  {k}: {yaml_scalar(v)}   # {note}")
        if self.scales:
            out.append("")
            out.append("scales:")
            for name in sorted(self.scales):
                spec, note = self.scales[name]
                out += yaml_comment(note, "  ")
                out.append(f"  {name}:")
                out.append(f"    kind: {spec['kind']}")
                out.append("    levels:")
                for lev in spec["levels"]:
                    out.append(f"      - {yaml_flow(lev)}")
                if spec.get("missing"):
                    out.append(f"    missing: {yaml_flow(spec['missing'])}")
        out.append("")
        out.append("columns:")
        for e in self.entries:
            for note in e.notes:
                out += yaml_comment(note, "  ")
            item = {"source": e.source, "role": e.role, **e.fields}
            out.append(f"  - {yaml_flow(item)}")
        if self.skipped:
            out.append("")
            out.append("# Columns of the export this codebook does not read:")
            for col, reason in self.skipped:
                out += yaml_comment(f"{quoted(short(col, 90))}: {reason}")
        return "\n".join(out) + "\n"

    # -- the units file as text -----------------------------------------------------------------
    def units_yaml(self) -> str:
        """The units file as YAML text.

        Returns
        -------
        str
            One entry per unit: ``name`` (the most frequent spelling),
            ``slug``, ``sectors`` (with how they were found), ``district``
            and ``agency`` when a column of the export gives the unit's
            (with how they were found; a comment instead when its rows give
            several), ``users_per_month: null`` (to fill) and ``aliases``
            (the other spellings seen in the export).
        """
        out = [
            f"# Service units drafted by `clem init` from {self.data_path.name}.",
            "# Format: docs/codebook.md, section The units file. Fill users_per_month (users served per month:",
            "# the population for sample sizes and weights) and check every sector marked (check).",
            "units:",
        ]
        for u in self.units:
            if u.note:
                out += yaml_comment(u.note, "  ")
            out.append(f"  - name: {yaml_scalar(u.name)}   # {u.count} row(s)")
            out.append(f"    slug: {yaml_scalar(u.slug)}")
            out.append(f"    sectors: {yaml_flow(u.sectors)}   # {u.sector_note}")
            for key, (value, note) in u.locations.items():
                if value is None:
                    out += yaml_comment(note, "    ")
                else:
                    out.append(f"    {key}: {yaml_scalar(value)}   # {note}")
            out.append("    users_per_month: null   # fill in: users served per month")
            if u.aliases:
                out.append(f"    aliases: {yaml_flow(u.aliases)}")
        return "\n".join(out) + "\n"
