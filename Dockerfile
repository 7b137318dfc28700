FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

WORKDIR /app
RUN useradd --create-home --uid 1000 newsroom

COPY pyproject.toml ./
COPY newsroom ./newsroom
COPY articles ./articles
COPY media_library ./media_library
COPY press ./press
RUN pip install --no-cache-dir .

COPY . .
# collectstatic needs a secret to import settings; it is not used for anything else.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R newsroom /app/media

USER newsroom
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn newsroom.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile -"]
