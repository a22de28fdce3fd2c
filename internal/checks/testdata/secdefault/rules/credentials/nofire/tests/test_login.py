ADMIN = ("admin", "admin")
password = "admin"
