package audit

import "github.com/oneplan-send/oneplan/internal/paging"

// Trail reads the audit trail. The store implements it; a service sees only this.
type Trail interface {
	Events(f Filter, p paging.Page) ([]Event, string, error)
}
