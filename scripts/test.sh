#!/usr/bin/env bash
# Set up everything the tests need and run the whole suite, against SQLite and PostgreSQL.
#
# Installs (when missing, as root with apt-get): a PostgreSQL server, yaz (yaz-marcdump),
# Catmandu's OAI client and HTTP::OAI's oai_pmh. Starts a private PostgreSQL cluster on
# 127.0.0.1 unless LIBCAT_TEST_PG already names a server. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

need_apt=()
command -v yaz-marcdump >/dev/null 2>&1 || need_apt+=(yaz)
command -v catmandu >/dev/null 2>&1 || need_apt+=(libcatmandu-oai-perl libcatmandu-marc-perl)
command -v oai_pmh >/dev/null 2>&1 || need_apt+=(libhttp-oai-perl)
if [ -z "${LIBCAT_TEST_PG:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing ${need_apt[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "test: missing ${need_apt[*]} and cannot apt-get install them (not root); those tests will skip" >&2
  fi
fi

PGDIR=""
cleanup() {
  if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
    $PGRUN "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$PGDIR" ] && rm -rf "$PGDIR"
}
trap cleanup EXIT

if [ -z "${LIBCAT_TEST_PG:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PGBIN" ]; then
    echo "test: no PostgreSQL server binaries found and none given in LIBCAT_TEST_PG" >&2
    exit 1
  fi
  PGDIR=$(mktemp -d /tmp/libcat-pg.XXXXXX)
  PGRUN=""
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PGDIR"
    PGRUN="runuser -u postgres --"
  fi
  PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $PGRUN "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  $PGRUN "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 \
    -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  export LIBCAT_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
  echo "test: started PostgreSQL ($("$PGBIN/postgres" --version)) on 127.0.0.1:$PORT" >&2
fi

set +e
.venv/bin/python -m pytest -p no:cacheprovider -ra "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "test: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
