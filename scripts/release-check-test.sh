#!/usr/bin/env bash
# Self-test of scripts/release-check.sh (make release-check-test, CI): on a copy of the
# repository's contract, changelog and go.mod, prepare release 0.99.0 the way the README says,
# check it passes, then break each thing it checks and check it fails naming it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

prepare() { # a tree ready to release 0.99.0
  rm -rf "$work/t"; mkdir -p "$work/t/versions/0.1.0" "$work/t/versions/0.99.0"
  cp "$root/go.mod" "$work/t/"
  sed 's/^  version: .*/  version: 0.99.0/' "$root/openapi.yaml" > "$work/t/openapi.yaml"
  cp "$work/t/openapi.yaml" "$work/t/versions/0.99.0/openapi.yaml"
  cp "$root/versions/0.1.0/openapi.yaml" "$work/t/versions/0.1.0/"
  cat > "$work/t/CHANGELOG.md" <<'MD'
# Changelog

## [Unreleased]

## [0.99.0] - 2026-12-24

### Added
- Something integrators can use.

## [0.1.0] - 2026-12-03

[Unreleased]: https://github.com/oneplan-send/oneplan/compare/v0.99.0...HEAD
[0.99.0]: https://github.com/oneplan-send/oneplan/releases/tag/v0.99.0
[0.1.0]: https://github.com/oneplan-send/oneplan/releases/tag/v0.1.0
MD
}
check() { RELEASE_CHECK_ROOT="$work/t" "$here/release-check.sh" >"$work/out" 2>&1; }

prepare
check || { cat "$work/out"; echo "FAIL: a prepared release was refused"; exit 1; }
n=0
expect_failure() { # what, then the words the failure must contain
  local what=$1 words=$2
  if check; then cat "$work/out"; echo "FAIL: $what was not caught"; exit 1; fi
  grep -q -- "$words" "$work/out" || { cat "$work/out"; echo "FAIL: $what: the message does not say \"$words\""; exit 1; }
  n=$((n + 1)); prepare
}
sed -i 's/^  version: .*/  version: 0.99.1/' "$work/t/openapi.yaml";                 expect_failure "info.version ahead of CHANGELOG" 'latest release heading'
sed -i 's/^## \[Unreleased\]$/## [Unreleased]\n\n- Not moved./' "$work/t/CHANGELOG.md"; expect_failure "entries left under Unreleased" 'Unreleased section still has entries'
echo "# edited" >> "$work/t/openapi.yaml";                                            expect_failure "a contract edited after its snapshot" 'differs from openapi.yaml'
rm -r "$work/t/versions/0.99.0";                                                       expect_failure "no snapshot under versions/" 'versions/0.99.0/openapi.yaml is missing'
sed -i 's#compare/v0.99.0...HEAD#compare/v0.1.0...HEAD#' "$work/t/CHANGELOG.md";      expect_failure "a stale [Unreleased] link" 'does not compare from v0.99.0'
TAG=v0.98.0 check && { echo "FAIL: TAG different from info.version was not caught"; exit 1; }; n=$((n + 1))
echo "release-check self-test: a prepared release passes; $n broken ones fail"
