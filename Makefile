# OnePlan. `make run` serves a demo on SQLite; `make test` runs every test on SQLite and on
# PostgreSQL when reachable (REQUIRE_POSTGRES=1 makes PostgreSQL mandatory).
GO      ?= go
TOOL    := $(GO) tool -modfile=tools/go.mod
DEMO_DB ?= oneplan-demo.db

.PHONY: run test generate check-generate lint build docker bench help

help:
	@echo "make run             serve the API on SQLite with demo data (prints the URL and keys)"
	@echo "make test            run all tests (SQLite always, PostgreSQL when reachable)"
	@echo "make generate        regenerate api/ and pkg/client/ from openapi.yaml"
	@echo "make check-generate  fail if the generated code is stale"
	@echo "make lint            gofmt, go vet and golangci-lint"
	@echo "make build           build bin/oneplan"
	@echo "make bench           report queries on 1,000,000 referrals against the PostgreSQL ceiling"

run:
	ONEPLAN_DATABASE_URL=$${ONEPLAN_DATABASE_URL:-$(DEMO_DB)} ONEPLAN_ALLOW_TEST_NHS_NUMBERS=$${ONEPLAN_ALLOW_TEST_NHS_NUMBERS:-true} \
		$(GO) run ./cmd/oneplan serve --demo

test:
	@report=$$(mktemp -d); \
	ONEPLAN_TEST_REPORT=$$report $(GO) test -count=1 ./...; status=$$?; \
	echo; echo "Databases exercised by the database-backed suites:"; \
	for f in $$report/*; do [ -e "$$f" ] && printf '  %-12s %s\n' "$$(basename $$f)" "$$(cat $$f)"; done; \
	if grep -qs postgres $$report/*; then echo "  => SQLite and PostgreSQL"; else echo "  => SQLite only (PostgreSQL not reachable; set TEST_DATABASE_URL or REQUIRE_POSTGRES=1)"; fi; \
	rm -rf $$report; exit $$status

generate:
	$(GO) generate ./api/ ./pkg/client/

check-generate: generate
	@git diff --exit-code --stat -- api pkg openapi.yaml || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api pkg)" || { git status --porcelain -- api pkg; echo "untracked generated files"; exit 1; }

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) tool -modfile=tools/lint/go.mod golangci-lint run ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/oneplan ./cmd/oneplan

docker:
	docker build -t oneplan .

# Report queries on PostgreSQL with ONEPLAN_BENCH_REFERRALS referrals (default 1,000,000), each
# with its ratio to the PostgreSQL ceiling (a bare count of the same rows) measured in the same run.
bench:
	REQUIRE_POSTGRES=1 ONEPLAN_BENCH_REFERRALS=$${ONEPLAN_BENCH_REFERRALS:-1000000} \
		$(GO) test -run '^$$' -bench . -benchtime=5x -timeout 60m ./internal/store/
