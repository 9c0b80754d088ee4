package sharing

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

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
