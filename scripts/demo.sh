#!/usr/bin/env bash
# Set up libcat and run its main job on the embedded default: an SQLite catalogue in ./demo/,
# filled from the bundled Kazakh and Russian sample records, with digitized scans and a contract,
# then print what is in it and the annual report's tables in Russian and Kazakh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export LIBCAT_DB="$PWD/demo/libcat.db"
export LIBCAT_FILES="$PWD/demo/files"
rm -rf demo && mkdir -p demo
libcat() { .venv/bin/libcat "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "libcat init"
libcat init

say "libcat import: the central library's IRBIS export, a RUSMARC file, a branch export with a broken record"
libcat import --branch central samples/kazakh-books-and-articles.txt
libcat import --branch nlr samples/rusmarc-sample.iso
libcat import --branch branch-3 samples/broken-records.txt || echo "(exit status $?: the broken record is in quarantine, the good ones went in)"
libcat quarantine list

say "libcat digitize import: scans linked to the records"
if [ -f samples/digitization.csv ]; then
  libcat digitize import samples/digitization.csv
fi
libcat collection list

say "libcat subcat list (code, since, live records, ru, kk, en)"
libcat subcat list

say "libcat list"
libcat list

say "libcat stats --table ek --year 2024 (ru, kk)"
libcat stats --table ek --year 2024 --lang ru
libcat stats --table ek --year 2024 --lang kk

say "libcat stats --table digitization --year 2024 (ru, kk)"
libcat stats --table digitization --year 2024 --lang ru
libcat stats --table digitization --year 2024 --lang kk

say "libcat oai serve, harvested by libcat harvest into a second catalogue (demo/mirror.db)"
PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The server itself (not the shell function's subshell) in the background, so that killing $oai_pid stops it.
.venv/bin/libcat oai serve --port "$PORT" --repository-id demo.libcat.kz --repository-name "libcat demo" >demo/oai.log 2>&1 &
oai_pid=$!
trap 'kill $oai_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  .venv/bin/python -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
  sleep 0.2
done
echo "http://127.0.0.1:$PORT/oai?verb=Identify"
.venv/bin/libcat --db demo/mirror.db init >/dev/null
.venv/bin/libcat --db demo/mirror.db harvest "http://127.0.0.1:$PORT/oai" --prefix marc21 --name demo
.venv/bin/libcat --db demo/mirror.db list | sed -n "1,5p"
kill $oai_pid 2>/dev/null || true

say "Next"
cat <<TXT
The catalogue is $LIBCAT_DB. Try:
  .venv/bin/libcat --db demo/libcat.db show 1
  .venv/bin/libcat --db demo/libcat.db report --year 2024 --lang kk -o demo/report-2024.xlsx
  .venv/bin/libcat --db demo/libcat.db oai serve        # then open http://127.0.0.1:8080/oai?verb=Identify
TXT
