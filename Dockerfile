# PARS: one image for the API (`pars serve`), the projection worker (`pars projections run`)
# and one-shot commands (`pars projections status` creates the schema; `pars admin ...`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# psycopg[binary] and lxml ship wheels: no compiler or libpq needed.
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY commands ./commands
COPY projections ./projections
COPY services ./services
COPY adapters ./adapters
RUN pip install . && rm -rf build *.egg-info

# Run unprivileged; var/ (generated secret key when PARS_SECRET_KEY is unset, file mail) is the only writable place.
RUN useradd --system --create-home --home-dir /home/pars --uid 10001 pars \
    && mkdir -p /app/var \
    && chown pars /app/var
USER pars

EXPOSE 8000
CMD ["pars", "serve", "--host", "0.0.0.0", "--port", "8000"]
