#!/usr/bin/env bash
# make release-check [TAG=vX.Y.Z]: before tagging a release, check that the version is told the
# same way everywhere an integrator looks, so `go get github.com/oneplan-send/oneplan/pkg/client@vX.Y.Z`
# gives the contract CHANGELOG.md describes:
#   1. openapi.yaml info.version is a semantic version X.Y.Z (and equals TAG without its "v", if given);
#   2. CHANGELOG.md's latest release heading is "## [X.Y.Z] - YYYY-MM-DD", its "Unreleased" section
#      is empty (its entries moved under the release), and the link references name vX.Y.Z;
#   3. versions/X.Y.Z/openapi.yaml exists, is the highest of versions/, and is openapi.yaml byte for byte;
#   4. go.mod's module path suits the major version (no /vN suffix below v2, /vX from v2 on);
#   5. the tag vX.Y.Z does not exist yet.
# It never creates a tag. Exit 1 with every failure listed. RELEASE_CHECK_ROOT runs it on another
# tree (its self-test, scripts/release-check-test.sh).
set -uo pipefail
root="${RELEASE_CHECK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root" || exit 1

failures=()
fail() { failures+=("$*"); }

version=$(sed -n 's/^  version: *//p' openapi.yaml | head -1 | tr -d "\"'")
if ! [[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
  echo "openapi.yaml info.version is '$version', not a semantic version X.Y.Z" >&2
  exit 1
fi
tag="v$version"
if [ -n "${TAG:-}" ] && [ "$TAG" != "$tag" ]; then
  fail "TAG=$TAG but openapi.yaml info.version is $version (the tag must be $tag)"
fi

# 2. CHANGELOG.md
latest=$(grep -E '^## \[[0-9]+\.[0-9]+\.[0-9]+\]' CHANGELOG.md | head -1)
if [ -z "$latest" ]; then
  fail "CHANGELOG.md has no release heading \"## [$version] - YYYY-MM-DD\""
elif ! [[ "$latest" =~ ^##\ \[$version\]\ -\ [0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  fail "CHANGELOG.md's latest release heading is \"$latest\", want \"## [$version] - YYYY-MM-DD\" (move the Unreleased entries under it)"
fi
unreleased=$(awk '/^## \[Unreleased\]/{on=1; next} /^## \[/{on=0} on && NF' CHANGELOG.md)
if [ -n "$unreleased" ]; then
  fail "CHANGELOG.md's Unreleased section still has entries: move them under the release's heading \"## [$version] - $(date -u +%F)\""
fi
grep -qE "^\[$version\]: .*/releases/tag/$tag\$" CHANGELOG.md ||
  fail "CHANGELOG.md has no link reference \"[$version]: https://github.com/oneplan-send/oneplan/releases/tag/$tag\""
grep -qE "^\[Unreleased\]: .*/compare/$tag\.\.\.HEAD\$" CHANGELOG.md ||
  fail "CHANGELOG.md's [Unreleased] link does not compare from $tag (\"[Unreleased]: .../compare/$tag...HEAD\")"

# 3. versions/
highest=$(ls -d versions/*/ 2>/dev/null | sed 's#versions/##; s#/$##' | sort -V | tail -1)
if [ ! -f "versions/$version/openapi.yaml" ]; then
  fail "versions/$version/openapi.yaml is missing: cp openapi.yaml versions/$version/openapi.yaml"
else
  [ "$highest" = "$version" ] || fail "versions/$highest is higher than the version being released ($version)"
  cmp -s openapi.yaml "versions/$version/openapi.yaml" ||
    fail "versions/$version/openapi.yaml differs from openapi.yaml: a released contract is frozen, so bump info.version (patch: wording and examples; minor: additions; see README \"Releases\") or copy the contract if $version is not yet released"
fi

# 4. go.mod
module=$(sed -n 's/^module //p' go.mod)
major=${version%%.*}
if [ "$major" -ge 2 ]; then
  [[ "$module" == */v$major ]] || fail "go.mod's module is $module: from v2 on Go needs the path to end in /v$major"
else
  [[ "$module" =~ /v[0-9]+$ ]] && fail "go.mod's module is $module: below v2 the path has no /vN suffix"
fi

# 5. the tag
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null 2>&1; then
  fail "the tag $tag already exists: a released version is never moved; release a new one"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "not ready to tag $tag:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "ready to tag $tag: info.version, CHANGELOG.md and versions/$version agree; module $module"
echo "  git tag -a $tag -m \"OnePlan $version\" && git push origin $tag"
