package ehcplan

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

var (
	now    = d(2026, 11, 23)
	child  = d(2018, 3, 1)  // Year 3 in 2026
	year9  = d(2012, 10, 1) // Year 9 from September 2026
	adult  = d(2007, 6, 1)  // 19 in 2026
	school = Placement{SettingName: "Oak Primary", SettingType: "mainstream_school"}
)

func complete() Sections {
	return Sections{
		B: []Need{{Ref: "B1", SENType: "ASD", Rank: 1, Description: "Social communication."}},
		C: []Need{{Ref: "C1", Description: "Epilepsy."}},
		E: []Outcome{{Ref: "E1", Description: "Joins a lunchtime club.", Needs: []string{"B1", "C1"}}},
		F: []Provision{{Ref: "F1", What: "Social skills group", Who: "SENCO", HowOften: "Weekly", HowLong: "One year", Outcomes: []string{"E1"}}},
	}
}

func has(ps []string, p string) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// TestSectionRules: each rule of Reg 12 and the Code of Practice the content check enforces.
func TestSectionRules(t *testing.T) {
	withI := func(s Sections) Sections { s.I = school; return s }
	cases := []struct {
		name    string
		s       Sections
		st      stage
		dob     time.Time
		pointer string // "" = accepted
		kind    fault.Kind
	}{
		{"complete final", withI(complete()), stageFinal, child, "", 0},
		{"draft may be incomplete", Sections{}, stageDraft, child, "", 0},
		{"I blank in a draft (Reg 13(1)(b))", withI(complete()), stageDraft, child, "/s/i", fault.Invalid},
		{"I may stay in an amendment", withI(complete()), stageAmendment, child, "", 0},
		{"final names the setting", complete(), stageFinal, child, "/s/i", fault.Unprocessable},
		{"final needs B", func() Sections { s := withI(complete()); s.B = nil; s.E[0].Needs = []string{"C1"}; return s }(), stageFinal, child, "/s/b", fault.Unprocessable},
		{"final needs F", func() Sections { s := withI(complete()); s.F = nil; return s }(), stageFinal, child, "/s/f", fault.Unprocessable},
		{"SEN2 need type", func() Sections { s := complete(); s.B[0].SENType = "ADHD"; return s }(), stageDraft, child, "/s/b/0/sen_type", fault.Invalid},
		{"DS is a SEN2 2025 type", func() Sections { s := complete(); s.B[0].SENType = "DS"; return s }(), stageDraft, child, "", 0},
		{"ranks unique", func() Sections {
			s := complete()
			s.B = append(s.B, Need{Ref: "B2", SENType: "MLD", Rank: 1, Description: "x"})
			return s
		}(), stageDraft, child, "/s/b/1/rank", fault.Invalid},
		{"refs unique across sections", func() Sections { s := complete(); s.C[0].Ref = "B1"; return s }(), stageDraft, child, "/s/c/0/ref", fault.Invalid},
		{"outcome links a need", func() Sections { s := complete(); s.E[0].Needs = nil; return s }(), stageDraft, child, "/s/e/0/needs", fault.Invalid},
		{"outcome links a real need", func() Sections { s := complete(); s.E[0].Needs = []string{"F1"}; return s }(), stageDraft, child, "/s/e/0/needs/0", fault.Invalid},
		{"provision quantified (how often)", func() Sections { s := complete(); s.F[0].HowOften = " "; return s }(), stageDraft, child, "/s/f/0/how_often", fault.Invalid},
		{"provision quantified (how long)", func() Sections { s := complete(); s.F[0].HowLong = ""; return s }(), stageDraft, child, "/s/f/0/how_long", fault.Invalid},
		{"provision serves outcomes", func() Sections { s := complete(); s.F[0].Outcomes = []string{"B1"}; return s }(), stageDraft, child, "/s/f/0/outcomes/0", fault.Invalid},
		{"PfA area named", func() Sections { s := complete(); s.E[0].PfAArea = "work"; return s }(), stageDraft, child, "/s/e/0/pfa_area", fault.Invalid},
		{"from Year 9 a PfA outcome (Code 8.9)", withI(complete()), stageFinal, year9, "/s/e", fault.Unprocessable},
		{"from Year 9 with a PfA outcome", func() Sections { s := withI(complete()); s.E[0].PfAArea = "community"; return s }(), stageFinal, year9, "", 0},
		{"H1 under 18 only (s.2 CSDPA 1970)", func() Sections {
			s := complete()
			s.H1 = []Provision{{Ref: "H1a", What: "Short breaks", Who: "Social care", HowOften: "Monthly", HowLong: "A year", Outcomes: []string{"E1"}}}
			return s
		}(), stageDraft, adult, "/s/h1", fault.Invalid},
		{"budget streams once", func() Sections {
			s := complete()
			s.J = &PersonalBudget{Type: "mixed", Lines: []BudgetLine{{Stream: "health", AmountPence: 100}, {Stream: "health", AmountPence: 5}}}
			return s
		}(), stageDraft, child, "/s/j/lines/1/stream", fault.Invalid},
		{"budget not negative", func() Sections {
			s := complete()
			s.J = &PersonalBudget{Type: "direct_payment", Lines: []BudgetLine{{Stream: "social_care", AmountPence: -1}}}
			return s
		}(), stageDraft, child, "/s/j/lines/0/amount_pence", fault.Invalid},
		{"K names its source", func() Sections { s := complete(); s.K = []AdviceObtained{{Adviser: "medical"}}; return s }(), stageDraft, child, "/s/k/0/source", fault.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.s.check("/s", c.st, c.dob, now)
			if c.pointer == "" {
				if err != nil {
					t.Fatalf("refused: %v %v", err, testkit.Pointers(err))
				}
				return
			}
			if err == nil || fault.KindOf(err) != c.kind || !has(testkit.Pointers(err), c.pointer) {
				t.Fatalf("got %v %v, want %s (kind %d)", err, testkit.Pointers(err), c.pointer, c.kind)
			}
		})
	}
}

func draftPlan(t *testing.T) Plan {
	t.Helper()
	p, err := New("yp", "req", child, complete(), now, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDraftToFinal: the comment window of Reg 13(1) and the first review of s.44(1)(a).
func TestDraftToFinal(t *testing.T) {
	p := draftPlan(t)
	if _, err := p.Issue(IssueInput{IssuedOn: d(2026, 5, 1), Placement: &school}, child, now, now); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("issue unserved: %v", err)
	}
	if err := p.ServeDraft(d(2026, 4, 10), now); err != nil {
		t.Fatal(err)
	}
	if got := *p.Latest().CommentsDueOn; !got.Equal(d(2026, 4, 24)) {
		t.Fatalf("comments due %v, want 24 Apr (15 days beginning with 10 Apr)", got)
	}
	// Revising a served draft keeps it and starts version 2, which must be served again.
	if err := p.ReviseDraft(complete(), child, now, now); err != nil || len(p.Versions) != 2 || p.Versions[0].ServedOn == nil {
		t.Fatalf("revise served: %v %d", err, len(p.Versions))
	}
	if err := p.ReviseDraft(complete(), child, now, now); err != nil || len(p.Versions) != 2 {
		t.Fatalf("revise unserved overwrites: %v %d", err, len(p.Versions))
	}
	if err := p.ServeDraft(d(2026, 4, 13), now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		on    time.Time
		early bool
		ok    bool
	}{
		{d(2026, 4, 12), true, false},  // before service
		{d(2026, 4, 27), false, false}, // last day of the comment period
		{d(2026, 4, 20), true, true},   // the family agreed early
	} {
		q := p
		q.Versions = append([]Version(nil), p.Versions...)
		_, err := q.Issue(IssueInput{IssuedOn: c.on, Placement: &school, FamilyAgreedEarly: c.early}, child, now, now)
		if (err == nil) != c.ok {
			t.Errorf("issue on %s early=%v: %v", c.on.Format("2006-01-02"), c.early, err)
		}
	}
	v, err := p.Issue(IssueInput{IssuedOn: d(2026, 4, 28), Placement: &school}, child, now, now)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != KindFinal || !v.Frozen() || v.Number != 3 || p.Status != Issued || !p.ReviewDueOn.Equal(d(2027, 4, 27)) {
		t.Fatalf("final: %+v status %s review %v", v, p.Status, p.ReviewDueOn)
	}
	if err := p.ReviseDraft(complete(), child, now, now); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("a final is changed only by amendment: %v", err)
	}
}

// TestReviewDueOnIssueAndReview: s.44(1) counts the 12 months starting with the day the plan was
// made (then with the last review decision), so the review is due the day before the anniversary.
func TestReviewDueOnIssueAndReview(t *testing.T) {
	cases := []struct {
		name             string
		served, issued   time.Time
		wantFirst        time.Time
		reviewed, wantNx time.Time
	}{
		{"s.44(1)(a) made 5 Jan 2026", d(2025, 12, 1), d(2026, 1, 5), d(2027, 1, 4), d(2026, 12, 10), d(2027, 12, 9)},
		{"s.44(1)(a) made 29 Feb 2024; reviewed 31 Jan 2025", d(2024, 2, 1), d(2024, 2, 29), d(2025, 2, 27), d(2025, 1, 31), d(2026, 1, 30)},
		{"s.44(1)(a) made 1 Mar 2025", d(2025, 2, 1), d(2025, 3, 1), d(2026, 2, 28), d(2026, 2, 28), d(2027, 2, 27)},
		{"s.44(1)(a) made 31 Jan 2026", d(2026, 1, 5), d(2026, 1, 31), d(2027, 1, 30), d(2026, 12, 31), d(2027, 12, 30)},
		{"s.44(1)(a) made 1 Jan 2026", d(2025, 12, 1), d(2026, 1, 1), d(2026, 12, 31), d(2026, 12, 1), d(2027, 11, 30)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := draftPlan(t)
			if err := p.ServeDraft(c.served, now); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Issue(IssueInput{IssuedOn: c.issued, Placement: &school}, child, now, now); err != nil {
				t.Fatal(err)
			}
			if !p.ReviewDueOn.Equal(c.wantFirst) {
				t.Fatalf("first review due %v, want %v", p.ReviewDueOn, c.wantFirst)
			}
			p.Reviewed(c.reviewed)
			if !p.ReviewDueOn.Equal(c.wantNx) || !p.LastReviewedOn.Equal(c.reviewed) {
				t.Fatalf("next review %v after decision %v, want %v (s.44(1)(b))", p.ReviewDueOn, c.reviewed, c.wantNx)
			}
		})
	}
}

// TestCorrectedReviewDue: the data migration for review dates stored as the anniversary.
func TestCorrectedReviewDue(t *testing.T) {
	pd := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		name    string
		p       Plan
		want    *time.Time
		changed bool
	}{
		{"first review stored as the anniversary of the issue", Plan{FirstIssuedOn: pd(d(2026, 1, 5)), ReviewDueOn: pd(d(2027, 1, 5))},
			pd(d(2027, 1, 4)), true},
		{"29 Feb issue stored as 28 Feb", Plan{FirstIssuedOn: pd(d(2024, 2, 29)), ReviewDueOn: pd(d(2025, 2, 28))}, pd(d(2025, 2, 27)), true},
		{"next review stored as the anniversary of the last decision", Plan{FirstIssuedOn: pd(d(2024, 2, 29)),
			LastReviewedOn: pd(d(2025, 1, 31)), ReviewDueOn: pd(d(2026, 1, 31))}, pd(d(2026, 1, 30)), true},
		{"the issue's anniversary once reviewed is not the base any more", Plan{FirstIssuedOn: pd(d(2025, 1, 31)),
			LastReviewedOn: pd(d(2025, 12, 1)), ReviewDueOn: pd(d(2026, 1, 31))}, pd(d(2026, 1, 31)), false},
		{"already corrected", Plan{FirstIssuedOn: pd(d(2026, 1, 5)), ReviewDueOn: pd(d(2027, 1, 4))}, pd(d(2027, 1, 4)), false},
		{"not issued: nothing due", Plan{}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed := c.p.CorrectedReviewDue()
			if changed != c.changed || (got == nil) != (c.want == nil) || (got != nil && !got.Equal(*c.want)) {
				t.Fatalf("got %v %v, want %v %v", got, changed, c.want, c.changed)
			}
		})
	}
	// A plan issued and reviewed by today's code is never changed.
	p := issued(t)
	p.Reviewed(d(2026, 12, 1))
	if _, changed := p.CorrectedReviewDue(); changed {
		t.Fatal("a date computed by the current rule must not move")
	}
}

func issued(t *testing.T) Plan {
	t.Helper()
	p := draftPlan(t)
	_ = p.ServeDraft(d(2026, 1, 5), now)
	if _, err := p.Issue(IssueInput{IssuedOn: d(2026, 2, 2), Placement: &school}, child, now, now); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAmendment: Reg 22 dates, one proposal at a time, and the amended final.
func TestAmendment(t *testing.T) {
	p := issued(t)
	s := complete()
	s.I = school
	if err := p.ProposeAmendment(s, d(2026, 1, 1), "x", "", child, now, now); !has(testkit.Pointers(err), "/notice_on") {
		t.Fatalf("notice before the plan: %v", err)
	}
	if err := p.ProposeAmendment(s, d(2026, 10, 20), "Review", "rev", child, now, now); err != nil {
		t.Fatal(err)
	}
	a := p.PendingAmendment()
	if !a.CommentsDueOn.Equal(d(2026, 11, 3)) || !a.FinalDueOn.Equal(d(2026, 12, 15)) {
		t.Fatalf("proposal dates %v %v, want 3 Nov and 15 Dec (Reg 22(2)(c), 22(3))", a.CommentsDueOn, a.FinalDueOn)
	}
	if err := p.ProposeAmendment(s, d(2026, 10, 21), "again", "", child, now, now); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("second proposal: %v", err)
	}
	v, err := p.Issue(IssueInput{IssuedOn: d(2026, 11, 4)}, child, now, now)
	if err != nil || v.Kind != KindAmendedFinal || p.InForce().Number != v.Number || !p.FirstIssuedOn.Equal(d(2026, 2, 2)) ||
		!p.LastIssuedOn.Equal(d(2026, 11, 4)) || v.AnnualReviewID != "rev" {
		t.Fatalf("amended final: %+v %v", v, err)
	}
	if !p.ReviewDueOn.Equal(d(2027, 2, 1)) {
		t.Fatalf("an amendment does not move the review date: %v", p.ReviewDueOn)
	}
}

// TestCease: held in force while the appeal window is open (s.45, HESC r.20), except where the
// authority is no longer responsible.
func TestCease(t *testing.T) {
	cases := []struct {
		name     string
		c        Cessation
		ceasesOn time.Time
		pointer  string
	}{
		{"appeal window", Cessation{Reason: "2", DecidedOn: d(2026, 10, 31), AppealRightsNotified: true}, d(2027, 1, 1), ""},
		{"month end clamp", Cessation{Reason: "3", DecidedOn: d(2026, 7, 31), AppealRightsNotified: true}, d(2026, 10, 1), ""}, // 31 Jul + 2 months = 30 Sep
		{"later day allowed", Cessation{Reason: "1", DecidedOn: d(2026, 3, 1), CeasesOn: d(2026, 7, 31), AppealRightsNotified: true}, d(2026, 7, 31), ""},
		{"not inside the window", Cessation{Reason: "2", DecidedOn: d(2026, 3, 1), CeasesOn: d(2026, 4, 1), AppealRightsNotified: true}, time.Time{}, "/ceases_on"},
		{"rights notified", Cessation{Reason: "6", DecidedOn: d(2026, 3, 1)}, time.Time{}, "/appeal_rights_notified"},
		{"transferred: at once", Cessation{Reason: "5", DecidedOn: d(2026, 3, 1)}, d(2026, 3, 1), ""},
		{"deceased: at once", Cessation{Reason: "8", DecidedOn: d(2026, 3, 1)}, d(2026, 3, 1), ""},
		{"SEN2 reason", Cessation{Reason: "10", DecidedOn: d(2026, 3, 1), AppealRightsNotified: true}, time.Time{}, "/reason"},
		{"not before issue", Cessation{Reason: "2", DecidedOn: d(2026, 1, 1), AppealRightsNotified: true}, time.Time{}, "/decided_on"},
		{"not in the future", Cessation{Reason: "2", DecidedOn: d(2026, 12, 1), AppealRightsNotified: true}, time.Time{}, "/decided_on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := issued(t)
			err := p.Cease(c.c, now)
			if c.pointer != "" {
				if !has(testkit.Pointers(err), c.pointer) {
					t.Fatalf("got %v %v, want %s", err, testkit.Pointers(err), c.pointer)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.Cessation.CeasesOn.Equal(c.ceasesOn) || p.Status != Ceasing {
				t.Fatalf("ceases on %v, want %v", p.Cessation.CeasesOn, c.ceasesOn)
			}
			if p.StatusOn(statutory.AddDays(c.ceasesOn, -1)) != Ceasing || p.StatusOn(c.ceasesOn) != Ceased {
				t.Fatalf("status around the cease date: %s %s", p.StatusOn(statutory.AddDays(c.ceasesOn, -1)), p.StatusOn(c.ceasesOn))
			}
		})
	}
}

// TestPhaseTransfer: Reg 18 deadlines through the plan.
func TestPhaseTransfer(t *testing.T) {
	p := issued(t)
	if err := p.SetPhaseTransfer(statutory.TransferBetweenPhases, d(2027, 9, 1)); err != nil || !p.PhaseTransfer.DueOn.Equal(d(2027, 2, 15)) {
		t.Fatalf("between phases: %v %v", err, p.PhaseTransfer)
	}
	if err := p.SetPhaseTransfer(statutory.TransferBetweenPost16, d(2027, 7, 31)); err != nil || !p.PhaseTransfer.DueOn.Equal(d(2027, 2, 28)) {
		t.Fatalf("between post-16: %v %v", err, p.PhaseTransfer)
	}
	if err := p.SetPhaseTransfer("sideways", d(2027, 9, 1)); !has(testkit.Pointers(err), "/kind") {
		t.Fatalf("unknown kind: %v", err)
	}
}

// TestDeadlinesOnADay: what a plan shows as due depends on its status that day.
func TestDeadlinesOnADay(t *testing.T) {
	p := issued(t) // issued 2 Feb 2026: review due 1 Feb 2027 (s.44(1)(a))
	if m := p.NextReview(now); m == nil || !m.DueOn.Equal(d(2027, 2, 1)) || m.Status != statutory.StatusNotDue {
		t.Fatalf("next review: %+v", m)
	}
	s := complete()
	s.I = school
	if err := p.ProposeAmendment(s, d(2026, 10, 20), "x", "", child, now, now); err != nil {
		t.Fatal(err)
	}
	proposal := p.Latest()
	if m := p.AmendmentDeadline(proposal, now); m == nil || !m.DueOn.Equal(d(2026, 12, 15)) || m.Status != statutory.StatusNotDue {
		t.Fatalf("pending proposal: %+v", m)
	}
	if m := p.AmendmentDeadline(p.Versions[0], now); m != nil {
		t.Fatalf("a draft has no amendment deadline: %+v", m)
	}
	if err := p.Cease(Cessation{Reason: "8", DecidedOn: d(2026, 11, 1)}, now); err != nil {
		t.Fatal(err)
	}
	if p.InForceOn(d(2026, 10, 31)) == nil || p.InForceOn(d(2026, 11, 1)) != nil || p.NextReview(now) != nil {
		t.Fatal("a ceased plan has no version in force and no review due")
	}
}

// TestIssuePlacementPointers: a bad placement is named where the caller sent it.
func TestIssuePlacementPointers(t *testing.T) {
	p := draftPlan(t)
	_ = p.ServeDraft(d(2026, 4, 10), now)
	_, err := p.Issue(IssueInput{IssuedOn: d(2026, 5, 1), Placement: &Placement{SettingName: "Oak", SettingType: "castle"}}, child, now, now)
	if ps := testkit.Pointers(err); !has(ps, "/placement/setting_type") || fault.KindOf(err) != fault.Invalid {
		t.Fatalf("got %v %v", err, ps)
	}
	s := complete()
	s.I = Placement{SettingType: "special_school"}
	_, err = p.Issue(IssueInput{IssuedOn: d(2026, 5, 1), Sections: &s}, child, now, now)
	if ps := testkit.Pointers(err); !has(ps, "/sections/i/setting_name") {
		t.Fatalf("got %v %v", err, ps)
	}
}
