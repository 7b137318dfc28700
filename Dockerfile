# The Newsroom app server: gunicorn (newsroom/gunicorn.conf.py) with WhiteNoise serving
# the collected static files. Stateless: media live in volumes or object storage, the
# database and cache elsewhere. Migrations run once per deploy (`manage.py migrate`,
# the `migrate` service in docker-compose.yml), not in every container that starts.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin newsroom

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY manage.py ./
COPY core ./core
COPY outbox ./outbox
COPY newsroom ./newsroom
COPY articles ./articles
COPY desk ./desk
COPY interchange ./interchange
COPY media_library ./media_library
COPY press ./press
COPY alerts ./alerts
COPY embargo ./embargo
COPY templates ./templates
COPY locale ./locale
COPY static ./static
COPY scripts/healthcheck.py ./scripts/healthcheck.py

# Settings refuse to load in production without a secret; this one is used for nothing
# but collecting static files at build time.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private_media \
    && chown newsroom:newsroom /app/media /app/private_media

USER newsroom
EXPOSE 8000
# Public media (renditions, documents; served by nginx) and private originals (never served).
VOLUME ["/app/media", "/app/private_media"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "--config", "newsroom/gunicorn.conf.py"]
