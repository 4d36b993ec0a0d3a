"""What one side offers a segment: the choices kept, what blocks the side, and what was excluded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from llmdecide.costing.choices import CloudChoice, LocalChoice

KEEP_CHOICES = 5
"""Choices kept per side and segment, cheapest first."""


EXCLUDED_BASIS = "priced on a basis the workload excludes (candidates.price_bases)"
"""How candidates whose catalog price has an excluded basis are counted."""


C = TypeVar("C", CloudChoice, LocalChoice)


@dataclass(frozen=True)
class SideChoices(Generic[C]):
    """One side's result for a segment: the choices kept, the constraint that blocks it, the exclusions."""

    choices: tuple[C, ...] = ()
    blocked: str | None = None
    exclusions: dict[str, int] = field(default_factory=dict)
    sizing_off: bool = False
