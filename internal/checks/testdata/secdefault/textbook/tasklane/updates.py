"""Checks for new releases and, when allowed, installs them."""
import threading
import time

import requests

RELEASES_URL = "https://updates.tasklane.example/api/v1/releases/latest"


def start_checker(app):
    cfg = app.config["TASKLANE"]["updates"]

    def loop():
        while True:
            try:
                latest = requests.get(RELEASES_URL, params={"channel": cfg["channel"]}, timeout=10).json()
                app.config["TASKLANE_LATEST"] = latest
                if cfg["auto_update"] and latest["version"] != "1.4.2":
                    _install(latest)
            except requests.RequestException:
                pass
            time.sleep(24 * 3600)

    threading.Thread(target=loop, daemon=True).start()


def _install(release):
    raise NotImplementedError("see docs/updating.md")
