package deadlines_test

import (
	"context"
	"slices"
	"testing"
	"time"

	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// A request received on Monday 2 March 2026 has its decision whether to assess due on 13 April:
// the sweep warns from a week before, once, and says when the day passes, once.
func TestSweepEHCDecision(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: e.YoungPerson(8, nil).ID,
			RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today}))(t)
		sweep := func(y int, m time.Month, d int) deadlines.SweepResult {
			t.Helper()
			return cwt.Must(e.App.Deadlines.Sweep(context.Background(), testkit.Day(y, m, d)))(t)
		}
		if res := sweep(2026, 4, 5); res.DecisionsDue != 0 || res.DeadlinesMissed != 0 {
			t.Errorf("eight days before: %+v, want nothing", res)
		}
		if res := sweep(2026, 4, 6); res.DecisionsDue != 1 {
			t.Errorf("a week before: %+v, want the decision due", res)
		}
		if res := sweep(2026, 4, 7); res.DecisionsDue != 0 {
			t.Errorf("the day after the warning: %+v, want it not repeated", res)
		}
		if res := sweep(2026, 4, 13); res.DeadlinesMissed != 0 {
			t.Errorf("on the due day: %+v, want nothing missed yet", res)
		}
		if res := sweep(2026, 4, 14); res.DeadlinesMissed != 1 {
			t.Errorf("the day after: %+v, want the decision missed", res)
		}
		if res := sweep(2026, 4, 15); res.DeadlinesMissed != 0 {
			t.Errorf("again: %+v, want it not repeated", res)
		}
		var due, missed []map[string]any
		for _, n := range e.Notices(r.ID) {
			switch n.Type {
			case outbox.EHCRequestDecisionDue.Name:
				due = append(due, n.Payload)
			case outbox.EHCRequestDeadlineMissed.Name:
				missed = append(missed, n.Payload)
			}
		}
		if len(due) != 1 || due[0]["due_on"] != "2026-04-13" {
			t.Errorf("decision due events = %v", due)
		}
		if len(missed) != 1 || missed[0]["deadline"] != "decision_to_assess" || missed[0]["due_on"] != "2026-04-13" {
			t.Errorf("missed events = %v", missed)
		}
	})
}

// A young person of 15 with an open referral and no transition plan opens a gap, announced once.
func TestSweepTransitionGap(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		teen := e.YoungPerson(15, nil)
		e.Referral(teen.ID, nil)
		e.Referral(e.YoungPerson(8, nil).ID, nil)
		res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), cwt.Today))(t)
		if res.GapsOpened != 1 {
			t.Errorf("gaps opened = %d, want the 15-year-old's", res.GapsOpened)
		}
		if got := e.NoticeTypes(teen.ID); !slices.Contains(got, outbox.TransitionGapOpened.Name) {
			t.Errorf("the young person's events = %q", got)
		}
		if res := cwt.Must(e.App.Deadlines.Sweep(context.Background(), cwt.Today))(t); res.GapsOpened != 0 {
			t.Errorf("swept again: %d gaps opened", res.GapsOpened)
		}
	})
}

// The sweeper sweeps as of the services' clock, and one interval is swept by one process only.
func TestRunSweeperUsesTheClockOncePerInterval(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		cwt.Must(e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: e.YoungPerson(8, nil).ID,
			RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today}))(t)
		e.Travel(time.Date(2026, 4, 6, 10, 0, 0, 0, time.UTC))
		var results []deadlines.SweepResult
		run := func() { // one round: the report stops it
			ctx, cancel := context.WithCancel(context.Background())
			e.App.Deadlines.RunSweeper(ctx, time.Hour, func(res deadlines.SweepResult, err error) {
				if err != nil {
					t.Errorf("sweep: %v", err)
				}
				results = append(results, res)
				cancel()
			})
		}
		run()
		run()
		if len(results) != 2 || results[0].Skipped || results[0].DecisionsDue != 1 || !results[1].Skipped {
			t.Errorf("two runs in one interval = %+v, want the first to sweep (a decision due) and the second to skip", results)
		}
	})
}
