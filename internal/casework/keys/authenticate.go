package keys

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// Authenticate returns the caller a presented API key stands for. A revoked key fails at once,
// on every replica: keys are cached only while revocations reach the cache (Invalidation).
func (s *Service) Authenticate(ctx context.Context, key string) (auth.Principal, error) {
	// A function, not a value: made up front it was an allocation on every request let through.
	denied := func() error { return fault.New(fault.Unauthenticated, "The API key is not valid.") }
	prefix, err := auth.ParseKey(key)
	if err != nil {
		return auth.Principal{}, denied()
	}
	hash, now := auth.HashKey(key), s.Now()
	if p, ok := s.cache.get(hash, now); ok {
		return p, nil
	}
	gen := s.cache.generation()
	var k auth.APIKey
	err = s.db.Read(ctx, func(tx Tx) error {
		k, err = tx.Keys().ByPrefix(prefix)
		return err
	})
	if fault.KindOf(err) == fault.NotFound {
		return auth.Principal{}, denied()
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if !auth.KeyMatches(key, k.Hash) || k.RevokedAt != nil {
		return auth.Principal{}, denied()
	}
	p := auth.Principal{KeyID: k.ID, OrganisationID: k.OrganisationID, Role: k.Role, PractitionerID: k.PractitionerID}
	s.cache.put(hash, p, now, gen)
	return p, nil
}

// Invalidation connects the cache to revocations: live reports whether every revocation (on any
// replica) is being heard, and the caller passes each one heard to Forget ("*" for all).
func (s *Service) Invalidation(live func() bool) { s.cache.live = live }

// Forget drops a revoked key from the cache ("*": every key, and every sign-in remembered);
// auth.SignInsChanged drops the sign-ins remembered (a practitioner changed).
func (s *Service) Forget(keyID string) {
	if keyID == "*" || keyID == auth.SignInsChanged {
		s.signIns.forget()
	}
	if keyID != auth.SignInsChanged {
		s.cache.forget(keyID)
	}
}
