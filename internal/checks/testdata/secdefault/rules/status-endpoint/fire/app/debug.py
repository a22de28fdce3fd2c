import os

from flask import Blueprint, jsonify

bp = Blueprint("debug", __name__)


@bp.route("/debug/env")
def env():
    return jsonify(dict(os.environ))
