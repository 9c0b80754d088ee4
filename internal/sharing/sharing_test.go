package sharing

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

func TestInvolvementCurrentOn(t *testing.T) {
	end := d(2026, 3, 31)
	i := Involvement{StartedOn: d(2026, 1, 1), EndedOn: &end}
	for _, c := range []struct {
		day  time.Time
		want bool
	}{{d(2025, 12, 31), false}, {d(2026, 1, 1), true}, {d(2026, 3, 30), true}, {d(2026, 3, 31), false}, {d(2026, 4, 1), false}} {
		if got := i.CurrentOn(c.day); got != c.want {
			t.Errorf("CurrentOn(%s) = %v", c.day.Format("2006-01-02"), got)
		}
	}
	if (Involvement{StartedOn: d(2026, 1, 1)}).CurrentOn(d(2030, 1, 1)) != true {
		t.Error("an open involvement stays current")
	}
	bad := d(2025, 1, 1)
	if err := (Involvement{StartedOn: d(2026, 1, 1), EndedOn: &bad}).Validate(); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("end before start: %v", err)
	}
}

func TestConsentCoverageAndForce(t *testing.T) {
	withdrawn := d(2026, 6, 1)
	cases := []struct {
		name          string
		c             Consent
		org, orgType  string
		day           time.Time
		inForce, want bool
	}{
		{"all involved", Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1)}, "o1", "health_trust", d(2026, 2, 1), true, true},
		{"named organisation", Consent{Scope: ScopeOrganisations, OrganisationIDs: []string{"o1"}, GivenOn: d(2026, 1, 1)}, "o1", "x", d(2026, 2, 1), true, true},
		{"other organisation", Consent{Scope: ScopeOrganisations, OrganisationIDs: []string{"o1"}, GivenOn: d(2026, 1, 1)}, "o2", "x", d(2026, 2, 1), true, false},
		{"named type", Consent{Scope: ScopeOrganisationTypes, OrganisationTypes: []string{"health_trust"}, GivenOn: d(2026, 1, 1)}, "o2", "health_trust", d(2026, 2, 1), true, true},
		{"other type", Consent{Scope: ScopeOrganisationTypes, OrganisationTypes: []string{"health_trust"}, GivenOn: d(2026, 1, 1)}, "o2", "school_primary", d(2026, 2, 1), true, false},
		{"not yet given", Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 3, 1)}, "o1", "x", d(2026, 2, 1), false, true},
		{"day before withdrawal", Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1), WithdrawnOn: &withdrawn}, "o1", "x", d(2026, 5, 31), true, true},
		{"withdrawn", Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1), WithdrawnOn: &withdrawn}, "o1", "x", d(2026, 6, 1), false, true},
		{"unknown scope", Consent{Scope: "everyone", GivenOn: d(2026, 1, 1)}, "o1", "x", d(2026, 2, 1), true, false},
	}
	for _, c := range cases {
		if got := c.c.InForceOn(c.day); got != c.inForce {
			t.Errorf("%s: InForceOn = %v", c.name, got)
		}
		if got := c.c.Covers(c.org, c.orgType); got != c.want {
			t.Errorf("%s: Covers = %v", c.name, got)
		}
	}
}

func TestAuthorise(t *testing.T) {
	day := d(2026, 2, 1)
	health := Consent{ID: "c1", Scope: ScopeOrganisationTypes, OrganisationTypes: []string{"health_trust"}, GivenOn: d(2026, 1, 1)}
	got, err := Authorise([]Consent{health}, "o1", "health_trust", day, "")
	if err != nil || got.ID != "c1" {
		t.Fatalf("covered: %v %v", got, err)
	}
	_, err = Authorise([]Consent{health}, "o2", "school_primary", day, "")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Unprocessable || fe.Fields[0].Pointer != "/safeguarding_reason" {
		t.Fatalf("uncovered: %v", err)
	}
	got, err = Authorise(nil, "o2", "social_care_children", day, "Risk of significant harm reported by school.")
	if err != nil || got.ID != "" {
		t.Fatalf("safeguarding: %v %v", got, err)
	}
}

func TestConsentValidateAndWithdraw(t *testing.T) {
	today := d(2026, 2, 1)
	for _, c := range []struct {
		c   Consent
		ptr string
	}{
		{Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 3, 1)}, "/given_on"},
		{Consent{Scope: ScopeOrganisations, GivenOn: d(2026, 1, 1)}, "/organisation_ids"},
		{Consent{Scope: ScopeOrganisationTypes, GivenOn: d(2026, 1, 1)}, "/organisation_types"},
		{Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1), GivenBy: " \u200b "}, "/given_by"}, // says nothing: no one gave it
	} {
		var fe *fault.Error
		if err := c.c.Validate(today); !errors.As(err, &fe) || fe.Fields[0].Pointer != c.ptr {
			t.Errorf("want %s: %v", c.ptr, err)
		}
	}
	c := Consent{Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 10)}
	if err := c.Withdraw(d(2026, 1, 9), ""); err == nil {
		t.Error("withdrawal before consent was given")
	}
	if err := c.Withdraw(d(2026, 1, 20), "family asked"); err != nil || c.WithdrawnOn == nil || c.InForceOn(d(2026, 1, 20)) {
		t.Fatalf("withdraw: %v", err)
	}
	if err := c.Withdraw(d(2026, 1, 21), ""); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("second withdrawal: %v", err)
	}
}

// TestInvolvementLawfulBasis: a basis other than consent is known and names its duty.
func TestInvolvementLawfulBasis(t *testing.T) {
	for _, c := range []struct {
		name    string
		i       Involvement
		pointer string // "" valid
	}{
		{"no basis", Involvement{StartedOn: d(2026, 1, 1)}, ""},
		{"legal obligation with its duty", Involvement{StartedOn: d(2026, 1, 1), LawfulBasis: LegalObligation, StatutoryDuty: "CFA 2014 s.43"}, ""},
		{"public task with its duty", Involvement{StartedOn: d(2026, 1, 1), LawfulBasis: PublicTask, StatutoryDuty: "CFA 2014 Part 3"}, ""},
		{"basis without duty", Involvement{StartedOn: d(2026, 1, 1), LawfulBasis: PublicTask, StatutoryDuty: " "}, "/statutory_duty"},
		{"duty without basis", Involvement{StartedOn: d(2026, 1, 1), StatutoryDuty: "CFA 2014 s.43"}, "/lawful_basis"},
		{"consent is not a basis here", Involvement{StartedOn: d(2026, 1, 1), LawfulBasis: "consent", StatutoryDuty: "x"}, "/lawful_basis"},
	} {
		err := c.i.Validate()
		var fe *fault.Error
		switch {
		case c.pointer == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.pointer != "" && (!errors.As(err, &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Pointer != c.pointer):
			t.Errorf("%s: %v, want %s", c.name, err, c.pointer)
		}
	}
	day := d(2026, 2, 1)
	if _, err := AuthoriseInvolvement(nil, Involvement{OrganisationID: "o1", LawfulBasis: LegalObligation, StatutoryDuty: "Reg 6"}, "health_trust", day); err != nil {
		t.Errorf("a named statutory duty authorises: %v", err)
	}
	if _, err := AuthoriseInvolvement(nil, Involvement{OrganisationID: "o1", LawfulBasis: LegalObligation}, "health_trust", day); fault.KindOf(err) != fault.Unprocessable {
		t.Errorf("a basis without its duty does not: %v", err)
	}
	c := Consent{ID: "c1", Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1)}
	if got, err := AuthoriseInvolvement([]Consent{c}, Involvement{OrganisationID: "o1"}, "x", day); err != nil || got.ID != "c1" {
		t.Errorf("consent first: %v %v", got, err)
	}
}

// TestOnConsentWithdrawn: what rested only on the withdrawn consent ends that day; what has
// another recorded basis continues; what a practitioner must weigh goes to review.
func TestOnConsentWithdrawn(t *testing.T) {
	withdrawnOn := d(2026, 6, 1)
	health := Consent{ID: "c1", YoungPersonID: "yp", Scope: ScopeAllInvolved, GivenOn: d(2026, 1, 1), WithdrawnOn: &withdrawnOn}
	schools := Consent{ID: "c2", YoungPersonID: "yp", Scope: ScopeOrganisationTypes, OrganisationTypes: []string{"school_primary"}, GivenOn: d(2026, 1, 1)}
	lapsed := d(2026, 5, 1)
	oldSchools := Consent{ID: "c3", YoungPersonID: "yp", Scope: ScopeAllInvolved, GivenOn: d(2025, 1, 1), WithdrawnOn: &lapsed}
	types := map[string]string{"camhs": "health_trust", "school": "school_primary", "sw": "social_care_children", "ot": "health_trust"}
	inv := func(id, org string, mod func(*Involvement)) Involvement {
		i := Involvement{ID: id, YoungPersonID: "yp", OrganisationID: org, Role: RoleTeamMember, StartedOn: d(2026, 2, 1), ConsentID: "c1"}
		if mod != nil {
			mod(&i)
		}
		return i
	}
	ended := d(2026, 5, 31)
	involvements := []Involvement{
		inv("only-consent", "camhs", nil),
		inv("safeguarding", "sw", func(i *Involvement) { i.SafeguardingReason = "Section 47 enquiry." }),
		inv("statutory", "ot", func(i *Involvement) {
			i.LawfulBasis, i.StatutoryDuty = LegalObligation, "Reg 6 advice for the EHC needs assessment"
		}),
		inv("other-consent", "school", nil),
		inv("other-record", "camhs", func(i *Involvement) { i.ConsentID = "c2" }),
		inv("setting", "school", func(i *Involvement) { i.Role, i.ConsentID = RoleEducationSetting, "" }),
		inv("already-ended", "camhs", func(i *Involvement) { i.EndedOn = &ended }),
		inv("starts-later", "camhs", func(i *Involvement) { i.StartedOn = d(2026, 6, 10) }),
		inv("another-child", "camhs", func(i *Involvement) { i.YoungPersonID = "other" }),
		inv("covered-only-by-a-lapsed-consent", "camhs", func(i *Involvement) { i.ID = "lapsed" }),
	}
	ids := func(fs []Flagged) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Involvement.ID)
		}
		return out
	}
	for _, c := range []struct {
		name                            string
		concern                         bool
		ended, review, cont, unaffected []string
	}{
		{"no safeguarding concern", false, []string{"only-consent", "starts-later", "lapsed"}, []string{"other-consent"},
			[]string{"safeguarding", "statutory"}, []string{"other-record", "setting"}},
		{"a safeguarding concern on an open referral", true, nil, []string{"only-consent", "other-consent", "starts-later", "lapsed"},
			[]string{"safeguarding", "statutory"}, []string{"other-record", "setting"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, err := OnConsentWithdrawn(health, []Consent{health, schools, oldSchools}, involvements, types, c.concern)
			if err != nil {
				t.Fatal(err)
			}
			var gotEnded []string
			for _, i := range w.Ended {
				gotEnded = append(gotEnded, i.ID)
				want := withdrawnOn
				if i.ID == "starts-later" {
					want = i.StartedOn
				}
				if i.EndedOn == nil || !i.EndedOn.Equal(want) || i.CurrentOn(withdrawnOn) || i.Validate() != nil {
					t.Errorf("%s ended on %v, want %v", i.ID, i.EndedOn, want)
				}
			}
			if !slices.Equal(gotEnded, c.ended) || !slices.Equal(ids(w.Review), c.review) || !slices.Equal(ids(w.Continue), c.cont) ||
				!slices.Equal(ids(w.Unaffected), c.unaffected) {
				t.Fatalf("ended %v review %v continue %v unaffected %v", gotEnded, ids(w.Review), ids(w.Continue), ids(w.Unaffected))
			}
			for _, f := range append(append(w.Review, w.Continue...), w.Unaffected...) {
				if f.Why == "" || f.Involvement.EndedOn != nil {
					t.Errorf("%s: why %q, ended %v", f.Involvement.ID, f.Why, f.Involvement.EndedOn)
				}
				if strings.Contains(f.Why, "Section 47") {
					t.Errorf("%s: the reason text must not leak into %q", f.Involvement.ID, f.Why)
				}
			}
		})
	}
	if w, err := OnConsentWithdrawn(health, nil, nil, nil, false); err != nil || !w.Day.Equal(withdrawnOn) {
		t.Errorf("the withdrawal day: %v %v", w.Day, err)
	}
	if _, err := OnConsentWithdrawn(schools, nil, involvements, types, false); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("a consent still in force: %v", err)
	}
}

func TestInvolvementReviewSettled(t *testing.T) {
	ended := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		i    Involvement
		want bool
	}{
		{"nothing recorded", Involvement{ReviewNeeded: "x"}, false},
		{"a note only", Involvement{ReviewNeeded: "x", Notes: "Called the family."}, false},
		{"ended", Involvement{ReviewNeeded: "x", EndedOn: &ended}, true},
		{"a safeguarding reason", Involvement{ReviewNeeded: "x", SafeguardingReason: "Child protection plan."}, true},
		{"a lawful basis with its duty", Involvement{ReviewNeeded: "x", LawfulBasis: LegalObligation, StatutoryDuty: "CFA 2014 s.43"}, true},
		{"a lawful basis without a duty", Involvement{ReviewNeeded: "x", LawfulBasis: PublicTask, StatutoryDuty: " "}, false},
		{"a duty without a known basis", Involvement{ReviewNeeded: "x", LawfulBasis: "vital_interests", StatutoryDuty: "x"}, false},
	}
	for _, c := range cases {
		if got := c.i.ReviewSettled(); got != c.want {
			t.Errorf("%s: ReviewSettled = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBlank(t *testing.T) {
	for s, want := range map[string]bool{"": true, "   ": true, "\t\n": true, "\u200b": true, " \u200b\ufeff ": true,
		"S47": false, " a ": false, "\u200bx": false} {
		if Blank(s) != want {
			t.Errorf("Blank(%q) = %v", s, !want)
		}
	}
}

// TestAuthoriseChange: a change that leaves an involvement granting access, when it did not, or
// on another reason, needs a basis today; the organisation's own roles are neither given, taken
// away nor reopened by a change.
func TestAuthoriseChange(t *testing.T) {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	yesterday := today.AddDate(0, 0, -1)
	withdrawn := Consent{ID: "c1", Scope: ScopeAllInvolved, GivenOn: today.AddDate(0, -1, 0), WithdrawnOn: &yesterday}
	inForce := Consent{ID: "c2", Scope: ScopeOrganisations, OrganisationIDs: []string{"org"}, GivenOn: today.AddDate(0, -1, 0)}
	ended := Involvement{OrganisationID: "org", Role: RoleTeamMember, StartedOn: today.AddDate(0, -1, 0), EndedOn: &yesterday, ConsentID: "c1"}
	reopen := ended
	reopen.EndedOn = nil
	pointerOf := func(err error) string {
		var fe *fault.Error
		if errors.As(err, &fe) && len(fe.Fields) > 0 {
			return fe.Fields[0].Pointer
		}
		return ""
	}
	if _, err := AuthoriseChange(ended, reopen, []Consent{withdrawn}, "vcs", today); pointerOf(err) != "/safeguarding_reason" {
		t.Errorf("reopened on a withdrawn consent: %v", err)
	}
	if got, err := AuthoriseChange(ended, reopen, []Consent{withdrawn, inForce}, "vcs", today); err != nil || got.ConsentID != "c2" {
		t.Errorf("reopened on a consent in force: %+v %v", got, err)
	}
	withReason := reopen
	withReason.SafeguardingReason = "S47 enquiry"
	if got, err := AuthoriseChange(ended, withReason, []Consent{withdrawn}, "vcs", today); err != nil || got.ConsentID != "" {
		t.Errorf("reopened for safeguarding: %+v %v", got, err)
	}
	current := reopen
	current.ConsentID = "c1" // under review after the withdrawal: a note changes nothing of its basis
	noted := current
	noted.Notes = "Called the family."
	if _, err := AuthoriseChange(current, noted, []Consent{withdrawn}, "vcs", today); err != nil {
		t.Errorf("a note on an involvement under review: %v", err)
	}
	cleared := withReason
	cleared.SafeguardingReason = ""
	if _, err := AuthoriseChange(withReason, cleared, []Consent{withdrawn}, "vcs", today); pointerOf(err) != "/safeguarding_reason" {
		t.Errorf("the only basis cleared: %v", err)
	}
	own := Involvement{OrganisationID: "school", Role: RoleEducationSetting, StartedOn: ended.StartedOn, EndedOn: &yesterday}
	ownReopened := own
	ownReopened.EndedOn = nil
	if _, err := AuthoriseChange(own, ownReopened, []Consent{inForce}, "school_primary", today); pointerOf(err) != "/ended_on" {
		t.Errorf("the old school reopened: %v", err)
	}
	promoted := current
	promoted.Role = RoleRecordedBy
	if _, err := AuthoriseChange(current, promoted, []Consent{inForce}, "vcs", today); pointerOf(err) != "/role" {
		t.Errorf("made the recording organisation: %v", err)
	}
	endedNow := current
	endedNow.EndedOn = &today
	if _, err := AuthoriseChange(current, endedNow, nil, "vcs", today); err != nil {
		t.Errorf("ending needs no basis: %v", err)
	}
}

// TestInvolvementForFamily: the family read that an organisation is involved, not the basis (a
// safeguarding reason, or which basis is missing), a pending review or the notes.
func TestInvolvementForFamily(t *testing.T) {
	ended := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	i := Involvement{ID: "i", OrganisationID: "o", PractitionerID: "p", Role: "team_member", StartedOn: ended.AddDate(0, -1, 0), EndedOn: &ended,
		ConsentID: "c", SafeguardingReason: "S47", LawfulBasis: "public_task", StatutoryDuty: "duty", ReviewNeeded: "why", Notes: "n"}
	got := i.ForFamily()
	if got.ConsentID+got.SafeguardingReason+string(got.LawfulBasis)+got.StatutoryDuty+got.ReviewNeeded+got.Notes != "" {
		t.Errorf("the family's view keeps the basis or notes: %+v", got)
	}
	if got.OrganisationID != "o" || got.PractitionerID != "p" || got.Role != "team_member" || got.EndedOn != &ended || !got.StartedOn.Equal(i.StartedOn) {
		t.Errorf("the family's view lost the involvement itself: %+v", got)
	}
}
