"""Domain errors, and the handlers that turn any error into a page or a JSON body.

Services raise `DomainError` subclasses; views may catch them to show a form message. Anything
left uncaught becomes an error page in the site's style, or JSON for API and JSON requests.
"""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from bebeli.db_blips import blip_response, is_connection_error

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. `message` is safe to show to the user."""

    status_code = 400
    code = "domain_error"
    default_message = _l("Permintaan tidak dapat diproses.")

    def __init__(self, message: str | None = None, **details):
        self.message = message or self.default_message
        self.details = details
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"
    default_message = _l("Anda tidak berwenang melakukan tindakan ini.")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _l("Data tidak ditemukan.")


class ValidationFailed(DomainError):
    status_code = 422
    code = "invalid"
    default_message = _l("Data yang dikirim tidak valid.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _l("Data telah berubah; muat ulang halaman dan coba lagi.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _l("Perubahan status ini tidak diperbolehkan.")


class OutOfStock(Conflict):
    code = "out_of_stock"
    default_message = _l("Stok tidak mencukupi.")


class QuotaExceeded(Conflict):
    code = "quota_exceeded"
    default_message = _l("Pembelian melebihi batas bulanan Anda.")


class BudgetExceeded(Conflict):
    code = "budget_exceeded"
    default_message = _l("Nilai pesanan melebihi sisa pagu anggaran.")


class AccountLocked(DomainError):
    status_code = 403
    code = "account_locked"


ERROR_TITLES = {
    400: _l("Permintaan tidak valid"),
    403: _l("Akses ditolak"),
    404: _l("Halaman tidak ditemukan"),
    405: _l("Metode tidak diizinkan"),
    409: _l("Terjadi konflik"),
    413: _l("Berkas terlalu besar"),
    422: _l("Data tidak valid"),
    429: _l("Terlalu banyak permintaan"),
    500: _l("Terjadi kesalahan pada server"),
    503: _l("Layanan sedang sibuk"),
}

ERROR_MESSAGES = {
    400: _l("Permintaan tidak dapat dibaca. Periksa kembali isian Anda."),
    403: _l("Anda tidak memiliki akses ke halaman ini."),
    404: _l("Halaman yang Anda cari tidak ada atau telah dipindahkan."),
    405: _l("Tindakan ini tidak tersedia dengan cara tersebut."),
    413: _l("Berkas yang diunggah melebihi batas ukuran."),
    429: _l("Anda terlalu sering mencoba. Tunggu sebentar lalu coba lagi."),
    500: _l("Maaf, terjadi kesalahan. Tim kami telah dicatat untuk menanganinya."),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message, code: str | None = None, details: dict | None = None):
    request_id = getattr(g, "request_id", None)
    if wants_json():
        body = {"error": code or str(status), "message": str(message), "status": status}
        if details:
            body["details"] = details
        if request_id:
            body["request_id"] = request_id
        return jsonify(body), status
    title = ERROR_TITLES.get(status, ERROR_TITLES[400])
    return (
        render_template("errors/error.html", status=status, title=title, message=message, request_id=request_id),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    from bebeli import db_blips

    db_blips.init_app(app)

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return error_response(error.status_code, error.message, error.code, error.details or None)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status == 400 and getattr(error, "description", "").startswith("The CSRF"):
            message = _l("Sesi formulir telah kedaluwarsa atau tidak valid. Muat ulang halaman dan kirim lagi.")
        else:
            message = ERROR_MESSAGES.get(status, error.description)
        response = error_response(status, message, error.name.lower().replace(" ", "_"))
        if status == 429 and getattr(error, "retry_after", None):
            response[0].headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - routed above
            return handle_http_error(error)
        if is_connection_error(error):  # a database blip: 503 "coba lagi", never 500
            return blip_response(error)
        log.exception("unhandled error (request id %s)", getattr(g, "request_id", "-"))
        from bebeli.extensions import db

        db.session.rollback()
        return error_response(500, ERROR_MESSAGES[500], "internal_error")
