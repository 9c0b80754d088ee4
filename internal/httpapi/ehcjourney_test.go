package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/pkg/client"
)

// on is a fixed calendar day for the client's date fields.
func on(s string) openapi_types.Date {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return day(d)
}

// ds is a date the client decoded, "" when absent.
func ds(d *openapi_types.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// typed converts a fixture written as JSON-like maps into the client's type for it.
func typed[T any](t *testing.T, v any) T {
	t.Helper()
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatalf("fixture as %T: %v", out, err)
	}
	return out
}

// names reports whether a problem names the JSON pointer.
func names(p *client.Problem, pointer string) bool {
	if p == nil || p.Errors == nil {
		return false
	}
	for _, f := range *p.Errors {
		if f.Pointer == pointer {
			return true
		}
	}
	return false
}

// TestEHCJourney runs one child's statutory process end to end as the SEND officer, on fixed
// past dates so every due date can be checked against the regulations, through the generated
// client (pkg/client) as an integrator would:
//
//	received Mon 5 Jan 2026; decision to assess due 16 Feb (+6 weeks, Reg 5(1)); no-plan notice
//	due 27 Apr (+16 weeks, Reg 10(1)); draft target 13 Apr (+14 weeks, practice); final plan due
//	25 May (+20 weeks, Reg 13(2)); advice asked 11 Feb due 25 Mar (+6 weeks, Reg 8); draft
//	served 10 Apr, comments to 24 Apr (15 days beginning with service, Reg 13(1)); first review
//	due 19 May 2027 (the 12 months starting with the issue, s.44(1)(a)); review meeting 2 Nov 2026: papers due 19
//	Oct, report due 16 Nov, decision due 30 Nov (Reg 20); amendment notice 17 Nov: comments to 1
//	Dec, amended plan due 12 Jan 2027 (Reg 22); cease decided 21 Nov: appeal window to 21 Jan
//	2027 (HESC r.20), plan in force until then.
func TestEHCJourney(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.client(e.officer)
		f := e.fixture()
		child, referral := uid(f.child), uid(f.referral)
		placed := typed[client.EHCPlacement](t, placement)
		sections := func(m map[string]any) client.EHCPlanSections { return typed[client.EHCPlanSections](t, m) }

		// The request and the decision to assess.
		cr, err := c.CreateEHCNeedsAssessmentWithResponse(ctx, nil, client.EHCNeedsAssessmentInput{YoungPersonID: child, ReceivedOn: on("2026-01-05"),
			RequestedBy: "school_or_college", ReferralID: &referral})
		req := answered(t, "request", cr, err, 201).JSON201.ID
		dr, err := c.DecideEHCNeedsAssessmentWithResponse(ctx, req, nil, client.EHCDecisionInput{Decision: "assess", DecidedOn: on("2026-02-10"), Reason: "Needs unclear."})
		r := answered(t, "decision to assess", dr, err, 200).JSON200
		if r.Status != "assessing" || r.RequestOutcome != "Y" || r.AssessmentOutcome == nil || *r.AssessmentOutcome != "A" {
			t.Fatalf("after decision: %v %v %v", r.Status, r.RequestOutcome, r.AssessmentOutcome)
		}

		// Advice, each on its own clock. Preparing-for-adulthood advice is refused below Year 9.
		pfa, err := c.RequestEHCAdviceWithResponse(ctx, req, nil, client.EHCAdviceInput{Adviser: "preparation_for_adulthood", RequestedOn: on("2026-02-11")})
		if !names(answered(t, "PfA advice below Year 9", pfa, err, 422).ApplicationProblemJSON422, "/adviser") {
			t.Fatalf("problem: %s", pfa.Body)
		}
		epr, err := c.RequestEHCAdviceWithResponse(ctx, req, nil, client.EHCAdviceInput{Adviser: "educational_psychologist", RequestedOn: on("2026-02-11"), Provider: ptr("EP service")})
		answered(t, "EP advice", epr, err, 200)
		mr, err := c.RequestEHCAdviceWithResponse(ctx, req, nil, client.EHCAdviceInput{Adviser: "medical", RequestedOn: on("2026-02-11")})
		advice := *answered(t, "medical advice", mr, err, 200).JSON200.Advice
		ep, med := advice[0], advice[1]
		if d := ep.Deadline; d.DueOn.String() != "2026-03-25" || d.Status != "overdue" {
			t.Fatalf("EP advice deadline: %+v", d)
		}
		rec, err := c.ReceiveEHCAdviceWithResponse(ctx, req, ep.ID, nil, client.EHCAdviceReceivedInput{ReceivedOn: on("2026-03-20")})
		answered(t, "EP advice received", rec, err, 200)
		rec, err = c.ReceiveEHCAdviceWithResponse(ctx, req, med.ID, nil, client.EHCAdviceReceivedInput{ReceivedOn: on("2026-04-01")})
		for i, want := range []client.DeadlineStatus{"met_on_time", "met_late"} {
			if got := (*answered(t, "medical advice received", rec, err, 200).JSON200.Advice)[i].Deadline.Status; got != want {
				t.Errorf("advice %d: %v, want %s", i, got, want)
			}
		}
		rec, err = c.ReceiveEHCAdviceWithResponse(ctx, req, med.ID, nil, client.EHCAdviceReceivedInput{ReceivedOn: on("2026-04-02")})
		answered(t, "advice received twice", rec, err, 409)

		// The decision to issue: the no-plan notice no longer applies.
		ir, err := c.DecideEHCPlanIssueWithResponse(ctx, req, nil, client.EHCIssueDecisionInput{Decision: "issue", DecidedOn: on("2026-04-06"), Reason: "Needs call for a plan."})
		r = answered(t, "decision to issue", ir, err, 200).JSON200
		if r.Status != "plan_drafting" || *r.AssessmentOutcome != "A" || r.Deadlines.NoPlanNotice.Status != "not_applicable" {
			t.Fatalf("after decision to issue: %s", ir.Body)
		}

		// The draft: section I must be blank; a second plan for the child is refused.
		draft := minimalSections()
		draft["i"] = placement
		bad, err := c.CreateEHCPlanWithResponse(ctx, nil, client.EHCPlanInput{YoungPersonID: child, EHCRequestID: &r.ID, Sections: sections(draft)})
		if !names(answered(t, "draft with section I", bad, err, 400).ApplicationProblemJSON400, "/sections/i") {
			t.Fatalf("problem: %s", bad.Body)
		}
		pr, err := c.CreateEHCPlanWithResponse(ctx, nil, client.EHCPlanInput{YoungPersonID: child, EHCRequestID: &r.ID, Sections: sections(minimalSections())})
		plan := answered(t, "draft", pr, err, 201).JSON201.ID
		second, err := c.CreateEHCPlanWithResponse(ctx, nil, client.EHCPlanInput{YoungPersonID: child, Sections: sections(minimalSections())})
		answered(t, "a second plan", second, err, 409)
		early, err := c.IssueEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanIssueInput{IssuedOn: on("2026-04-09"), Placement: &placed})
		answered(t, "issue before the draft is served", early, err, 409)
		sr, err := c.ServeEHCPlanDraftWithResponse(ctx, plan, nil, client.EHCPlanServeInput{ServedOn: on("2026-04-10")})
		if v := answered(t, "serve draft", sr, err, 200).JSON200.Versions[0]; ds(v.CommentsDueOn) != "2026-04-24" || v.Frozen {
			t.Fatalf("served draft: %+v", v)
		}
		gr, err := c.GetEHCNeedsAssessmentWithResponse(ctx, req)
		if d := answered(t, "read request", gr, err, 200).JSON200.Deadlines.DraftPlanTarget; ds(d.CompletedOn) != "2026-04-10" || d.Status != "met_on_time" {
			t.Fatalf("draft target: %+v", d)
		}

		// The final plan: not inside the comment period, and only with section I named.
		in, err := c.IssueEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanIssueInput{IssuedOn: on("2026-04-20"), Placement: &placed})
		if !names(answered(t, "issue in the comment period", in, err, 422).ApplicationProblemJSON422, "/issued_on") {
			t.Fatalf("problem: %s", in.Body)
		}
		in, err = c.IssueEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanIssueInput{IssuedOn: on("2026-05-20")})
		if !names(answered(t, "issue without section I", in, err, 422).ApplicationProblemJSON422, "/sections/i") {
			t.Fatalf("problem: %s", in.Body)
		}
		in, err = c.IssueEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanIssueInput{IssuedOn: on("2026-05-20"), Placement: &placed})
		pl := answered(t, "issue", in, err, 200).JSON200
		if pl.Status != "issued" || ds(pl.FirstIssuedOn) != "2026-05-20" || pl.InForceVersion == nil || *pl.InForceVersion != 2 {
			t.Fatalf("issued: %s", in.Body)
		}
		if ds(pl.NextReview.DueOn) != "2027-05-19" {
			t.Fatalf("next review: %+v", pl.NextReview)
		}
		if v := pl.Versions[1]; v.Kind != "final" || !v.Frozen || v.Sections.I == nil {
			t.Fatalf("final version: %+v", v)
		}
		gr, err = c.GetEHCNeedsAssessmentWithResponse(ctx, req)
		r = answered(t, "read request", gr, err, 200).JSON200
		if r.Status != "plan_issued" || *r.AssessmentOutcome != "Y" || ds(r.AssessmentOutcomeDate) != "2026-05-20" || r.Deadlines.FinalPlan.Status != "met_on_time" {
			t.Fatalf("request after issue: %s", gr.Body)
		}
		rd, err := c.ReviseEHCPlanDraftWithResponse(ctx, plan, nil, client.EHCPlanDraftInput{Sections: sections(minimalSections())})
		answered(t, "revise an issued plan's draft", rd, err, 409)

		// The first annual review, held early.
		lr, err := c.ListAnnualReviewsWithResponse(ctx, &client.ListAnnualReviewsParams{PlanID: &plan})
		reviews := answered(t, "annual reviews", lr, err, 200).JSON200.Items
		if len(reviews) != 1 || reviews[0].DueOn.String() != "2027-05-19" {
			t.Fatalf("reviews: %s", lr.Body)
		}
		review := reviews[0].ID
		hr, err := c.HoldAnnualReviewWithResponse(ctx, review, nil, client.AnnualReviewMeetingInput{MeetingOn: on("2026-11-02"), PapersSentOn: ptr(on("2026-10-26")),
			Attendees:  []client.AnnualReviewAttendee{{Role: "parent"}, {Role: "setting", OrganisationID: ptr(uid(e.school))}},
			ChildViews: ptr("I want to go to the big school."), Recommendation: "amend", ReportSentOn: ptr(on("2026-11-10"))})
		dl := answered(t, "review meeting", hr, err, 200).JSON200.Deadlines
		for name, got := range map[string]client.Milestone{"review": dl.Review, "papers": dl.Papers, "report": dl.Report} {
			want := map[string][2]string{"review": {"2027-05-19", "met_on_time"}, "papers": {"2026-10-19", "met_late"}, "report": {"2026-11-16", "met_on_time"}}[name]
			if ds(got.DueOn) != want[0] || string(got.Status) != want[1] {
				t.Errorf("review %s: %+v, want %v", name, got, want)
			}
		}
		if ds(dl.Decision.DueOn) != "2026-11-30" {
			t.Errorf("review decision due: %+v", dl.Decision)
		}
		ar, err := c.DecideAnnualReviewWithResponse(ctx, review, nil, client.AnnualReviewDecisionInput{Decision: "amend", DecidedOn: on("2026-11-16"), Reason: "New therapy advice."})
		if rv := answered(t, "review decision", ar, err, 200).JSON200; rv.Status != "decided" || rv.Deadlines.Decision.Status != "met_on_time" {
			t.Fatalf("decided review: %s", ar.Body)
		}
		gp, err := c.GetEHCPlanWithResponse(ctx, plan)
		if pl := answered(t, "read plan", gp, err, 200).JSON200; ds(pl.LastReviewedOn) != "2026-11-16" || ds(pl.NextReview.DueOn) != "2027-11-15" {
			t.Fatalf("plan after review: %s", gp.Body)
		}

		// The amendment, following the review; the family agreed before their 15 days were up.
		amended := minimalSections()
		amended["f"] = []any{map[string]any{"ref": "F1", "what": "Speech and language therapy programme", "who": "NHS speech and language therapist",
			"how_often": "Twice weekly, 30 minutes", "how_long": "Three school terms", "outcomes": []any{"E1"}}}
		amended["i"] = placement
		am, err := c.ProposeEHCPlanAmendmentWithResponse(ctx, plan, nil, client.EHCPlanAmendmentInput{NoticeOn: on("2026-11-17"), Reason: "Therapy doubled after review.",
			AnnualReviewID: &review, Sections: sections(amended)})
		v := answered(t, "amendment", am, err, 200).JSON200.Versions[2]
		if v.Kind != "amendment_proposal" || ds(v.CommentsDueOn) != "2026-12-01" || v.AmendmentFinal == nil || ds(v.AmendmentFinal.DueOn) != "2027-01-12" {
			t.Fatalf("proposal: %s", am.Body)
		}
		am2, err := c.ProposeEHCPlanAmendmentWithResponse(ctx, plan, nil, client.EHCPlanAmendmentInput{NoticeOn: on("2026-11-18"), Reason: "Again.", Sections: sections(amended)})
		answered(t, "a second amendment", am2, err, 409)
		in, err = c.IssueEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanIssueInput{IssuedOn: on("2026-11-20"), FamilyAgreedEarly: ptr(true)})
		pl = answered(t, "issue the amended plan", in, err, 200).JSON200
		v = pl.Versions[3]
		if v.Kind != "amended_final" || v.InForce == nil || !*v.InForce || *pl.InForceVersion != 4 || ds(pl.LastIssuedOn) != "2026-11-20" ||
			v.AmendmentFinal == nil || v.AmendmentFinal.Status != "met_on_time" {
			t.Fatalf("amended final: %s", in.Body)
		}
		if old := pl.Versions[1]; old.InForce == nil || *old.InForce || !old.Frozen {
			t.Fatalf("superseded final: %+v", old)
		}

		// Cessation: held in force while the appeal window is open; the next review lapses.
		ce, err := c.CeaseEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanCeaseInput{DecidedOn: on("2026-11-21"), Reason: "2", AppealRightsNotified: ptr(true),
			CeasesOn: ptr(on("2026-12-01"))})
		if !names(answered(t, "cease inside the appeal window", ce, err, 422).ApplicationProblemJSON422, "/ceases_on") {
			t.Fatalf("problem: %s", ce.Body)
		}
		ce, err = c.CeaseEHCPlanWithResponse(ctx, plan, nil, client.EHCPlanCeaseInput{DecidedOn: on("2026-11-21"), Reason: "2", AppealRightsNotified: ptr(true)})
		pl = answered(t, "cease", ce, err, 200).JSON200
		if pl.Status != "ceasing" || pl.Cessation == nil || pl.Cessation.CeasesOn.String() != "2027-01-22" || *pl.InForceVersion != 4 {
			t.Fatalf("ceasing: %s", ce.Body)
		}
		lr, err = c.ListAnnualReviewsWithResponse(ctx, &client.ListAnnualReviewsParams{PlanID: &plan, Status: ptr(client.AnnualReviewStatus("cancelled"))})
		if next := answered(t, "cancelled reviews", lr, err, 200).JSON200.Items; len(next) != 1 || next[0].Sequence != 2 {
			t.Fatalf("cancelled reviews: %s", lr.Body)
		}

		// The family appeals the decision to cease.
		dp, err := c.CreateDisputeWithResponse(ctx, nil, client.DisputeInput{Kind: "tribunal", SubjectType: "ehc_plan", SubjectID: plan, About: "cease",
			BroughtBy: "parent", ReceivedOn: on("2026-11-22"), DecisionLetterOn: ptr(on("2026-11-21"))})
		if d := answered(t, "appeal", dp, err, 201).JSON201; ds(d.AppealDeadline) != "2027-01-21" || d.YoungPersonID != child {
			t.Fatalf("appeal: %s", dp.Body)
		}

		// The timeline tells the story in order.
		tl, err := c.GetTimelineWithResponse(ctx, child, &client.GetTimelineParams{Limit: ptr(100)})
		kinds := map[string]bool{}
		for _, it := range answered(t, "timeline", tl, err, 200).JSON200.Items {
			kinds[it.Kind] = true
		}
		for _, k := range []string{"ehc_request.received", "ehc_request.advice_received", "ehc_plan.draft_served", "ehc_plan.issued",
			"annual_review.decided", "ehc_plan.amendment_proposed", "ehc_plan.ceasing"} {
			if !kinds[k] {
				t.Errorf("timeline lacks %s", k)
			}
		}
	})
}
