"""Sign-up and user administration."""
from flask import Blueprint, current_app, jsonify, request

from .auth import hasher, permission_required
from .models import User, db

bp = Blueprint("users", __name__, url_prefix="/users")


def create_user(username, email, password, role=None):
    cfg = current_app.config["TASKLANE"]["users"]
    user = User(
        username=username,
        email=email,
        password_hash=hasher.hash(password),
        role=role or cfg["default_role"],
    )
    db.session.add(user)
    db.session.commit()
    return user


@bp.route("/signup", methods=["POST"])
def signup():
    if not current_app.config["TASKLANE"]["users"]["allow_signup"]:
        return jsonify(error="sign-up is closed"), 403
    data = request.get_json()
    user = create_user(data["username"], data["email"], data["password"])
    return jsonify(id=user.id, role=user.role), 201


@bp.route("/<int:user_id>", methods=["DELETE"])
@permission_required("users.manage")
def delete_user(user_id):
    db.session.delete(db.get_or_404(User, user_id))
    db.session.commit()
    return "", 204
