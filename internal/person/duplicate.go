package person

import (
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Identifier names an identifier that belongs to one child only: a second record holding it is a
// possible duplicate of the first.
type Identifier string

// Identifiers that name one child.
const (
	ByNHSNumber Identifier = "nhs_number"
	ByUPN       Identifier = "upn"
)

// Claim is one identifier value a record holds.
type Claim struct {
	On    Identifier
	Value string
}

// Claims lists the identifiers p holds that belong to one child only, NHS number first. Writers
// lock claims in this order, so two writers never wait on each other in a circle.
func (p YoungPerson) Claims() []Claim {
	var out []Claim
	if p.NHSNumber != "" {
		out = append(out, Claim{On: ByNHSNumber, Value: p.NHSNumber})
	}
	if p.UPN != "" {
		out = append(out, Claim{On: ByUPN, Value: p.UPN})
	}
	return out
}

// NewClaims lists the identifiers next holds that cur did not hold: those a change adds or alters.
func NewClaims(cur, next YoungPerson) []Claim {
	held := map[Claim]bool{}
	for _, c := range cur.Claims() {
		held[c] = true
	}
	var out []Claim
	for _, c := range next.Claims() {
		if !held[c] {
			out = append(out, c)
		}
	}
	return out
}

// Holder is another record holding one of a record's identifiers.
type Holder struct {
	YoungPersonID string
	On            Identifier
}

// DuplicateStatus is where a possible duplicate stands.
type DuplicateStatus string

// Statuses of a possible duplicate.
const (
	DuplicateOpen      DuplicateStatus = "open"      // for the SEND team to look at
	DuplicateMerged    DuplicateStatus = "merged"    // the two records were merged into one
	DuplicateDismissed DuplicateStatus = "dismissed" // the SEND team found two children, with the reason
)

// DuplicateRecordType names possible duplicates in the audit trail and the outbox.
const DuplicateRecordType = "possible_duplicate"

// Duplicate is a pair of records holding the same identifier: perhaps one child recorded twice,
// perhaps a wrong identifier. Recording a child whose identifier is held by a record the caller
// may not see puts the pair here for the SEND team, rather than telling the caller the child is
// known.
type Duplicate struct {
	ID string
	// YoungPersonIDs holds the two records, the one recorded first first (ids are UUIDv7).
	YoungPersonIDs [2]string
	MatchedOn      Identifier
	FoundAt        time.Time
	Status         DuplicateStatus
	ResolvedAt     *time.Time
	Reason         string // why it was dismissed
	MergedInto     string // the record kept, once merged
	UpdatedAt      time.Time
	Version        int
}

// NewDuplicate pairs records a and b, found at at to share the identifier on.
func NewDuplicate(id, a, b string, on Identifier, at time.Time) Duplicate {
	if b < a {
		a, b = b, a
	}
	return Duplicate{ID: id, YoungPersonIDs: [2]string{a, b}, MatchedOn: on, FoundAt: at, Status: DuplicateOpen, UpdatedAt: at, Version: 1}
}

// Has reports whether the pair names the record id.
func (d Duplicate) Has(id string) bool { return d.YoungPersonIDs[0] == id || d.YoungPersonIDs[1] == id }

// Other is the pair's record that is not id.
func (d Duplicate) Other(id string) string {
	if d.YoungPersonIDs[0] == id {
		return d.YoungPersonIDs[1]
	}
	return d.YoungPersonIDs[0]
}

// Dismiss records that the pair are two children (or otherwise not to be merged), and why.
func (d *Duplicate) Dismiss(reason string, at time.Time) error {
	if d.Status != DuplicateOpen {
		return fault.StateConflict("Only an open possible duplicate can be dismissed; this one is "+string(d.Status)+".", string(d.Status))
	}
	if strings.TrimSpace(reason) == "" {
		return fault.Field(fault.Invalid, "/reason", "say why the two records are not one child")
	}
	d.Status, d.Reason, d.ResolvedAt = DuplicateDismissed, reason, &at
	return nil
}

// SettleMerge says what becomes of the open possible duplicates when from is merged into into.
// open holds the open pairs naming either record. The pair of the two is merged; a pair of from
// with a third record moves onto into, unless into is already paired with that record on the same
// identifier, when it is merged as well (the pair it duplicates stays open). It returns the pairs
// that changed.
func SettleMerge(open []Duplicate, from, into string, at time.Time) []Duplicate {
	type key struct {
		other string
		on    Identifier
	}
	intoPairs := map[key]bool{}
	for _, d := range open {
		if d.Has(into) && !d.Has(from) {
			intoPairs[key{d.Other(into), d.MatchedOn}] = true
		}
	}
	var out []Duplicate
	for _, d := range open {
		if d.Status != DuplicateOpen || !d.Has(from) {
			continue
		}
		other := d.Other(from)
		switch {
		case other == into || intoPairs[key{other, d.MatchedOn}]:
			d.Status, d.MergedInto, d.ResolvedAt = DuplicateMerged, into, &at
		default:
			moved := NewDuplicate(d.ID, into, other, d.MatchedOn, d.FoundAt)
			d.YoungPersonIDs = moved.YoungPersonIDs
			intoPairs[key{other, d.MatchedOn}] = true
		}
		out = append(out, d)
	}
	return out
}

// DuplicateFilter selects possible duplicates.
type DuplicateFilter struct {
	Status        DuplicateStatus
	YoungPersonID string // pairs naming this record
}

// MergeCheck is what a merge of From into Kept must know of both records.
type MergeCheck struct {
	KeptID, FromID string
	// Whether each record has an EHC plan that has not ceased (one per child), and a transition
	// plan that has not ended (one per child).
	KeptPlan, FromPlan                     bool
	KeptTransitionPlan, FromTransitionPlan bool
}

// CheckMerge refuses a merge that would break a rule of one child's record: two plans in force
// would become one child's, which the law does not allow; the SEND team must first cease (or
// end) the one recorded in error.
func CheckMerge(m MergeCheck) error {
	switch {
	case m.KeptID == m.FromID:
		return fault.Field(fault.Unprocessable, "/from", "is the record being kept; name the other record")
	case m.KeptPlan && m.FromPlan:
		return fault.New(fault.Conflict, "Both records have an EHC plan that has not ceased, and a child has one plan: cease the plan "+
			"recorded in error before merging.")
	case m.KeptTransitionPlan && m.FromTransitionPlan:
		return fault.New(fault.Conflict, "Both records have a current transition plan, and a young person has one: end the plan "+
			"recorded in error before merging.")
	}
	return nil
}

// Moved counts the records a merge moved from one record to another, by record type.
type Moved map[string]int

// Merged is a record merged into another, kept as it was when merged: its history is the kept
// record's now.
type Merged struct {
	YoungPerson
	MergedInto string
	MergedAt   time.Time
}
