#!/bin/sh
# The image's entry point: apply the migrations (PostgreSQL, or the SQLite file in the data dir),
# then serve. Arguments are appended to `ticketing serve`; a later --host or --port wins.
set -e
ticketing migrate
exec ticketing serve --host 0.0.0.0 --port 8000 "$@"
