"""The batch runner behind ``clem run`` (see :mod:`.run`) and its kernels (:mod:`.kernels`)."""

from .run import *  # noqa: F401,F403
from .run import Progress, __all__  # noqa: F401
