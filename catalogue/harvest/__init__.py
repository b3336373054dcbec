"""Harvesting partner and European DCAT-AP feeds and CKAN portals into the catalogue.

fetch.py    the one outbound HTTP client (address checks on every hop, deadline, byte cap)
sources.py  harvest sources, stored in the store
paging.py   Hydra paging, the page-loop guard, per-page ETag / Last-Modified state
ckan.py     CKAN action API pages mapped to DCAT-AP
runner.py   one run: fetch, ingest (the one write path), withdraw after a grace period, report
reports.py  run reports and their history in the store
"""

from __future__ import annotations

from .fetch import Fetcher, Response, address_refusal, check_address
from .reports import RunHistory, RunReport
from .runner import Harvester, find_duplicates
from .sources import Source, SourceRegistry, owner_of

__all__ = [
    "Fetcher",
    "Harvester",
    "Response",
    "RunHistory",
    "RunReport",
    "Source",
    "SourceRegistry",
    "address_refusal",
    "check_address",
    "find_duplicates",
    "owner_of",
]
