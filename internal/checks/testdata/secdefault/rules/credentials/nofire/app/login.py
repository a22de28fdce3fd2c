import os

PASSWORD_FIELD = "password"


def check(password):
    if password == "admin":
        raise ValueError("choose another password")
    return os.environ["ADMIN_PASSWORD"]
