#!/usr/bin/env bash
# Times the roster import (laobing import volunteers) of an N-row workbook into
# the demo town, on SQLite and on PostgreSQL, with /usr/bin/time -v.
#   N=100000 scripts/bench-import.sh
#   PG=postgres://postgres@127.0.0.1:5432 N=100000 scripts/bench-import.sh   # PostgreSQL too
#   PYTHON=venv/bin/python XLS_ROWS=10000 ...   # also time an Excel 97-2003 .xls of XLS_ROWS rows
# Each database is made fresh; the demo town (its 21 villages and 226 volunteers) is loaded first.
# The .xls is written by scripts/make-sample-rosters.py, which needs xlwt and XlsxWriter
# (python3 -m venv venv && venv/bin/pip install xlwt==1.3.0 XlsxWriter==3.3.1); without them it is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/laobing}"
N="${N:-100000}"
[ -x "$BIN" ] || cargo build --release
DIR="$(mktemp -d)"
DBNAME="laobing_bench_import_$$"
cleanup() {
  rm -rf "$DIR"
  if [ -n "${PG:-}" ]; then psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
export LAOBING_DATA_DIR="$DIR"
PYTHON="${PYTHON:-python3}"
XLS_ROWS="${XLS_ROWS:-10000}"
XLS=""
if "$PYTHON" -c 'import xlwt, xlsxwriter' 2>/dev/null; then
  XLS="$DIR/roster.xls"
  "$PYTHON" scripts/make-sample-rosters.py --xls-rows "$XLS_ROWS" "$XLS"
  echo ".xls workbook: $XLS_ROWS rows, $(du -h "$XLS" | cut -f1)"
else
  echo "no xlwt/XlsxWriter for $PYTHON: the .xls is not timed"
fi

bench() {
  local url="$1" label="$2"
  "$BIN" synthetic --volunteers 0 --database "$url" >/dev/null
  [ -f "$DIR/roster.xlsx" ] || {
    "$BIN" synthetic-roster --database "$url" --rows "$N" -o "$DIR/roster.xlsx"
    echo "workbook: $(du -h "$DIR/roster.xlsx" | cut -f1)"
  }
  echo "== $label: dry run (read and check only)"
  /usr/bin/time -v "$BIN" import volunteers "$DIR/roster.xlsx" --dry-run --database "$url" 2>"$DIR/time.txt" | tail -n 2
  grep -E 'Elapsed|Maximum resident' "$DIR/time.txt"
  echo "== $label: import"
  /usr/bin/time -v "$BIN" import volunteers "$DIR/roster.xlsx" --database "$url" 2>"$DIR/time.txt" | tail -n 1
  grep -E 'Elapsed|Maximum resident|Percent of CPU' "$DIR/time.txt"
  echo "== $label: the same file again (every row matched by ID number, nothing changes)"
  /usr/bin/time -v "$BIN" import volunteers "$DIR/roster.xlsx" --database "$url" 2>"$DIR/time.txt" | tail -n 1 || true
  grep -E 'Elapsed|Maximum resident' "$DIR/time.txt"
  if [ -n "$XLS" ]; then
    echo "== $label: .xls of $XLS_ROWS rows, dry run"
    /usr/bin/time -v "$BIN" import volunteers "$XLS" --dry-run --database "$url" 2>"$DIR/time.txt" | tail -n 1
    grep -E 'Elapsed|Maximum resident' "$DIR/time.txt"
    echo "== $label: .xls of $XLS_ROWS rows, import"
    /usr/bin/time -v "$BIN" import volunteers "$XLS" --database "$url" 2>"$DIR/time.txt" | tail -n 1
    grep -E 'Elapsed|Maximum resident' "$DIR/time.txt"
  fi
}

bench "sqlite://$DIR/bench.db" "SQLite"
if [ -n "${PG:-}" ]; then
  psql -q "$PG/postgres" -c "CREATE DATABASE $DBNAME" >/dev/null
  bench "$PG/$DBNAME" "PostgreSQL"
fi
