"""Importing real usage: exports of providers' usage reports and gateways' logs into a workload file.

``import_usage(format, files, catalog)`` reads the files as they stream (gzip too), sums their records per
segment, month and hour, writes the workload ``llmdecide assess`` runs as it is, and checks its bill against the
export's. Only counts, token numbers, models, labels and timestamps are read: never message content, user
identifiers or keys.
"""

from llmdecide.usage_import.formats import FORMAT_NAMES
from llmdecide.usage_import.importer import ImportOptions, ImportResult, import_usage

__all__ = ["FORMAT_NAMES", "ImportOptions", "ImportResult", "import_usage"]
