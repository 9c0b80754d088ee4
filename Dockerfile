# Multi-stage build: a static, pure-Go binary (SQLite included, no cgo) in a small non-root image.
# The base images are pinned by tag, not yet by digest: pin them (FROM image:tag@sha256:...) once
# the digests are checked against the registries, e.g. with
#   docker buildx imagetools inspect gcr.io/distroless/static-debian12:nonroot
# and let a bot (Renovate, Dependabot) keep them current. See docs/deploy.md.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/oneplan ./cmd/oneplan && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/oneplan /usr/local/bin/oneplan
# The SQLite default lives in /data; mount a volume there, or set a postgres:// URL.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
# Configured by environment only; see the README's configuration table.
ENV ONEPLAN_ADDR=0.0.0.0:8080 \
    ONEPLAN_DATABASE_URL=/data/oneplan.db
EXPOSE 8080
USER nonroot:nonroot
# The image has no shell and no curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/oneplan", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/oneplan"]
CMD ["serve"]
