#!/usr/bin/env bash
# Laobing against its ceiling: the same responses served from memory by bare
# axum (examples/ceiling.rs), measured in turns with the same wrk settings, so
# that a busy or noisy machine slows both sides of each ratio alike.
#
#   scripts/bench-ceiling.sh                                   # SQLite, 20 000 volunteers
#   DB=postgres://postgres@127.0.0.1:5432/laobing_bench scripts/bench-ceiling.sh   # an empty PostgreSQL database
#   N=20000 C=64 D=10s R=3 ENC=gzip scripts/bench-ceiling.sh   # R rounds; ENC asks for compressed answers
#
# For each request it prints the median requests/s and p99 of Laobing and of
# the ceiling over R rounds, and Laobing / ceiling; then the server's peak
# memory (VmHWM) while serving, reset after the sign-ins (Argon2id takes 7 MiB
# for a moment per sign-in). Needs wrk and curl; psql for PostgreSQL's ANALYZE.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${BIN:-$TARGET/release/laobing}"
CEIL="${CEIL:-$TARGET/release/examples/ceiling}"
N="${N:-20000}"; C="${C:-64}"; D="${D:-10s}"; T="${T:-2}"; R="${R:-3}"
PORT="${PORT:-18181}"; CPORT="${CPORT:-18282}"; ENC="${ENC:-}"
[ -x "$BIN" ] || cargo build --release
[ -x "$CEIL" ] || cargo build --release --example ceiling
DIR="$(mktemp -d)"
PID=""; CPID=""
trap 'kill $PID $CPID 2>/dev/null || true; rm -rf "$DIR"' EXIT
export LAOBING_DATA_DIR="$DIR"
DB="${DB:-sqlite://$DIR/bench.db}"
echo "== loading the demo town and $N made-up volunteers into ${DB%%://*}"
"$BIN" synthetic --database "$DB" --volunteers "$N"
case "$DB" in postgres*) psql -q "$DB" -c 'VACUUM ANALYZE' ;; esac
"$BIN" serve --database "$DB" --listen "127.0.0.1:$PORT" >"$DIR/server.log" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done

token() { curl -sf "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"username\":\"$1\",\"password\":\"Laobing#2026\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/'; }
session() { # a browser session: the login form with a cookie jar
  local jar="$DIR/jar.$1" csrf
  csrf="$(curl -sf -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n1)"
  curl -sf -b "$jar" -c "$jar" -o /dev/null "$BASE/login" --data-urlencode "username=$1" \
    --data-urlencode "password=Laobing#2026" --data-urlencode "csrf=$csrf" --data-urlencode "next=/" || true
  awk '$6=="lb_session"{print $7}' "$jar"
}
STAFF="$(token zhanxin)"; STAFF_SESSION="$(session zhanxin)"; VOL_SESSION="$(session laobing01)"
echo "== peak memory after start and the sign-ins: $(grep VmHWM "/proc/$PID/status" | awk '{printf "%.1f MB", $2/1024}')"
sleep 3 # the allocator gives the sign-ins' Argon2id buffers back
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || echo "(cannot reset the peak; the figure below includes sign-ins)"
echo "   resident before the load: $(grep VmRSS "/proc/$PID/status" | awk '{printf "%.1f MB", $2/1024}')"

# name | path and query | Authorization | Cookie | content type
REQS=(
  "API list (bearer)|/api/v1/volunteers?limit=20&masked=true|Bearer $STAFF||application/json"
  "/volunteers page (session)|/volunteers||lb_session=$STAFF_SESSION|text/html; charset=utf-8"
  "/me page (volunteer's session)|/me||lb_session=$VOL_SESSION|text/html; charset=utf-8"
  "/healthz|/healthz|||text/plain; charset=utf-8"
)
# the bytes Laobing sends for each, for the ceiling to send
CARGS=()
for i in "${!REQS[@]}"; do
  IFS='|' read -r name url auth cookie ct <<<"${REQS[$i]}"
  H=(); [ -n "$auth" ] && H+=(-H "Authorization: $auth"); [ -n "$cookie" ] && H+=(-H "Cookie: $cookie")
  [ -n "$ENC" ] && H+=(-H "Accept-Encoding: $ENC")
  code="$(curl -s -o "$DIR/body.$i" -w '%{http_code}' "${H[@]}" "$BASE$url")"
  [ "$code" = 200 ] || { echo "$url answered $code"; exit 1; }
  echo "   $name: $(wc -c <"$DIR/body.$i") bytes${ENC:+ ($ENC)}"
  CARGS+=("${url%%\?*}=$DIR/body.$i=$ct")
done
"$CEIL" "127.0.0.1:$CPORT" "${CARGS[@]}" &
CPID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$CPORT/healthz" >/dev/null && break; sleep 0.1; done

cat > "$DIR/h.lua" <<'LUA'
local function set(name, value) if value ~= nil and value ~= "" then wrk.headers[name] = value end end
set("Authorization", os.getenv("AUTH")); set("Cookie", os.getenv("COOKIE")); set("Accept-Encoding", os.getenv("ENC"))
LUA
# prints "requests/s p99_ms non2xx"
measure() {
  local out
  out="$(AUTH="$2" COOKIE="$3" ENC="$ENC" wrk -t"$T" -c"$C" -d"$D" --latency -s "$DIR/h.lua" "$1")"
  echo "$out" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ *99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
               p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }
    /Non-2xx/ { bad = $NF }
    END { printf "%d %.1f %d\n", rps, p99, bad + 0 }'
}
echo "== load average before the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $R rounds of wrk -t$T -c$C -d$D, Laobing then the ceiling for each request${ENC:+, Accept-Encoding: $ENC}"
for r in $(seq "$R"); do
  for i in "${!REQS[@]}"; do
    IFS='|' read -r name url auth cookie ct <<<"${REQS[$i]}"
    read -r lr lp lbad <<<"$(measure "$BASE$url" "$auth" "$cookie")"
    read -r cr cp _ <<<"$(measure "http://127.0.0.1:$CPORT$url" "" "")"
    echo "$i $lr $lp $cr $cp" >>"$DIR/results"
    printf '   round %s  %-32s Laobing %6s/s p99 %6s ms%s   ceiling %6s/s p99 %6s ms\n' \
      "$r" "$name" "$lr" "$lp" "$([ "$lbad" -gt 0 ] && echo " ($lbad not 2xx!)")" "$cr" "$cp"
  done
done
echo "== load average after the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "| request | Laobing req/s | Laobing p99 | bare axum req/s | bare p99 | Laobing / bare |"
echo "|---|---|---|---|---|---|"
for i in "${!REQS[@]}"; do
  IFS='|' read -r name _ <<<"${REQS[$i]}"
  lr="$(awk -v i="$i" '$1 == i {print $2}' "$DIR/results" | median)"
  lp="$(awk -v i="$i" '$1 == i {print $3}' "$DIR/results" | median)"
  cr="$(awk -v i="$i" '$1 == i {print $4}' "$DIR/results" | median)"
  cp="$(awk -v i="$i" '$1 == i {print $5}' "$DIR/results" | median)"
  # the ratio of each round (the two runs side by side), then its median
  ratio="$(awk -v i="$i" '$1 == i {printf "%.4f\n", $2 / $4}' "$DIR/results" | median)"
  printf '| %s | %s | %s ms | %s | %s ms | %.1f %% |\n' "$name" "$lr" "$lp" "$cr" "$cp" "$(echo "$ratio * 100" | bc -l)"
done
echo
echo "== server peak memory while serving (VmHWM): $(grep VmHWM "/proc/$PID/status" | awk '{printf "%.1f MB", $2/1024}')"
grep VmRSS "/proc/$PID/status"
