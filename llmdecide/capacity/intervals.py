"""Error bars on the capacity model: how far measured speed may fall from a prediction, by regime.

``benchmarks/calibrate.py --write`` stores, for each operating regime, the 10th and 90th percentiles of
measured / predicted speed over every published figure predicted by factors fitted without its source
document (leave one source out). A prediction takes the interval of its batch regime, widened to those of
mixture-of-experts models and of tensor parallelism where they apply (the union: each regime's interval
covers about 80% of its held-out figures, so the union covers at least that).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from llmdecide.catalog.schema import PredictionInterval


@dataclass(frozen=True)
class SpeedInterval:
    """Measured / predicted speed a prediction may see: ``low`` at the pessimistic end, ``high`` at the other."""

    low: float
    high: float
    regimes: tuple[str, ...]
    median: float = 1.0
    """Median measured / predicted speed of the batch regime (1 when unknown)."""
    """The regimes whose intervals were joined (empty: the catalog has none, and the interval is exact)."""

    @property
    def known(self) -> bool:
        """Whether any regime's interval applied."""
        return bool(self.regimes)


EXACT = SpeedInterval(1.0, 1.0, ())

NORMAL_Q90 = 1.2815515655446004
"""The 90th percentile of a standard normal: an interval's ends are its 10th and 90th percentiles."""


def sample_speed(interval: SpeedInterval, normal: NDArray[np.float64]) -> NDArray[np.float64]:
    """Speed factors for standard-normal draws: log-normal either side of the median, with the interval's
    ends at the 10th and 90th percentiles (a two-piece log-normal, so a skewed interval stays skewed)."""
    m = min(max(interval.median, interval.low), interval.high)
    below = math.log(m / interval.low) / NORMAL_Q90
    above = math.log(interval.high / m) / NORMAL_Q90
    return np.asarray(m * np.exp(np.where(normal < 0, normal * below, normal * above)), dtype=np.float64)


def batch_regime(batch: float, batch_limit: float) -> str:
    """The decode regime of a replica running ``batch`` sequences out of the ``batch_limit`` it holds."""
    if batch <= 1:
        return "batch 1"
    return "saturation" if batch >= batch_limit else "mid concurrency"


def speed_interval(
    intervals: Sequence[PredictionInterval], regime: str, *, moe: bool, multi_gpu: bool
) -> SpeedInterval:
    """The interval of a prediction in ``regime`` ('batch 1', 'mid concurrency', 'saturation', 'prefill'),
    joined with the mixture-of-experts and multi-GPU intervals where they apply."""
    wanted = [regime] + (["mixture of experts"] if moe else []) + (["multi-GPU"] if multi_gpu else [])
    found = [i for i in intervals if i.regime in wanted]
    if not found:
        return EXACT
    own = next((i.median for i in found if i.regime == regime), 1.0)
    return SpeedInterval(min(i.low for i in found), max(i.high for i in found), tuple(i.regime for i in found), own)
