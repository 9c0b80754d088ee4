#!/usr/bin/env bash
# Runs the committed Postman collection's Journey folder with newman (pinned in package-lock.json)
# against a freshly started `oneplan serve --demo` on a throwaway SQLite database, on a free
# loopback port. Exits non-zero if any test fails. Used by CI (.ci/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"
[ -x node_modules/.bin/newman ] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -o "$work/oneplan" ./cmd/oneplan)
ONEPLAN_DATABASE_URL="$work/demo.db" ONEPLAN_ADDR=127.0.0.1:0 ONEPLAN_ALLOW_TEST_NHS_NUMBERS=true \
  ONEPLAN_SWEEP_INTERVAL=0 ONEPLAN_DISPATCH_INTERVAL=0 \
  "$work/oneplan" serve --demo >"$work/out" 2>"$work/log" &
server=$!

# The banner names the address and prints the admin and demo SEND officer keys once.
for _ in $(seq 1 300); do
  grep -q 'try: curl' "$work/out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/out" "$work/log"; echo "oneplan serve exited"; exit 1; }
  sleep 0.1
done
base="$(sed -n 's/^OnePlan is serving on \(http:[^ ]*\).*/\1/p' "$work/out")"
admin="$(sed -n 's/.*admin API key (shown once, keep it safe): \(op_[A-Za-z0-9_]*\).*/\1/p' "$work/out")"
officer="$(sed -n 's/.*demo SEND officer API key: \(op_[A-Za-z0-9_]*\).*/\1/p' "$work/out")"
if [ -z "$base" ] || [ -z "$admin" ] || [ -z "$officer" ]; then
  cat "$work/out"; echo "could not read the address and keys from oneplan serve"; exit 1
fi
echo "newman: the Journey folder against $base"
node_modules/.bin/newman run "${POSTMAN_COLLECTION:-$root/docs/postman/oneplan.postman_collection.json}" --folder Journey \
  --env-var "baseUrl=$base" --env-var "apiKey=$officer" --env-var "adminKey=$admin" \
  --reporters cli --reporter-cli-no-banner --color off
