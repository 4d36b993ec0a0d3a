"""Statements the scoring layer makes: a code and the numbers and ids it is made with, never a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Value = float | int | str | None


@dataclass(frozen=True)
class Statement:
    """A code saying what is stated, and the numbers and ids it is stated with."""

    code: str
    values: Mapping[str, Value] = field(default_factory=dict)


class Reason(Statement):
    """One reason behind the recommendation."""


class Flip(Statement):
    """One change that would flip the decision."""


class Gate(Statement):
    """A gate that held a plan back (code 'team' or 'payback'), with the figures it judged."""
