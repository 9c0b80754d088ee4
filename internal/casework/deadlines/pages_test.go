package deadlines_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// More requests than a page (pages of 3 here): a sweep goes page by page, a transaction each, and
// every notice is sent exactly once, by one sweep or by two at once (two replicas), and a sweep
// after them sends nothing more.
func TestSweepPagesSendEachNoticeOnce(t *testing.T) {
	defer deadlines.SetPageSizes(3)()
	for _, concurrent := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d sweeps", concurrent), func(t *testing.T) {
			cwt.Each(t, func(t *testing.T, e *cwt.Env) {
				var reqs []string
				for range 8 {
					r := cwt.Must(e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{
						YoungPersonID: e.YoungPerson(8, nil).ID, RequestedBy: ehc.ByParent, ReceivedOn: cwt.Today}))(t)
					reqs = append(reqs, r.ID)
				}
				// 100 days on: the decision whether to assess (13 April) has passed, and the
				// no-plan notice (22 June) is within its 14 days' lead.
				day := statutory.AddDays(cwt.Today, 100)
				owing := func() int {
					t.Helper()
					return cwt.Must(e.App.Deadlines.RequestsOwingNotices(context.Background(), day))(t)
				}
				if n := owing(); n != len(reqs) {
					t.Errorf("before the sweep %d requests are read as owing notices, want %d", n, len(reqs))
				}
				results, errs := make([]deadlines.SweepResult, concurrent), make([]error, concurrent)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range concurrent {
					wg.Go(func() {
						<-start
						results[i], errs[i] = e.App.Deadlines.Sweep(context.Background(), day)
					})
				}
				close(start)
				wg.Wait()
				var sum deadlines.SweepResult
				for i, err := range errs {
					if err != nil {
						t.Fatalf("sweep %d: %v", i, err)
					}
					sum.DeadlinesMissed += results[i].DeadlinesMissed
					sum.DeadlinesDueSoon += results[i].DeadlinesDueSoon
					sum.Warned += results[i].Warned
					sum.Missed += results[i].Missed
				}
				if sum.DeadlinesMissed != len(reqs) || sum.DeadlinesDueSoon != len(reqs) {
					t.Errorf("the sweeps sent %d missed and %d due soon, want %d each: %+v", sum.DeadlinesMissed, sum.DeadlinesDueSoon, len(reqs), results)
				}
				warnings := 0
				for _, id := range reqs {
					seen := map[string]int{}
					for _, n := range e.Notices(id) {
						switch n.Type {
						case outbox.EHCRequestDeadlineMissed.Name, outbox.EHCRequestDeadlineDueSoon.Name:
							seen[fmt.Sprint(n.Type, n.Payload["deadline"], n.Payload["due_on"])]++
						case outbox.DeadlineDueSoon.Name, outbox.DeadlineMissed.Name:
							seen[fmt.Sprint(n.Type, n.Payload["clock"], n.Payload["due_on"], n.Payload["part"])]++
							warnings++
						}
					}
					for k, n := range seen {
						if n != 1 {
							t.Errorf("request %s: %d of %s, want one", id, n, k)
						}
					}
					for _, k := range []string{outbox.EHCRequestDeadlineMissed.Name + "decision_to_assess2026-04-13",
						outbox.EHCRequestDeadlineDueSoon.Name + "no_plan_notice2026-06-22",
						outbox.DeadlineMissed.Name + "decision_to_assess2026-04-13<nil>"} {
						if seen[k] != 1 {
							t.Errorf("request %s: %q sent %d times, want once (sent: %v)", id, k, seen[k], seen)
						}
					}
				}
				if sum.Warned+sum.Missed != warnings {
					t.Errorf("the sweeps counted %d warnings, the outbox holds %d", sum.Warned+sum.Missed, warnings)
				}
				// Their notices claimed, the requests are not read again.
				if n := owing(); n != 0 {
					t.Errorf("after the sweep %d requests are read as owing notices, want none", n)
				}
				again := cwt.Must(e.App.Deadlines.Sweep(context.Background(), day))(t)
				if again.DeadlinesMissed+again.DeadlinesDueSoon+again.Warned+again.Missed != 0 {
					t.Errorf("a sweep after: %+v, want nothing sent again", again)
				}
			})
		})
	}
}
