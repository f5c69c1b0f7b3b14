"""ASN purchase quotas: policies, the ledger, enforcement and monitoring."""
from flask import Blueprint

bp = Blueprint("quotas", __name__, url_prefix="/kuota")
