"""Shared auth: accounts, roles, login/logout, password change and reset, lockout."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
