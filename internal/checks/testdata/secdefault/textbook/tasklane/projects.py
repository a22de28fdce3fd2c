from flask import Blueprint, jsonify

from .auth import login_required, permission_required
from .models import Project, db

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.route("/")
@login_required
def index():
    return jsonify([{"id": p.id, "name": p.name} for p in Project.query.all()])


@bp.route("/<int:project_id>", methods=["DELETE"])
@permission_required("project.delete")
def delete(project_id):
    db.session.delete(db.get_or_404(Project, project_id))
    db.session.commit()
    return "", 204
