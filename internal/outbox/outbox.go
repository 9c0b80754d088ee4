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
	// YoungPersonID is the child the event is about, if any: it decides who may receive it.
	YoungPersonID string
	Payload       map[string]any
}

// Published is an event once committed and given its place in commit order.
type Published struct {
	Event
	Seq     int64
	Version int
}

// PayloadSchema names the contract's component describing the payload of events about
// recordType: ReferralEventPayload for referral.
func PayloadSchema(recordType string) string {
	out := make([]byte, 0, len(recordType)+12)
	up := true
	for i := 0; i < len(recordType); i++ {
		c := recordType[i]
		if c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		out = append(out, c)
	}
	return string(out) + "EventPayload"
}
