package casework

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/store"
)

// EHCTimeliness reports the statutory timeliness of what was completed in [from, to]. It holds
// counts only, so reading it is not audited per child.
func (s *Service) EHCTimeliness(ctx context.Context, from, to timeDay) (out store.Timeliness, err error) {
	if _, err := allow(ctx, auth.ReadReports); err != nil {
		return out, err
	}
	if to.Before(from) {
		return out, fault.Field(fault.Invalid, "/to", "must not be before from")
	}
	err = s.store.Read(ctx, func(tx *store.Tx) error {
		out, err = tx.EHCTimeliness(from, to)
		return err
	})
	return out, err
}
