package plans

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/nextsteps"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// FamilySummaryRecordType names the family's summary in the audit trail (its id is the child's).
const FamilySummaryRecordType = "family_summary"

// FamilySummary says, for the family, where the child's requests and plans stand and which
// statutory dates come next, in plain words (package nextsteps). Whoever may read the child's
// record may read it; the read is audited on the child's record.
func (s *Service) FamilySummary(ctx context.Context, youngPersonID string) (_ nextsteps.Summary, err error) {
	defer casework.Wrap(&err, "family summary of young person %s", youngPersonID)
	return casework.ReadAudited(ctx, s.Core, s.db, FamilySummaryRecordType, youngPersonID,
		func(tx Tx, sc access.Scope) (nextsteps.Summary, error) {
			yp, err := tx.People().Get(youngPersonID, sc)
			if err != nil {
				return nextsteps.Summary{}, err
			}
			today, all := s.Today(), paging.Page{Limit: paging.Max}
			requests, _, err := tx.EHCRequests().List(ehc.Filter{YoungPersonID: yp.ID, Today: today}, sc, all)
			if err != nil {
				return nextsteps.Summary{}, err
			}
			pls, _, err := tx.Plans().List(ehcplan.Filter{YoungPersonID: yp.ID, Today: today}, sc, all)
			if err != nil {
				return nextsteps.Summary{}, err
			}
			return nextsteps.Summarise(requests, pls, today), nil
		},
		func(nextsteps.Summary) string { return youngPersonID })
}
