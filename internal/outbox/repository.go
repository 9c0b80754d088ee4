package outbox

import "time"

// Reader reads the outbox. The store implements it; a service sees only this.
type Reader interface {
	ForRecord(recordID string) ([]Event, error)
}

// Notices remembers which time-driven notices were sent, so each is sent once. The store implements it; a service sees only this.
type Notices interface {
	Claim(key string, at time.Time) (bool, error)
}
