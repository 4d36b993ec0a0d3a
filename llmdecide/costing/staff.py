"""Operations effort: the people a plan's local deployments need, grown with what is run.

Hours a month, by team maturity (an effort factor, intermediate = 1), every
coefficient from the catalog's assumptions:

- per deployment: ``ops_hours_per_deployment_month`` (upgrades, evals, monitoring);
- per machine: ``ops_hours_per_host_month_owned`` for each owned host (a share of a server counts as one),
  ``ops_hours_per_host_month_rented`` for each rented instance, ``ops_hours_per_device_month`` for each
  end-user device; these grow with the fleet month by month and live in the deployment's series
  (``projection.py``);
- a 24/7 on-call rotation, ``on_call_fte_24x7`` FTE once per plan, when a deployment serves interactive or
  real-time work from a data center, a colocation facility or a rented cloud (not a desk or an office), or
  when ``team.on_call`` says so.

Setup, once: ``setup_hours`` per deployment, ``setup_hours_production`` more for each one behind a 24/7
service, and ``setup_hours_per_host`` for each owned machine of the first month (rented instances are
imaged, and end-user devices are set up through device management, whose hours are their upkeep).

An hour costs the loaded annual cost / 2,080 working hours; an FTE is 2,080 / 12 hours a month.
``team.ops_fte`` and ``team.setup_hours`` replace the model; ``team.hire`` hires whole engineers
(at least one) or a stated count and adds the recruiting cost once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from llmdecide.catalog.catalog import Catalog
from llmdecide.catalog.schema import Assumption
from llmdecide.costing.line_item import CostLineItem
from llmdecide.costing.local import WORK_HOURS_PER_YEAR, Sourced, fte_item, setup_item
from llmdecide.workload.schema import Workload

HOURS_PER_FTE_MONTH = WORK_HOURS_PER_YEAR / 12.0
"""Working hours of one full-time engineer in a month (2,080 / 12)."""

MachineKind = Literal["owned", "rented", "device"]


def _sourced(name: str, a: Assumption) -> Sourced:
    return Sourced(a.value, f"assumption {name} ({a.source})")


@dataclass(frozen=True)
class DeploymentEffort:
    """What one local deployment of a plan asks of the team."""

    label: str
    machines: MachineKind
    first_month_machines: float
    """Owned hosts, rented instances or devices in the first month."""
    machine_staff_usd: float
    """First-month cost of the per-machine hours (already in the deployment's series)."""
    on_call: bool
    """Whether it serves a 24/7 service that needs an on-call rotation."""


@dataclass(frozen=True)
class Effort:
    """The operations-effort model of one assessment."""

    loaded_usd_per_year: Sourced
    factor: Sourced
    """Effort of this team relative to an intermediate one."""
    deployment_hours: Sourced
    host_owned_hours: Sourced
    host_rented_hours: Sourced
    device_hours: Sourced
    on_call_fte: Sourced
    setup_hours: Sourced
    setup_production_hours: Sourced
    setup_host_hours: Sourced
    recruiting_fraction: Sourced
    stated_fte: Sourced | None = None
    stated_setup: Sourced | None = None
    hire: bool | float = False
    on_call: bool | None = None

    @property
    def hourly_usd(self) -> float:
        """Loaded cost of one engineer-hour."""
        return self.loaded_usd_per_year.value / WORK_HOURS_PER_YEAR

    @property
    def modelled(self) -> bool:
        """Whether operations grow with what is run (False: a stated or hired head count)."""
        return self.stated_fte is None and self.hire is False

    def usd_per_machine_month(self, kind: MachineKind) -> float:
        """Operations cost of one machine a month (0 when the head count is stated or hired)."""
        if not self.modelled:
            return 0.0
        hours = {"owned": self.host_owned_hours, "rented": self.host_rented_hours, "device": self.device_hours}[kind]
        return hours.value * self.factor.value * self.hourly_usd

    def needs_on_call(self, deployments: Sequence[DeploymentEffort]) -> bool:
        """Whether the plan needs a 24/7 rotation: ``team.on_call``, else any deployment behind a 24/7 service."""
        if not deployments:
            return False
        return self.on_call if self.on_call is not None else any(d.on_call for d in deployments)

    def fte(self, deployments: Sequence[DeploymentEffort]) -> float:
        """First-month FTE the modelled effort needs for these deployments (machines included)."""
        hours = len(deployments) * self.deployment_hours.value * self.factor.value
        machines = sum(d.machine_staff_usd for d in deployments) / self.hourly_usd
        on_call = self.on_call_fte.value if self.needs_on_call(deployments) else 0.0
        return (hours + machines) / HOURS_PER_FTE_MONTH + on_call

    def items(self, deployments: Sequence[DeploymentEffort]) -> list[CostLineItem]:
        """The plan-level staff line items: routine operations, on-call, setup and hiring."""
        if not deployments:
            return []
        factor = self.factor
        team = f"x {factor.value:g} effort ({factor.source})"
        loaded_usd = self.loaded_usd_per_year.value
        loaded = self.loaded_usd_per_year.source
        items: list[CostLineItem] = []
        if self.stated_fte is not None or self.hire is not False:
            fte, source = self._head_count(deployments)
            if fte > 0:
                items.append(fte_item("ML/DevOps operations", fte, loaded_usd, f"{source}; loaded cost: {loaded}"))
        else:
            routine = len(deployments) * self.deployment_hours.value * factor.value / HOURS_PER_FTE_MONTH
            items.append(
                fte_item(
                    f"operations of {len(deployments)} deployment{'s' if len(deployments) > 1 else ''}",
                    routine,
                    loaded_usd,
                    f"{self.deployment_hours.source}; {team}; loaded cost: {loaded}",
                    note=f"{self.deployment_hours.value:g} h a month each; the machines' upkeep is in their lines",
                )
            )
            if self.needs_on_call(deployments):
                why = "workload: team.on_call" if self.on_call else "a 24/7 service in a data center or cloud"
                items.append(
                    fte_item(
                        "on-call rotation (24/7)",
                        self.on_call_fte.value,
                        loaded_usd,
                        f"{self.on_call_fte.source}; loaded cost: {loaded}",
                        note=why,
                    )
                )
        setup_hours, setup_source, setup_note = self._setup(deployments)
        if setup_hours > 0:
            items.append(setup_item(setup_hours, self.loaded_usd_per_year.value, setup_source, setup_note))
        if self.hire is not False:
            fte, _ = self._head_count(deployments)
            recruiting = fte * self.loaded_usd_per_year.value * self.recruiting_fraction.value
            items.append(
                CostLineItem(
                    name="hiring (one time)",
                    category="setup",
                    quantity=fte,
                    unit="hires (FTE)",
                    unit_price_usd=self.loaded_usd_per_year.value * self.recruiting_fraction.value,
                    monthly_cost_usd=0.0,
                    one_time_usd=recruiting,
                    source=self.recruiting_fraction.source,
                    note=f"{self.recruiting_fraction.value:.0%} of a year's loaded cost per hire",
                )
            )
        return items

    def standalone_usd(self, deployment: DeploymentEffort, horizon_months: int) -> float:
        """Horizon cost of the plan-level staff one deployment needs on its own (operations, on-call, setup,
        hiring): what ranks deployments against each other, through the same line items a plan gets."""
        items = self.items([deployment])
        return sum(i.monthly_cost_usd * horizon_months + i.one_time_usd for i in items)

    def _head_count(self, deployments: Sequence[DeploymentEffort]) -> tuple[float, str]:
        if self.stated_fte is not None and self.hire is False:
            return self.stated_fte.value, self.stated_fte.source
        if self.hire is not True:
            return float(self.hire), "workload: team.hire"
        needed = self.fte(deployments)
        return float(max(1, math.ceil(needed - 1e-9))), f"team.hire: whole engineers for the {needed:.2f} FTE needed"

    def _setup(self, deployments: Sequence[DeploymentEffort]) -> tuple[float, str, str | None]:
        if self.stated_setup is not None:
            return self.stated_setup.value, self.stated_setup.source, None
        f = self.factor.value
        production = (
            sum(1 for d in deployments if d.on_call)
            if self.on_call is None
            else (len(deployments) if self.on_call else 0)
        )
        owned = sum(math.ceil(d.first_month_machines - 1e-9) for d in deployments if d.machines == "owned")
        per_host = self.setup_host_hours.value
        hours = (
            len(deployments) * self.setup_hours.value + production * self.setup_production_hours.value
        ) * f + owned * per_host * f
        note = (
            f"({len(deployments)} x {self.setup_hours.value:g} h + {production} x "
            f"{self.setup_production_hours.value:g} h for production + {owned:g} machines x {per_host:g} h) "
            f"x {f:g} effort"
        )
        return hours, f"{self.setup_hours.source}; {self.setup_production_hours.source}", note


def effort_model(workload: Workload, catalog: Catalog) -> Effort:
    """The effort model of a workload: the catalog's coefficients, the team's maturity and its overrides."""
    a = catalog.require_assumptions()
    team = workload.team
    level = team.capability.value
    if level == "intermediate":
        factor = Sourced(1.0, "intermediate team")
    else:
        assumption = getattr(a, f"ops_effort_factor_{level}")
        factor = Sourced(assumption.value, f"{level} team, assumption ops_effort_factor_{level}")
    loaded = (
        Sourced(team.fte_loaded_usd_per_year, "workload: team.fte_loaded_usd_per_year")
        if team.fte_loaded_usd_per_year is not None
        else _sourced("mlops_fte_loaded_usd_per_year", a.mlops_fte_loaded_usd_per_year)
    )
    return Effort(
        loaded_usd_per_year=loaded,
        factor=factor,
        deployment_hours=_sourced("ops_hours_per_deployment_month", a.ops_hours_per_deployment_month),
        host_owned_hours=_sourced("ops_hours_per_host_month_owned", a.ops_hours_per_host_month_owned),
        host_rented_hours=_sourced("ops_hours_per_host_month_rented", a.ops_hours_per_host_month_rented),
        device_hours=_sourced("ops_hours_per_device_month", a.ops_hours_per_device_month),
        on_call_fte=_sourced("on_call_fte_24x7", a.on_call_fte_24x7),
        setup_hours=_sourced("setup_hours", a.setup_hours),
        setup_production_hours=_sourced("setup_hours_production", a.setup_hours_production),
        setup_host_hours=_sourced("setup_hours_per_host", a.setup_hours_per_host),
        recruiting_fraction=_sourced("recruiting_cost_fraction", a.recruiting_cost_fraction),
        stated_fte=Sourced(team.ops_fte, "workload: team.ops_fte") if team.ops_fte is not None else None,
        stated_setup=Sourced(team.setup_hours, "workload: team.setup_hours") if team.setup_hours is not None else None,
        hire=team.hire,
        on_call=team.on_call,
    )
