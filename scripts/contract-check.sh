#!/usr/bin/env bash
# Contract checks (make contract-check, CI):
#  1. Spectral (pinned in tools/spectral) lints openapi.yaml with .spectral.yaml: zero errors.
#  2. oasdiff (pinned in tools/oasdiff/go.mod) compares openapi.yaml with the last released
#     contract, the highest versions/<x.y.z>/openapi.yaml. A breaking change fails, unless
#     info.version is a new major version (for 0.y, a new minor) that CHANGELOG.md describes
#     under its own "## [x.y.z]" heading, and the released contract is then snapshotted as
#     versions/<x.y.z>/openapi.yaml when it is released.
# Examples against their schemas, and descriptions and examples being present, are checked by
# the Go test in internal/contracttest (go test ./internal/contracttest/).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}

echo "== Spectral lint (.spectral.yaml)"
spectral=tools/spectral/node_modules/.bin/spectral
if [ ! -x "$spectral" ]; then
  command -v npm >/dev/null || { echo "npm is required (apt-get install nodejs npm)"; exit 1; }
  (cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error)
fi
"$spectral" lint --ruleset .spectral.yaml --fail-severity error --display-only-failures openapi.yaml

echo "== Breaking changes (oasdiff) against the last released contract"
base=$(ls -d versions/*/ 2>/dev/null | sed 's#versions/##; s#/$##' | sort -V | tail -1)
[ -n "$base" ] || { echo "no released contract under versions/"; exit 1; }
current=$(sed -n 's/^  version: *//p' openapi.yaml | head -1 | tr -d '"'"'")
echo "released: $base (versions/$base/openapi.yaml); openapi.yaml info.version: $current"

oasdiff() { $GO tool -modfile=tools/oasdiff/go.mod oasdiff "$@"; }
# tools/oasdiff/severity-levels.txt lowers a new value in a response enum to a warning: clients
# treat an unknown response enum value as "other" (README "Contract stability"), so it is an addition.
levels=(--severity-levels tools/oasdiff/severity-levels.txt)

# Self-test first: a copy of the contract with an operation's path renamed must fail, so a
# misconfigured check cannot pass silently.
broken=$(mktemp); trap 'rm -f "$broken"' EXIT
sed 's#^  /v1/referrals/{id}:$#  /v1/contract-check-self-test/{id}:#' openapi.yaml > "$broken"
if cmp -s openapi.yaml "$broken" || oasdiff breaking "${levels[@]}" "versions/$base/openapi.yaml" "$broken" --fail-on ERR --color never >/dev/null 2>&1; then
  echo "self-test failed: oasdiff did not report a removed path as breaking" >&2
  exit 1
fi
if oasdiff breaking "${levels[@]}" "versions/$base/openapi.yaml" openapi.yaml --fail-on ERR --color never --format singleline; then
  echo "no breaking changes against $base"
  exit 0
fi

# A breaking change: allowed only with a new major version (0.y: a new minor) and its changelog entry.
major() { # the part of a semantic version that must change for a breaking change
  local IFS=.; set -- $1
  if [ "$1" = 0 ]; then echo "0.$2"; else echo "$1"; fi
}
if [ "$(major "$current")" != "$(major "$base")" ] && [ "$(printf '%s\n%s\n' "$base" "$current" | sort -V | tail -1)" = "$current" ] \
  && grep -q "^## \[$current\]" CHANGELOG.md; then
  echo "breaking changes above are allowed: info.version $current is a new major version with a CHANGELOG.md entry"
  exit 0
fi
cat >&2 <<MSG

The contract has breaking changes against the released $base (listed above).
Within a version only additions are allowed: add a new field, operation or enum value for
requests instead of changing or removing one. If the break is intended, bump info.version to a
new major version (for 0.y, a new minor), describe it in CHANGELOG.md under "## [<version>]",
and see "Contract stability" in README.md.
MSG
exit 1
