#!/usr/bin/env bash
# The county summary report at county scale: 20 towns of 20 villages, 100 000
# volunteers and 5 000 000 service records spread over the last year, on
# SQLite or PostgreSQL. Times the report for the calendar year, for almost a
# year with loose days at both ends, for 30 days and as a workbook, each asked
# R times one after another by one client, as an admin would; prints the
# median, minimum and maximum.
#   scripts/bench-summary.sh                                  # SQLite in a temporary directory
#   DB=postgres://postgres@127.0.0.1:5432/laobing_bench scripts/bench-summary.sh   # an empty PostgreSQL database
#   KEEP=/path/to/dir scripts/bench-summary.sh                # keep (or reuse) the SQLite file
# Loading takes a while (minutes); the load's time is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/laobing}"
R="${R:-9}"; PORT="${PORT:-18182}"
RECORDS="${RECORDS:-5000000}"; VOLUNTEERS="${VOLUNTEERS:-100000}"; TOWNS="${TOWNS:-20}"
[ -x "$BIN" ] || cargo build --release
DIR="${KEEP:-$(mktemp -d)}"
mkdir -p "$DIR"
trap 'kill "$PID" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$DIR"' EXIT
export LAOBING_DATA_DIR="$DIR"
DB="${DB:-sqlite://$DIR/county.db}"
if [ ! -f "$DIR/loaded" ]; then
  /usr/bin/time -f "load: %e s, peak %M KB" "$BIN" synthetic-county --database "$DB" \
    --towns "$TOWNS" --volunteers "$VOLUNTEERS" --records "$RECORDS" --days 365 | tee "$DIR/loaded"
  printf 'Bench#Admin2026\n' | "$BIN" user add --database "$DB" --username benchadmin --role admin --password-stdin
fi
COUNTY="$(sed -n 's/^county \([0-9]*\):.*/\1/p' "$DIR/loaded")"
"$BIN" serve --database "$DB" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
TOKEN="$(curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"benchadmin","password":"Bench#Admin2026"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')"
# Periods that end yesterday (local time), the last day with data. The
# "year" one starts on the 2nd of the month eleven months back, so that it has
# loose days at both ends (the dearest shape: a month of days each side).
export TZ=Asia/Shanghai
END="$(date -d yesterday +%F)"
[ "$(date -d "$END +1 day" +%d)" = 01 ] && END="$(date -d "$END -1 day" +%F)"
YEAR_FROM="$(date -d "$(date -d "$END" +%Y-%m-01) -11 months" +%Y-%m)-02"
MONTH_FROM="$(date -d "$END -29 days" +%F)"
YEAR="$(date -d "$END" +%Y)"
time_it() {
  local label="$1" url="$2" times=()
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$url"   # warm the cache once
  for _ in $(seq "$R"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$url")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%s: median %.0f ms, min %.0f ms, max %.0f ms (%d runs)\n", l, a[int((NR+1)/2)]*1000, a[1]*1000, a[NR]*1000, NR}'
}
curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/summary?region_id=$COUNTY&from=$YEAR_FROM&to=$END" \
  | head -c 400; echo
time_it "county, calendar year $YEAR (whole year from the tallies)" "$BASE/api/v1/reports/summary?region_id=$COUNTY&from=$YEAR-01-01&to=$YEAR-12-31"
time_it "county, $YEAR_FROM to $END (almost a year; loose days at both ends)" "$BASE/api/v1/reports/summary?region_id=$COUNTY&from=$YEAR_FROM&to=$END"
time_it "county, $MONTH_FROM to $END (30 days)" "$BASE/api/v1/reports/summary?region_id=$COUNTY&from=$MONTH_FROM&to=$END"
time_it "county, $YEAR_FROM to $END as a workbook" "$BASE/api/v1/reports/summary?region_id=$COUNTY&from=$YEAR_FROM&to=$END&format=xlsx"
