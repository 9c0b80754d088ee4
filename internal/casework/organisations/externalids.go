package organisations

import (
	"fmt"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// changeExternalIDs makes next's ids the organisation's (a PATCH sends the whole list): ids cur
// lacks are added, ids left out removed. An id another organisation holds is a Conflict naming
// /external_ids/N and the organisation (the directory is open to every caller).
func (s *Service) changeExternalIDs(tx Tx, cur, next directory.Organisation) error {
	if externalid.Same(cur.ExternalIDs, next.ExternalIDs) {
		return nil
	}
	if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", next.ExternalIDs)); err != nil {
		return err
	}
	for i, id := range next.ExternalIDs {
		holder, err := tx.ExternalIDs().Find(externalid.Organisation, id)
		switch {
		case fault.KindOf(err) == fault.NotFound || (err == nil && holder == cur.ID):
		case err != nil:
			return err
		default:
			e := fault.Field(fault.Conflict, fmt.Sprintf("/external_ids/%d", i), "is already held by another organisation")
			e.Related = &fault.Ref{Type: audit.Organisation, ID: holder}
			return e
		}
	}
	return tx.ExternalIDs().Set(externalid.Organisation, cur.ID, next.ExternalIDs, s.Now())
}
