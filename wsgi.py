"""WSGI entry point: `gunicorn wsgi:app` (production) or `flask --app wsgi run`."""
import os

from bebeli import create_app

app = create_app(os.environ.get("BEBELI_CONFIG", "development"))
