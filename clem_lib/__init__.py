"""clem: analysis of Community Led Monitoring and Citizen Report Card surveys.

The public API is flat: every public function of the submodules is
re-exported here (each module lists its own in ``__all__``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

from .errors import *  # noqa: F401,F403
from .paths import *  # noqa: F401,F403
from .codebook import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .privacy import *  # noqa: F401,F403
from .cleaning import *  # noqa: F401,F403
from .complaints import *  # noqa: F401,F403
from .rounding import *  # noqa: F401,F403
from .scoring import *  # noqa: F401,F403
from .stats import *  # noqa: F401,F403
from .weights import *  # noqa: F401,F403
from .complaint_stats import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403
from .results import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .report import *  # noqa: F401,F403
from .complaints_report import *  # noqa: F401,F403
from .htmlout import *  # noqa: F401,F403
from .batch import *  # noqa: F401,F403

try:
    __version__ = _version("clem")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
