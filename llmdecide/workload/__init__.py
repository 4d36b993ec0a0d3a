"""Workload files: what a team wants to run."""

from llmdecide.workload.loader import load_workload, load_workload_text
from llmdecide.workload.schema import Workload

__all__ = ["Workload", "load_workload", "load_workload_text"]
