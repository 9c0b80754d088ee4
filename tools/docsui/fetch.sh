#!/usr/bin/env bash
# make docs-ui: install the pinned swagger-ui-dist (package-lock.json) and copy the files /docs
# serves into internal/httpapi/docsui/dist/, which is committed so the binary builds offline.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../../internal/httpapi/docsui/dist
rm -rf "$out" && mkdir -p "$out"
for f in swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp node_modules/swagger-ui-dist/$f "$out/$f"
done
# The bundle names its source map, which is not shipped: drop the comment so browsers do not ask.
sed -i '/^\/\/# sourceMappingURL=/d' "$out/swagger-ui-bundle.js"
sed -i '/^\/\*# sourceMappingURL=.*\*\/$/d' "$out/swagger-ui.css"
echo "swagger-ui-dist $(node -p 'require("./node_modules/swagger-ui-dist/package.json").version') copied to internal/httpapi/docsui/dist"
