package assessment

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// conflictOn asserts err is a state conflict naming status.
func conflictOn(t *testing.T, what string, err error, status Status) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Conflict || fe.CurrentStatus != string(status) {
		t.Errorf("%s: want a conflict naming %s, got %v", what, status, err)
	}
}

// TestStatusMoves checks every pair of statuses against the machine draft -> submitted -> reviewed.
func TestStatusMoves(t *testing.T) {
	legal := map[[2]Status]bool{{Draft, Submitted}: true, {Submitted, Reviewed}: true}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := legal[[2]Status{from, to}]
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
			got, err := Move(from, to)
			if want {
				if err != nil || got != to {
					t.Errorf("Move(%s, %s) = %s, %v", from, to, got, err)
				}
				continue
			}
			if got != from {
				t.Errorf("refused Move(%s, %s) returned %s", from, to, got)
			}
			conflictOn(t, "Move("+string(from)+", "+string(to)+")", err, from)
		}
	}
	if CanMove("unknown", Draft) || CanMove(Draft, "unknown") {
		t.Error("unknown statuses move nowhere")
	}
}

func TestSubmit(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		from Status
		ok   bool
	}{{Draft, true}, {Submitted, false}, {Reviewed, false}} {
		a := Assessment{ID: "a1", Status: c.from}
		err := a.Submit(at)
		if !c.ok {
			conflictOn(t, "submit "+string(c.from), err, c.from)
			if a.Status != c.from || a.SubmittedAt != nil {
				t.Errorf("refused submit changed the assessment: %+v", a)
			}
			continue
		}
		if err != nil || a.Status != Submitted || a.SubmittedAt == nil || !a.SubmittedAt.Equal(at) {
			t.Errorf("submit draft: %+v %v", a, err)
		}
	}
}

func TestReview(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	submitted := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	base := Assessment{ID: "a1", ReferralID: "r1", YoungPersonID: "y1", Kind: KindSafeguarding, Number: 1, AssessorPractitionerID: "p1",
		Sections: Sections{Health: "Asthma.", FamilyViews: &FamilyViews{WhatMatters: "Staying together."}}, SubmittedAt: &submitted, Version: 2}
	for _, from := range []Status{Draft, Reviewed} {
		a := base
		a.Status = from
		next, err := a.Review(at)
		conflictOn(t, "review "+string(from), err, from)
		if a.Status != from || a.ReviewedAt != nil || next.ID != "" || next.Number != 0 {
			t.Errorf("refused review of %s changed something: %+v %+v", from, a, next)
		}
	}
	a := base
	a.Status = Submitted
	next, err := a.Review(at)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != Reviewed || a.ReviewedAt == nil || !a.ReviewedAt.Equal(at) || a.Number != 1 || !a.Sections.Equal(base.Sections) ||
		a.SubmittedAt != &submitted {
		t.Errorf("reviewed version: %+v", a)
	}
	if next.Status != Draft || next.Number != 2 || next.PreviousID != "a1" || next.ReferralID != "r1" || next.YoungPersonID != "y1" ||
		next.Kind != KindSafeguarding || next.AssessorPractitionerID != "p1" || !next.Sections.Equal(base.Sections) ||
		next.SubmittedAt != nil || next.ReviewedAt != nil || next.ID != "" || next.Version != 0 {
		t.Errorf("next version: %+v", next)
	}
	// The new draft's sections are its own: editing them leaves the reviewed version alone.
	next.Sections.FamilyViews.WhatMatters = "Changed."
	next.Sections.Health = "Changed."
	if a.Sections.FamilyViews.WhatMatters != "Staying together." || a.Sections.Health != "Asthma." {
		t.Errorf("review shares sections with the earlier version: %+v", a.Sections)
	}
	// A new draft can itself be submitted and reviewed, and so on.
	if err := next.Submit(at); err != nil {
		t.Fatal(err)
	}
	third, err := next.Review(at)
	if err != nil || third.Number != 3 || third.Status != Draft {
		t.Errorf("third version: %+v %v", third, err)
	}
}

func TestEditable(t *testing.T) {
	if err := (Assessment{Status: Draft}).Editable(); err != nil {
		t.Errorf("draft: %v", err)
	}
	for _, s := range []Status{Submitted, Reviewed} {
		conflictOn(t, "edit "+string(s), (Assessment{Status: s}).Editable(), s)
	}
}

func TestMayStartAndStart(t *testing.T) {
	open := map[referral.Status]bool{referral.Accepted: true, referral.Assessing: true, referral.Allocated: true, referral.MAMHeld: true,
		referral.Panel: true, referral.PlanInPlace: true, referral.Reviewing: true}
	for _, s := range referral.Statuses {
		err := MayStart(s)
		if open[s] {
			if err != nil {
				t.Errorf("MayStart(%s): %v", s, err)
			}
			continue
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.Conflict || fe.CurrentStatus != string(s) {
			t.Errorf("MayStart(%s) = %v, want a conflict naming it", s, err)
		}
		if _, err := Start(referral.Referral{ID: "r1", Status: s}, "", Sections{}); err == nil {
			t.Errorf("Start on a %s referral succeeded", s)
		}
	}
	a, err := Start(referral.Referral{ID: "r1", YoungPersonID: "y1", Status: referral.Accepted, Route: referral.RouteFamilyAssessment}, "p1",
		Sections{Education: "Year 3.", FamilyViews: &FamilyViews{}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ReferralID != "r1" || a.YoungPersonID != "y1" || a.Kind != KindFamily || a.Status != Draft || a.Number != 1 || a.PreviousID != "" ||
		a.AssessorPractitionerID != "p1" || a.Sections.Education != "Year 3." || a.Sections.FamilyViews != nil {
		t.Errorf("started: %+v", a)
	}
}

func TestKindFor(t *testing.T) {
	for _, c := range []struct {
		name  string
		r     referral.Referral
		want  string
		label string
	}{
		{"family route", referral.Referral{Route: referral.RouteFamilyAssessment}, KindFamily, "Family assessment 1"},
		{"safeguarding route", referral.Referral{Route: referral.RouteSafeguardingAssessment, SafeguardingConcern: true}, KindSafeguarding,
			"Safeguarding assessment (CAFA) 1"},
		{"no route recorded", referral.Referral{}, KindFamily, "Family assessment 1"},
		{"no route, safeguarding concern", referral.Referral{SafeguardingConcern: true}, KindSafeguarding, "Safeguarding assessment (CAFA) 1"},
		{"concern recorded after triage", referral.Referral{Route: referral.RouteFamilyAssessment, SafeguardingConcern: true}, KindSafeguarding,
			"Safeguarding assessment (CAFA) 1"},
	} {
		got := KindFor(c.r)
		if got != c.want {
			t.Errorf("%s: KindFor = %s, want %s", c.name, got, c.want)
		}
		if l := (Assessment{Kind: got, Number: 1}).Label(); l != c.label {
			t.Errorf("%s: Label = %q", c.name, l)
		}
	}
}

func TestSections(t *testing.T) {
	a := Sections{Health: "x", FamilyViews: &FamilyViews{}}
	if a.Tidy().FamilyViews != nil {
		t.Error("empty family_views should tidy away")
	}
	if !a.Equal(Sections{Health: "x"}) {
		t.Error("empty family_views equals none")
	}
	if a.Equal(Sections{Health: "y"}) || (Sections{FamilyViews: &FamilyViews{WhoWeAre: "a"}}).Equal(Sections{FamilyViews: &FamilyViews{WhoWeAre: "b"}}) ||
		(Sections{FamilyViews: &FamilyViews{WhoWeAre: "a"}}).Equal(Sections{}) {
		t.Error("different sections compare equal")
	}
	b := Sections{FamilyViews: &FamilyViews{WhoWeAre: "a"}}
	c := b.Clone()
	c.FamilyViews.WhoWeAre = "b"
	if b.FamilyViews.WhoWeAre != "a" {
		t.Error("Clone shares family_views")
	}
}
