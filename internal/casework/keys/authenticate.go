package keys

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Authenticate returns the caller a presented API key stands for. The key is looked up on every
// call, so a revoked key fails at once.
func (s *Service) Authenticate(ctx context.Context, key string) (_ auth.Principal, err error) {
	defer casework.Wrap(&err, "authenticate")
	denied := fault.New(fault.Unauthenticated, "The API key is not valid.")
	prefix, err := auth.ParseKey(key)
	if err != nil {
		return auth.Principal{}, denied
	}
	var k auth.APIKey
	err = s.db.Read(ctx, func(tx Tx) error {
		k, err = tx.Keys().ByPrefix(prefix)
		return err
	})
	if fault.KindOf(err) == fault.NotFound {
		return auth.Principal{}, denied
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if !auth.KeyMatches(key, k.Hash) || k.RevokedAt != nil {
		return auth.Principal{}, denied
	}
	return auth.Principal{KeyID: k.ID, OrganisationID: k.OrganisationID, Role: k.Role, PractitionerID: k.PractitionerID}, nil
}
