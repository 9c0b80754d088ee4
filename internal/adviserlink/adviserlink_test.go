package adviserlink

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func TestNewExpiry(t *testing.T) {
	now := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		lastDay time.Time
		want    time.Time
		ok      bool
	}{
		{"the default: 28 days", time.Time{}, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), true},
		{"tomorrow", now.AddDate(0, 0, 1), time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC), true},
		{"42 days on", now.AddDate(0, 0, 42), time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC), true},
		{"today", now, time.Time{}, false},
		{"43 days on", now.AddDate(0, 0, 43), time.Time{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			inv, token, err := New("a", "y", c.lastDay, now)
			if (err == nil) != c.ok {
				t.Fatalf("err %v", err)
			}
			if !c.ok {
				return
			}
			if !inv.ExpiresAt.Equal(c.want) || !LooksLikeToken(token) || inv.TokenHash != HashToken(token) {
				t.Fatalf("%v %q", inv.ExpiresAt, token)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	fresh := func() Invitation { inv, _, _ := New("a", "y", time.Time{}, now); return inv }
	for _, c := range []struct {
		name   string
		act    func(*Invitation) error
		status string
		kind   fault.Kind
		usable bool
	}{
		{"pending", func(*Invitation) error { return nil }, Pending, 0, true},
		{"used", func(i *Invitation) error { return i.MarkUsed(now) }, Used, fault.Conflict, false},
		{"revoked", func(i *Invitation) error { return i.Revoke(now) }, Revoked, fault.Gone, false},
		{"expired", func(i *Invitation) error { i.ExpiresAt = now; return nil }, Expired, fault.Gone, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			i := fresh()
			if err := c.act(&i); err != nil {
				t.Fatal(err)
			}
			if got := i.Status(now); got != c.status {
				t.Fatalf("status %s", got)
			}
			err := i.Usable(now)
			if c.usable != (err == nil) || !c.usable && fault.KindOf(err) != c.kind {
				t.Fatalf("usable: %v", err)
			}
		})
	}
	i := fresh()
	if err := i.MarkUsed(now); err != nil {
		t.Fatal(err)
	}
	if err := i.Revoke(now); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("revoking a used link: %v", err)
	}
	j := fresh()
	for n := 0; n < MaxDocuments; n++ {
		if err := j.Attach("d", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Attach("d", now); fault.KindOf(err) != fault.Unprocessable {
		t.Fatalf("21st report: %v", err)
	}
	if !j.Attached("d") || j.Attached("e") {
		t.Fatal("attached")
	}
	if LooksLikeToken("ofi_" + j.TokenHash[:43]) {
		t.Fatal("a family token shape")
	}
}
