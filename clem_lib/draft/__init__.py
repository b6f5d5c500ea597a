from .survey import *  # noqa: F401,F403
from .survey import __all__, __doc__, _cluster_units  # noqa: F401
