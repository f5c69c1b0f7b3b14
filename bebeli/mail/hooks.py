"""Deliver mail queued by a request once its response has been sent (the request committed)."""
from flask import Flask, current_app, g


def init_app(app: Flask) -> None:
    @app.after_request
    def deliver_after_response(response):
        if g.get("mail_queued") and response.status_code < 400:
            app_obj = current_app._get_current_object()

            def _deliver():
                from bebeli.mail.services import deliver_pending

                with app_obj.app_context():
                    deliver_pending()

            response.call_on_close(_deliver)
        return response
