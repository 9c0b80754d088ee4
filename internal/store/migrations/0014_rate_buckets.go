package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0014 is plain DDL: the rate-limit buckets every replica shares.
var m0014 = &gormigrate.Migration{ID: "0014_rate_buckets", Migrate: ddl(schema0014, nil)}

// schema0014: one token bucket per caller (an API key id, a signed-in user, "ip:" and a client
// address), refilled by whoever takes from it next. Rows of callers gone quiet are purged.
const schema0014 = `
CREATE TABLE rate_buckets (
  caller {text} PRIMARY KEY,
  tokens double precision NOT NULL,
  took {int} NOT NULL,
  updated_at {ts} NOT NULL
);
CREATE INDEX rate_buckets_updated ON rate_buckets (updated_at)
`
