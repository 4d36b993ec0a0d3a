"""Every limit on what an input file can make llmdecide do, in one place.

Workload files, overlays, catalog directories, profile CSVs and benchmark result files come from
pull requests, other teams and generated tooling. Each limit below is checked before the work it
bounds starts, and going past it is a one-line error naming the file, the key and the limit. The
README section "Limits and safety" lists them; a test keeps that list and these values together.
"""

from __future__ import annotations

MAX_YAML_BYTES = 8 * 1024 * 1024
"""Largest workload, overlay or catalog YAML file read (8 MiB; the packaged catalog's largest is 0.5 MiB)."""
MAX_YAML_NODES = 200_000
"""Most values (scalars, lists and mappings) one YAML file may hold."""
MAX_YAML_DEPTH = 32
"""Deepest nesting of lists and mappings in one YAML file (workloads use 4, catalogs 5)."""
MAX_SCALAR_CHARS = 20_000
"""Longest single YAML value, in characters (a catalog note runs to about 2,000)."""
MAX_NUMBER_DIGITS = 30
"""Most digits in a number written in a YAML file (anything longer is a typo, not a quantity)."""

MAX_CSV_BYTES = 4 * 1024 * 1024
"""Largest hourly profile CSV read (a year of hourly values with timestamps is about 0.3 MiB)."""
MAX_PROFILE_VALUES = 8760
"""Most values in an hourly profile (a year of hours); 24, 168 and 8,760 are the lengths read."""
MAX_RESULT_BYTES = 32 * 1024 * 1024
"""Largest benchmark result file ``llmdecide calibrate`` reads."""
MAX_SETTINGS_BYTES = 1024 * 1024
"""Largest settings file read (``llmdecide.toml``, or a ``pyproject.toml`` holding ``[tool.llmdecide]``)."""
MAX_IMPORT_JSON_VALUE_CHARS = 256 * 1024 * 1024
"""Longest single JSON value ``llmdecide import`` reads (a page of an API's answer, one line of JSON lines)."""
MAX_IMPORT_CSV_FIELD_CHARS = 64 * 1024 * 1024
"""Longest CSV field ``llmdecide import`` reads (a gateway log's messages column can hold a conversation)."""
MAX_IMPORT_SEGMENTS = 1000
"""Distinct segments ``llmdecide import`` counts apart while reading; further ones are counted as ``other``
(and the written workload keeps at most ``MAX_SEGMENTS``)."""

MAX_SEGMENTS = 64
"""Most segments (request classes) in one workload."""
MAX_DEPLOYMENTS = 64
"""Most stated local deployments in one workload."""
MAX_CANDIDATES = 200
"""Most entries in one candidate list of a workload (models, accelerators, providers, ...)."""
MAX_SAMPLES = 500_000
"""Most Monte Carlo samples (``uncertainty.samples``); they are costed in chunks of ``SAMPLE_CHUNK``."""
SAMPLE_CHUNK = 25_000
"""Samples costed at a time: the Monte Carlo's working memory does not grow with ``samples``."""
MAX_NAME_CHARS = 200
"""Longest workload, segment or deployment name."""
MAX_ID_CHARS = 200
"""Longest catalog id written in a workload or on the command line."""

MAX_RESULT_USD = 1e12
"""A plan whose cost over the horizon comes out above this is reported as outside what llmdecide can size."""
MAX_RESULT_GPUS = 1_000_000
"""A plan that would need more accelerators than this is reported as outside what llmdecide can size."""

MESSAGE_VALUE_CHARS = 80
"""Longest piece of user text a message or a report line quotes; longer text is cut, and its length stated."""


def shorten(text: str, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """``text`` if it has at most ``limit`` characters; otherwise its start, then ``… (N characters)`` with N the
    full length, the whole at most ``limit`` characters (at least 1).

    Below about 40 characters there is no room for the count, and the cut is marked with a lone '…'.
    """
    limit = max(1, limit)
    if len(text) <= limit:
        return text
    suffix = f"… ({len(text):,} characters)"
    keep = limit - len(suffix)
    if keep < 8:
        return text[: limit - 1] + "…"
    return text[:keep] + suffix
