package httpapi_test

import (
	"context"
	"net/http"
	"testing"
)

// TestLegacyReviewDatesCorrected: a database holding review dates stored the old way (the
// anniversary of the plan's issue, one day late under s.44(1)) reads the corrected dates once
// migration 0011 has run, and a review held on its old due date now shows as late.
func TestLegacyReviewDatesCorrected(t *testing.T) {
	eachRaw(t, func(t *testing.T, e tpEnv) {
		reviewOf := func(plan string) string {
			return e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+plan, nil, http.StatusOK)["items"].([]any)[0].(map[string]any)["id"].(string)
		}
		// Issued 10 September 2025: due 9 September 2026 now, stored as 10 September 2026 before.
		_, legacy := e.transferredPlan("2025-09-10")
		legacyReview := reviewOf(legacy)
		if got := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+legacy, nil, http.StatusOK)["next_review"].(map[string]any)["due_on"]; got != "2026-09-09" {
			t.Fatalf("a plan issued on 2025-09-10 is due %v, want 2026-09-09", got)
		}
		e.exec("UPDATE ehc_plans SET review_due_on = '2026-09-10' WHERE id = ?", legacy)
		e.exec("UPDATE annual_reviews SET due_on = '2026-09-10' WHERE id = ?", legacyReview)
		e.mustDo(http.MethodPost, "/v1/annual-reviews/"+legacyReview+"/meeting", map[string]any{"meeting_on": "2026-09-10",
			"attendees": []any{map[string]any{"role": "parent"}}, "recommendation": "maintain", "report_sent_on": "2026-09-14"}, http.StatusOK)
		// A date set some other way is left alone.
		_, other := e.transferredPlan("2025-10-01")
		e.exec("UPDATE ehc_plans SET review_due_on = '2026-05-01' WHERE id = ?", other)

		// The database had not run 0011 yet: run it.
		e.exec("DELETE FROM schema_migrations WHERE id = '0011_review_due_dates'")
		if err := e.st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}

		pl := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+legacy, nil, http.StatusOK)
		if got := pl["next_review"].(map[string]any)["due_on"]; got != "2026-09-09" {
			t.Errorf("legacy plan's next review due %v, want 2026-09-09", got)
		}
		rv := e.mustDo(http.MethodGet, "/v1/annual-reviews/"+legacyReview, nil, http.StatusOK)
		if rv["due_on"] != "2026-09-09" {
			t.Errorf("legacy review due %v, want 2026-09-09", rv["due_on"])
		}
		if d := rv["deadlines"].(map[string]any)["review"].(map[string]any); d["due_on"] != "2026-09-09" || d["status"] != "met_late" {
			t.Errorf("a review held on its old due date: %v, want due 2026-09-09, met_late", d)
		}
		if got := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+other, nil, http.StatusOK)["next_review"].(map[string]any)["due_on"]; got != "2026-05-01" {
			t.Errorf("a date set some other way became %v, want 2026-05-01", got)
		}
	})
}
