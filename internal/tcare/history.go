package tcare

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
)

// AsOf is the entry as it stood at the end of day d, for reports over time: only the ratings
// decided on or before d, and lastCTR (the latest C(E)TR held on or before d, zero for none) as
// its latest review. ok is false when the young person was not on the register that day (no
// rating decided yet, or the entry closed on or before d).
func (e Entry) AsOf(d, lastCTR time.Time) (_ Entry, ok bool) {
	d = statutory.Civil(d)
	if !e.ClosedOn.IsZero() && !e.ClosedOn.After(d) {
		return Entry{}, false
	}
	var history []RatingChange
	for _, r := range e.History {
		if !r.DecidedOn.After(d) {
			history = append(history, r)
		}
	}
	if len(history) == 0 {
		return Entry{}, false
	}
	out := e
	out.History, out.ClosedOn, out.LastCTROn = history, time.Time{}, lastCTR
	return out, true
}

// HeldOnTime reports whether a C(E)TR held on day held met the due date the entry had then:
// the entry as of held, with previous (the latest review held before it, zero for none) as its
// latest review. A review held when none was due (green, amber, a red child already reviewed)
// is on time.
func (e Entry) HeldOnTime(held, previous time.Time, pol Policy) bool {
	then, ok := e.AsOf(held, previous)
	if !ok {
		return true
	}
	due := then.CTRDue(pol)
	return due.IsZero() || !statutory.Civil(held).After(due)
}
