package tcare

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// ReviewRecordType names care (education) and treatment reviews in the audit trail and outbox.
const ReviewRecordType = "care_treatment_review"

// Review kinds: a CTR, or a CETR when education is part of it (children and young people).
const (
	CTR  = "ctr"
	CETR = "cetr"
)

// Where the young person is when reviewed.
const (
	Community         = "community"
	InpatientSetting  = "inpatient"
	ReviewScheduled   = "scheduled"
	ReviewHeld        = "held"
	ReviewCancelled   = "cancelled"
	MaxRecommendation = 50
)

// ReviewOutcomes are how a review may end.
var ReviewOutcomes = []string{"admission_avoided", "admission_recommended", "discharge_plan_agreed", "continued_inpatient_care", "community_support_increased", "other"}

// Recommendation is one of the panel's recommendations, followed up like a meeting's actions.
type Recommendation struct {
	Description string
	Owner       string
	DueOn       time.Time
	Done        bool
	// DoneOn and Note say when and how it was done (set by CompleteRecommendation).
	DoneOn time.Time
	Note   string
}

// Panel is who sat on the review: an independent chair, a clinical expert and an expert by
// experience (names and roles, not the child's details).
type Panel struct {
	Chair, ClinicalExpert, ExpertByExperience string
}

// Review is one care (education) and treatment review of a young person on the register.
type Review struct {
	ID, EntryID, YoungPersonID string
	Kind, Setting              string
	ScheduledOn, HeldOn        time.Time
	Panel                      Panel
	FamilyViews                string
	YoungPersonViews           string
	KeyQuestions               string
	Findings                   string
	Outcome                    string
	Recommendations            []Recommendation
	CreatedAt, UpdatedAt       time.Time
	Version                    int
}

// Status is scheduled or held.
func (r Review) Status() string {
	if r.HeldOn.IsZero() {
		return ReviewScheduled
	}
	return ReviewHeld
}

// NewReview validates a review being scheduled.
func NewReview(r Review) (Review, error) {
	r.ScheduledOn, r.HeldOn, r.Outcome, r.Recommendations = statutory.Civil(r.ScheduledOn), time.Time{}, "", nil
	var bad []fault.FieldError
	if r.Kind != CTR && r.Kind != CETR {
		bad = append(bad, fault.FieldError{Pointer: "/kind", Detail: "must be ctr or cetr"})
	}
	if r.Setting != Community && r.Setting != InpatientSetting {
		bad = append(bad, fault.FieldError{Pointer: "/setting", Detail: "must be community or inpatient"})
	}
	if r.ScheduledOn.IsZero() {
		bad = append(bad, fault.FieldError{Pointer: "/scheduled_on", Detail: "is required"})
	}
	if len(r.KeyQuestions) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/key_questions", Detail: "is too long"})
	}
	return r, fault.Fields(fault.Invalid, bad)
}

// Hold records the review as held: the day, the panel, the views heard, the findings, the
// outcome and the recommendations. A review is held once.
func (r *Review) Hold(held Review, today time.Time) error {
	if !r.HeldOn.IsZero() {
		return fault.StateConflict("The review has already been held.", ReviewHeld)
	}
	var bad []fault.FieldError
	bad = statutory.AppendDay(bad, "/held_on", held.HeldOn, time.Time{}, "", today)
	if !slices.Contains(ReviewOutcomes, held.Outcome) {
		bad = append(bad, fault.FieldError{Pointer: "/outcome", Detail: "must be one of " + strings.Join(ReviewOutcomes, ", ")})
	}
	for _, f := range []struct{ ptr, v string }{{"/panel/chair", held.Panel.Chair}, {"/panel/clinical_expert", held.Panel.ClinicalExpert},
		{"/panel/expert_by_experience", held.Panel.ExpertByExperience}} {
		if strings.TrimSpace(f.v) == "" || len(f.v) > MaxShort {
			bad = append(bad, fault.FieldError{Pointer: f.ptr, Detail: "is required (at most 200 characters): a C(E)TR panel has an independent chair, a clinical expert and an expert by experience"})
		}
	}
	for _, f := range []struct{ ptr, v string }{{"/family_views", held.FamilyViews}, {"/young_person_views", held.YoungPersonViews},
		{"/findings", held.Findings}} {
		if len(f.v) > MaxText {
			bad = append(bad, fault.FieldError{Pointer: f.ptr, Detail: "is too long"})
		}
	}
	if len(held.Recommendations) > MaxRecommendation {
		bad = append(bad, fault.FieldError{Pointer: "/recommendations", Detail: "has too many recommendations"})
	}
	for i, rec := range held.Recommendations {
		p := "/recommendations/" + strconv.Itoa(i)
		if strings.TrimSpace(rec.Description) == "" || len(rec.Description) > MaxText {
			bad = append(bad, fault.FieldError{Pointer: p + "/description", Detail: "is required (at most 4000 characters)"})
		}
		if strings.TrimSpace(rec.Owner) == "" || len(rec.Owner) > MaxShort {
			bad = append(bad, fault.FieldError{Pointer: p + "/owner", Detail: "is required (at most 200 characters)"})
		}
		if rec.DueOn.IsZero() {
			bad = append(bad, fault.FieldError{Pointer: p + "/due_on", Detail: "is required"})
		}
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	r.HeldOn, r.Panel, r.FamilyViews, r.YoungPersonViews = statutory.Civil(held.HeldOn), held.Panel, held.FamilyViews, held.YoungPersonViews
	r.Findings, r.Outcome, r.Recommendations = held.Findings, held.Outcome, held.Recommendations
	if held.KeyQuestions != "" {
		r.KeyQuestions = held.KeyQuestions
	}
	return nil
}

// CompleteRecommendation marks recommendation i done on day on (not before the review was held,
// not in the future), with an optional note of what was done. Followed up like a meeting action:
// once.
func (r *Review) CompleteRecommendation(i int, on time.Time, note string, today time.Time) error {
	if i < 0 || i >= len(r.Recommendations) {
		return fault.New(fault.NotFound, "No such recommendation.")
	}
	if r.Recommendations[i].Done {
		return fault.StateConflict("The recommendation is already done.", "done")
	}
	var bad []fault.FieldError
	bad = statutory.AppendDay(bad, "/done_on", on, r.HeldOn, "held_on", today)
	if len(note) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/note", Detail: "is too long (at most 4000 characters)"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return err
	}
	rec := &r.Recommendations[i]
	rec.Done, rec.DoneOn, rec.Note = true, statutory.Civil(on), note
	return nil
}

// Overdue lists the recommendations not done by their due date.
func (r Review) Overdue(today time.Time) []int {
	var out []int
	for i, rec := range r.Recommendations {
		if !rec.Done && statutory.Civil(today).After(rec.DueOn) {
			out = append(out, i)
		}
	}
	return out
}
