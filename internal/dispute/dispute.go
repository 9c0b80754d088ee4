// Package dispute holds disagreements with the local authority's SEND decisions and services:
// appeals to the First-tier Tribunal (SEND), mediation, and complaints. It says which decisions
// each kind may be about (s.51 Children and Families Act 2014; SEND Regulations 2014 Part 6;
// SEND Code of Practice 2015, chapter 11), which plan sections a tribunal may hear, the appeal
// deadline (package statutory, HESC Rules r.20) and how each kind concludes.
package dispute

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names disputes in the audit trail, outbox and timeline.
const RecordType = "dispute"

// Kind is the route the disagreement takes.
type Kind string

// The kinds.
const (
	Mediation Kind = "mediation" // s.52-55 of the Act; Regs 32-42
	Tribunal  Kind = "tribunal"  // an appeal to the First-tier Tribunal (SEND), s.51
	Complaint Kind = "complaint" // the council's complaints procedure (then the Ombudsman)
)

// Kinds lists every kind.
var Kinds = []Kind{Mediation, Tribunal, Complaint}

// What a dispute may be about. The appealable decisions are those of s.51(2) of the Act and
// Reg 43 (DOMAIN.md section 1): refusals to assess, reassess or issue a plan, the plan's
// contents (sections B, F and I), an amendment or a refusal to amend after a review, and ceasing
// to maintain the plan.
const (
	AboutRefusalToAssess   = "refusal_to_assess"
	AboutRefusalToReassess = "refusal_to_reassess"
	AboutRefusalToIssue    = "refusal_to_issue"
	AboutPlanContents      = "plan_contents"
	AboutAmendment         = "amendment"
	AboutRefusalToAmend    = "refusal_to_amend"
	AboutCease             = "cease"
	// AboutHealthSocialCare: mediation on the health or social care elements of a plan, which
	// the tribunal cannot hear on their own (s.53 and s.54 of the Act).
	AboutHealthSocialCare = "health_social_care"
	// Complaints are about how the council went about things, not the decision itself.
	AboutService = "service"
	AboutProcess = "process"
	AboutDelay   = "delay"
	AboutOther   = "other"
)

var appealable = []string{AboutRefusalToAssess, AboutRefusalToReassess, AboutRefusalToIssue, AboutPlanContents, AboutAmendment,
	AboutRefusalToAmend, AboutCease}

// Abouts lists what each kind may be about.
var Abouts = map[Kind][]string{
	Tribunal:  appealable,
	Mediation: append(slices.Clone(appealable), AboutHealthSocialCare),
	Complaint: {AboutService, AboutProcess, AboutDelay, AboutOther},
}

// Outcomes lists how each kind may conclude.
var Outcomes = map[Kind][]string{
	Tribunal:  {"upheld", "partly_upheld", "dismissed", "withdrawn", "conceded"},
	Mediation: {"agreed", "partly_agreed", "not_agreed", "withdrawn"},
	Complaint: {"upheld", "partly_upheld", "not_upheld", "withdrawn"},
}

// Who brought the dispute. Only a parent or a young person may appeal or go to mediation
// (s.51(1), s.52-53 of the Act); anyone may complain.
const (
	ByParent      = "parent"
	ByYoungPerson = "young_person"
	ByOther       = "other"
)

// A young person is over compulsory school age (s.83(2) of the Act); like the EHC request slice,
// OnePlan takes that as aged 16 to 25 on the day the dispute was received.
const (
	YoungPersonMinAge = 16
	YoungPersonMaxAge = 25
)

// The subjects a dispute may be about: the record holding the disputed decision.
const (
	SubjectEHCRequest   = "ehc_request"
	SubjectEHCPlan      = "ehc_plan"
	SubjectAnnualReview = "annual_review"
	SubjectReferral     = "referral"
)

// SubjectTypes lists every subject type in the contract.
var SubjectTypes = []string{SubjectEHCRequest, SubjectEHCPlan, SubjectAnnualReview, SubjectReferral}

// The sections of an EHC plan (Reg 12).
var Sections = []string{"A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"}

// The tribunal hears appeals on the special educational needs (B), the special educational
// provision (F) and the placement (I) (s.51(2)(c) of the Act). Since April 2018 it may also make
// non-binding recommendations on the health and social care needs and provision (C, D, G, H1, H2),
// but only alongside an appeal on an education section (the SEND (First-tier Tribunal
// Recommendations Power) Regulations 2017, SI 2017/1306). A, E, J and K are never appealable.
var (
	educationSections     = []string{"B", "F", "I"}
	recommendableSections = []string{"C", "D", "G", "H1", "H2"}
)

// MaxNotes caps free text on a dispute.
const MaxNotes = 4000

// Dispute is one tribunal appeal, mediation or complaint.
type Dispute struct {
	ID            string
	YoungPersonID string
	Kind          Kind
	SubjectType   string
	SubjectID     string
	About         string
	Sections      []string
	BroughtBy     string
	ReceivedOn    time.Time
	// Optional dates; the zero time means not recorded.
	DecisionLetterOn    time.Time // the written notice of the decision disputed
	CertificateIssuedOn time.Time // mediation only: the mediation certificate
	HearingOn           time.Time // the hearing, mediation meeting or complaint panel
	Notes               string
	// Conclusion; Outcome is "" while open.
	Outcome              string
	ConcludedOn          time.Time
	ConclusionNotes      string
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// Open reports whether the dispute is not yet concluded.
func (d Dispute) Open() bool { return d.Outcome == "" }

// Status is "open" or "concluded".
func (d Dispute) Status() string {
	if d.Open() {
		return "open"
	}
	return "concluded"
}

// New validates a dispute being recorded. dob is the young person's date of birth (for a young
// person bringing an appeal); today is the civil date now.
func New(d Dispute, dob, today time.Time) (Dispute, error) {
	d.ReceivedOn = statutory.Civil(d.ReceivedOn)
	d.DecisionLetterOn, d.CertificateIssuedOn, d.HearingOn = statutory.Civil(d.DecisionLetterOn), statutory.Civil(d.CertificateIssuedOn), statutory.Civil(d.HearingOn)
	d.Outcome, d.ConcludedOn, d.ConclusionNotes = "", time.Time{}, ""
	var bad []fault.FieldError
	if !slices.Contains(Kinds, d.Kind) {
		bad = append(bad, fault.FieldError{Pointer: "/kind", Detail: "must be mediation, tribunal or complaint"})
	}
	if !slices.Contains([]string{ByParent, ByYoungPerson, ByOther}, d.BroughtBy) {
		bad = append(bad, fault.FieldError{Pointer: "/brought_by", Detail: "must be parent, young_person or other"})
	}
	if d.ReceivedOn.IsZero() {
		bad = append(bad, fault.FieldError{Pointer: "/received_on", Detail: "is required"})
	} else if d.ReceivedOn.After(statutory.Civil(today)) {
		bad = append(bad, fault.FieldError{Pointer: "/received_on", Detail: "must not be in the future"})
	}
	if len(d.Notes) > MaxNotes {
		bad = append(bad, fault.FieldError{Pointer: "/notes", Detail: "is too long"})
	}
	bad = append(bad, d.checkDates(today)...)
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return d, err
	}
	return d, fault.Fields(fault.Unprocessable, d.checkRules(dob))
}

// checkDates holds the date rules shared by New and Change: the decision letter comes before the
// dispute about it; a certificate or hearing comes after the dispute was received.
func (d Dispute) checkDates(today time.Time) []fault.FieldError {
	var bad []fault.FieldError
	t := statutory.Civil(today)
	if l := d.DecisionLetterOn; !l.IsZero() {
		if l.After(t) {
			bad = append(bad, fault.FieldError{Pointer: "/decision_letter_on", Detail: "must not be in the future"})
		} else if !d.ReceivedOn.IsZero() && l.After(d.ReceivedOn) {
			bad = append(bad, fault.FieldError{Pointer: "/decision_letter_on", Detail: "must not be after received_on: the decision comes before the dispute about it"})
		}
	}
	if c := d.CertificateIssuedOn; !c.IsZero() {
		if c.After(t) {
			bad = append(bad, fault.FieldError{Pointer: "/certificate_issued_on", Detail: "must not be in the future"})
		} else if !d.ReceivedOn.IsZero() && c.Before(d.ReceivedOn) {
			bad = append(bad, fault.FieldError{Pointer: "/certificate_issued_on", Detail: "must not be before received_on"})
		}
	}
	// A hearing may be listed ahead, so only its order against receipt is checked.
	if h := d.HearingOn; !h.IsZero() && !d.ReceivedOn.IsZero() && h.Before(d.ReceivedOn) {
		bad = append(bad, fault.FieldError{Pointer: "/hearing_on", Detail: "must not be before received_on"})
	}
	return bad
}

// checkRules holds the combinations the law allows: what each kind may be about, who may bring
// it, which sections a tribunal hears, and where a certificate belongs.
func (d Dispute) checkRules(dob time.Time) []fault.FieldError {
	var bad []fault.FieldError
	if !slices.Contains(Abouts[d.Kind], d.About) {
		bad = append(bad, fault.FieldError{Pointer: "/about", Detail: "is not something a " + string(d.Kind) + " may be about"})
	}
	if d.Kind != Complaint {
		if d.BroughtBy == ByOther {
			bad = append(bad, fault.FieldError{Pointer: "/brought_by",
				Detail: "only a parent or a young person may appeal to the tribunal or go to mediation (s.51, s.52 of the Act)"})
		} else if d.BroughtBy == ByYoungPerson && !dob.IsZero() {
			if years := age.YearsOn(dob, d.ReceivedOn); years < YoungPersonMinAge || years > YoungPersonMaxAge {
				bad = append(bad, fault.FieldError{Pointer: "/brought_by",
					Detail: "a young person may appeal or go to mediation only when aged 16 to 25; the parent acts for a younger child"})
			}
		}
		// A referral is the pre-statutory pathway: there is no appealable decision on it.
		if d.SubjectType == SubjectReferral {
			bad = append(bad, fault.FieldError{Pointer: "/subject_type",
				Detail: "a referral holds no appealable decision; name the EHC request, plan or review"})
		}
	}
	if f := SectionsProblem(d.Kind, d.About, d.Sections); f != "" {
		bad = append(bad, fault.FieldError{Pointer: "/sections", Detail: f})
	}
	if !d.CertificateIssuedOn.IsZero() && d.Kind != Mediation {
		bad = append(bad, fault.FieldError{Pointer: "/certificate_issued_on", Detail: "only a mediation record carries the mediation certificate"})
	}
	return bad
}

// SectionsProblem says what is wrong with the plan sections named on a dispute, or "". Any known
// section may be named on mediation or a complaint. A tribunal appeal on the plan's contents must
// name sections; one on an amendment or a refusal to amend may; the rest name none. Of those
// named, B, F and I are appealable; C, D, G, H1 and H2 only alongside one of them; A, E, J and K
// never.
func SectionsProblem(kind Kind, about string, sections []string) string {
	seen := map[string]bool{}
	for _, s := range sections {
		if !slices.Contains(Sections, s) {
			return s + " is not a section of an EHC plan"
		}
		if seen[s] {
			return s + " is named twice"
		}
		seen[s] = true
	}
	if kind != Tribunal {
		return ""
	}
	switch about {
	case AboutPlanContents:
		if len(sections) == 0 {
			return "an appeal on the plan's contents must name the sections appealed (B, F or I)"
		}
	case AboutAmendment, AboutRefusalToAmend:
	default:
		if len(sections) > 0 {
			return "sections are named only on appeals about the plan's contents, an amendment or a refusal to amend"
		}
		return ""
	}
	education := false
	for _, s := range sections {
		switch {
		case slices.Contains(educationSections, s):
			education = true
		case slices.Contains(recommendableSections, s):
		default:
			return "section " + s + " is not appealable (only B, F and I; C, D, G, H1 and H2 alongside them)"
		}
	}
	if len(sections) > 0 && !education {
		return "sections C, D, G, H1 and H2 may be added only alongside an appeal on B, F or I (the tribunal's recommendations power, SI 2017/1306)"
	}
	return ""
}

// AppealDeadline is the last day to appeal the disputed decision to the tribunal: for a tribunal
// appeal or mediation with a decision letter recorded, the later of 2 months after the letter and
// 1 month after this record's mediation certificate (HESC Rules r.20(1)(c)); zero otherwise.
// A tribunal record carries no certificate of its own, so its deadline counts from the letter.
func (d Dispute) AppealDeadline() time.Time {
	if d.Kind == Complaint || d.DecisionLetterOn.IsZero() {
		return time.Time{}
	}
	return statutory.AppealDeadline(d.DecisionLetterOn, d.CertificateIssuedOn)
}

// CertificateDue is when the mediation adviser should issue the certificate after a mediation
// concluded: the 3rd working day after (Reg 42), counting weekends but not bank holidays,
// which OnePlan does not hold. Zero unless a mediation has concluded.
func (d Dispute) CertificateDue() time.Time {
	if d.Kind != Mediation || d.Open() {
		return time.Time{}
	}
	return statutory.MediationCertificateDue(d.ConcludedOn, statutory.Holidays{})
}

// Changes are the corrections a dispute takes after it was recorded; nil leaves a field alone
// and a zero date clears it.
type Changes struct {
	Notes               *string
	HearingOn           *time.Time
	CertificateIssuedOn *time.Time
	DecisionLetterOn    *time.Time
}

// Change applies c, checking the same date rules as New. A concluded dispute still takes
// corrections: a mediation certificate is issued after the mediation ends.
func (d *Dispute) Change(c Changes, today time.Time) error {
	next := *d
	if c.Notes != nil {
		next.Notes = *c.Notes
	}
	if c.HearingOn != nil {
		next.HearingOn = statutory.Civil(*c.HearingOn)
	}
	if c.CertificateIssuedOn != nil {
		next.CertificateIssuedOn = statutory.Civil(*c.CertificateIssuedOn)
	}
	if c.DecisionLetterOn != nil {
		next.DecisionLetterOn = statutory.Civil(*c.DecisionLetterOn)
	}
	bad := next.checkDates(today)
	if len(next.Notes) > MaxNotes {
		bad = append(bad, fault.FieldError{Pointer: "/notes", Detail: "is too long"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	if !next.CertificateIssuedOn.IsZero() && next.Kind != Mediation {
		return fault.Field(fault.Unprocessable, "/certificate_issued_on", "only a mediation record carries the mediation certificate")
	}
	*d = next
	return nil
}

// Conclude records how the dispute ended. Concluding twice is a conflict.
func (d *Dispute) Conclude(outcome string, on time.Time, notes string, today time.Time) error {
	if !d.Open() {
		return fault.StateConflict("This "+string(d.Kind)+" has already concluded ("+d.Outcome+").", d.Status())
	}
	on = statutory.Civil(on)
	var bad []fault.FieldError
	if on.IsZero() {
		bad = append(bad, fault.FieldError{Pointer: "/concluded_on", Detail: "is required"})
	} else if on.Before(d.ReceivedOn) {
		bad = append(bad, fault.FieldError{Pointer: "/concluded_on", Detail: "must not be before received_on"})
	} else if on.After(statutory.Civil(today)) {
		bad = append(bad, fault.FieldError{Pointer: "/concluded_on", Detail: "must not be in the future"})
	}
	if len(notes) > MaxNotes {
		bad = append(bad, fault.FieldError{Pointer: "/notes", Detail: "is too long"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	if !slices.Contains(Outcomes[d.Kind], outcome) {
		return fault.Field(fault.Unprocessable, "/outcome", "is not how a "+string(d.Kind)+" concludes")
	}
	d.Outcome, d.ConcludedOn, d.ConclusionNotes = outcome, on, notes
	return nil
}
