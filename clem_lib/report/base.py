"""What the unit report and the city overview share: cached computations, numbered section
headings, charts with alt text, the Methods tail, and writing ``results()`` to a file."""

from __future__ import annotations

import functools

from ..complaints_report import methods_text as register_methods_text
from ..io import write_csv
from ..plots import chart
from ..text import label, not_asked_text
from ..text.tables import ReportText, heading

__all__ = ["ReportBase", "only_in"]


class ReportBase:
    """The base of :class:`~clem_lib.report.UnitReport` and :class:`~clem_lib.report.CityReport`.

    A subclass sets ``SECTIONS`` (its section keys in order), ``lang``,
    ``register`` (None without a complaint register), ``not_asked`` and
    ``_cache`` (a dict), and defines :meth:`results`.
    """

    SECTIONS: tuple = ()

    def _get(self, key, fn):
        """``fn()``, computed once per report and kept under ``key``."""
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def _chart(self, fig, key):
        """Figure ``key`` as a fixed-size chart, its caption text as the alt text."""
        return chart(fig, alt=label(f"fig_{key}", self.lang))

    def has_section(self, key: str) -> bool:
        """Whether the survey has what section ``key`` needs (every section by default)."""
        return True

    def section(self, key: str) -> ReportText:
        """Numbered heading of a section (``## 3. IKM per unsur pelayanan``); nothing for a section
        the survey has no data for, and the sections after it are numbered on."""
        if not self.has_section(key):
            return ReportText("")
        shown = [k for k in self.SECTIONS if self.has_section(k)]
        return ReportText(heading(key, self.lang, number=shown.index(key) + 1))

    def _methods_with_tail(self, text: str) -> ReportText:
        """The Methods bullets ``text``, then the register's (with a register) and the parts the
        survey did not ask (when there are any)."""
        if self.register is not None:
            text += "\n" + register_methods_text(self.register, lang=self.lang)
        extra = not_asked_text(self.not_asked, self.lang)
        return ReportText(text + ("\n" + extra if extra else ""))

    def results(self):
        """The report's rows of ``results.csv`` (each report defines them)."""
        raise NotImplementedError

    def write_results(self, path) -> ReportText:
        """Write :meth:`results` to ``path`` (safe CSV writer); empty path: do nothing."""
        if not path:
            return ReportText("")
        res = self.results()
        # read back by `clem run` (its results.csv, written with the formula guard, is the
        # file people open): unit names stay as they are
        write_csv(res, path, neutralize=False)
        return ReportText(f"results: {len(res)} rows")


def only_in(section: str):
    """A report cell that shows nothing when the survey has no data for ``section``."""
    def wrap(fn):
        @functools.wraps(fn)
        def cell(self, *args, **kwargs):
            if not self.has_section(section):
                return ReportText("")
            return fn(self, *args, **kwargs)
        return cell
    return wrap
