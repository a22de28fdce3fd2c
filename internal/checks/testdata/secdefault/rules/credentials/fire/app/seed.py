from .users import create_user


def seed():
    create_user("admin", password="admin123", role="admin")
