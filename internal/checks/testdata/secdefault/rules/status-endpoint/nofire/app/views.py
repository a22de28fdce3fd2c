import platform

from flask import Blueprint, jsonify
from flask_login import login_required

bp = Blueprint("ops", __name__)


@bp.route("/health")
def health():
    return "ok"


@bp.route("/status")
@login_required
def status():
    return jsonify(platform=platform.platform())


@bp.route("/status/public")
def public_status():
    return jsonify(status="ok")
