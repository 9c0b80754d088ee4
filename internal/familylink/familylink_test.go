package familylink

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestNew(t *testing.T) {
	d := testkit.Day
	cases := []struct {
		name, purpose, plan string
		last                time.Time
		pointers            []string
		expires             time.Time
	}{
		{name: "request, default expiry", purpose: RequestAssessment, expires: d(2026, 12, 8)},
		{name: "views on a plan, last day tomorrow", purpose: GiveViews, plan: "p", last: d(2026, 11, 24), expires: d(2026, 11, 25)},
		{name: "30 days", purpose: GiveViews, plan: "p", last: d(2026, 12, 23), expires: d(2026, 12, 24)},
		{name: "31 days", purpose: GiveViews, plan: "p", last: d(2026, 12, 24), pointers: []string{"/expires_on"}},
		{name: "today", purpose: RequestAssessment, last: d(2026, 11, 23), pointers: []string{"/expires_on"}},
		{name: "views without a plan", purpose: GiveViews, pointers: []string{"/ehc_plan_id"}},
		{name: "a request naming a plan", purpose: RequestAssessment, plan: "p", pointers: []string{"/ehc_plan_id"}},
		{name: "unknown purpose", purpose: "survey", pointers: []string{"/purpose"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i, token, err := New("yp", c.purpose, c.plan, c.last, now)
			if len(c.pointers) > 0 {
				testkit.WantFault(t, err, fault.Unprocessable, c.pointers...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !LooksLikeToken(token) || HashToken(token) != i.TokenHash || i.TokenHash == token || !i.ExpiresAt.Equal(c.expires) || i.Version != 1 {
				t.Fatalf("invitation %+v, token %q", i, token)
			}
		})
	}
}

func TestUsable(t *testing.T) {
	i, _, err := New("yp", GiveViews, "p", time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		purpose string
		at      time.Time
		kind    fault.Kind
		status  string
	}{
		{name: "before expiry", purpose: GiveViews, at: now, status: Pending},
		{name: "the other purpose", purpose: RequestAssessment, at: now, kind: fault.Conflict, status: Pending},
		{name: "at expiry", purpose: GiveViews, at: i.ExpiresAt, kind: fault.Gone, status: Expired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testkit.WantFault(t, i.Usable(c.purpose, c.at), c.kind)
			if s := i.Status(c.at); s != c.status {
				t.Errorf("status %s, want %s", s, c.status)
			}
		})
	}
	if err := i.MarkUsed(GiveViews, "views", now); err != nil || i.Version != 2 || i.UsedRecordID != "views" {
		t.Fatalf("mark used: %v %+v", err, i)
	}
	testkit.WantFault(t, i.MarkUsed(GiveViews, "again", now), fault.Conflict)
	// Used says so even once expired.
	testkit.WantFault(t, i.Usable(GiveViews, i.ExpiresAt.Add(time.Hour)), fault.Conflict)
	for _, s := range []string{"", "osi_x", "ofi_" + "!!", "ofi_AAAA"} {
		if LooksLikeToken(s) {
			t.Errorf("%q looks like a token", s)
		}
	}
}
