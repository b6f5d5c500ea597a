"""Readers for the files monitoring groups really have, and the safe CSV writer.

Readers return the *raw* frame: one row per submission, every cell a string
(or missing), column names as in the export. Row ``i`` of the frame (0-based
index) is data row ``i + 1`` of the export, the row number the audit log uses.

Supported: CSV (UTF-8, UTF-8 with BOM, Windows-1252; ``;`` or ``,`` sniffed),
Excel (``.xlsx``/``.xlsm``/``.xls``, chosen sheet), SPSS ``.sav``/``.zsav``
(value labels applied, via pyreadstat), and KoboToolbox / ODK exports in any
of these formats (group-prefixed names are resolved by the codebook).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ClemInputError
from .paths import CHECKLIST_FILE, UNITS_FILE

__all__ = ["read_survey", "read_survey_columns", "write_csv", "neutralize_formulas", "load_checklist", "atomic_path",
           "write_bytes_atomic", "write_text_atomic"]

_CSV_EXT = {".csv", ".txt", ".tsv"}
_EXCEL_EXT = {".xlsx", ".xlsm", ".xls"}
_SPSS_EXT = {".sav", ".zsav"}
_NUMBER_RE = r"^\s*[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?\s*$"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula


def _codebook_source(codebook) -> dict:
    if codebook is None:
        return {}
    if isinstance(codebook, (str, os.PathLike)):
        from .codebook import load_codebook

        codebook = load_codebook(codebook)
    return dict(codebook.source)


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _decode_error(path: Path, codec: str, shown: str) -> ClemInputError:
    """A one-line error naming the line of the first byte ``codec`` cannot decode."""
    data = path.read_bytes()
    try:
        data.decode(codec)
        where = ""
    except UnicodeDecodeError as exc:
        where = f" at line {_line_of(data, exc.start)} (byte {exc.start}: 0x{data[exc.start]:02x})"
    return ClemInputError(
        f"undecodable bytes{where}: the file is not {shown}",
        file=path, fix="re-export the file as CSV UTF-8, or set source.encoding in the codebook",
    )


def _encodings(path: Path, encoding: str) -> list[str]:
    if encoding == "auto":
        return ["utf-8-sig", "cp1252"]
    try:
        import codecs

        name = codecs.lookup(encoding).name
    except LookupError:
        raise ClemInputError(f"unknown encoding '{encoding}'", file=path,
                             fix="set source.encoding to utf-8, cp1252 or auto") from None
    return ["utf-8-sig" if name == "utf-8" else encoding]


def _sniff_delimiter(path: Path, encoding: str, wanted: str) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        header = fh.readline()
    counts = {d: len(re.findall(re.escape(d), re.sub(r'"[^"]*"', "", header))) for d in ",;\t|"}
    if wanted != "auto":
        if counts.get(wanted, header.count(wanted)) == 0:
            other = max(counts, key=counts.get)
            if counts[other] > 0:
                raise ClemInputError(
                    f"the header has no '{wanted}' but {counts[other]} '{other}': wrong delimiter",
                    file=path, row=0,
                    fix=f"set source.delimiter: '{other}' (or auto) in the codebook",
                )
        return wanted
    best = max((",", ";"), key=lambda d: counts[d])
    if counts[best] == 0:
        other = max(("\t", "|"), key=lambda d: counts[d])
        if counts[other] > 0:
            shown = "tab" if other == "\t" else other
            raise ClemInputError(
                f"columns are separated by '{shown}', not ',' or ';': wrong delimiter",
                file=path, row=0,
                fix="save as CSV with ',' or ';', or set source.delimiter: "
                    + ('"\\t"' if other == "\t" else f"'{other}'") + " in the codebook",
            )
        return ","
    return best


def _check_text_table(path: Path) -> None:
    """A one-line error for a "CSV" that is UTF-16 text or not text at all."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(head) >= 4 and head.count(b"\x00") * 3 >= len(head) and
            (head[1::2].count(0) * 4 >= len(head) or head[0::2].count(0) * 4 >= len(head))):
        raise ClemInputError("this file is UTF-16 text", file=path,
                             fix="save it as CSV UTF-8 (Excel: Save As > CSV UTF-8)")
    if b"\x00" in head or _binary_share(head) > 0.1:
        raise ClemInputError("not a text table: the file holds binary data", file=path,
                             fix="export the survey as CSV (UTF-8), .xlsx or .sav and give that file")


def _binary_share(data: bytes) -> float:
    """Share of control bytes (other than tab, line ends, form feed) in ``data``."""
    if not data:
        return 0.0
    bad = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return bad / len(data)


def _check_header(path: Path, encoding: str, sep: str) -> None:
    """Duplicate column names in a CSV header, with both positions (pandas would rename one)."""
    import csv

    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        try:
            header = next(csv.reader(fh, delimiter=sep), [])
        except csv.Error:
            return
    first = {}
    for i, name in enumerate(header, start=1):
        name = name.strip()
        if not name:
            continue
        if name in first:
            raise ClemInputError(
                f"column '{name}' appears twice in the header (columns {first[name]} and {i})",
                file=path, row=0, column=name, fix="rename or delete one of the two columns")
        first[name] = i


def _read_csv(path: Path, source: dict) -> pd.DataFrame:
    _check_text_table(path)
    wanted = source.get("encoding", "auto") or "auto"
    tries = _encodings(path, wanted)
    wanted_sep = source.get("delimiter", "auto") or "auto"
    if wanted_sep == "auto" and path.suffix.lower() == ".tsv":
        wanted_sep = "\t"
    for i, encoding in enumerate(tries):
        sep = _sniff_delimiter(path, encoding, wanted_sep)
        _check_header(path, encoding, sep)
        try:
            return pd.read_csv(
                path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                na_values=[""], skip_blank_lines=True, engine="c",
            )
        except UnicodeDecodeError:
            if i < len(tries) - 1:
                continue
            if wanted == "auto":
                raise _decode_error(path, "utf-8", "UTF-8 nor Windows-1252") from None
            raise _decode_error(path, encoding, encoding) from None
        except pd.errors.EmptyDataError:
            raise ClemInputError("the file is empty", file=path,
                                 fix="export the survey again with its header and data rows") from None
        except pd.errors.ParserError as exc:
            m = re.search(r"line (\d+)", str(exc))
            row = int(m.group(1)) - 1 if m else None
            raise ClemInputError(
                f"cannot split into columns ({str(exc).splitlines()[-1].strip()})", file=path, row=row,
                fix="check that text with the delimiter is quoted, or set source.delimiter in the codebook",
            ) from None
    return pd.DataFrame()  # not reached: the last try returns or raises


def _has_quote(path: Path) -> bool:
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(b'"') >= 0


def _read_csv_arrow(path: Path, source: dict, select) -> pd.DataFrame | None:
    """The fast CSV path of :func:`read_survey_columns`, or None when it does not apply.

    pyarrow's multi-threaded reader, only the selected columns, cells as
    strings with the same rules as :func:`_read_csv` (empty cell -> missing,
    blank lines skipped, UTF-8 with or without BOM). Anything unusual (another
    encoding, a ragged row, bytes that are not UTF-8, odd header names) returns
    None and the caller takes the careful path, whose messages name the row.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    wanted = (source.get("encoding", "auto") or "auto")
    if wanted not in ("auto", "utf-8", "utf8", "utf-8-sig", "UTF-8"):
        return None
    wanted_sep = source.get("delimiter", "auto") or "auto"
    if wanted_sep == "auto" and path.suffix.lower() == ".tsv":
        wanted_sep = "\t"
    try:
        sep = _sniff_delimiter(path, "utf-8-sig", wanted_sep)
        # a quoted value may hold a line break; without quotes in the file, rows end at line ends
        # and the reader may split the file anywhere between lines (much faster)
        parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=_has_quote(path))
        with pacsv.open_csv(path, parse_options=parse) as reader:
            names = list(reader.schema.names)
        if not names or any(not n or n != n.strip() for n in names) or len(set(names)) != len(names):
            return None
        read, as_text = select(names)
        read = [n for n in names if n in set(read)]
        # labels repeat: dictionary-encoded while parsing (each distinct value stored once, pandas
        # Categorical in the end); the other columns (ids, times, free text) as plain strings
        label = pa.dictionary(pa.int32(), pa.string())
        convert = pacsv.ConvertOptions(column_types={n: pa.string() if n in as_text else label for n in read},
                                       include_columns=read, strings_can_be_null=True, null_values=[""])
        # 8 MiB blocks (default 1 MiB): a few dozen dictionaries per column to unify, not hundreds
        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=8 << 20), parse_options=parse,
                               convert_options=convert)
        table = table.unify_dictionaries()  # one dictionary per column across the parsed blocks
    except (pa.ArrowException, ClemInputError, OSError, ValueError):
        return None
    if table.num_rows == 0:
        return None
    cols = [table.column(name) for name in read]
    del table
    return pd.DataFrame({name: _to_pandas(col) for name, col in zip(read, cols)}, copy=False)


def _to_pandas(col):
    """An Arrow column as a pandas array without copying the strings.

    Dictionary-encoded -> ``Categorical`` (codes -1 where the cell is empty,
    categories in order of first appearance); strings -> ``str``.
    """
    import pyarrow as pa

    if not pa.types.is_dictionary(col.type):
        return pd.array(col, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    if col.num_chunks and not all(ch.dictionary.equals(col.chunk(0).dictionary) for ch in col.chunks):
        col = pa.table({"c": col}).unify_dictionaries().column("c")
    if col.num_chunks == 0:
        return pd.Categorical([], categories=pd.Index([], dtype=object))
    indices = pa.chunked_array([ch.indices for ch in col.chunks]).combine_chunks()
    codes = indices.fill_null(-1).to_numpy(zero_copy_only=False)
    categories = pd.Index(col.chunk(0).dictionary.to_pylist(), dtype=object)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def read_survey_columns(path, codebook=None, select=None, *, sheet=None) -> pd.DataFrame:
    """Read only the columns a caller needs, as fast as the file allows.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook or path, optional
        As for :func:`read_survey`.
    select : callable, optional
        ``select(header_names) -> (read, as_text)``: the columns to read and,
        among them, those to keep as plain strings; the others come back as
        pandas ``Categorical`` of the same strings (each distinct label
        stored once). None: :func:`read_survey`.
    sheet : str or int, optional
        Excel sheet.

    Returns
    -------
    pandas.DataFrame
        Index ``0..n-1`` as for :func:`read_survey`; cell values identical
        to its (same strings, same missing cells). A UTF-8 CSV goes through
        pyarrow's multi-threaded reader; every other file, and any CSV that
        reader cannot take as is (another encoding, a ragged row, odd header
        names), goes through :func:`read_survey` (all columns, strings), so
        bad input raises the same :class:`ClemInputError`.
    """
    path = Path(path)
    source = _codebook_source(codebook)
    ext = path.suffix.lower()
    fmt = (source.get("format") or "auto").lower()
    is_csv = fmt in ("csv", "kobo") and ext not in _EXCEL_EXT | _SPSS_EXT or (fmt == "auto" and ext in _CSV_EXT)
    if select is not None and is_csv and path.is_file() and path.stat().st_size > 0:
        _check_text_table(path)
        df = _read_csv_arrow(path, source, select)
        if df is not None:
            return df
    return read_survey(path, codebook, sheet=sheet)


def _read_excel(path: Path, source: dict, sheet) -> pd.DataFrame:
    sheet = sheet if sheet is not None else source.get("sheet")
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise ClemInputError(f"cannot open as Excel ({type(exc).__name__})", file=path,
                             fix="save the workbook again as .xlsx") from None
    names = book.sheet_names
    if sheet is None:
        sheet = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise ClemInputError(f"there is no sheet number {sheet} ({len(names)} sheets)", file=path,
                                 fix=f"choose one of {', '.join(names)}")
        sheet = names[sheet]
    elif sheet not in names:
        raise ClemInputError(f"there is no sheet '{sheet}'", file=path,
                             fix=f"choose one of {', '.join(names)}")
    df = pd.read_excel(book, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""])
    return _to_strings(df)


def _read_spss(path: Path) -> pd.DataFrame:
    import pyreadstat

    try:
        df, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True,
                                        formats_as_category=False, user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ClemInputError(f"cannot read as SPSS .sav ({str(exc).splitlines()[0]})", file=path,
                             fix="save the data again from SPSS or PSPP as .sav") from None
    return _to_strings(df)


def _to_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as strings, missing kept missing; 4.0 -> "4"."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            t = s.dt.strftime("%Y-%m-%dT%H:%M:%S").str.replace("T00:00:00", "", regex=False)
            out[col] = t.astype(object).where(s.notna(), np.nan)
            continue
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            v = pd.to_numeric(s, errors="coerce").astype("float64")
            integral = v.notna() & np.isfinite(v) & (v == np.round(v)) & (v.abs() < 1e15)
            text = v.map(repr).astype(object)
            text[integral] = v[integral].astype("int64").astype(str)
            out[col] = text.where(v.notna(), np.nan)
            continue
        obj = s.astype(object)
        miss = obj.isna() | obj.map(lambda x: isinstance(x, str) and x == "")
        conv = obj.map(_cell_to_str)
        out[col] = conv.where(~miss, np.nan)
    res = pd.DataFrame(out, index=df.index)
    res.columns = [str(c) for c in df.columns]
    return res


def _cell_to_str(x):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return np.nan
    if isinstance(x, float) and x == round(x) and abs(x) < 1e15:
        return str(int(x))
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d") if x == x.normalize() else x.isoformat()
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x)


def read_survey(path, codebook=None, *, sheet=None) -> pd.DataFrame:
    """Read a raw survey export into a frame of strings.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt`` (UTF-8, UTF-8 with BOM or Windows-1252; ``;`` or
        ``,`` sniffed from the header), ``.xlsx``/``.xls`` (Excel),
        ``.sav``/``.zsav`` (SPSS, value labels applied). KoboToolbox and ODK
        exports are read by the same readers.
    codebook : Codebook or path, optional
        Its ``source`` section may fix ``encoding``, ``delimiter`` and
        ``sheet`` instead of sniffing them.
    sheet : str or int, optional
        Excel sheet (name or 0-based index); default the codebook's, else the
        first.

    Returns
    -------
    pandas.DataFrame
        Columns as in the export (header names stripped of surrounding
        spaces), cells as strings or missing; index ``0..n-1`` (index + 1 is
        the data row number used in messages and the audit log).

    Raises
    ------
    ClemInputError
        Missing, empty or header-only file, wrong delimiter, undecodable
        bytes, unknown sheet, unsupported extension, duplicate column names.
    """
    path = Path(path)
    source = _codebook_source(codebook)
    if not path.exists():
        raise ClemInputError("file not found", file=path, fix="check the path and the file name")
    if path.is_dir():
        raise ClemInputError("is a folder, not a data file", file=path, fix="give the export file")
    if path.stat().st_size == 0:
        raise ClemInputError("the file is empty", file=path,
                             fix="export the survey again with its header and data rows")
    ext = path.suffix.lower()
    fmt = (source.get("format") or "auto").lower()
    if fmt in ("csv", "kobo") and ext not in _EXCEL_EXT | _SPSS_EXT or (fmt == "auto" and ext in _CSV_EXT):
        df = _read_csv(path, source)
    elif ext in _EXCEL_EXT or fmt == "excel":
        df = _read_excel(path, source, sheet)
    elif ext in _SPSS_EXT or fmt == "spss":
        df = _read_spss(path)
    else:
        raise ClemInputError(
            f"unsupported file type '{ext or '(none)'}'", file=path,
            fix="export as .csv, .xlsx or .sav (or set source.format in the codebook)",
        )
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) == 0:
        raise ClemInputError("the file is empty", file=path,
                             fix="export the survey again with its header and data rows")
    dup = pd.Index(df.columns)[pd.Index(df.columns).duplicated()]
    if len(dup):
        raise ClemInputError(f"column '{dup[0]}' appears twice in the header", file=path, row=0,
                             column=dup[0], fix="rename one of the two columns")
    unnamed = [c for c in df.columns if c.startswith("Unnamed: ")]
    if len(unnamed) == len(df.columns):
        raise ClemInputError("the header row is empty", file=path, row=0,
                             fix="put the column names in the first row")
    if len(df) == 0:
        raise ClemInputError("the file has a header but no data rows", file=path,
                             fix="export the survey with its submissions")
    df = df.reset_index(drop=True)
    return df


def atomic_path(path) -> tuple[Path, Path]:
    """A temporary file next to ``path``; ``os.replace(tmp, path)`` publishes it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except (PermissionError, NotADirectoryError, FileExistsError, OSError) as exc:
        raise ClemInputError(f"cannot write the file here ({exc.strerror or type(exc).__name__})", file=path,
                             fix="choose a folder you can write to") from None
    os.close(fd)
    # mkstemp makes the file owner-only; published files get the ordinary mode (0666 less umask)
    # so reviewers sharing the output folder can read them.
    os.chmod(tmp, 0o666 & ~_UMASK)
    return Path(tmp), path


def write_bytes_atomic(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through :func:`atomic_path`, flushed to disk before the rename.

    A reader sees the old file or the whole new one, never half of it, even
    after a crash. Returns ``path``.
    """
    tmp, final = atomic_path(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


def write_text_atomic(path, text: str) -> Path:
    """:func:`write_bytes_atomic` of ``text`` in UTF-8 (no newline translation)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Make text cells safe to open in a spreadsheet.

    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
    carriage return) and is not a number is prefixed with ``'`` so that Excel
    and LibreOffice show it as text instead of running it as a formula
    (CSV / formula injection). Numeric columns and cells that parse as
    numbers (``-3``, ``+62.5``) are left unchanged.

    Parameters
    ----------
    df : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A copy with the dangerous text cells prefixed.

    References
    ----------
    OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) \
                or pd.api.types.is_datetime64_any_dtype(s):
            continue
        text = s.astype("string")
        # a first character from the set, then (for those few cells only) not a number
        risky = text.str.startswith(_FORMULA_STARTS, na=False).to_numpy(dtype=bool)
        if risky.any():
            risky[risky] = ~text[risky].str.match(_NUMBER_RE, na=False).to_numpy(dtype=bool)
        # a cell that already starts with the quote before such a character gets a second one,
        # so that restore_formulas gives back exactly what was written
        quoted = text.str.startswith("'", na=False).to_numpy(dtype=bool)
        if quoted.any():
            quoted[quoted] = text[quoted].str.slice(1).str.lstrip("'").str.startswith(
                _FORMULA_STARTS, na=False).to_numpy(dtype=bool)
            risky |= quoted
        if risky.any():
            fixed = s.astype(object).copy()
            fixed[risky] = "'" + text[risky].astype(object)
            out[col] = fixed
    if isinstance(out.columns, pd.Index):
        cols = [("'" + c) if isinstance(c, str) and c.startswith(_FORMULA_STARTS)
                and not re.match(_NUMBER_RE, c) else c for c in out.columns]
        out.columns = cols
    return out


def restore_formulas(values: pd.Series) -> pd.Series:
    """Undo :func:`neutralize_formulas` on a text column read back from a CSV clem wrote."""
    text = values.astype("string")
    quoted = text.str.startswith("'", na=False) & text.str.slice(1).str.lstrip("'").str.startswith(
        _FORMULA_STARTS, na=False)
    if not quoted.any():
        return values
    out = values.astype(object).copy()
    out[quoted.to_numpy(dtype=bool)] = text[quoted].str.slice(1).astype(object)
    return out


def write_csv(df: pd.DataFrame, path, *, float_format: str = "%.12g", neutralize: bool = True) -> Path:
    """Write a CSV that is safe to open in Excel, atomically and deterministically.

    Every CSV clem writes goes through this function.

    Parameters
    ----------
    df : pandas.DataFrame
        Written as is (no index); sort it before if order matters.
    path : str or Path
    float_format : str, default ``"%.12g"``
        Fixed float format, so that the same numbers give the same bytes.
    neutralize : bool, default True
        False for files clem itself reads back (a notebook's results rows
        under ``.parts/``): they keep the exact text.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    Text cells starting with ``=``, ``+``, ``-`` or ``@`` that are not numbers
    are prefixed with ``'`` (:func:`neutralize_formulas`). UTF-8 without BOM,
    ``\\n`` line endings, missing values as empty cells. The file is written
    to a temporary name in the same folder and renamed into place, so a
    reader never sees half a file.
    """
    safe = neutralize_formulas(df) if neutralize else df
    tmp, final = atomic_path(path)
    try:
        safe.to_csv(tmp, index=False, lineterminator="\n", float_format=float_format,
                    encoding="utf-8", na_rep="")
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()
    return final


_PRESENT = {"ya": True, "y": True, "yes": True, "1": True, "true": True, "ada": True,
            "tidak": False, "t": False, "no": False, "n": False, "0": False, "false": False,
            "tidak ada": False}


def load_checklist(path=CHECKLIST_FILE, units_path=UNITS_FILE) -> pd.DataFrame:
    """Read the service-standard observation checklist.

    Parameters
    ----------
    path : str or Path, default ``data/checklist.csv``
        Columns ``unit, round, component, category, present``; ``present`` is
        ``ya`` / ``tidak``.
    units_path : str or Path, default ``data/units.yml``
        Unit names are normalised through its aliases.

    Returns
    -------
    pandas.DataFrame
        ``unit`` (canonical name, string), ``round`` (Int64), ``component``
        (string), ``category`` (string: ``penyampaian`` = service delivery,
        ``pengelolaan`` = management, ``aksesibilitas`` = accessibility),
        ``present`` (boolean; missing when the cell is empty: not observed),
        sorted by unit, round, category, component.

    References
    ----------
    Permenpan RB No. 15 Tahun 2014 tentang Pedoman Standar Pelayanan
    (14 components).
    """
    from .codebook import load_units, normalize_label

    path = Path(path)
    try:
        df = read_survey(path)
    except ClemInputError as exc:
        if "no data rows" not in str(exc):
            raise
        raise ClemInputError("the checklist has a header but no observations", file=path,
                             fix="write one row per unit, round and component observed, or leave out "
                                 "--checklist") from None
    need = ["unit", "round", "component", "category", "present"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ClemInputError(f"missing column '{missing[0]}'", file=path, row=0, column=missing[0],
                             fix=f"the checklist needs columns {', '.join(need)}")
    units = load_units(units_path)
    lookup = {}
    for name, aliases in zip(units["name"], units["aliases"]):
        for s in [name, *aliases]:
            lookup[normalize_label(s)] = name
    ucodes, uuniq = pd.factorize(df["unit"], use_na_sentinel=True)
    umapped = np.array([lookup.get(normalize_label(u)) for u in uuniq] + [None], dtype=object)
    unit = pd.Series(umapped[ucodes], index=df.index)
    bad = unit.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ClemInputError(f"unit '{df['unit'].iloc[i]}' is not in the units file {Path(units_path).name}",
                             file=path, row=i + 1, column="unit",
                             fix=f"use a unit name or alias from {Path(units_path).name}, or add the unit there")
    rnd = pd.to_numeric(df["round"], errors="coerce")
    if rnd.isna().any() or (rnd != np.round(rnd)).any():
        i = int(np.flatnonzero((rnd.isna() | (rnd != np.round(rnd))).to_numpy())[0])
        raise ClemInputError(f"round '{df['round'].iloc[i]}' is not a whole number", file=path,
                             row=i + 1, column="round", fix="write the round as 1, 2, ...")
    codes, uniques = pd.factorize(df["present"], use_na_sentinel=True)
    mapped = np.array([_PRESENT.get(normalize_label(u)) for u in uniques] + [None], dtype=object)
    present = pd.Series(mapped[codes], index=df.index)  # code -1 (empty) -> None: not observed
    unknown = present.isna() & df["present"].notna()
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise ClemInputError(f"present '{df['present'].iloc[i]}' is not ya/tidak", file=path, row=i + 1,
                             column="present", fix="write ya or tidak")
    out = pd.DataFrame({
        "unit": unit.astype("string"),
        "round": rnd.astype("Int64"),
        "component": df["component"].astype("string").str.strip(),
        "category": df["category"].astype("string").str.strip(),
        "present": present.astype("boolean"),
    })
    return out.sort_values(["unit", "round", "category", "component"], kind="stable").reset_index(drop=True)
