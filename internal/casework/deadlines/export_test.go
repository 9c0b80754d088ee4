package deadlines

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehc"
)

// SetPageSizes makes every page of a sweep (and every reading of young people) n records long,
// so a test crosses pages with few records; the returned function restores them.
func SetPageSizes(n int) func() {
	page, chunk := sweepPage, refreshChunk
	sweepPage, refreshChunk = n, n
	return func() { sweepPage, refreshChunk = page, chunk }
}

// RequestsOwingNotices counts the requests the sweep would read on asOf (ehc.NoticeQuery).
func (s *Service) RequestsOwingNotices(ctx context.Context, asOf time.Time) (n int, err error) {
	err = s.db.Read(ctx, func(tx Tx) error {
		rs, err := tx.EHCRequests().NoticesDue(ehc.NoticeQuery{AsOf: asOf, NoPlanLead: DefaultLeads.NoPlanNotice, FinalPlanLead: DefaultLeads.FinalPlan}, "", 1000)
		n = len(rs)
		return err
	})
	return n, err
}
