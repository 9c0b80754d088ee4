package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0116 is plain DDL: the outbox's two indexes over columns a new event leaves NULL lose their
// NULL entries (issues 13 and 18: every write that records an event pays for them).
var m0116 = &gormigrate.Migration{ID: "0116_outbox_partial_indexes", Migrate: ddl(schema0116, nil)}

// schema0116:
//   - a new event is inserted with seq and published_at NULL and entered both indexes anyway,
//     two of its five index insertions, though no statement looks for a NULL in either: the
//     sequencer finds new events by outbox_events_unsequenced, the feed and the deliveries by
//     seq > ?, the retention by published_at < ?, each implying NOT NULL, so each can still use
//     its index (TestMigration0116OutboxPartialIndexes). 200,000 inserts into a table shaped like
//     the outbox: 1.48-1.58 s against 2.18-2.81 s. seq stays unique among the numbered events.
//   - outbox_events_unpublished (0001, when the relay found new events by published_at IS NULL)
//     becomes outbox_events_published, which is what it serves now.
//   - rebuilt in the migration's transaction, as every index here is: event writes wait for the
//     rebuild, seconds on an outbox of millions (retention keeps it far smaller).
const schema0116 = `
DROP INDEX outbox_events_seq;
CREATE UNIQUE INDEX outbox_events_seq ON outbox_events (seq) WHERE seq IS NOT NULL;
DROP INDEX outbox_events_unpublished;
CREATE INDEX outbox_events_published ON outbox_events (published_at, id) WHERE published_at IS NOT NULL
`
