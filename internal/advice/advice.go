// Package advice holds the advice an adviser gives for an EHC needs assessment (Reg 6 of the
// SEND Regulations 2014) when the council names them as the adviser: who was asked, by when (6
// weeks, Reg 8, as package statutory computes it), and the advice itself by the plan's headings,
// with the reports attached and the plan sections it informs. Standard library only.
package advice

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names advice in the audit trail, outbox and timeline.
const RecordType = "ehc_advice"

// Status is where an advice request stands.
type Status string

// The statuses.
const (
	Requested Status = "requested" // waiting for the adviser
	Submitted Status = "submitted" // the advice is in
)

// PlanSections are the sections of an EHC plan (Reg 12), named as the plan names them.
var PlanSections = []string{"a", "b", "c", "d", "e", "f", "g", "h1", "h2", "i", "j", "k"}

// Limits on what one submission holds.
const (
	MaxSectionChars = 20000
	MaxDocuments    = 20
)

// Sections is the advice as text by the plan's headings.
type Sections struct {
	Summary, Needs, Outcomes, Provision string
}

// Request is one advice request addressed to a named practitioner, and the advice once given.
type Request struct {
	ID             string // the advice entry's id on the EHC needs assessment
	EHCRequestID   string
	YoungPersonID  string
	PractitionerID string // the adviser asked
	Adviser        string // the kind of adviser (ehc.Advisers)
	Provider       string
	RequestedOn    time.Time
	DueOn          time.Time // 6 weeks, paused for grounds c and d (Reg 8)
	Status         Status
	Sections       Sections
	DocumentIDs    []string
	Informs        []string
	SubmittedOn    *time.Time
	Late           bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// Submission is what the adviser sends.
type Submission struct {
	Sections    Sections
	DocumentIDs []string
	Informs     []string
}

// Check validates a submission; pointers name the request body's fields.
func (s Submission) Check() error {
	var errs []fault.FieldError
	for _, f := range []struct{ name, text string }{{"summary", s.Sections.Summary}, {"needs", s.Sections.Needs},
		{"outcomes", s.Sections.Outcomes}, {"provision", s.Sections.Provision}} {
		if len([]rune(f.text)) > MaxSectionChars {
			errs = append(errs, fault.FieldError{Pointer: "/sections/" + f.name, Detail: "is longer than 20000 characters"})
		}
	}
	if blank(s.Sections.Needs) && blank(s.Sections.Outcomes) && blank(s.Sections.Provision) {
		errs = append(errs, fault.FieldError{Pointer: "/sections", Detail: "advice needs at least one of needs, outcomes or provision"})
	}
	if len(s.DocumentIDs) > MaxDocuments {
		errs = append(errs, fault.FieldError{Pointer: "/document_ids", Detail: "at most 20 documents"})
	}
	for i, d := range s.DocumentIDs {
		if slices.Contains(s.DocumentIDs[:i], d) {
			errs = append(errs, fault.FieldError{Pointer: "/document_ids", Detail: "names a document twice"})
			break
		}
	}
	for i, sec := range s.Informs {
		if !slices.Contains(PlanSections, sec) {
			errs = append(errs, fault.FieldError{Pointer: "/informs_sections/" + strconv.Itoa(i), Detail: "is not a section of the plan"})
		} else if slices.Contains(s.Informs[:i], sec) {
			errs = append(errs, fault.FieldError{Pointer: "/informs_sections/" + strconv.Itoa(i), Detail: "names a section twice"})
		}
	}
	return fault.Fields(fault.Invalid, errs)
}

// InformsDefault is the plan sections the written headings inform: needs B, C and D; outcomes
// E; provision F, G, H1 and H2.
func (s Sections) InformsDefault() []string {
	var out []string
	if !blank(s.Needs) {
		out = append(out, "b", "c", "d")
	}
	if !blank(s.Outcomes) {
		out = append(out, "e")
	}
	if !blank(s.Provision) {
		out = append(out, "f", "g", "h1", "h2")
	}
	return out
}

// Submit records the advice on today. Advice is given once; late advice (after DueOn) is taken
// and flagged. dueOn is the request's due date as of today (exceptions may have moved it).
func (r *Request) Submit(s Submission, dueOn, today time.Time) error {
	if r.Status != Requested {
		return fault.StateConflict("This advice has already been submitted.", string(r.Status))
	}
	if err := s.Check(); err != nil {
		return err
	}
	on := statutory.Civil(today)
	r.Sections, r.DocumentIDs = s.Sections, s.DocumentIDs
	r.Informs = s.Informs
	if len(r.Informs) == 0 {
		r.Informs = s.Sections.InformsDefault()
	}
	r.DueOn = statutory.Civil(dueOn)
	r.Status, r.SubmittedOn, r.Late = Submitted, &on, on.After(r.DueOn)
	return nil
}

// Filter narrows a list of advice requests.
type Filter struct {
	Status       Status
	EHCRequestID string
}

// Reach says which advice requests a caller may see: every one (the SEND team), those naming
// one practitioner (the adviser), or none.
type Reach struct {
	All            bool
	PractitionerID string
}

// Visible reports whether r is within reach.
func (v Reach) Visible(r Request) bool {
	return v.All || (v.PractitionerID != "" && v.PractitionerID == r.PractitionerID)
}

// Repository keeps advice requests. The store implements it; a service sees only this.
type Repository interface {
	Create(r Request) error
	Get(id string, v Reach) (Request, error)
	Update(r Request) error
	List(f Filter, v Reach, p paging.Page) ([]Request, string, error)
	// OfEHCRequest lists every advice request of one assessment (for the council's own views).
	OfEHCRequest(ehcRequestID string) ([]Request, error)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
