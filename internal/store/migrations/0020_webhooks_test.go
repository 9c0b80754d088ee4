package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0020Webhooks: events gain a child and a sequence (unique); subscriptions take one
// delivery per event.
func TestMigration0020Webhooks(t *testing.T) {
	checkMigration(t, "0020_webhooks", func(t *testing.T, db *gorm.DB) {}, func(t *testing.T, db *gorm.DB) {
		has(t, "outbox_events", columns(t, db, "outbox_events"), "young_person_id", "seq")
		has(t, "webhook_subscriptions", columns(t, db, "webhook_subscriptions"), "id", "organisation_id", "view", "url", "event_types", "secret", "previous_secret", "previous_expires_at")
		has(t, "webhook_deliveries", columns(t, db, "webhook_deliveries"), "subscription_id", "event_id", "seq", "status", "attempts", "next_attempt_at", "locked_until")
		has(t, "webhook_attempts", columns(t, db, "webhook_attempts"), "response_code", "latency_ms", "next_retry_at")
		var last int64
		if err := db.Raw(`SELECT last FROM event_sequence WHERE name = 'outbox'`).Scan(&last).Error; err != nil || last != 0 {
			t.Fatalf("event_sequence: %d %v", last, err)
		}
		ins := `INSERT INTO outbox_events (id, occurred_at, event_type, record_type, record_id, payload, seq) VALUES (?, ?, 'referral.received', 'referral', ?, '{}', ?)`
		exec(t, db, ins, "018f0000-0000-7000-8000-000000000001", created, "018f0000-0000-7000-8000-0000000000a1", 1)
		refuses(t, db, "two events with one sequence number", ins, "018f0000-0000-7000-8000-000000000002", created, "018f0000-0000-7000-8000-0000000000a1", 1)
		exec(t, db, ins, "018f0000-0000-7000-8000-000000000003", created, "018f0000-0000-7000-8000-0000000000a1", nil)
		exec(t, db, ins, "018f0000-0000-7000-8000-000000000004", created, "018f0000-0000-7000-8000-0000000000a1", nil)
	})
}
