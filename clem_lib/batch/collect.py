"""What the notebooks leave behind: their files as they finish, then ``results.csv`` and each report's entry.

Each finished notebook's page and executed notebook are written as soon as it
arrives (an older page never stands in for this run's), then the record that
it finished. After the last one, the results rows of every report of the run
(fresh, or kept from the previous run on a retry) are stacked into
``results.csv`` through :mod:`clem_lib.results`.
"""

from __future__ import annotations

from ..io import write_csv, write_text_atomic
from ..results import read_results
from .execute import NotebookOutcome
from .levels import Location
from .manifest import CITY_KEY, PARTS, clear_outcomes, round_seconds, write_outcome
from .plan import Plan

__all__ = ["prepare_folder", "OutcomeFiles", "write_results", "report_entries"]


def prepare_folder(plan: Plan) -> None:
    """Create the output folder and its parts folder; remove the outcome records of the notebooks
    about to run (every one on a fresh run)."""
    out = plan.settings.out_dir
    out.mkdir(parents=True, exist_ok=True)
    (out / PARTS).mkdir(exist_ok=True)
    rerun = None
    if plan.settings.previous is not None:
        rerun = {CITY_KEY, *(plan.info[u]["slug"] for u in plan.rerun), *plan.location_rerun}
    clear_outcomes(out / PARTS, rerun)


class OutcomeFiles:
    """Called with each outcome as it arrives: writes its files; :attr:`finished` lists the statuses."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.finished: list[str] = []

    def __call__(self, o: NotebookOutcome) -> None:
        for ext, text in (("ipynb", o.ipynb), ("html", o.html)):
            target = self.out_dir / f"{o.key}.{ext}"
            if text:
                write_text_atomic(target, text)
            elif target.exists():
                target.unlink()  # never leave an older page standing in for this run's
        part = self.out_dir / PARTS / f"{o.key}.results.csv"
        if o.status != "ok" and part.exists():
            part.unlink()  # a failed notebook contributes no figures
        # last: the record that this notebook finished, read back by --retry-failed
        write_outcome(self.out_dir / PARTS, o)
        self.finished.append(o.status)


def write_results(plan: Plan, by_key: dict) -> None:
    """``results.csv``: the rows of every unit, district and agency of the run and of the city overview,
    sorted."""
    parts = plan.settings.out_dir / PARTS
    city = [CITY_KEY] if plan.city_chosen and (CITY_KEY in by_key or not plan.city_rerun) else []
    texts = []
    for key in sorted(city + [plan.info[u]["slug"] for u in plan.chosen] + [p.slug for p in plan.locations]):
        p = parts / f"{key}.results.csv"
        if p.is_file():
            texts.append(p.read_text(encoding="utf-8"))
    write_csv(read_results(texts), plan.settings.out_dir / "results.csv")


def _file(out, stem: str, ext: str) -> str | None:
    name = f"{stem}.{ext}"
    return name if (out / name).is_file() else None


def _unit_entry(plan: Plan, name: str, outcome: NotebookOutcome | None) -> dict:
    slug, out = plan.info[name]["slug"], plan.settings.out_dir
    if outcome is not None:
        status, error, seconds = outcome.status, outcome.error, round_seconds(outcome.seconds)
    else:  # kept from the previous run
        prev = plan.prev_units.get(name, {})
        status, error, seconds = prev.get("status", "ok"), prev.get("error"), prev.get("seconds")
    return {
        "unit": name,
        "slug": slug,
        "sector": ", ".join(sorted(plan.info[name]["sectors"])),
        "status": status,
        "error": error,
        "report": _file(out, slug, "html"),
        "notebook": _file(out, slug, "ipynb"),
        "seconds": seconds,
    }


def _location_entry(plan: Plan, place: Location, outcome: NotebookOutcome | None) -> dict:
    out = plan.settings.out_dir
    if outcome is not None:
        status, error, seconds = outcome.status, outcome.error, round_seconds(outcome.seconds)
    else:  # kept from the previous run
        prev = plan.prev_locations.get(place.slug, {})
        status, error, seconds = prev.get("status", "ok"), prev.get("error"), prev.get("seconds")
    return {
        "level": place.level,
        "name": place.name,
        "slug": place.slug,
        "label": place.label,
        "units": list(place.units),
        "sector": ", ".join(sorted(set().union(*(plan.info[u]["sectors"] for u in place.units)))),
        "status": status,
        "error": error,
        "report": _file(out, place.slug, "html"),
        "notebook": _file(out, place.slug, "ipynb"),
        "seconds": seconds,
    }


def _city_entry(plan: Plan, outcome: NotebookOutcome | None) -> dict | None:
    out = plan.settings.out_dir
    if not plan.city_chosen:
        return None
    if outcome is not None:
        return {"status": outcome.status, "error": outcome.error, "seconds": round_seconds(outcome.seconds),
                "report": _file(out, CITY_KEY, "html"), "notebook": _file(out, CITY_KEY, "ipynb")}
    city = dict(plan.prev_city) if plan.settings.previous else {"status": "failed", "error": "not run"}
    city["report"] = _file(out, CITY_KEY, "html")
    city["notebook"] = _file(out, CITY_KEY, "ipynb")
    return city


def report_entries(plan: Plan, by_key: dict) -> tuple[list, list, dict | None, list]:
    """The manifest's entry of every unit, district and agency and of the city overview (None when
    its level is not chosen), and the failures among them."""
    units = [_unit_entry(plan, name, by_key.get(plan.info[name]["slug"])) for name in plan.chosen]
    places = [_location_entry(plan, p, by_key.get(p.slug)) for p in plan.locations]
    failures = [{"unit": e["unit"], "slug": e["slug"], "error": e["error"]} for e in units if e["status"] != "ok"]
    failures += [{"unit": e["name"], "slug": e["slug"], "error": e["error"], "level": e["level"]}
                 for e in places if e["status"] != "ok"]
    city = _city_entry(plan, by_key.get(CITY_KEY))
    if city is not None and city.get("status") != "ok":
        failures.append({"unit": "", "slug": CITY_KEY, "error": city.get("error")})
    return units, places, city, failures
