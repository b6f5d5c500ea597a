"""Design-based figures: stratified sampling weights, finite-population correction, Taylor-linearised
standard errors, domain estimates and the Rao-Scott test.

A CLeM survey samples each service unit separately, so a city-wide figure is a
stratified estimate: respondents of unit h stand for ``N_h / n_h`` users
(``N_h`` = users per month from ``data/units.yml``, ``n_h`` = respondents), or
for the sampling weight given by the codebook. The standard errors follow the
stratified design (strata = units, respondents as the sampling units), computed
by Taylor linearisation exactly as R's ``survey`` package does for
``svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N)``: with ``fpc``
each stratum's variance is multiplied by ``1 - n_h / N_h`` (sampling without
replacement), without it the units are treated as sampled with replacement.

Domains (a sector, special-group users, respondents who answered a question)
stay inside the whole design: rows outside the domain contribute zero, and the
strata keep their full ``n_h`` (R ``svyby`` / ``subset``), so a domain's
standard error reflects that its size was not fixed in advance.

Why not ``statsmodels.stats.weightstats.DescrStatsW``: its weights are
frequency weights (a weight of 30 means thirty identical observations), so its
standard error divides by ``sum(w) - 1`` and shrinks as the weights grow;
sampling weights only rescale who a respondent stands for, and the precision
comes from the number of respondents and the design, not from ``sum(w)``.
statsmodels has no stratified, finite-population survey variance and no
Rao-Scott correction, so both are computed here and validated against R
(``tests/test_weights.py``, ``tests/r_reference/``).

Modules: ``sizes`` (``N_h`` and ``N_h / n_h`` from the units file), ``design``
(the design, its linearised variance and the helpers the estimators share),
``estimates`` (means, proportions, the IKM, the report-card shares),
``chisq`` (Rao-Scott), ``compare`` (two groups of respondents, two domains),
``locations`` (a district or an agency as a whole, and against the rest of the city).
"""

from __future__ import annotations

from .chisq import design_chisq
from .compare import compare_proportions_design, design_difference
from .estimates import design_crc, design_ikm, weighted_mean, weighted_proportion
from .locations import compare_location_design, location_crc, location_ikm
from .sizes import poststratify_weights, stratum_sizes, units_without_size

__all__ = ["poststratify_weights", "stratum_sizes", "units_without_size", "weighted_mean",
           "weighted_proportion", "design_ikm", "design_crc", "design_chisq", "compare_proportions_design",
           "design_difference", "location_ikm", "location_crc", "compare_location_design"]
