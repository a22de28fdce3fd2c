"""The status page: what the server is doing, for whoever runs it."""
import os
import platform
import socket
import time
from collections import deque

from flask import Blueprint, current_app, jsonify

bp = Blueprint("status", __name__)
STARTED = time.time()


def _tail(path, lines):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in deque(fh, maxlen=lines)]
    except OSError:
        return []


@bp.route("/status")
def status():
    cfg = current_app.config["TASKLANE"]
    page = cfg["status_page"]
    info = {
        "version": "1.4.2",
        "uptime_seconds": int(time.time() - STARTED),
    }
    if page.get("show_system_info"):
        info.update(
            hostname=socket.gethostname(),
            platform=platform.platform(),
            python=platform.python_version(),
            pid=os.getpid(),
            load=os.getloadavg(),
        )
    if page.get("show_logs"):
        info["log"] = _tail(cfg["logging"]["file"], page["log_lines"])
    return jsonify(info)


@bp.route("/health")
def health():
    return "ok"
