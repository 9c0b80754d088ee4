package organisations

import (
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
	if err := idsHeld(tx, cur.ID, next.ExternalIDs, nil); err != nil {
		return err
	}
	return tx.ExternalIDs().Set(externalid.Organisation, cur.ID, next.ExternalIDs, s.Now())
}
