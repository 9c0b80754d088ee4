// Package feedback holds pathway feedback: a review of progress on a referral by the child or
// young person, their family or a professional, in free text (what is working well, what is not,
// next steps) and as ratings of the agreed outcomes. Feedback is a record of what was said on
// the day, so it is never changed once recorded.
package feedback

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Who the feedback is from.
const (
	FromChildYoungPerson = "child_young_person"
	FromFamily           = "family"
	FromProfessional     = "professional"
)

// Sources lists every source of feedback.
var Sources = []string{FromChildYoungPerson, FromFamily, FromProfessional}

// Professional roles, for feedback from a professional. The pilot's survey compared the
// engagement lead's view with the other professionals'.
const (
	RoleEngagementLead = "engagement_lead"
	RoleOther          = "other"
)

// Limits, as in the contract.
const (
	MaxText    = 4000 // characters in each free-text answer
	MaxOutcome = 500  // characters in an outcome's name
	MaxRatings = 30   // outcomes rated in one piece of feedback
	MinRating  = 1    // no progress
	MaxRating  = 5    // achieved
)

// Rating is progress towards one agreed outcome. The JSON tags are the stored form.
type Rating struct {
	Outcome string `json:"outcome"`
	Rating  int    `json:"rating"`
}

// Feedback is one review of progress on a referral.
type Feedback struct {
	ID               string
	ReferralID       string
	YoungPersonID    string
	MeetingID        string // the meeting it was given at, if any
	From             string
	PractitionerID   string // for feedback from a professional
	ProfessionalRole string // for feedback from a professional: RoleEngagementLead or RoleOther
	WorkingWell      string
	NotWorking       string
	NextSteps        string
	OutcomeRatings   []Rating
	CreatedAt        time.Time
	Version          int
}

// Tidy trims the free text and the outcomes' names, so blank answers count as none given.
func (f Feedback) Tidy() Feedback {
	f.WorkingWell = strings.TrimSpace(f.WorkingWell)
	f.NotWorking = strings.TrimSpace(f.NotWorking)
	f.NextSteps = strings.TrimSpace(f.NextSteps)
	if f.OutcomeRatings != nil {
		rs := make([]Rating, len(f.OutcomeRatings))
		for i, r := range f.OutcomeRatings {
			rs[i] = Rating{Outcome: strings.TrimSpace(r.Outcome), Rating: r.Rating}
		}
		f.OutcomeRatings = rs
	}
	return f
}

// Validate checks the feedback's own fields: what the request itself gets wrong.
func (f Feedback) Validate() error {
	var errs []fault.FieldError
	add := func(pointer, detail string) { errs = append(errs, fault.FieldError{Pointer: pointer, Detail: detail}) }
	switch f.From {
	case FromProfessional:
		if f.PractitionerID == "" {
			add("/practitioner_id", "is required for feedback from a professional")
		}
	case FromChildYoungPerson, FromFamily:
		if f.PractitionerID != "" {
			add("/practitioner_id", "is only for feedback from a professional")
		}
	default:
		add("/from", "must be one of child_young_person, family or professional")
	}
	for _, t := range []struct{ pointer, text string }{{"/working_well", f.WorkingWell}, {"/not_working", f.NotWorking}, {"/next_steps", f.NextSteps}} {
		if utf8.RuneCountInString(t.text) > MaxText {
			add(t.pointer, "must be at most "+strconv.Itoa(MaxText)+" characters")
		}
	}
	if len(f.OutcomeRatings) > MaxRatings {
		add("/outcome_ratings", "rate at most "+strconv.Itoa(MaxRatings)+" outcomes")
	}
	first := map[string]int{}
	for i, r := range f.OutcomeRatings {
		at := "/outcome_ratings/" + strconv.Itoa(i)
		name := strings.TrimSpace(r.Outcome)
		switch {
		case name == "":
			add(at+"/outcome", "must not be blank")
		case utf8.RuneCountInString(name) > MaxOutcome:
			add(at+"/outcome", "must be at most "+strconv.Itoa(MaxOutcome)+" characters")
		default:
			k := strings.ToLower(name)
			if j, seen := first[k]; seen {
				add(at+"/outcome", "rates the same outcome as /outcome_ratings/"+strconv.Itoa(j)+"; rate each outcome once")
			} else {
				first[k] = i
			}
		}
		if r.Rating < MinRating || r.Rating > MaxRating {
			add(at+"/rating", "must be from 1 (no progress) to 5 (achieved)")
		}
	}
	if !f.hasContent() {
		add("", "give at least one of working_well, not_working, next_steps or an outcome rating")
	}
	return fault.Fields(fault.Invalid, errs)
}

// hasContent reports whether the feedback says anything: some text or a rating.
func (f Feedback) hasContent() bool {
	return strings.TrimSpace(f.WorkingWell) != "" || strings.TrimSpace(f.NotWorking) != "" ||
		strings.TrimSpace(f.NextSteps) != "" || len(f.OutcomeRatings) > 0
}

// FamilyMayGive reports whether a family member signed in as themselves may record feedback from
// this source: their own or their child's view, never a professional's.
func FamilyMayGive(from string) error {
	if from == FromFamily || from == FromChildYoungPerson {
		return nil
	}
	return fault.New(fault.Forbidden, "A family may not record a professional's feedback; give it from family or child_young_person.")
}

// RoleOf is a professional's role in the pathway: the engagement lead when they are the
// referral's current engagement lead, otherwise another professional.
func RoleOf(practitionerID, engagementLeadID string) string {
	if practitionerID != "" && practitionerID == engagementLeadID {
		return RoleEngagementLead
	}
	return RoleOther
}

// labels name each source in timeline summaries.
var labels = map[string]string{
	FromChildYoungPerson: "child or young person",
	FromFamily:           "family",
	FromProfessional:     "professional",
}

// Summary describes the feedback for the child's timeline, in codes and counts only: never what
// anyone said, nor the outcomes' names.
func (f Feedback) Summary() string {
	who := labels[f.From]
	if who == "" {
		who = "unknown source"
	}
	if f.From == FromProfessional && f.ProfessionalRole == RoleEngagementLead {
		who += " (engagement lead)"
	}
	var b strings.Builder
	b.WriteString("Feedback from " + who + ": ")
	switch n := len(f.OutcomeRatings); n {
	case 0:
		b.WriteString("no outcomes rated")
	case 1:
		b.WriteString("1 outcome rated")
	default:
		b.WriteString(strconv.Itoa(n) + " outcomes rated")
	}
	if f.MeetingID != "" {
		b.WriteString(", given at a meeting")
	}
	return b.String()
}
