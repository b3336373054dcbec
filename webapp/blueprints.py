"""Every feature blueprint, in registration order. create_app() registers what all_blueprints() returns.

Each feature lives in its own module with a `bp` Blueprint; add one import line here to plug it in.
"""

from __future__ import annotations

import importlib

FEATURE_MODULES = [
    "webapp.errors",
    "webapp.i18n",
    "webapp.search",
    "webapp.datasets",
    "webapp.ops",
    "webapp.harvest_admin",
    "webapp.feed",
    "webapp.api",
    "webapp.sparql",
]


def all_blueprints():
    blueprints = []
    for name in FEATURE_MODULES:
        module = importlib.import_module(name)
        bp = getattr(module, "bp", None)
        if bp is not None:
            blueprints.append(bp)
    return blueprints
