package httpapi_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/pkg/client"
)

// TestPathwayJourney runs the Salford pathway end to end over HTTP: referral, triage, family
// assessment, allocation meeting and engagement lead, MAM with the family, MAP, plan, feedback,
// review and closure; once on the family-assessment route and once on the safeguarding route.
// Every call goes through the generated client (pkg/client), as an integrator's would.
func TestPathwayJourney(t *testing.T) {
	for _, safeguarding := range []bool{false, true} {
		name := "family_assessment"
		if safeguarding {
			name = "safeguarding_assessment"
		}
		t.Run(name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) { journey(t, e, safeguarding) })
		})
	}
}

// answered fails the test unless the client's call succeeded with status, and returns the answer.
func answered[R interface{ StatusCode() int }](t *testing.T, what string, res R, err error, status int) R {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.StatusCode() != status {
		body := reflect.ValueOf(res).Elem().FieldByName("Body").Bytes()
		t.Fatalf("%s: %d, want %d: %s", what, res.StatusCode(), status, body)
	}
	return res
}

func journey(t *testing.T, e *env, safeguarding bool) {
	ctx := context.Background()
	officer := e.client(e.officer)
	today := day(time.Now())
	in := child(7)
	in.NHSNumber, in.UPN = nil, nil
	kid := e.youngPerson(e.officer, in)
	body := client.ReferralInput{YoungPersonID: uid(kid), ReferrerPractitionerID: uid(e.schoolSENCO), Reasons: []client.ReferralReason{"speech_language"},
		ServicesInvolved: []client.ServiceType{"school", "speech_and_language_therapy"}, SafeguardingConcern: ptr(safeguarding)}
	if !safeguarding {
		body.Consent = &client.ReferralConsent{GivenBy: "Jo Example", Relationship: "parent", GivenOn: today}
	}
	ref := e.referral(e.officer, body).ID
	getStatus := func() client.ReferralStatus {
		t.Helper()
		res, err := officer.GetReferralWithResponse(ctx, ref, nil)
		return answered(t, "get referral", res, err, 200).JSON200.Status
	}
	tri, err := officer.TriageReferralWithResponse(ctx, ref, nil, client.TriageInput{Decision: "accept", Reason: "Meets the pathway."})
	wantRoute := map[bool]string{false: "family_assessment", true: "safeguarding_assessment"}[safeguarding]
	if r := answered(t, "triage", tri, err, 200).JSON200.Route; r == nil || string(*r) != wantRoute {
		t.Fatalf("route %v", r)
	}

	// Family assessment (a CAFA on the safeguarding route), submitted.
	fa, err := officer.CreateFamilyAssessmentWithResponse(ctx, nil, client.FamilyAssessmentInput{ReferralID: ref,
		Sections: &client.AssessmentSections{ChildVoice: ptr("I like trains."), FamilyViews: &client.FamilyViews{WhatMatters: ptr("Being understood.")}}})
	if k := answered(t, "family assessment", fa, err, 201).JSON201.Kind; string(k) != wantRoute {
		t.Fatalf("assessment kind %v", k)
	}
	sub, err := officer.SubmitFamilyAssessmentWithResponse(ctx, fa.JSON201.ID, nil)
	answered(t, "submit assessment", sub, err, 200)
	if s := getStatus(); s != "assessing" {
		t.Fatalf("status after assessment: %v", s)
	}

	// Allocation meeting names the engagement lead: a social worker when safeguarding.
	alm, err := officer.CreateMeetingWithResponse(ctx, nil, client.MeetingInput{ReferralID: ref, Type: "allocation", HeldOn: today,
		Decisions: &[]string{"Lead allocated."}})
	answered(t, "allocation meeting", alm, err, 201)
	lead := e.lead
	if safeguarding {
		wrong, err := officer.AllocateReferralWithResponse(ctx, ref, nil, client.AllocationInput{PractitionerID: uid(e.lead), Reason: "x"})
		if answered(t, "allocate a non social worker", wrong, err, 422).ApplicationProblemJSON422 == nil {
			t.Fatalf("allocation of a non social worker: no problem details: %s", wrong.Body)
		}
		lead = e.socialWorker()
	}
	al, err := officer.AllocateReferralWithResponse(ctx, ref, nil, client.AllocationInput{PractitionerID: uid(lead), Reason: "Knows the family."})
	if got := answered(t, "allocate", al, err, 200).JSON200; got.Status != "allocated" || got.EngagementLeadPractitionerID == nil || got.EngagementLeadPractitionerID.String() != lead {
		t.Fatalf("allocation: %+v", got)
	}

	// MAM with the family and the child's views; an action for the lead.
	mam, err := officer.CreateMeetingWithResponse(ctx, nil, client.MeetingInput{ReferralID: ref, Type: "mam", HeldOn: today,
		Attendees: &[]client.Attendee{{Kind: "practitioner", PractitionerID: ptr(uid(lead))}, {Kind: "family_member", Name: ptr("Jo Example"), Relationship: ptr("mother")},
			{Kind: "child_young_person", Name: ptr("Amelia"), How: ptr(client.AttendeeHow("views_shared_beforehand"))}},
		FamilySaid: ptr("One plan, please."), Decisions: &[]string{"SALT block"},
		Actions: &[]client.ActionInput{{What: "Refer to SALT clinic", OwnerPractitionerID: ptr(uid(lead)), DueOn: today}}})
	answered(t, "MAM", mam, err, 201)
	if s := getStatus(); s != "mam_held" {
		t.Fatalf("status after MAM: %v", s)
	}
	actions, err := officer.ListActionsWithResponse(ctx, &client.ListActionsParams{Owner: ptr(uid(lead)), Status: ptr(client.ActionStatus("open"))})
	if got := answered(t, "list actions", actions, err, 200).JSON200.Items; len(got) != 1 {
		t.Fatalf("actions: %+v", got)
	}
	done, err := officer.CompleteActionWithResponse(ctx, actions.JSON200.Items[0].ID, nil, client.ActionCompletion{Note: ptr("Referred.")})
	answered(t, "complete action", done, err, 200)

	// MAP for a high-cost option, then the plan.
	mapm, err := officer.CreateMeetingWithResponse(ctx, nil, client.MeetingInput{ReferralID: ref, Type: "map", HeldOn: today,
		MAPDecision: &client.MAPDecision{Solution: "Resource base place", CostBand: "20k_to_50k", Outcome: "approved"}})
	answered(t, "MAP", mapm, err, 201)
	if s := getStatus(); s != "panel" {
		t.Fatalf("status after MAP: %v", s)
	}
	pl, err := officer.TransitionReferralWithResponse(ctx, ref, nil, client.TransitionInput{To: "plan_in_place", Reason: "Panel approved."})
	answered(t, "plan in place", pl, err, 200)

	// Feedback from the lead, the family and the child; then review and closure.
	fb, err := officer.CreatePathwayFeedbackWithResponse(ctx, nil, client.PathwayFeedbackInput{ReferralID: ref, From: "professional", PractitionerID: ptr(uid(lead)),
		WorkingWell: ptr("One plan."), OutcomeRatings: &[]client.OutcomeRating{{Outcome: "Can ask for help", Rating: 4}}})
	if r := answered(t, "professional feedback", fb, err, 201).JSON201.ProfessionalRole; r == nil || *r != "engagement_lead" {
		t.Fatalf("professional role: %v", r)
	}
	ffb, err := officer.CreatePathwayFeedbackWithResponse(ctx, nil, client.PathwayFeedbackInput{ReferralID: ref, MeetingID: &mam.JSON201.ID, From: "family",
		WorkingWell: ptr("We were listened to.")})
	answered(t, "family feedback", ffb, err, 201)
	parent := e.client(e.idp.token(t, "family", e.council, map[string]any{"oneplan_young_people": []string{kid}}))
	cfb, err := parent.CreatePathwayFeedbackWithResponse(ctx, nil, client.PathwayFeedbackInput{ReferralID: ref, From: "child_young_person", WorkingWell: ptr("Trains!")})
	answered(t, "the child's feedback", cfb, err, 201)
	rv, err := officer.TransitionReferralWithResponse(ctx, ref, nil, client.TransitionInput{To: "reviewing", Reason: "Six-week review."})
	answered(t, "review", rv, err, 200)
	closed, err := officer.CloseReferralWithResponse(ctx, ref, nil, client.CloseInput{Outcome: "needs_met", Reason: "Outcomes met."})
	if s := answered(t, "close", closed, err, 200).JSON200.Status; s != "closed" {
		t.Fatalf("closed: %v", s)
	}
	again, err := officer.TransitionReferralWithResponse(ctx, ref, nil, client.TransitionInput{To: "reviewing", Reason: "x"})
	if answered(t, "transition a closed referral", again, err, 409).ApplicationProblemJSON409 == nil {
		t.Fatalf("no problem details: %s", again.Body)
	}

	// The timeline tells the whole story, in order, and the family can read it.
	tl, err := parent.GetTimelineWithResponse(ctx, uid(kid), &client.GetTimelineParams{Limit: ptr(200)})
	var kinds []string
	for _, ev := range answered(t, "timeline", tl, err, 200).JSON200.Items {
		kinds = append(kinds, ev.Kind)
	}
	story := strings.Join(kinds, " ")
	for _, step := range []string{"referral.received", "referral.triaged", "assessment.started", "assessment.submitted", "meeting.held",
		"referral.allocated", "referral.mam_held", "action.completed", "referral.panel", "referral.plan_in_place", "feedback.given",
		"referral.reviewing", "referral.closed"} {
		i := strings.Index(story, step)
		if i < 0 {
			t.Fatalf("timeline lacks %s: %s", step, story)
		}
		story = story[i:]
	}
	// A subject access export holds the whole pathway.
	xr, err := officer.ExportYoungPersonWithResponse(ctx, uid(kid), nil)
	x := answered(t, "export", xr, err, 200).JSON200
	for field, got := range map[string]int{"referrals": len(x.Referrals), "allocations": len(x.Allocations), "family_assessments": len(x.FamilyAssessments),
		"meetings": len(x.Meetings), "pathway_feedback": len(x.PathwayFeedback)} {
		want := map[string]int{"referrals": 1, "allocations": 1, "family_assessments": 1, "meetings": 3, "pathway_feedback": 3}[field]
		if got != want {
			t.Errorf("export %s: %d, want %d", field, got, want)
		}
	}
	for _, secret := range []string{"Jo Example", "I like trains", "One plan"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("log output contains %q", secret)
		}
	}
}
