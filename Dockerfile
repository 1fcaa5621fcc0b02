# syntax=docker/dockerfile:1
#
# ticketing: web app + scheduler + mail workers in one process, installed from its wheel.
#
#   docker build -t ticketing .
#   docker run -p 8000:8000 -v ticketing-data:/var/lib/ticketing ticketing            # embedded SQLite
#   docker run -p 8000:8000 -e TICKETING_DATABASE_URL=postgresql://... ticketing      # PostgreSQL
#   docker run ... ticketing --demo                    # extra arguments go to `ticketing serve`
#   docker run --rm -it --entrypoint ticketing ticketing user add ...                   # other commands
#
# Stage 1 builds the wheel (it carries the migrations, mail templates, pages and the bundled desks
# file: ticketing/resources.py); stage 2 installs only that wheel into a virtualenv and adds the
# entry point: no source tree, no build tools, a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY ticketing ./ticketing
COPY migrations ./migrations
COPY emails ./emails
RUN pip wheel --no-deps --wheel-dir /dist .

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TICKETING_DATA_DIR=/var/lib/ticketing
# Only the wheel (and its dependencies, all published as binary wheels) is installed here.
RUN --mount=type=bind,from=builder,source=/dist,target=/dist \
    python -m venv /opt/venv \
 && /opt/venv/bin/pip install /dist/ticketing-*.whl \
 && /opt/venv/bin/ticketing --version
RUN groupadd --system ticketing \
 && useradd --system --gid ticketing --home-dir /var/lib/ticketing --no-create-home \
        --shell /usr/sbin/nologin ticketing \
 && install -d -o ticketing -g ticketing -m 0700 /var/lib/ticketing
COPY docker/entrypoint.sh /usr/local/bin/ticketing-entrypoint
WORKDIR /var/lib/ticketing
USER ticketing
VOLUME ["/var/lib/ticketing"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["/usr/local/bin/ticketing-entrypoint"]
CMD []
