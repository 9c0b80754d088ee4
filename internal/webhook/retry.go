package webhook

import (
	"math/rand/v2"
	"time"
)

// Retry is the schedule of attempts after a failed delivery: exponential backoff from Base,
// doubling up to Cap, with jitter, until GiveUpAfter has passed since the first attempt.
type Retry struct {
	Base        time.Duration
	Cap         time.Duration
	GiveUpAfter time.Duration
}

// DefaultRetry retries for three days: 30 s, 1 min, 2 min, ... then every 6 hours, about 25
// attempts in all.
var DefaultRetry = Retry{Base: 30 * time.Second, Cap: 6 * time.Hour, GiveUpAfter: 72 * time.Hour}

// Next is when to try again after the attempts-th failed attempt (1 for the first), or false when
// the delivery should give up because GiveUpAfter has passed since first.
func (r Retry) Next(attempts int, first, now time.Time) (time.Time, bool) {
	if now.Sub(first) >= r.GiveUpAfter {
		return time.Time{}, false
	}
	d := r.Base
	for i := 1; i < attempts && d < r.Cap; i++ {
		d *= 2
	}
	d = min(d, r.Cap)
	// Jitter of up to a fifth either way, so receivers coming back are not hit in step.
	j := time.Duration(rand.Int64N(int64(d)/5*2+1)) - d/5 //nolint:gosec // jitter, not a secret
	return now.Add(d + j), true
}
