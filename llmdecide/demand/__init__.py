"""Demand: how many requests each segment sends, month by month and hour by hour.

``segment_load`` turns a workload segment into its volume over the horizon and
its peak request rate; ``load_profile`` holds the hourly shape of a year's load
and the share of it a fixed local capacity serves.
"""

from llmdecide.demand.load_profile import ServedShare, profile_for, stated_profile
from llmdecide.demand.segment_load import SegmentLoad, monthly_volumes, segment_load, segment_loads

__all__ = [
    "SegmentLoad",
    "ServedShare",
    "monthly_volumes",
    "profile_for",
    "segment_load",
    "segment_loads",
    "stated_profile",
]
