package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	clocks "github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
)

// warnings counts a record's deadline events by "kind:clock".
func (e *env) warnings(id string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	err := e.st.Read(context.Background(), func(tx *store.Tx) error {
		events, err := tx.Outbox().ForRecord(id)
		for _, ev := range events {
			switch ev.Type {
			case "deadline.due_soon":
				out["due_soon:"+ev.Payload["clock"].(string)]++
			case "deadline.missed":
				out["missed:"+ev.Payload["clock"].(string)]++
			}
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) sweepOn(day string) deadlines.SweepResult {
	e.t.Helper()
	d, _ := time.Parse("2006-01-02", day)
	res, err := e.app.Deadlines.Sweep(context.Background(), d)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// TestDeadlineWarnings: every clock of a request warns once at its (configured) lead and is
// missed once the day after; sweeping again sends nothing. Received 5 Jan 2026: decision due
// 16 Feb (lead 7 days), the 16-week notice 27 Apr (14 days), the 20-week plan 25 May (configured
// to 3 weeks). A transition plan's CHC identification, due by 14, is missed for a 15-year-old.
func TestDeadlineWarnings(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		leads, err := clocks.ParseLeads("20w=3w")
		if err != nil {
			t.Fatal(err)
		}
		e.app.Deadlines.SetLeads(leads)
		f := e.fixture()
		req := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)
		for _, c := range []struct {
			day        string
			soon, miss int
		}{{"2026-02-08", 0, 0}, {"2026-02-09", 1, 0}, {"2026-02-09", 0, 0}, {"2026-02-16", 0, 0}, {"2026-02-17", 0, 1}, {"2026-02-18", 0, 0},
			{"2026-04-12", 0, 0}, {"2026-04-13", 1, 0}, {"2026-04-13", 0, 0}, {"2026-04-28", 0, 1},
			{"2026-05-03", 0, 0}, {"2026-05-04", 1, 0}, {"2026-05-25", 0, 0}, {"2026-05-26", 0, 1}, {"2026-05-26", 0, 0}} {
			if res := e.sweepOn(c.day); res.Warned != c.soon || res.Missed != c.miss {
				t.Fatalf("%s: %+v, want %d due soon and %d missed", c.day, res, c.soon, c.miss)
			}
		}
		want := map[string]int{"due_soon:decision_to_assess": 1, "missed:decision_to_assess": 1, "due_soon:no_plan_notice": 1,
			"missed:no_plan_notice": 1, "due_soon:final_plan": 1, "missed:final_plan": 1}
		if got := e.warnings(req); !equalCounts(got, want) {
			t.Fatalf("request's warnings: %v, want %v", got, want)
		}
		// The payload: ids, the clock, the day; no names.
		_ = e.st.Read(context.Background(), func(tx *store.Tx) error {
			evs, _ := tx.Outbox().ForRecord(req)
			for _, ev := range evs {
				if ev.Type != "deadline.due_soon" || ev.Payload["clock"] != "final_plan" {
					continue
				}
				if ev.RecordType != "ehc_request" || ev.Payload["due_on"] != "2026-05-25" || ev.Payload["young_person_id"] != f.child ||
					ev.Payload["record_id"] != req || ev.Payload["status"] != "due_soon" || len(ev.Payload) != 7 {
					t.Errorf("payload: %s %v", ev.RecordType, ev.Payload)
				}
			}
			return nil
		})

		// A 15-year-old's transition plan: CHC identification (by 14) is missed, once.
		g := e.fixture()
		withTransitionPlan(e, &g)
		today := time.Now().Format("2006-01-02")
		e.sweepOn(today)
		e.sweepOn(today)
		if got := e.warnings(g.feedback); got["missed:chc_identify"] != 1 || got["due_soon:care_act_assessment"] != 0 {
			t.Fatalf("transition plan's warnings: %v", got)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDeadlineWarningsConcurrentSweeps: two sweeps at once (two replicas) send each warning once:
// the loser of each deadline_notices insert waits for the winner's commit and sends nothing.
func TestDeadlineWarningsConcurrentSweeps(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var reqs []string
		for range 4 {
			f := e.fixture()
			reqs = append(reqs, e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child,
				"received_on": "2026-01-05", "requested_by": "parent"}, http.StatusCreated)["id"].(string))
		}
		for _, day := range []string{"2026-02-10", "2026-02-17"} {
			d, _ := time.Parse("2006-01-02", day)
			var wg sync.WaitGroup
			results := make([]deadlines.SweepResult, 2)
			errs := make([]error, 2)
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i], errs[i] = e.app.Deadlines.Sweep(context.Background(), d)
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("%s: %v", day, err)
				}
			}
			if sent := results[0].Warned + results[0].Missed + results[1].Warned + results[1].Missed; sent != len(reqs) {
				t.Fatalf("%s: the two sweeps sent %d warnings, want %d: %+v", day, sent, len(reqs), results)
			}
		}
		for _, r := range reqs {
			if got := e.warnings(r); got["due_soon:decision_to_assess"] != 1 || got["missed:decision_to_assess"] != 1 {
				t.Fatalf("%s: %v", r, got)
			}
		}
	})
}

// TestDeadlineWorklist: GET /v1/deadlines lists the open deadlines of what the caller may see,
// soonest first, filtered by clock, status and due day, in pages, and audits the page.
func TestDeadlineWorklist(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		req := e.mustDo(http.MethodPost, "/v1/ehc-needs-assessments", map[string]any{"young_person_id": f.child, "received_on": "2026-01-05",
			"requested_by": "parent"}, http.StatusCreated)["id"].(string)
		list := func(key, query string) (items []map[string]any, next string) {
			t.Helper()
			r := e.do(http.MethodGet, "/v1/deadlines?young_person_id="+f.child+"&"+query, key, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", query, r.status, r.body)
			}
			body := r.json(t)
			for _, it := range body["items"].([]any) {
				items = append(items, it.(map[string]any))
			}
			next, _ = body["next_cursor"].(string)
			return items, next
		}
		// On 9 Feb: the decision (16 Feb) is due soon; the 16- and 20-week limits are upcoming.
		items, _ := list(e.officer, "as_of=2026-02-09")
		if len(items) != 3 || items[0]["clock"] != "decision_to_assess" || items[0]["status"] != "due_soon" || items[0]["due_on"] != "2026-02-16" ||
			items[0]["warn_from"] != "2026-02-09" || items[0]["record_id"] != req || items[1]["clock"] != "no_plan_notice" ||
			items[1]["status"] != "upcoming" || items[2]["clock"] != "final_plan" {
			t.Fatalf("worklist: %v", items)
		}
		// On 30 Apr: the decision and 16-week notice are missed, the plan upcoming.
		if items, _ := list(e.officer, "as_of=2026-04-30&status=missed"); len(items) != 2 || items[0]["clock"] != "decision_to_assess" || items[1]["clock"] != "no_plan_notice" {
			t.Fatalf("missed: %v", items)
		}
		if items, _ := list(e.officer, "as_of=2026-04-30&clock=final_plan"); len(items) != 1 || items[0]["due_on"] != "2026-05-25" {
			t.Fatalf("clock: %v", items)
		}
		if items, _ := list(e.officer, "as_of=2026-02-09&due_before=2026-04-27"); len(items) != 2 {
			t.Fatalf("due_before: %v", items)
		}
		// Pages of one, no gaps or repeats.
		var clocks []string
		cursor := ""
		for range 4 {
			q := "as_of=2026-02-09&limit=1"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			page, next := list(e.officer, q)
			for _, it := range page {
				clocks = append(clocks, it["clock"].(string))
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		if len(clocks) != 3 || clocks[0] != "decision_to_assess" || clocks[2] != "final_plan" {
			t.Fatalf("paged: %v", clocks)
		}
		e.do(http.MethodGet, "/v1/deadlines?cursor=nonsense", e.officer, nil).problem(t, http.StatusBadRequest)
		e.do(http.MethodGet, "/v1/deadlines?clock=week_21", e.officer, nil).problem(t, http.StatusBadRequest)
		// Need-to-know: an organisation with no part in the child's care sees none of them.
		if items, _ := list(e.outsider, "as_of=2026-02-09"); len(items) != 0 {
			t.Fatalf("outsider sees %v", items)
		}
		// The page is audited, naming the records and the child.
		var n int
		if err := e.st.Read(context.Background(), func(tx *store.Tx) error {
			evs, _, err := tx.AuditTrail().Events(audit.Filter{YoungPersonID: f.child, Action: audit.List, RecordType: "deadline"}, paging.Page{Limit: 200})
			for _, ev := range evs {
				if slices.Contains(ev.RecordIDs, req) {
					n++
				}
			}
			return err
		}); err != nil || n == 0 {
			t.Fatalf("audits: %d %v", n, err)
		}
	})
}

// TestDeadlineWarningsEveryClock: with records at many stages, the worklist shows the clocks
// beyond the request's own (advice, draft comments, a held review's report and decision, the
// transition clocks), and one sweep, run twice, sends exactly one event for each deadline the
// worklist shows due soon or missed today, and none for the upcoming ones.
func TestDeadlineWarningsEveryClock(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, b, c, d, g := e.fixture(), e.fixture(), e.fixture(), e.fixture(), e.fixture()
		withAdvice(e, &a)
		withServedDraft(e, &b)
		withHeldReview(e, &c)
		withTransitionPlan(e, &d)
		withTransitionAge(e, &g)
		today := time.Now().Format("2006-01-02")
		r := e.do(http.MethodGet, "/v1/deadlines?limit=200&as_of="+today, e.officer, nil)
		if r.status != http.StatusOK {
			t.Fatalf("worklist: %d %s", r.status, r.body)
		}
		type key struct{ record, clock, status string }
		want := map[key]int{}
		clocks := map[string]bool{}
		for _, it := range r.json(t)["items"].([]any) {
			m := it.(map[string]any)
			clocks[m["clock"].(string)] = true
			want[key{m["record_id"].(string), m["clock"].(string), m["status"].(string)}]++
		}
		for _, c := range []string{"advice", "draft_comments", "review_report", "review_decision", "care_act_assessment", "chc_identify", "transition_year9"} {
			if !clocks[c] {
				t.Errorf("no %s deadline on the worklist: %v", c, clocks)
			}
		}
		e.sweepOn(today)
		e.sweepOn(today)
		for k, n := range want {
			got := e.warnings(k.record)
			switch k.status {
			case "upcoming":
				if got["due_soon:"+k.clock]+got["missed:"+k.clock] != 0 {
					t.Errorf("%s %s upcoming but warned: %v", k.record, k.clock, got)
				}
			default:
				if got[k.status+":"+k.clock] != n {
					t.Errorf("%s %s %s: %v, want %d", k.record, k.clock, k.status, got, n)
				}
			}
		}
	})
}
