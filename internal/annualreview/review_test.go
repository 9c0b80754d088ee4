package annualreview

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

var (
	today = d(2026, 11, 23)
	young = d(2018, 3, 1)  // Year 3
	year9 = d(2012, 10, 1) // Year 9 from 1 September 2026
)

func due() Review { return Review{Status: Due, DueOn: d(2026, 11, 30)} }

func meeting(on time.Time) Meeting {
	return Meeting{On: on, Attendees: []Attendee{{Role: "parent"}}, Recommendation: Maintain}
}

func has(err error, p string) bool {
	for _, x := range testkit.Pointers(err) {
		if x == p {
			return true
		}
	}
	return false
}

// TestHold: the meeting record and the Year 9 rule of Reg 20(6).
func TestHold(t *testing.T) {
	papers := d(2026, 11, 10)
	cases := []struct {
		name    string
		m       func() Meeting
		dob     time.Time
		pointer string
	}{
		{"held", func() Meeting { return meeting(d(2026, 11, 20)) }, young, ""},
		{"not in the future", func() Meeting { return meeting(d(2026, 11, 24)) }, young, "/meeting_on"},
		{"papers before the meeting", func() Meeting { m := meeting(d(2026, 11, 5)); m.PapersSentOn = &papers; return m }, young, "/papers_sent_on"},
		{"someone attended", func() Meeting { m := meeting(d(2026, 11, 20)); m.Attendees = nil; return m }, young, "/attendees"},
		{"attendee role", func() Meeting { m := meeting(d(2026, 11, 20)); m.Attendees[0].Role = "cousin"; return m }, young, "/attendees/0/role"},
		{"recommendation", func() Meeting { m := meeting(d(2026, 11, 20)); m.Recommendation = "keep"; return m }, young, "/recommendation"},
		{"Year 9 needs a PfA focus", func() Meeting { return meeting(d(2026, 11, 20)) }, year9, "/pfa_focus"},
		{"Year 9 with a PfA focus", func() Meeting { m := meeting(d(2026, 11, 20)); m.PfAFocus = []string{"independent_living"}; return m }, year9, ""},
		{"Year 8 before 1 September", func() Meeting { return meeting(d(2026, 8, 31)) }, year9, ""},
		{"PfA area", func() Meeting { m := meeting(d(2026, 11, 20)); m.PfAFocus = []string{"jobs"}; return m }, young, "/pfa_focus/0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := due()
			err := r.Hold(c.m(), c.dob, today)
			if c.pointer == "" {
				if err != nil || r.Status != Held {
					t.Fatalf("refused: %v %v", err, testkit.Pointers(err))
				}
				return
			}
			if !has(err, c.pointer) {
				t.Fatalf("got %v %v, want %s", err, testkit.Pointers(err), c.pointer)
			}
		})
	}
	r := due()
	_ = r.Hold(meeting(d(2026, 11, 20)), young, today)
	if err := r.Hold(meeting(d(2026, 11, 21)), young, today); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("second meeting: %v", err)
	}
}

// TestDeadlines: papers 2 weeks before, report 2 weeks after, decision 4 weeks after the
// meeting (Reg 20), and the review itself by its due date (s.44).
func TestDeadlines(t *testing.T) {
	r := due()
	if dl := r.Deadlines(d(2026, 11, 23)); dl.Review.Status != statutory.StatusDue || dl.Decision.Status != statutory.StatusNotApplicable || dl.Overdue() {
		t.Fatalf("before the meeting: %+v", dl)
	}
	if dl := r.Deadlines(d(2026, 12, 1)); dl.Review.Status != statutory.StatusOverdue || !dl.Overdue() {
		t.Fatalf("meeting not held by the due date: %+v", dl)
	}
	papers, report := d(2026, 10, 30), d(2026, 11, 13)
	m := meeting(d(2026, 11, 2))
	m.PapersSentOn = &papers
	if err := r.Hold(m, young, today); err != nil {
		t.Fatal(err)
	}
	dl := r.Deadlines(today)
	want := map[string][2]any{
		"review":   {dl.Review, [2]any{d(2026, 11, 30), statutory.StatusMetOnTime}},
		"papers":   {dl.Papers, [2]any{d(2026, 10, 19), statutory.StatusMetLate}},
		"report":   {dl.Report, [2]any{d(2026, 11, 16), statutory.StatusOverdue}},
		"decision": {dl.Decision, [2]any{d(2026, 11, 30), statutory.StatusDue}},
	}
	for name, w := range want {
		got, exp := w[0].(statutory.Milestone), w[1].([2]any)
		if !got.DueOn.Equal(exp[0].(time.Time)) || got.Status != exp[1] {
			t.Errorf("%s: %v %s, want %v %s", name, got.DueOn.Format("2006-01-02"), got.Status, exp[0], exp[1])
		}
	}
	if !dl.Overdue() {
		t.Fatal("the report is overdue")
	}
	if err := r.Decide(Decision{Decision: Maintain, DecidedOn: d(2026, 11, 20)}, &report, today); !has(err, "/appeal_rights_notified") {
		t.Fatalf("maintain without rights: %v", err)
	}
	if err := r.Decide(Decision{Decision: Amend, DecidedOn: d(2026, 11, 1)}, nil, today); !has(err, "/decided_on") {
		t.Fatalf("decided before the meeting: %v", err)
	}
	if err := r.Decide(Decision{Decision: Amend, DecidedOn: d(2026, 11, 20)}, &report, today); err != nil {
		t.Fatal(err)
	}
	dl = r.Deadlines(today)
	if dl.Report.Status != statutory.StatusMetOnTime || dl.Decision.Status != statutory.StatusMetOnTime || dl.Overdue() {
		t.Fatalf("after the decision: %+v", dl)
	}
	c := Review{Status: Cancelled, DueOn: d(2026, 1, 1)}
	if c.Deadlines(today).Overdue() {
		t.Fatal("a cancelled review is never overdue")
	}
}

// TestScheduleAndLapse: a scheduled review is due; only one not yet held lapses with the plan.
func TestScheduleAndLapse(t *testing.T) {
	r := Schedule("plan", "yp", 2, time.Date(2027, 5, 20, 15, 0, 0, 0, time.UTC))
	if r.Status != Due || !r.DueOn.Equal(d(2027, 5, 20)) || r.Sequence != 2 {
		t.Fatalf("scheduled: %+v", r)
	}
	held := r
	if err := held.Hold(meeting(d(2026, 11, 20)), young, today); err != nil {
		t.Fatal(err)
	}
	if !r.Lapse() || r.Status != Cancelled || held.Lapse() || held.Status != Held {
		t.Fatalf("lapse: %s %s", r.Status, held.Status)
	}
}

// TestCorrectedDueOn: a review row scheduled under the old rule moves back one day; one scheduled
// from today's plan date does not.
func TestCorrectedDueOn(t *testing.T) {
	cases := []struct {
		name      string
		due, base time.Time
		want      time.Time
		changed   bool
	}{
		{"first review: anniversary of the issue 5 Jan 2026", d(2027, 1, 5), d(2026, 1, 5), d(2027, 1, 4), true},
		{"first review of a plan made 29 Feb 2024", d(2025, 2, 28), d(2024, 2, 29), d(2025, 2, 27), true},
		{"second review: anniversary of the first decision", d(2027, 11, 16), d(2026, 11, 16), d(2027, 11, 15), true},
		{"scheduled by the current rule", statutory.FirstReviewDue(d(2026, 1, 5)), d(2026, 1, 5), d(2027, 1, 4), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Schedule("plan", "yp", 1, c.due)
			got, changed := r.CorrectedDueOn(c.base)
			if !got.Equal(c.want) || changed != c.changed {
				t.Fatalf("got %v %v, want %v %v", got, changed, c.want, c.changed)
			}
		})
	}
}
