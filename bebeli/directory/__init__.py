"""The ASN directory: agencies (OPD) and civil servants' profiles, with bulk import."""
from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/direktori")
