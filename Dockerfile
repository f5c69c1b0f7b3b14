# BEBELI: one image for the web app (gunicorn), the migration and the scheduled commands.
#   docker build -t bebeli .        — and see compose.yaml for the whole deployment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BEBELI_CONFIG=production \
    FLASK_APP=wsgi:app \
    BIND=0.0.0.0:8000 \
    UPLOAD_DIR=/data/uploads

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The app runs from /app: templates, static files, translations and migrations live beside the
# package, so it is installed in place (-e) rather than copied into site-packages.
COPY . .
RUN pip install --no-deps -e . \
    && pybabel compile -d translations \
    && useradd --system --uid 10001 --create-home --home-dir /home/bebeli bebeli \
    && mkdir -p /data/uploads \
    && chown bebeli:bebeli /data/uploads

USER bebeli
EXPOSE 8000
VOLUME ["/data/uploads"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
