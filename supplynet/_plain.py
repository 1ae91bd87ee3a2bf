"""Plain Python values for ``to_dict()``: what every result type returns before rendering.

``to_dict()`` gives builtins only (dict, list, str, int, float, bool, None) with
unlimited and undefined numbers as None, never rounded: rounding is the render layer's
(:mod:`supplynet.render.encode`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["plain"]


def plain(obj: Any) -> Any:
    """Return ``obj`` as builtins: numpy scalars unwrapped, NaN and infinities None, keys str.

    Examples
    --------
    >>> plain({"a": np.float64(2.5), "b": [float("inf"), np.int64(3)], 1: (np.bool_(True),)})
    {'a': 2.5, 'b': [None, 3], '1': [True]}
    """
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is not None and not isinstance(obj, (bool, int, float, str)):
        try:  # pandas' NA and NaT
            import pandas as pd

            if pd.isna(obj):
                return None
        except (TypeError, ValueError):
            pass
    return obj
