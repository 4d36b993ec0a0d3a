"""Every catalog id a workload names, resolved once before any option is built.

A misspelt engine, provider, model or accelerator is a user error with a
did-you-mean (exit code 5), never a silent "no plan": enumeration later
catches only the outcomes capacity planning cannot serve.
"""

from __future__ import annotations

import difflib

from llmdecide.catalog.catalog import Catalog
from llmdecide.errors import UnknownIdError
from llmdecide.workload.schema import Workload


def known_providers(catalog: Catalog, workload: Workload) -> set[str]:
    """Provider ids of the catalog's API models and of the models whose prices the workload states."""
    stated = {pin.id.split("/", 1)[0] for pin in workload.candidates.pinned_cloud_models}
    return set(catalog.providers) | {i.split("/", 1)[0] for i in catalog.api_models} | stated


def check_workload_ids(workload: Workload, catalog: Catalog) -> None:
    """Raise :class:`UnknownIdError` for the first id the workload names that the catalog does not hold."""
    if workload.local.engine is not None:
        catalog.engine(workload.local.engine, where="local.engine")
    providers = sorted(known_providers(catalog, workload))
    for i, name in enumerate(workload.constraints.excluded_providers):
        key = name.strip().lower()
        if key not in providers:
            close = difflib.get_close_matches(key, providers, n=3, cutoff=0.6)
            raise UnknownIdError("provider", name, close, where=f"constraints.excluded_providers[{i}]")
    c = workload.candidates
    for n in c.cloud_models or []:
        catalog.api_model(n, where="candidates.cloud_models")
    for n in c.open_models or []:
        catalog.open_model(n, where="candidates.open_models")
    for n in c.accelerators or []:
        catalog.accelerator(n, where="candidates.accelerators")
    for i, pin in enumerate(c.deployments):
        catalog.accelerator(pin.accelerator, where=f"candidates.deployments[{i}].accelerator")
        if pin.open_model is not None:
            catalog.open_model(pin.open_model, where=f"candidates.deployments[{i}].open_model")
