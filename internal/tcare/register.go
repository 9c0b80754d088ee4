// Package tcare holds the rules of Transforming Care for children and young people with a
// learning disability, autism or both (DOMAIN.md section 5): the dynamic support register (DSR)
// with its red, amber, green and blue ratings and their history, when a care (education) and
// treatment review (C(E)TR) is due, and a child's placements over time (setting, weeks a year,
// cost and who pays). Standard library only.
package tcare

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names register entries in the audit trail and outbox.
const RecordType = "support_register_entry"

// Rating is the register's RAG + blue rating of the risk of admission to a mental-health
// hospital or of a 52/38-week residential placement.
type Rating string

// The ratings.
const (
	Red   Rating = "red"   // high or immediate risk
	Amber Rating = "amber" // at risk without timely support
	Green Rating = "green" // risk managed in the community
	Blue  Rating = "blue"  // an inpatient now
)

// Ratings lists every rating, most urgent first.
var Ratings = []Rating{Blue, Red, Amber, Green}

// The conditions that bring a young person onto the register.
const (
	LearningDisability = "learning_disability"
	Autism             = "autism"
)

// Consent to be on the register: given, or not given with the lawful reason to keep the entry.
const (
	ConsentGiven    = "given"
	ConsentNotGiven = "not_given"
)

// Limits on free text.
const (
	MaxText    = 4000
	MaxShort   = 200
	MaxReasons = 20
	MaxActions = 50
)

// Register ages: 0 to 25 (DOMAIN.md section 5).
const MaxAge = 25

// Policy says when a C(E)TR is due. The figures are the national policy's for children and young
// people (DOMAIN.md section 5); a council may set its own.
type Policy struct {
	// RedWithinDays: a child rated red should have a community C(E)TR within this many days of
	// being rated red (before any admission).
	RedWithinDays int
	// PostAdmissionWorkingDays: after an admission with no C(E)TR before it (an unplanned one),
	// a post-admission C(E)TR within this many working days.
	PostAdmissionWorkingDays int
	// InpatientEveryMonths: then a repeat C(E)TR every this many months while an inpatient.
	InpatientEveryMonths int
	Holidays             statutory.Holidays
}

// DefaultPolicy is the national policy's figures; RedWithinDays is the local default of 28 days
// (the policy says only "before an admission").
var DefaultPolicy = Policy{RedWithinDays: 28, PostAdmissionWorkingDays: 10, InpatientEveryMonths: 3}

// Action is one agreed action with its owner.
type Action struct {
	Description string
	Owner       string
	DueOn       time.Time
	Done        bool
}

// RatingChange is one rating in an entry's history: who decided it, when and why.
type RatingChange struct {
	ID        string
	Rating    Rating
	Reasons   []string
	Evidence  string
	DecidedOn time.Time
	// Who decided it: the multi-agency group's decision as recorded by this caller.
	DecidedByActor, DecidedByOrgID, DecidedByRole string
	// Blue only: the day of admission and whether it was planned.
	AdmittedOn       time.Time
	AdmissionPlanned bool
	RecordedAt       time.Time
}

// Entry is one young person's place on the dynamic support register.
type Entry struct {
	ID            string
	YoungPersonID string
	Conditions    []string
	Consent       string
	LawfulBasis   string // when consent is not given
	Keyworker     string // the named keyworker (a practitioner's name and role, not the child's)
	KeyworkerOrg  string // the organisation id of the keyworker, optional
	Actions       []Action
	// History holds every rating, oldest first; the last is the current one.
	History   []RatingChange
	LastCTROn time.Time // the latest C(E)TR held, set when a review is recorded as held
	ClosedOn  time.Time // the day the young person came off the register
	// CTRDueOn is computed on every write from the policy (kept for the overdue filter).
	CTRDueOn time.Time
	// StoredRatings is how many of History the store holds; the rest are written on update.
	StoredRatings        int
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// Current is the latest rating.
func (e Entry) Current() RatingChange {
	if len(e.History) == 0 {
		return RatingChange{}
	}
	return e.History[len(e.History)-1]
}

// RatedSince is the first day of the current run of the current rating.
func (e Entry) RatedSince() time.Time {
	if len(e.History) == 0 {
		return time.Time{}
	}
	cur := e.Current().Rating
	since := e.Current().DecidedOn
	for i := len(e.History) - 1; i >= 0 && e.History[i].Rating == cur; i-- {
		since = e.History[i].DecidedOn
	}
	return since
}

// Open reports whether the young person is still on the register.
func (e Entry) Open() bool { return e.ClosedOn.IsZero() }

// CTRDue is when the next C(E)TR is due under pol, or the zero time when none is expected
// (green, amber, a closed entry, or a red child already reviewed since being rated red).
//
//   - red: within RedWithinDays of the day the child was rated red, unless a C(E)TR was held
//     since then;
//   - blue (inpatient), admitted on A: with a C(E)TR held on or after A, the next is due
//     InpatientEveryMonths after it; with a planned admission and a C(E)TR held before it, the
//     first inpatient review is due InpatientEveryMonths after A; otherwise (unplanned, or no
//     review before) a post-admission C(E)TR within PostAdmissionWorkingDays working days of A.
func (e Entry) CTRDue(pol Policy) time.Time {
	if !e.Open() || len(e.History) == 0 {
		return time.Time{}
	}
	cur := e.Current()
	last := e.LastCTROn
	switch cur.Rating {
	case Red:
		since := e.RatedSince()
		if !last.IsZero() && !last.Before(since) {
			return time.Time{}
		}
		return statutory.AddDays(since, pol.RedWithinDays)
	case Blue:
		admitted := cur.AdmittedOn
		if admitted.IsZero() {
			admitted = e.RatedSince()
		}
		switch {
		case !last.IsZero() && !last.Before(admitted):
			return statutory.AddMonths(last, pol.InpatientEveryMonths)
		case cur.AdmissionPlanned && !last.IsZero():
			return statutory.AddMonths(admitted, pol.InpatientEveryMonths)
		default:
			return statutory.AddWorkingDays(admitted, pol.PostAdmissionWorkingDays, pol.Holidays)
		}
	}
	return time.Time{}
}

// Overdue reports whether the C(E)TR due under pol has passed unmet by today.
func (e Entry) Overdue(pol Policy, today time.Time) bool {
	due := e.CTRDue(pol)
	return !due.IsZero() && statutory.Civil(today).After(due)
}

// NewEntry validates a register entry with its first rating. dob is the young person's date of
// birth; today the civil date now.
func NewEntry(e Entry, first RatingChange, dob, today time.Time) (Entry, error) {
	e.LastCTROn, e.ClosedOn, e.History = time.Time{}, time.Time{}, nil
	var bad []fault.FieldError
	if len(e.Conditions) == 0 {
		bad = append(bad, fault.FieldError{Pointer: "/conditions", Detail: "must name learning_disability, autism or both"})
	}
	for _, c := range e.Conditions {
		if c != LearningDisability && c != Autism {
			bad = append(bad, fault.FieldError{Pointer: "/conditions", Detail: "must be learning_disability or autism"})
			break
		}
	}
	switch e.Consent {
	case ConsentGiven:
		e.LawfulBasis = ""
	case ConsentNotGiven:
		if strings.TrimSpace(e.LawfulBasis) == "" {
			bad = append(bad, fault.FieldError{Pointer: "/lawful_basis", Detail: "is required when consent is not given"})
		}
	default:
		bad = append(bad, fault.FieldError{Pointer: "/consent", Detail: "must be given or not_given"})
	}
	if len(e.LawfulBasis) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/lawful_basis", Detail: "is too long"})
	}
	if len(e.Keyworker) > MaxShort {
		bad = append(bad, fault.FieldError{Pointer: "/keyworker", Detail: "is too long"})
	}
	bad = append(bad, checkActions(e.Actions)...)
	r, rbad := checkRating(first, "/rating", today)
	bad = append(bad, rbad...)
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return e, err
	}
	if !dob.IsZero() && statutory.AddMonths(dob, 12*(MaxAge+1)).Compare(statutory.Civil(today)) <= 0 {
		return e, fault.Field(fault.Unprocessable, "/young_person_id", "the register is for young people aged 0 to 25")
	}
	e.History = []RatingChange{r}
	return e, nil
}

// Rate adds a rating to the entry's history: the register's monthly review or a change between
// reviews. A rating is not dated before the current one.
func (e *Entry) Rate(r RatingChange, today time.Time) error {
	if !e.Open() {
		return fault.StateConflict("The young person has come off the register.", "closed")
	}
	r, bad := checkRating(r, "", today)
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	if cur := e.Current(); !cur.DecidedOn.IsZero() && r.DecidedOn.Before(cur.DecidedOn) {
		return fault.Field(fault.Unprocessable, "/decided_on", "must not be before the current rating's date ("+cur.DecidedOn.Format(time.DateOnly)+")")
	}
	// A child still an inpatient keeps the admission date when re-rated blue without one.
	if cur := e.Current(); r.Rating == Blue && r.AdmittedOn.IsZero() && cur.Rating == Blue {
		r.AdmittedOn, r.AdmissionPlanned = cur.AdmittedOn, cur.AdmissionPlanned
	}
	e.History = append(e.History, r)
	return nil
}

// HoldCTR records that a C(E)TR was held on the day held.
func (e *Entry) HoldCTR(held time.Time) {
	if held = statutory.Civil(held); held.After(e.LastCTROn) {
		e.LastCTROn = held
	}
}

// Close takes the young person off the register.
func (e *Entry) Close(on, today time.Time) error {
	if !e.Open() {
		return fault.StateConflict("The young person has already come off the register.", "closed")
	}
	on = statutory.Civil(on)
	if err := statutory.DayError("/closed_on", on, e.Current().DecidedOn, "the current rating", today); err != nil {
		return err
	}
	e.ClosedOn = on
	return nil
}

// SetActions replaces the agreed actions.
func (e *Entry) SetActions(actions []Action) error {
	if err := fault.Fields(fault.Invalid, checkActions(actions)); err != nil {
		return err
	}
	e.Actions = actions
	return nil
}

func checkActions(actions []Action) []fault.FieldError {
	var bad []fault.FieldError
	if len(actions) > MaxActions {
		return []fault.FieldError{{Pointer: "/actions", Detail: "has too many actions"}}
	}
	for i, a := range actions {
		p := "/actions/" + strconv.Itoa(i)
		if strings.TrimSpace(a.Description) == "" || len(a.Description) > MaxText {
			bad = append(bad, fault.FieldError{Pointer: p + "/description", Detail: "is required (at most 4000 characters)"})
		}
		if strings.TrimSpace(a.Owner) == "" || len(a.Owner) > MaxShort {
			bad = append(bad, fault.FieldError{Pointer: p + "/owner", Detail: "is required (at most 200 characters)"})
		}
	}
	return bad
}

// checkRating validates one rating; prefix is where its fields sit in the request body.
func checkRating(r RatingChange, prefix string, today time.Time) (RatingChange, []fault.FieldError) {
	r.DecidedOn, r.AdmittedOn = statutory.Civil(r.DecidedOn), statutory.Civil(r.AdmittedOn)
	var bad []fault.FieldError
	if !slices.Contains(Ratings, r.Rating) {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/rating", Detail: "must be red, amber, green or blue"})
	}
	if len(r.Reasons) == 0 || len(r.Reasons) > MaxReasons {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/reasons", Detail: "must give between 1 and 20 reasons"})
	}
	for _, s := range r.Reasons {
		if strings.TrimSpace(s) == "" || len(s) > MaxShort {
			bad = append(bad, fault.FieldError{Pointer: prefix + "/reasons", Detail: "each reason must be 1 to 200 characters"})
			break
		}
	}
	if len(r.Evidence) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/evidence", Detail: "is too long"})
	}
	if r.DecidedOn.IsZero() {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/decided_on", Detail: "is required"})
	} else if r.DecidedOn.After(statutory.Civil(today)) {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/decided_on", Detail: "must not be in the future"})
	}
	if r.Rating == Blue {
		if !r.AdmittedOn.IsZero() && r.AdmittedOn.After(statutory.Civil(today)) {
			bad = append(bad, fault.FieldError{Pointer: prefix + "/admitted_on", Detail: "must not be in the future"})
		}
	} else if !r.AdmittedOn.IsZero() || r.AdmissionPlanned {
		bad = append(bad, fault.FieldError{Pointer: prefix + "/admitted_on", Detail: "applies to a blue (inpatient) rating only"})
	}
	return r, bad
}
