"""The Dinas's view of the UMKM economy ("naik kelas"): growth by class, where BEBELI's money
goes, and legality coverage. Administrators only: agency admins never see seller figures."""
from flask import Blueprint

bp = Blueprint("growth", __name__, url_prefix="/admin/pertumbuhan")
