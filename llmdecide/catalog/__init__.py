"""Versioned YAML catalogs of API prices, GPU rental prices, accelerators and open models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from llmdecide.catalog.catalog import Catalog, Entry, price_on
from llmdecide.catalog.loader import locate_catalog_dir
from llmdecide.catalog.validate import check_catalog_dir
from llmdecide.errors import CatalogError

__all__ = ["Catalog", "Entry", "load_catalog", "price_on"]


def load_catalog(catalog_dir: Path | None = None, overlays: Sequence[Path] = ()) -> Catalog:
    """Load and check the catalog; raise :class:`CatalogError` naming the first error if it is invalid.

    The directory is ``catalog_dir``, else ``$LLMDECIDE_CATALOG_DIR``, else the
    packaged catalog. Overlays (the user's own prices) are layered on top.
    """
    root = locate_catalog_dir(catalog_dir)
    result = check_catalog_dir(root, overlays)
    errors = result.errors
    if errors:
        more = f"; {len(errors) - 1} more" if len(errors) > 1 else ""
        raise CatalogError(f"{errors[0]}{more}", hint="run 'llmdecide catalog validate' to list every problem")
    return result.catalog
