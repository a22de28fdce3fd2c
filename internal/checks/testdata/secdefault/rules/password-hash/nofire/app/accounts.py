import base64
import hashlib

import bcrypt


def reset_digest(password_reset_token):
    return hashlib.sha256(password_reset_token.encode()).hexdigest()


def store(user, password):
    pre = base64.b64encode(hashlib.sha256(password.encode()).digest())
    user.password_hash = bcrypt.hashpw(pre, bcrypt.gensalt())
