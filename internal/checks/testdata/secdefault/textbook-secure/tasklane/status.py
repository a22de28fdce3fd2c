"""The status page: version and uptime, for logged-in administrators."""
import time

from flask import Blueprint, jsonify

from .auth import permission_required

bp = Blueprint("status", __name__)
STARTED = time.time()


@bp.route("/status")
@permission_required("status.view")
def status():
    return jsonify(version="1.4.2", uptime_seconds=int(time.time() - STARTED))


@bp.route("/health")
def health():
    return "ok"
