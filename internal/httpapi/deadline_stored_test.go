package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	clocks "github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// TestDeadlineWorklistStoredEqualsComputed (issue 14): the worklist read from its table, one
// keyset query a page, is the worklist computed from the records themselves (every area read, as
// before), for every clock, status, owner, young person, due day and scope, page by page in pages
// of three (and so with no gap or repeat across pages); after further writes (marked stale, then
// refreshed) and after a sweep (which writes the table whole), still.
func TestDeadlineWorklistStoredEqualsComputed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Records at every stage: each fixture starts a clock or several.
		a, b, c, d, g := e.fixture(), e.fixture(), e.fixture(), e.fixture(), e.fixture()
		e.fbAllocateLead(a)
		withAdvice(e, &a) // decision made: 16 and 20 weeks, advice
		withServedDraft(e, &b)
		withHeldReview(e, &c) // review report and decision
		withTransitionAge(e, &d)
		e.mustDo(http.MethodPost, "/v1/transition-plans", map[string]any{"young_person_id": d.child, "started_on": daysAgo(2),
			"chc": map[string]any{"identified_on": daysAgo(30)}}, http.StatusCreated) // Care Act and every CHC milestone
		withTransitionAge(e, &g) // Year 9: a 15-year-old with an open referral and no transition plan
		g2, tp := e.fixture(), e.fixture()
		withTransitionAge(e, &g2)  // another, who keeps the gap
		withTransitionPlan(e, &tp) // CHC not yet identified: chc_identify
		u := e.fixture()
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": u.child, "received_on": daysAgo(10),
			"requested_by": "parent"}, http.StatusCreated) // the decision whether to assess
		h := e.fixture()
		e.fbAllocateLead(h)
		withIssuedPlan(e, &h) // the annual review
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+h.feedback+"/amendments", map[string]any{"notice_on": daysAgo(3), "reason": "New therapy advice.",
			"sections": amendedSections()}, http.StatusOK)
		p := e.fixture()
		withIssuedPlan(e, &p)
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+p.feedback+"/phase-transfer", map[string]any{"kind": "between_phases",
			"transfer_on": time.Now().AddDate(1, 3, 0).Format("2006-01-02")}, http.StatusOK)
		ra, rb := e.fixture(), e.fixture()
		withReassessment(e, &ra)
		withOwnMotionReassessment(e, &rb)
		_, moved := e.transferredPlan(daysAgo(20))
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+moved+"/transfer-in", map[string]any{"from_la": "802", "moved_on": daysAgo(10),
			"old_authority_aware_on": daysAgo(40), "transferred_on": daysAgo(10), "made_on": daysAgo(300)}, http.StatusOK)
		midway := time.Now()
		x := e.fixture()
		withAssessing(e, &x) // changed after midway: updated_since keeps it

		officer := auth.WithPrincipal(context.Background(), auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: e.council})
		school := auth.WithPrincipal(context.Background(), auth.Principal{Role: auth.RolePractitioner, OrganisationID: e.school})
		outsider := auth.WithPrincipal(context.Background(), auth.Principal{Role: auth.RolePractitioner, OrganisationID: e.other})
		line := func(it clocks.Item) string {
			return strings.Join([]string{it.DueOn.Format("2006-01-02"), it.Key(), string(it.Status), it.WarnFrom.Format("2006-01-02"),
				it.Owner, it.YoungPersonID}, " ")
		}
		// pages reads every page of size 3 both ways, comparing each page and its next cursor.
		pages := func(ctx context.Context, name string, q clocks.Query, since time.Time) []string {
			t.Helper()
			var all []string
			pg := paging.Page{Limit: 3, UpdatedSince: since}
			for n := 0; ; n++ {
				stored, next, err := e.app.Deadlines.List(ctx, q, pg)
				if err != nil {
					t.Fatalf("%s: stored: %v", name, err)
				}
				computed, cnext, err := e.app.Deadlines.Computed(ctx, q, pg)
				if err != nil {
					t.Fatalf("%s: computed: %v", name, err)
				}
				var s, c []string
				for _, it := range stored {
					s = append(s, line(it))
				}
				for _, it := range computed {
					c = append(c, line(it))
				}
				if !slices.Equal(s, c) || next != cnext {
					t.Fatalf("%s, page %d:\nstored   %q next %q\ncomputed %q next %q", name, n, s, next, c, cnext)
				}
				all = append(all, s...)
				if next == "" {
					break
				}
				pg.Cursor = next
			}
			seen := map[string]bool{}
			for _, l := range all {
				if seen[l] {
					t.Fatalf("%s: %q twice across pages", name, l)
				}
				seen[l] = true
			}
			return all
		}
		check := func(stage string) {
			t.Helper()
			today := time.Now()
			everything := pages(officer, stage+": everything", clocks.Query{}, time.Time{})
			if whole, _, err := e.app.Deadlines.Computed(officer, clocks.Query{}, paging.Page{Limit: paging.Max}); err != nil || len(whole) != len(everything) {
				t.Fatalf("%s: %d deadlines over pages of 3, %d in one page (%v)", stage, len(everything), len(whole), err)
			}
			seen := map[string]bool{}
			for _, l := range everything {
				seen[strings.Split(strings.Split(l, " ")[1], ":")[2]] = true
			}
			for _, info := range clocks.Clocks {
				if !seen[string(info.Clock)] {
					t.Errorf("%s: no %s deadline among the records: %v", stage, info.Clock, seen)
				}
				pages(officer, stage+": clock "+string(info.Clock), clocks.Query{Clock: info.Clock}, time.Time{})
			}
			for _, st := range []clocks.Status{clocks.Upcoming, clocks.DueSoon, clocks.Missed} {
				pages(officer, stage+": "+string(st), clocks.Query{Status: st}, time.Time{})
				pages(officer, stage+": "+string(st)+" in 60 days", clocks.Query{Status: st, AsOf: today.AddDate(0, 0, 60)}, time.Time{})
			}
			pages(officer, stage+": due within 30 days", clocks.Query{DueBefore: today.AddDate(0, 0, 30)}, time.Time{})
			if got := pages(officer, stage+": the lead's", clocks.Query{Owner: e.lead}, time.Time{}); len(got) == 0 {
				t.Errorf("%s: the lead owns nothing", stage)
			}
			pages(officer, stage+": the lead's final plans", clocks.Query{Owner: e.lead, Clock: clocks.FinalPlan}, time.Time{})
			for _, f := range []fixture{a, c, d, g, h} {
				pages(officer, stage+": one child", clocks.Query{YoungPersonID: f.child}, time.Time{})
			}
			if got := pages(officer, stage+": changed since midway", clocks.Query{}, midway); len(got) == 0 || len(got) >= len(everything) {
				t.Errorf("%s: %d changed since midway of %d", stage, len(got), len(everything))
			}
			if got := pages(school, stage+": the school's", clocks.Query{}, time.Time{}); len(got) == 0 {
				t.Errorf("%s: the school sees nothing", stage)
			}
			if got := pages(outsider, stage+": an outsider's", clocks.Query{}, time.Time{}); len(got) != 0 {
				t.Errorf("%s: an outsider sees %q", stage, got)
			}
		}
		check("as written")

		// Writes that close, move and reassign deadlines: the worklist follows at once.
		e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments/"+x.feedback+"/decision-to-issue", map[string]any{"decision": "issue",
			"decided_on": daysAgo(1), "reason": "Needs call for a plan."}, http.StatusOK)
		e.fbAllocateLead(g)
		e.mustDo(http.MethodPost, "/v1/transition-plans", map[string]any{"young_person_id": g.child, "started_on": daysAgo(1)}, http.StatusCreated)
		check("after more writes")

		e.sweepOn(time.Now().Format("2006-01-02"))
		check("after a sweep")
	})
}
