"""The render layer's name for the number policy, which lives in :mod:`supplynet.numbers`.

The policy moved below the analyses so that their sentences (an interdiction point's
reason) follow it too; this module re-exports it for the renderers and maps.
"""

from supplynet.numbers import *  # noqa: F401,F403
from supplynet.numbers import __all__  # noqa: F401
