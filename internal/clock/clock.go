// Package clock is OnePlan's one sense of time. Services, the HTTP layer and the sweeper all read
// the same injected Clock, so a test that fixes "today" fixes it everywhere.
package clock

import "time"

// Clock returns the current instant; nil means the system clock.
type Clock func() time.Time

// Now is the current instant in UTC.
func (c Clock) Now() time.Time {
	if c == nil {
		return time.Now().UTC()
	}
	return c().UTC()
}

// Today is the current civil date as midnight UTC. UTC is close enough to the date in England
// for the days the statutory calendar counts.
func (c Clock) Today() time.Time {
	n := c.Now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Fixed is a clock stopped at t, for tests.
func Fixed(t time.Time) Clock { return func() time.Time { return t } }
