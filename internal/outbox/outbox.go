// Package outbox describes events written in the same transaction as the change they announce,
// for webhook delivery to pick up later. Payloads carry identifiers and states, never personal
// details: a subscriber reads the record through the API, where access is checked and audited.
package outbox

import "time"

// Event is one change to announce.
type Event struct {
	ID         string
	OccurredAt time.Time
	Type       string // e.g. referral.received
	RecordType string
	RecordID   string
	Payload    map[string]any
}
