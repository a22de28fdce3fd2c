"""Login, sessions and the first administrator."""
import functools

from argon2 import PasswordHasher
from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user

from .models import User, db

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
hasher = PasswordHasher()


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


def permission_required(permission):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            roles = current_app.config["TASKLANE"]["roles"]
            granted = roles.get(current_user.role, {}).get("permissions", [])
            if "*" not in granted and permission not in granted:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ensure_admin(admin_cfg):
    """Creates the administrator without a usable password on first start;
    the password is chosen through the one-time setup link."""
    if User.query.filter_by(role="admin").first():
        return
    user = User(
        username=admin_cfg["username"],
        email=admin_cfg["email"],
        password_hash="!",  # no password matches until setup completes
        role="admin",
    )
    db.session.add(user)
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = User.query.filter_by(username=request.form["username"]).first()
        try:
            if user and hasher.verify(user.password_hash, request.form["password"]):
                login_user(user)
                return redirect(url_for("projects.index"))
        except Exception:
            pass
        abort(401)
    return current_app.send_static_file("login.html")
