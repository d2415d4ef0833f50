from flask.cli import AppGroup

users_cli = AppGroup("users", help="Create users and change their role.")
