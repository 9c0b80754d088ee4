// Package paging holds how lists are asked for: one page at a time, newest first, with an opaque
// cursor from the page before.
package paging

import "time"

// Default and Max bound a page's size.
const (
	Default = 50
	Max     = 200
)

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Cursor string // opaque, from a previous page's next cursor
	// UpdatedSince, when not zero, keeps only records changed at or after this instant (created,
	// for records never changed afterwards): a nightly sync fetches what changed.
	UpdatedSince time.Time
}

// Changed reports whether a record last changed at changed passes the page's UpdatedSince.
func (p Page) Changed(changed time.Time) bool {
	return p.UpdatedSince.IsZero() || !changed.Before(p.UpdatedSince)
}

// Size is the page's limit kept within bounds.
func (p Page) Size() int {
	if p.Limit <= 0 || p.Limit > Max {
		return Default
	}
	return p.Limit
}

// Drain reads every page of a list.
func Drain[T any](page func(Page) ([]T, string, error)) ([]T, error) {
	var out []T
	pg := Page{Limit: Max}
	for {
		items, next, err := page(pg)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		pg.Cursor = next
	}
}
