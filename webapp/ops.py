"""Endpoints for operators: /healthz answers whether the store can be read, and how many records it holds."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    catalogue = current_app.extensions["catalogue"]
    try:
        counts = catalogue.records.count()
    except Exception:  # the store is down: say so, without details
        current_app.logger.exception("Health check failed")
        response = jsonify({"status": "error"})
        response.status_code = 503
    else:
        response = jsonify({"status": "ok", "records": sum(counts.values()), "by_kind": counts})
    response.headers["Cache-Control"] = "no-store"
    return response
