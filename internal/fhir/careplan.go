package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/oneplan-send/oneplan/internal/ehcplan"
)

// PlanCategorySystem codes what kind of plan a CarePlan is.
const PlanCategorySystem = base + "CodeSystem/plan-category"

// CarePlan shows an EHC plan to a health system: its status and period, the outcomes (section E)
// as goals and the health provision (section G) as activities, from the version in force (or the
// draft before the first is issued). The other sections are referenced, not copied: the full plan
// is the /v1 resource named in the note. Goals are contained resources, since they exist only
// within the plan; the FHIR model has no field for them, so they are added to the JSON.
func CarePlan(pl ehcplan.Plan, asOf time.Time) (json.RawMessage, error) {
	v := pl.Latest()
	if f := pl.InForce(); f != nil {
		v = *f
	}
	status, activity := fhir.RequestStatusActive, fhir.CarePlanActivityStatusInProgress
	switch pl.StatusOn(asOf) {
	case ehcplan.Draft:
		status, activity = fhir.RequestStatusDraft, fhir.CarePlanActivityStatusNotStarted
	case ehcplan.Ceased:
		status, activity = fhir.RequestStatusCompleted, fhir.CarePlanActivityStatusStopped
	}
	cp := fhir.CarePlan{Id: ptr(pl.ID), Meta: meta(pl.Version, pl.UpdatedAt), Status: status, Intent: fhir.CarePlanIntentPlan,
		Title:    ptr("Education, Health and Care plan"),
		Category: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr(PlanCategorySystem), Code: ptr("ehc-plan")}}, Text: ptr("EHC plan")}},
		Subject:  *ref("Patient", pl.YoungPersonID),
		Note:     []fhir.Annotation{{Text: "The whole plan, sections A to K, is /v1/ehc-plans/" + pl.ID + " (OnePlan's API)."}}}
	if pl.FirstIssuedOn != nil {
		cp.Period = &fhir.Period{Start: date(*pl.FirstIssuedOn)}
		if pl.Cessation != nil {
			cp.Period.End = date(pl.Cessation.CeasesOn)
		}
	}
	var goals []json.RawMessage
	for _, o := range v.Sections.E {
		g := fhir.Goal{Id: ptr(goalID(o.Ref)), LifecycleStatus: fhir.GoalLifecycleStatusActive,
			Description: fhir.CodeableConcept{Text: ptr(o.Description)}, Subject: *ref("Patient", pl.YoungPersonID)}
		raw, err := json.Marshal(g)
		if err != nil {
			return nil, fmt.Errorf("marshal goal: %w", err)
		}
		goals = append(goals, raw)
		cp.Goal = append(cp.Goal, fhir.Reference{Reference: ptr("#" + goalID(o.Ref))})
	}
	for _, p := range v.Sections.G {
		d := &fhir.CarePlanActivityDetail{Status: activity, Description: ptr(p.What),
			ScheduledString: ptr(strings.TrimSpace(p.HowOften + "; " + p.HowLong)),
			Code:            &fhir.CodeableConcept{Text: ptr("Health provision (section G) " + p.Ref)}}
		if p.Who != "" {
			d.Performer = []fhir.Reference{{Display: ptr(p.Who)}}
		}
		for _, o := range p.Outcomes {
			d.Goal = append(d.Goal, fhir.Reference{Reference: ptr("#" + goalID(o))})
		}
		cp.Activity = append(cp.Activity, fhir.CarePlanActivity{Detail: d})
	}
	raw, err := json.Marshal(cp)
	if err != nil || len(goals) == 0 {
		return raw, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("add goals: %w", err)
	}
	if m["contained"], err = json.Marshal(goals); err != nil {
		return nil, fmt.Errorf("add goals: %w", err)
	}
	return json.Marshal(m)
}

// goalID makes an outcome's ref (E1) a FHIR id.
func goalID(ref string) string {
	return "goal-" + strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, ref)
}
