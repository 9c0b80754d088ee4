package referrals

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// patchedReferrals loads a referral with its external ids for a PATCH, so the merge sees them
// (a PATCH of other fields keeps them) and may change them.
var patchedReferrals = casework.Versioned[referral.Referral, Tx]{
	Load:  casework.LoadVia(Tx.Referrals, referral.Repository.GetWithExternalIDs),
	Save:  casework.SaveVia(Tx.Referrals, referral.Repository.Update),
	Stamp: func(r *referral.Referral) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}

// changeExternalIDs makes next's ids the referral's (a PATCH sends the whole list): ids cur lacks
// are added, ids left out removed. An id another referral holds is refused (409,
// naming the referral only to a caller who may see it).
func (s *Service) changeExternalIDs(tx Tx, p auth.Principal, cur, next referral.Referral) error {
	if externalid.Same(cur.ExternalIDs, next.ExternalIDs) {
		return nil
	}
	if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", next.ExternalIDs)); err != nil {
		return err
	}
	if err := s.checkExternalIDs(tx, p, next.ExternalIDs, cur.ID, nil); err != nil {
		return err
	}
	return tx.ExternalIDs().Set(externalid.Referral, cur.ID, next.ExternalIDs, s.Now())
}
