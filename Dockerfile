# Apologismos API: slim image, non-root user, migrations at start, then uvicorn.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APOLOGISMOS_ENVIRONMENT=production \
    APOLOGISMOS_DATABASE_URL=sqlite:////data/apologismos.db \
    WEB_CONCURRENCY=2

RUN useradd --create-home --uid 10001 apologismos \
    && mkdir -p /data && chown apologismos /data
WORKDIR /srv/apologismos

# Dependencies first (cached while only the code changes).
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py && pip install . && pip uninstall -y apologismos && rm -rf app

COPY alembic.ini ./
COPY migrations ./migrations
COPY templates_xlsx ./templates_xlsx
COPY app ./app
RUN pip install --no-deps -e .

USER apologismos
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"

# APOLOGISMOS_SECRET_KEY must be given at run time: the app refuses the default outside development.
CMD ["sh", "-c", "apologismos db upgrade && exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --proxy-headers --forwarded-allow-ips='*'"]
