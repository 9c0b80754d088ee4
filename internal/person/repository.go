package person

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps young people's records. The store implements it; a service sees only this.
type Repository interface {
	Create(p YoungPerson) error
	Get(id string, s access.Scope) (YoungPerson, error)
	// GetAll reads the records of ids within scope, by id (one query, for an import's chunk); an
	// id out of scope or unknown is missing from the answer.
	GetAll(ids []string, s access.Scope) (map[string]YoungPerson, error)
	Update(p YoungPerson) error
	List(f Filter, s access.Scope, p paging.Page) ([]YoungPerson, string, error)
	RetentionDue(bornBy time.Time, p paging.Page) ([]YoungPerson, string, error)
	Erase(id string) error

	// LockIdentifiers holds back every other transaction writing any of claims until this one
	// ends, so two records given the same identifier at the same moment see each other.
	LockIdentifiers(claims []Claim) error
	// LockAllIdentifiers holds back every other transaction writing any identifier until this
	// one ends (an import, whose values are too many to lock one by one); it comes first.
	LockAllIdentifiers() error
	// Holders lists the records within scope, other than except, holding any of claims: one
	// entry per record and identifier, oldest record first.
	Holders(claims []Claim, except string, s access.Scope) ([]Holder, error)
	// Merge moves every record linked to from (referrals and all that hangs off them, EHC
	// requests, plans and reviews, disputes, transition plans, surveys, the team, consents and
	// the timeline) onto into, keeps from as it stands as a record merged into into, and removes
	// it from the live records. The audit trail is never rewritten: it stays under from's id and
	// is read with into's. It returns how many records of each type moved.
	Merge(from, into string, at time.Time) (Moved, error)
	// MergedInto names the record id was merged into; NotFound if id was never merged away.
	MergedInto(id string) (string, error)
	// MergedFrom lists the records merged into id, as they were when merged.
	MergedFrom(id string) ([]Merged, error)
}

// DuplicateRepository keeps the possible duplicates for the SEND team. The store implements it;
// a service sees only this.
type DuplicateRepository interface {
	// Record adds pairs and returns those it added: a pair already recorded on the same
	// identifier, whatever its status, is left as it is.
	Record(ds ...Duplicate) ([]Duplicate, error)
	Get(id string) (Duplicate, error)
	Update(d Duplicate) error
	List(f DuplicateFilter, p paging.Page) ([]Duplicate, string, error)
}
