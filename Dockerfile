# The portal's image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim-bookworm

# Bytecode is compiled once, when the image is built (UV_COMPILE_BYTECODE): the running
# containers write none, and no process compiles a library on its first import.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"

# WeasyPrint needs Pango and fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 portal \
    && mkdir -p /app/media /app/var \
    && chown -R portal /app/media /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
