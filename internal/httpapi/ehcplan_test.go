package httpapi_test

import (
	"net/http"
	"testing"
	"time"
)

func daysAgo(n int) string { return time.Now().AddDate(0, 0, -n).Format("2006-01-02") }

// minimalSections is a draft good enough to become a final once section I is named.
func minimalSections() map[string]any {
	return map[string]any{
		"a": map[string]any{"views": "I like trains and drawing.", "aspirations": "To read by myself.", "whose_words": "child_young_person"},
		"b": []any{map[string]any{"ref": "B1", "sen_type": "SLCN", "rank": 1, "description": "Difficulty understanding spoken language."}},
		"e": []any{map[string]any{"ref": "E1", "description": "Follows two-step instructions in class by July.", "needs": []any{"B1"}}},
		"f": []any{map[string]any{"ref": "F1", "what": "Speech and language therapy programme", "who": "NHS speech and language therapist",
			"how_often": "Weekly, 30 minutes", "how_long": "Two school terms", "outcomes": []any{"E1"}}},
	}
}

var placement = map[string]any{"setting_name": "Oak Primary School", "setting_type": "mainstream_school", "urn": "123456"}

// The setups below walk a request through the statutory process as the SEND officer. The record
// the row acts on rides in the fixture's feedback slot; an advice id in the action slot.

func withAssessing(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child,
		"received_on": daysAgo(60), "requested_by": "parent"}, http.StatusCreated)["id"].(string)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/decision-to-assess", map[string]any{"decision": "assess",
		"decided_on": daysAgo(40), "reason": "May need a plan."}, http.StatusOK)
}

func withAdvice(e *env, f *fixture) {
	withAssessing(e, f)
	r := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/advice", map[string]any{"adviser": "educational_psychologist",
		"requested_on": daysAgo(39)}, http.StatusOK)
	f.action = r["advice"].([]any)[0].(map[string]any)["id"].(string)
}

func withPlanDrafting(e *env, f *fixture) {
	withAssessing(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+f.feedback+"/decision-to-issue", map[string]any{"decision": "issue",
		"decided_on": daysAgo(30), "reason": "Needs call for a plan."}, http.StatusOK)
}

func withDraftPlan(e *env, f *fixture) {
	withPlanDrafting(e, f)
	f.feedback = e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "ehc_request_id": f.feedback,
		"sections": minimalSections()}, http.StatusCreated)["id"].(string)
}

func withServedDraft(e *env, f *fixture) {
	withDraftPlan(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/serve-draft", map[string]any{"served_on": daysAgo(25)}, http.StatusOK)
}

func withIssuedPlan(e *env, f *fixture) {
	withServedDraft(e, f)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+f.feedback+"/issue", map[string]any{"issued_on": daysAgo(5), "placement": placement}, http.StatusOK)
}

func withReview(e *env, f *fixture) {
	withIssuedPlan(e, f)
	page := e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+f.feedback, nil, http.StatusOK)
	f.feedback = page["items"].([]any)[0].(map[string]any)["id"].(string)
}

func withHeldReview(e *env, f *fixture) {
	withReview(e, f)
	e.mustDo(http.MethodPost, "/v1/annual-reviews/"+f.feedback+"/meeting", map[string]any{"meeting_on": daysAgo(1),
		"attendees": []any{map[string]any{"role": "parent"}}, "recommendation": "maintain"}, http.StatusOK)
}

// planRun: the SEND team and the engagement lead run the statutory process.
var planRun = pathwayRun

func TestEHCPlanSetupsWork(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withHeldReview(e, &f)
	})
}

// transferredPlan records a plan brought in from another authority (no request here), issued on
// a given day.
func (e *env) transferredPlan(issuedOn string) (child, plan string) {
	e.t.Helper()
	f := e.fixture()
	plan = e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "sections": minimalSections()}, http.StatusCreated)["id"].(string)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/serve-draft", map[string]any{"served_on": "2025-09-01"}, http.StatusOK)
	e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": issuedOn, "placement": placement,
		"family_agreed_early": true}, http.StatusOK)
	return f.child, plan
}

// TestAnnualReviewsOverdue: the overdue list is exact. Seeded today (the real clock): a review
// not held by its due date, a review held more than 4 weeks ago with no decision, a review held
// without its report after 2 weeks, and reviews on time.
func TestAnnualReviewsOverdue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		reviewOf := func(plan string) string {
			return e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+plan, nil, http.StatusOK)["items"].([]any)[0].(map[string]any)["id"].(string)
		}
		hold := func(review, on string, report any) {
			body := map[string]any{"meeting_on": on, "attendees": []any{map[string]any{"role": "parent"}}, "recommendation": "maintain"}
			if report != nil {
				body["report_sent_on"] = report
			}
			e.mustDo(http.MethodPost, "/v1/annual-reviews/"+review+"/meeting", body, http.StatusOK)
		}
		// Issued 1 Oct 2025: review due 30 Sep 2026 (the 12 months starting with the issue), not held.
		_, notHeld := e.transferredPlan("2025-10-01")
		notHeldReview := reviewOf(notHeld)
		// Held 40 days ago with its report, never decided (decision due 28 days after).
		_, undecided := e.transferredPlan("2025-12-01")
		undecidedReview := reviewOf(undecided)
		hold(undecidedReview, daysAgo(40), daysAgo(39))
		// Held 20 days ago, decided, but no report: the report was due 14 days after.
		_, noReport := e.transferredPlan("2025-12-02")
		noReportReview := reviewOf(noReport)
		hold(noReportReview, daysAgo(20), nil)
		e.mustDo(http.MethodPost, "/v1/annual-reviews/"+noReportReview+"/decision", map[string]any{"decision": "maintain", "decided_on": daysAgo(19),
			"appeal_rights_notified": true, "reason": "Still right."}, http.StatusOK)
		// On time: issued recently; and held 10 days ago, report sent, decision not yet due.
		_, recent := e.transferredPlan(daysAgo(30))
		_, heldRecently := e.transferredPlan("2025-12-03")
		heldRecentlyReview := reviewOf(heldRecently)
		hold(heldRecentlyReview, daysAgo(10), daysAgo(9))

		ids := func(query string) []string {
			var out []string
			for _, it := range e.mustDo(http.MethodGet, "/v1/annual-reviews?"+query, nil, http.StatusOK)["items"].([]any) {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			return sorted(out...)
		}
		if got, want := ids("overdue=true&limit=100"), sorted(notHeldReview, undecidedReview, noReportReview); !equal(got, want) {
			t.Fatalf("overdue: %v, want %v", got, want)
		}
		// The decided review scheduled the next one, due the day before its decision's anniversary: not overdue.
		onTime := ids("overdue=false&limit=100")
		if len(onTime) != 3 || !contains(onTime, reviewOf(recent)) || !contains(onTime, heldRecentlyReview) {
			t.Fatalf("not overdue: %v", onTime)
		}
		// Each listed review shows why.
		r := e.mustDo(http.MethodGet, "/v1/annual-reviews/"+undecidedReview, nil, http.StatusOK)
		if r["deadlines"].(map[string]any)["decision"].(map[string]any)["status"] != "overdue" {
			t.Fatalf("undecided review: %v", r["deadlines"])
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
