// Package timeline describes the events that make up one child's pathway, as a caseworker reads
// it: referral, triage, assessments, allocations, meetings and decisions, feedback, closure.
// Summaries hold codes, statuses and references, never free text or names.
package timeline

import "time"

// Event is one entry on a child's timeline.
type Event struct {
	ID            string
	YoungPersonID string
	ReferralID    string
	OccurredOn    time.Time // the day it happened, which may precede when it was recorded
	RecordedAt    time.Time
	Kind          string // e.g. referral.received, meeting.held
	RecordType    string
	RecordID      string
	Summary       string
}
