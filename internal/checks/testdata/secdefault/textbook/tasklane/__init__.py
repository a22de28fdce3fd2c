"""Tasklane: project management for teams that host it themselves."""
import os
import threading

import yaml
from flask import Flask

from . import auth, projects, status, updates, users
from .models import db

__version__ = "1.4.2"


def load_config():
    path = os.environ.get("TASKLANE_CONFIG", "config/default.yaml")
    with open(path, encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    override = "/etc/tasklane/tasklane.yaml"
    if os.path.exists(override):
        with open(override, encoding="utf-8") as fh:
            _merge(cfg, yaml.safe_load(fh) or {})
    return cfg


def _merge(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def create_app():
    cfg = load_config()
    app = Flask(__name__)
    app.config["TASKLANE"] = cfg
    app.config["SQLALCHEMY_DATABASE_URI"] = os.path.expandvars(cfg["database"]["url"])
    app.config["SECRET_KEY"] = os.environ["TASKLANE_SECRET_KEY"]
    db.init_app(app)
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(projects.bp)
    app.register_blueprint(users.bp)
    with app.app_context():
        db.create_all()
        auth.ensure_admin(cfg["admin"])
    updates.start_checker(app)
    if cfg["status_page"]["enabled"]:
        _start_status_server(cfg)
    return app


def _start_status_server(cfg):
    """The status page runs on its own port so it stays up when the main
    workers are busy."""
    status_app = Flask("tasklane-status")
    status_app.config["TASKLANE"] = cfg
    status_app.register_blueprint(status.bp)
    page = cfg["status_page"]
    thread = threading.Thread(
        target=status_app.run,
        kwargs={"host": page["bind"], "port": page["port"], "use_reloader": False},
        daemon=True,
    )
    thread.start()
