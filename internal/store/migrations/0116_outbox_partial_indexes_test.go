package migrations_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestMigration0116OutboxPartialIndexes: after the migration both indexes leave out the events
// not yet numbered and published, a sequence number is still unique among numbered events, and the
// statements that read by them (the feed's and the deliveries' seq range, the retention's
// published_at bound) can still use them: on PostgreSQL with sequential scans off, on SQLite
// named with INDEXED BY, which fails to prepare when the index cannot serve the statement.
func TestMigration0116OutboxPartialIndexes(t *testing.T) {
	ins := `INSERT INTO outbox_events (id, occurred_at, event_type, record_type, record_id, payload, seq, published_at) VALUES (?, ?, 'referral.received', 'referral', ?, '{}', ?, ?)`
	checkMigration(t, "0116_outbox_partial_indexes", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		exec(t, db, ins, uuid(1), created, uuid(9), 1, created)
		refuses(t, db, "two events with one sequence number", ins, uuid(2), created, uuid(9), 1, created)
		exec(t, db, ins, uuid(3), created, uuid(9), nil, nil)
		exec(t, db, ins, uuid(4), created, uuid(9), nil, nil)
		reads := map[string]string{
			"outbox_events_seq":       `SELECT id FROM outbox_events %s WHERE seq > 0 AND seq <= 5 ORDER BY seq`,
			"outbox_events_published": `SELECT id FROM outbox_events %s WHERE published_at < '2027-01-01' AND seq IS NOT NULL ORDER BY published_at`,
		}
		for index, q := range reads {
			if isPostgres(db) {
				usesIndex(t, db, index, strings.Replace(q, "%s", "", 1))
			} else if got := len(queryRows(t, db, strings.Replace(q, "%s", "INDEXED BY "+index, 1))); got != 1 {
				t.Errorf("%s: %d events, want 1", index, got)
			}
		}
		wantNullFree(t, db, "outbox_events_seq", "outbox_events_published")
	})
}
