package referral

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps referrals, the stages they reached and their engagement leads. The store implements it; a service sees only this.
type Repository interface {
	Allocate(a Allocation) error
	Allocations(referralID string) ([]Allocation, error)
	Create(r Referral) error
	Get(id string, s access.Scope) (Referral, error)
	// GetWithExternalIDs is Get with ExternalIDs filled in.
	GetWithExternalIDs(id string, s access.Scope) (Referral, error)
	// Parties reads what receiving a referral needs of its referring practitioner and of its
	// child (within s), together.
	Parties(practitionerID, youngPersonID string, s access.Scope) (Parties, error)
	Update(r Referral) error
	Stages(referralID string) (map[Status]time.Time, error)
	ReachStage(r Referral, s StageReached) error
	// FirstStage is ReachStage for a referral created in the same transaction (it has no stage yet).
	FirstStage(r Referral, s StageReached) error
	List(f Filter, s access.Scope, p paging.Page) ([]Referral, string, error)
}

// References hands out the numbers of human references, per scope ("referral:2026"), never the
// same number twice.
type References interface {
	Next(ctx context.Context, scope string) (int64, error)
	// Reserve takes n numbers of scope together (an import), first to first+n-1.
	Reserve(ctx context.Context, scope string, n int64) (first int64, err error)
}

// Parties is what receiving a referral needs to know of who refers and of whom: the practitioner
// (found, active, their organisation) and the child within the caller's scope (found, date of
// birth, locality, and the locality of their education setting).
type Parties struct {
	PractitionerFound, PractitionerActive bool
	PractitionerOrganisationID            string
	ChildFound                            bool
	DateOfBirth                           time.Time
	Locality, SettingLocality             string
}
