"""Sanctions on shops: a configurable policy suggests them from the evidence (upheld
complaints, later the shop's rating), and only an administrator's confirmation applies one:
a warning, a temporary hide of the shop's offers (lifting itself on its end date), or a
suspension. The seller sees why and until when on their dashboard.

    policy     the rules, one object each, in one list (`RULES`); `suggestions()`
    models     Sanction (one row per confirmed sanction)
    services   `confirm_sanction`, `lift_expired_hides`
    views      the administrators' suggested-sanctions list and confirmation form
"""
from flask import Blueprint

bp = Blueprint("sanctions", __name__, url_prefix="/admin/sanksi")
