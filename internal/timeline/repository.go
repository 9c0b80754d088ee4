package timeline

import "github.com/oneplan-send/oneplan/internal/paging"

// Repository reads children's timelines. The store implements it; a service sees only this.
type Repository interface {
	Page(youngPersonID string, p paging.Page) ([]Event, string, error)
}
