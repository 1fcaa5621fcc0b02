# syntax=docker/dockerfile:1
#
# ticketing: web app + scheduler + mail workers in one process.
#
#   docker build -t ticketing .
#   docker run -p 8000:8000 -v ticketing-data:/var/lib/ticketing ticketing            # embedded SQLite
#   docker run -p 8000:8000 -e TICKETING_DATABASE_URL=postgresql://... ticketing      # PostgreSQL
#   docker run ... ticketing --demo                    # extra arguments go to `ticketing serve`
#   docker run --rm -it --entrypoint ticketing ticketing user add ...                   # other commands
#
# The app finds migrations/ and emails/ next to the ticketing/ package (ticketing/piccolo_app.py,
# ticketing/mail/rendering.py), so the source tree is kept at /app and installed into the venv in
# editable mode; builder and runtime use the same paths (/app, /opt/venv) and the same base image.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv

WORKDIR /app
COPY . /app
RUN /opt/venv/bin/pip install -e /app \
 && /opt/venv/bin/python -m compileall -q /app/ticketing /app/migrations \
 && /opt/venv/bin/ticketing --help >/dev/null

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TICKETING_DATA_DIR=/var/lib/ticketing

RUN groupadd --system ticketing \
 && useradd --system --gid ticketing --home-dir /var/lib/ticketing --no-create-home \
        --shell /usr/sbin/nologin ticketing \
 && mkdir -p /var/lib/ticketing \
 && chown ticketing:ticketing /var/lib/ticketing \
 && chmod 0750 /var/lib/ticketing

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

WORKDIR /app
USER ticketing
VOLUME ["/var/lib/ticketing"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Apply migrations (PostgreSQL or the SQLite file in the data dir), then serve.
# Arguments given to `docker run IMAGE ...` are appended to `ticketing serve`.
ENTRYPOINT ["/bin/sh", "-c", "ticketing migrate && exec ticketing serve --host 0.0.0.0 --port 8000 \"$@\"", "ticketing"]
CMD []
