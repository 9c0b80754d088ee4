// Package casework is the core every area's service is built on (the clock, need-to-know scope,
// permission checks, the one versioned-change path, and recording each change with its audit,
// outbox and timeline events in the same transaction). The areas' use cases live in its
// subpackages, one per area: referrals, assessments, meetings, ehcrequests, plans, disputes,
// transitions, surveys, reports, people, team, privacy, organisations, keys and deadlines.
package casework

import "context"

// Meta is what the transport knows about a request, kept in the audit trail.
type Meta struct {
	RequestID string
	IP        string
	Purpose   string
}

type metaKey struct{}

// WithMeta returns ctx carrying m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

func metaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}
