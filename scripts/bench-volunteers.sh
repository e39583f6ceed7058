#!/usr/bin/env bash
# Load run for the volunteer list (API and page) with N volunteers on SQLite,
# signed in, C concurrent clients on loopback. Needs wrk (apt-get install wrk).
# Prints wrk's latency distribution and the server's peak memory (VmHWM).
#   N=20000 C=64 D=20s scripts/bench-volunteers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/laobing}"
N="${N:-20000}"; C="${C:-64}"; D="${D:-20s}"; T="${T:-2}"; PORT="${PORT:-18181}"
[ -x "$BIN" ] || cargo build --release
DIR="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT
export LAOBING_DATA_DIR="$DIR"
"$BIN" synthetic --volunteers "$N"
"$BIN" serve --database "sqlite://$DIR/demo.db" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"
token() { curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"Laobing#2026\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
STAFF="$(token zhanxin)"; LEADER="$(token huiche_dz)"
# a browser session for the page: log in through the form with a cookie jar
JAR="$DIR/cookies"
CSRF="$(curl -sf -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)"
curl -sf -b "$JAR" -c "$JAR" -o /dev/null "$BASE/login" --data-urlencode "username=zhanxin" \
  --data-urlencode "password=Laobing#2026" --data-urlencode "csrf=$CSRF" --data-urlencode "next=/" || true
SESSION="$(awk '$6=="lb_session"{print $7}' "$JAR")"
# Each sign-in hashes with Argon2id (7 MiB); reset the peak so what follows
# measures serving, and report sign-in memory separately.
echo "== peak memory after start and three sign-ins"; grep VmHWM "/proc/$PID/status"
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || echo "(cannot reset the peak; the figure below includes sign-ins)"
cat > "$DIR/auth.lua" <<'LUA'
wrk.headers["Authorization"] = os.getenv("AUTH")
wrk.headers["Cookie"] = os.getenv("COOKIE")
LUA
run() {
  echo "== $1"
  AUTH="$2" COOKIE="$3" wrk -t"$T" -c"$C" -d"$D" --latency -s "$DIR/auth.lua" "$4" | sed -n '/Latency Distribution/,/Requests\/sec/p;/Non-2xx/p'
}
run "API, town staff, masked list (20 rows)" "Bearer $STAFF" "" "$BASE/api/v1/volunteers?limit=20&masked=true"
run "API, team leader, own village (20 rows)" "Bearer $LEADER" "" "$BASE/api/v1/volunteers?limit=20"
run "API, town staff, unmasked list (20 rows, one audit entry per request)" "Bearer $STAFF" "" "$BASE/api/v1/volunteers?limit=20"
run "page /volunteers (20 cards, with total count)" "" "lb_session=$SESSION" "$BASE/volunteers"
echo "== server peak memory while serving the load"
grep -E 'VmHWM|VmRSS' "/proc/$PID/status"
