package keys

import (
	"context"
	"sync"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// signInTTL is how long a sign-in token's organisation and practitioner, once found in the
// directory, are taken as still there without asking again. A change of a practitioner clears what
// is remembered on every replica when it commits (auth.SignInsChanged); this bounds the rest.
const signInTTL = 30 * time.Second

// signIns remembers the directory's answer for (organisation, practitioner) pairs. Like the key
// cache it is used only while changes from every replica are heard (the key cache's live).
type signIns struct {
	mu   sync.Mutex
	seen map[[2]string]time.Time
	// forgotten counts clears: an answer read before a change was heard is not remembered after it.
	forgotten uint64
}

// forget clears what is remembered: a practitioner changed somewhere.
func (m *signIns) forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgotten++
	clear(m.seen)
}

// SignedIn checks a caller named by a verified sign-in token against the directory, as an API key
// is checked when it is issued: its organisation must exist, and its practitioner, when named, be
// an active practitioner of that organisation. The identity provider is trusted to say who signs
// in, not to know OnePlan's directory: a token naming an organisation that is not there (with a
// council-wide role), or another organisation's practitioner, was let in as it said.
func (s *Service) SignedIn(ctx context.Context, p auth.Principal) error {
	denied := fault.New(fault.Unauthenticated, "The sign-in token names an organisation or practitioner this council's directory does not hold.")
	key, now := [2]string{p.OrganisationID, p.PractitionerID}, s.Now()
	live := s.cache.live()
	s.signIns.mu.Lock()
	until, ok := s.signIns.seen[key]
	gen := s.signIns.forgotten
	s.signIns.mu.Unlock()
	if live && ok && now.Before(until) {
		return nil
	}
	err := s.db.Read(ctx, func(tx Tx) error {
		if _, err := tx.Directory().Organisation(p.OrganisationID); err != nil {
			return err
		}
		if p.PractitionerID == "" {
			return nil
		}
		pr, err := tx.Directory().Practitioner(p.PractitionerID)
		if err == nil && (pr.OrganisationID != p.OrganisationID || !pr.Active) {
			return fault.New(fault.NotFound, "no such practitioner in that organisation")
		}
		return err
	})
	if fault.KindOf(err) == fault.NotFound {
		return denied
	}
	if err != nil {
		return err
	}
	if !live {
		return nil
	}
	s.signIns.mu.Lock()
	defer s.signIns.mu.Unlock()
	if gen != s.signIns.forgotten {
		return nil // a practitioner changed while this was read: do not remember what may be stale
	}
	if len(s.signIns.seen) > 10_000 {
		clear(s.signIns.seen) // bounded: many distinct pairs only cost a read each again
	}
	s.signIns.seen[key] = now.Add(signInTTL)
	return nil
}
