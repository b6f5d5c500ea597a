"""The ``clem`` command: ``clem validate``, ``clem clean``, ``clem run``.

Exit codes: 0 success; 1 some units failed (the others are written); 2 bad
input or usage (one line on stderr, ``clem: error: ...``, nothing written).
``python -m clem_lib`` is the same command.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .errors import ClemInputError
from .paths import CHECKLIST_FILE, OUTPUTS_DIR, SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE
from .report.params import CITY_WEIGHTS, ReportParams
from .text import LANGS

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED_UNITS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: ``clem: error: ... (see 'clem run --help')``."""

    def error(self, message):  # noqa: D401 - argparse API
        sys.stderr.write(f"clem: error: {_one_line(message)} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _one_line(text) -> str:
    return " ".join(str(text).split())


def _whole_number(minimum: int, too_small: str, unit: str = ""):
    """An argparse type: a whole number of at least ``minimum``; ``too_small`` says why not."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number{unit}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} {too_small}")
        return value
    return parse


_positive_int = _whole_number(1, "is not a positive number")
_round = _whole_number(0, "is negative (0 = latest round)")
_standard_days = _whole_number(0, "is negative", " of working days")


_FORMATTER = lambda prog: argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)  # noqa: E731


def _version() -> str:
    """The installed clem's version (``0.0.0+unknown`` in a source tree without install)."""
    try:
        return version("clem")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``clem`` (sub-commands ``validate``, ``clean``, ``run``, ``init``)."""
    parser = _Parser(
        prog="clem", allow_abbrev=False,
        formatter_class=_FORMATTER,
        description=textwrap.dedent("""\
            Analyse Community Led Monitoring / Citizen Report Card surveys of public
            services: clean the raw export with an audit trail, compute the IKM and the
            report-card indicators, test the gaps, write one report per service unit."""),
        epilog=textwrap.dedent("""\
            exit codes: 0 success, 1 some units failed (the others are written),
                        2 bad input or usage (one line on stderr, nothing written)

            examples:
              clem run                               # the bundled sample survey
              clem validate --data export.xlsx --codebook my.codebook.yml
              clem run --data export.xlsx --codebook my.codebook.yml --lang en --jobs 4"""),
    )
    parser.add_argument("--version", action="version", version=f"clem {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_validate(sub)
    _add_clean(sub)
    _add_run(sub)
    _add_init(sub)
    return parser


def _register_args(p, run: bool) -> None:
    p.add_argument("--complaints", metavar="FILE", default=None,
                   help="complaint register, one row per complaint (CSV, Excel, SPSS; docs/complaints.md)"
                        + (" (default: none; for the bundled sample its synthetic register; \"\" for none)"
                           if run else ""))
    p.add_argument("--complaints-codebook", metavar="FILE", default=None, dest="complaints_codebook",
                   help="what the register's columns mean (default: <register>.codebook.yml beside it, "
                        "else columns recognised by name)")


def _data_args(p, required: bool) -> None:
    p.add_argument("--data", metavar="FILE", required=required,
                   help="raw export: CSV, Excel (.xlsx), SPSS (.sav) or a KoboToolbox/ODK export"
                        + ("" if required else f" (default: the bundled sample, {SAMPLE_DATA.name})"))
    p.add_argument("--codebook", metavar="FILE", required=required,
                   help="codebook (YAML) saying what every column means"
                        + ("" if required else f" (default: {SAMPLE_CODEBOOK.name})"))
    p.add_argument("--units-file", metavar="FILE", default=None, dest="units_file",
                   help="service units: names, aliases, sectors (default: <survey>.units.yml or "
                        "units.yml beside the codebook"
                        + ("" if required else f"; for the bundled sample {UNITS_FILE.name}; with "
                           "--retry-failed: the previous run's") + ")")


def _add_validate(sub) -> None:
    p = sub.add_parser(
        "validate", formatter_class=_FORMATTER, allow_abbrev=False,
        help="check an export against its codebook; list what is wrong, row and column",
        description="Check an export against its codebook (and a complaint register, --complaints) without "
                    "writing anything. Every problem is printed with its row (1 = first data row) and column. "
                    "Exit 0 when there is no error (warnings are printed), 2 when there are errors.",
    )
    _data_args(p, required=False)
    _register_args(p, run=False)
    p.set_defaults(_parser=p)


def _add_clean(sub) -> None:
    p = sub.add_parser(
        "clean", formatter_class=_FORMATTER, allow_abbrev=False,
        help="write the cleaned table (parquet) and its audit log (<out>.log.csv)",
        description="Clean an export through its codebook: labels to codes, aliases to canonical "
                    "unit names, missing codes to missing, personal data removed or hashed. Writes "
                    "OUT (parquet, docs/data_model.md) and OUT's stem + '.log.csv', the audit log "
                    "(row, column, old, new, rule). Nothing is written when the input is bad. With "
                    "--complaints alone, the complaint register is cleaned into OUT instead; with both, the "
                    "register goes to OUT's stem + '.complaints.parquet'.",
    )
    _data_args(p, required=False)
    _register_args(p, run=False)
    p.add_argument("--out", metavar="FILE.parquet", default=None,
                   help="cleaned table to write (required)")
    p.set_defaults(_parser=p)


def _add_run(sub) -> None:
    """``clem run``: every option left out is None, so that run_survey can tell "not given" (the
    report default of :class:`~clem_lib.report.ReportParams`, or the previous run's with
    --retry-failed) from a value."""
    p = sub.add_parser(
        "run", formatter_class=_FORMATTER, allow_abbrev=False,
        help="the main job: clean once, one report per unit, index.html, results.csv",
        description=textwrap.dedent(f"""\
            Validate and clean the export once, then execute the location report for every
            unit (in parallel) and the city overview, render them as self-contained HTML,
            and write index.html, results.csv, cleaning_log.csv and manifest.json to the
            output folder (default: {OUTPUTS_DIR.name}/<survey name>/). With no --data and
            --codebook, the bundled sample survey is used."""),
        epilog="exit codes: 0 every report written, 1 some units failed (listed in index.html and "
               "manifest.json; rerun them with --retry-failed), 2 bad input or usage",
    )
    _data_args(p, required=False)
    p.add_argument("--units", metavar="A,B", default=None,
                   help="only these units, comma-separated: names, slugs or aliases "
                        "(e.g. \"Kec. Serengan,jebres\"; default: every unit in the data)")
    p.add_argument("--level", metavar="L,M", default=None, dest="levels",
                   help="reports of these levels, comma-separated: unit, district, agency, city (default: all "
                        "four; a district or agency gets a report when two of its units have answers); --units "
                        "may also name a district or agency (district:NAME when a unit has the same name)")
    p.add_argument("--jobs", metavar="N", type=_positive_int, default=None,
                   help=f"notebooks run at the same time (default: the number of cores, {os.cpu_count()})")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run the notebooks on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs "
                        "clem[dask]; the output folder must be visible to the workers at the same path)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the reports: id (Bahasa Indonesia, default) or en")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: outputs/<survey name>/)")
    p.add_argument("--retry-failed", action="store_true",
                   help="rerun only the units that failed (or did not finish) in the previous run "
                        "of the output folder, with its parameters")
    p.add_argument("--round", metavar="N", type=_round, default=None,
                   help=f"survey round to report (default {ReportParams.round}: the latest round in the data)")
    p.add_argument("--notebooks", metavar="DIR", default=None,
                   help="folder with your own location_report.ipynb and city_overview.ipynb "
                        "(default: the bundled notebooks)")
    p.add_argument("--checklist", metavar="FILE", default=None,
                   help="service-standard observation checklist, CSV with unit, round, component, "
                        "category, present (default: none, so no compliance section; for the bundled "
                        f"sample {CHECKLIST_FILE.name})")
    p.add_argument("--cold", action="store_true",
                   help="start a fresh kernel for every report instead of reusing each worker's warm kernel "
                        "(slower; the reports are the same)")
    p.add_argument("--city-weights", choices=CITY_WEIGHTS, default=None, dest="city_weights",
                   help="city-wide figures of the city overview: design (default: stratified by unit, "
                        "weighted by users_per_month of the units file, with finite-population correction, "
                        "the unweighted figure beside it; unweighted when a unit has no users_per_month) "
                        "or none (unweighted only)")
    _register_args(p, run=True)
    p.add_argument("--complaint-standard-days", metavar="N", type=_standard_days, default=None,
                   dest="complaint_standard_days",
                   help="published standard for resolving a complaint, in working days (default: the register "
                        f"codebook's standard_days, else {ReportParams.complaint_standard_days})")
    p.add_argument("--holidays", metavar="FILE", default=None,
                   help="public holidays for working days, CSV with a date column (default: the bundled "
                        "Indonesian national holidays and cuti bersama, data/holidays_id.csv)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def _add_init(sub) -> None:
    p = sub.add_parser(
        "init", formatter_class=_FORMATTER, allow_abbrev=False,
        help="draft a codebook and a units file from someone else's export",
        description=textwrap.dedent("""\
            Read an export (Kobo/ODK, Google Forms, SPSS, a spreadsheet of 1-4 scores) and
            draft OUT/<survey>.codebook.yml and OUT/<survey>.units.yml: the IKM unsur from
            column names or question texts, their answer scales, importance items, special
            groups, yes/no indicators, personal data (by name and by value pattern), free
            text, the unit column with its spellings merged, sectors and time stamps. Every
            guess is commented with what it came from and how sure. The draft is then
            validated against the export, and what still needs a person is listed."""),
        epilog="exit codes: 0 drafted (the draft validates), 2 the export cannot be read, a file "
               "exists (use --force), or the draft does not validate",
    )
    p.add_argument("--data", metavar="EXPORT", required=True,
                   help="the export: CSV (';' or ','), Excel (.xlsx), SPSS (.sav)")
    p.add_argument("--form", metavar="XLSFORM", default=None,
                   help="the Kobo/ODK XLSForm (.xlsx) the export came from: firmer guesses")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="folder for the two files (default: the export's folder, or its parent "
                        "when that folder is named raw)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")


def _register_units_file(args):
    """The units file for a register: --units-file, else the one beside the survey's codebook, else beside
    the register codebook (or the register)."""
    from .codebook import units_file_for
    from .complaints import register_codebook_for

    if args.units_file or args.codebook:
        return units_file_for(args.codebook or args.complaints, args.units_file)
    cb = register_codebook_for(args.complaints, args.complaints_codebook)
    return units_file_for(cb or args.complaints, None)


def _cmd_validate(args) -> int:
    from .cleaning import validate_survey
    from .codebook import units_file_for

    checks = []
    if args.data is not None:
        checks.append((args.data, validate_survey(args.data, args.codebook,
                                                  units_file_for(args.codebook, args.units_file))))
    if args.complaints is not None:
        from .complaints import register_codebook_for, validate_register

        checks.append((args.complaints, validate_register(
            args.complaints, register_codebook_for(args.complaints, args.complaints_codebook),
            _register_units_file(args))))
    code = EXIT_OK
    for name, problems in checks:
        errors = [p for p in problems if p.level == "error"]
        warnings = [p for p in problems if p.level != "error"]
        for p in problems:
            print(f"{name}: {p}")
        if errors:
            sys.stderr.write(f"clem: error: {len(errors)} error(s) and {len(warnings)} warning(s) in "
                             f"{name}; fix the errors above and validate again\n")
            code = EXIT_BAD_INPUT
            continue
        sys.stderr.write(f"clem: {name} is valid"
                         + (f" ({len(warnings)} warning(s): values that cleaning makes missing)" if warnings else "")
                         + "\n")
    return code


def _cmd_clean(args) -> int:
    from .cleaning import clean_survey, write_cleaned

    out = Path(args.out)
    if out.suffix.lower() != ".parquet":
        raise ClemInputError("the cleaned table is written as parquet", file=out,
                             fix="give an output name ending in .parquet")
    parent = out.absolute().parent
    if parent.exists() and not parent.is_dir():
        raise ClemInputError(f"cannot write here: {parent} is a file, not a folder", file=out,
                             fix="give an output path inside a folder")
    if not parent.is_dir():
        raise ClemInputError(f"the output folder {parent} does not exist", file=out, fix="create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ClemInputError(f"cannot write in the output folder {parent} (permission denied)", file=out,
                             fix="choose a folder you can write to")
    if out.is_dir():
        raise ClemInputError("is a folder", file=out, fix="give the name of the parquet file to write")
    from .codebook import units_file_for

    register = None
    if args.complaints is not None:  # cleaned in memory first: a bad row stops before anything is written
        from .complaints import clean_register, register_codebook_for

        register = clean_register(args.complaints, register_codebook_for(args.complaints, args.complaints_codebook),
                                  _register_units_file(args))
    lines = []
    if args.data is not None:
        result = clean_survey(args.data, args.codebook, units_file_for(args.codebook, args.units_file))
        write_cleaned(result, out)
        log = out.with_name(out.stem + ".log.csv")
        lines.append(f"clem: wrote {out} ({len(result.table)} rows of {result.n_raw}) and {log} "
                     f"({len(result.log)} changes)")
    if register is not None:
        from .complaints import write_register

        target = out if args.data is None else out.with_name(out.stem + ".complaints.parquet")
        write_register(register, target)
        log = target.with_name(target.stem + ".log.csv")
        lines.append(f"clem: wrote {target} ({len(register.table)} complaints) and {log} "
                     f"({len(register.log)} changes)")
    sys.stderr.write("\n".join(lines) + "\n")
    return EXIT_OK


def _cmd_run(args) -> int:
    from .batch import run_survey

    # files and folders left out are the bundled ones, or the previous run's with --retry-failed
    result = run_survey(
        args.data, args.codebook, units=args.units, levels=args.levels, jobs=args.jobs, scheduler=args.scheduler,
        lang=args.lang, out_dir=args.out, retry_failed=args.retry_failed, round=args.round,
        units_path=args.units_file, checklist_path=args.checklist,
        notebooks_dir=args.notebooks, cold=args.cold, city_weights=args.city_weights,
        progress=not args.quiet,
        complaints_path=args.complaints, complaints_codebook=args.complaints_codebook,
        complaint_standard_days=args.complaint_standard_days, holidays_path=args.holidays,
    )
    index = result.out_dir / "index.html"
    ok = sum(1 for u in result.units if u["status"] == "ok")
    line = f"clem: {ok} of {len(result.units)} unit report(s) written"
    if result.locations:
        done = sum(1 for e in result.locations if e["status"] == "ok")
        line += f", {done} of {len(result.locations)} district and agency report(s)"
    line += f"; open {index}"
    if result.failures:
        names = ", ".join(f["unit"] or "city overview" for f in result.failures)
        line += f"\nclem: failed: {names} (see index.html; rerun them with --retry-failed)"
    sys.stderr.write(line + "\n")
    return result.exit_code


def _cmd_init(args) -> int:
    from .cleaning import validate_survey
    from .draft import default_out_dir, draft_survey, write_draft

    draft = draft_survey(args.data, args.form)
    out_dir = Path(args.out) if args.out else default_out_dir(args.data)
    codebook, units = write_draft(draft, out_dir, force=args.force)
    problems = validate_survey(args.data, codebook, units)
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level != "error"]
    lines = [f"clem: wrote {codebook} and {units}"]
    todo = list(draft.todo)
    if warnings:
        todo.append(f"validation: {len(warnings)} warning(s) (values cleaning makes missing); see "
                    f"'clem validate --data {args.data} --codebook {codebook} --units-file {units}'")
    for p in errors[:10]:
        todo.append(f"validation error: {p}")
    if todo:
        lines.append("clem: still to decide or check:")
        lines += [f"  - {_one_line(t)}" for t in todo]
    sys.stderr.write("\n".join(lines) + "\n")
    if errors:
        sys.stderr.write(f"clem: error: the draft does not validate ({len(errors)} error(s)); fix them in "
                         f"{codebook} or {units} and run clem validate\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def main(argv=None) -> int:
    """Run the ``clem`` command; returns the exit code (0, 1 or 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    if args.command in ("validate", "clean"):
        # --data and --codebook are needed unless a complaint register is checked or cleaned alone
        alone = args.complaints is not None and args.data is None and args.codebook is None
        needed = ([] if alone else ["--data", "--codebook"]) + (["--out"] if args.command == "clean" else [])
        missing = [o for o in needed if getattr(args, o[2:]) is None]
        if missing:
            args._parser.error(f"the following arguments are required: {', '.join(missing)}")
    handler = {"validate": _cmd_validate, "clean": _cmd_clean, "run": _cmd_run,
               "init": _cmd_init}[args.command]
    try:
        return handler(args)
    except ClemInputError as exc:
        sys.stderr.write(f"clem: error: {_one_line(exc)}\n")
        return EXIT_BAD_INPUT
    except FileNotFoundError as exc:
        sys.stderr.write(f"clem: error: {exc.filename or ''}: file not found "
                         "(fix: check the path)\n")
        return EXIT_BAD_INPUT
    except (PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        sys.stderr.write(f"clem: error: {exc.filename or ''}: {exc.strerror} (fix: check the path and "
                         "its permissions)\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        _ignore_further_interrupts()
        finished = getattr(exc, "finished", None)
        if finished is not None:
            sys.stderr.write(f"clem: interrupted: {finished} of {exc.total} report(s) finished and kept in "
                             f"{exc.out_dir}; run the same command with --retry-failed to finish the others\n")
        else:
            sys.stderr.write("clem: interrupted before any report was written\n")
        sys.stderr.flush()
        return 130


def _ignore_further_interrupts() -> None:
    """A second Ctrl-C while clem is stopping would print a traceback: ignore it."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
