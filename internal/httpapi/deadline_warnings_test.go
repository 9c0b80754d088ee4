package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	clocks "github.com/oneplan-send/oneplan/internal/deadline"
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
