package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

var tokenShape = regexp.MustCompile(`^osi_[A-Za-z0-9_-]{43}$`)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool, 1000)
	hashes := make(map[string]bool, 1000)
	for range 1000 {
		token, hash := NewToken()
		if !tokenShape.MatchString(token) {
			t.Fatalf("token %q has the wrong shape", token)
		}
		if !LooksLikeToken(token) {
			t.Fatalf("LooksLikeToken refuses its own token %q", token)
		}
		if hash != HashToken(token) {
			t.Fatalf("hash %q is not HashToken of the token", hash)
		}
		if strings.Contains(hash, token) || strings.Contains(hash, token[4:]) {
			t.Fatal("the hash carries the token")
		}
		if seen[token] || hashes[hash] {
			t.Fatalf("token repeated after %d draws", len(seen))
		}
		seen[token], hashes[hash] = true, true
	}
}

func TestHashToken(t *testing.T) {
	token := "osi_" + strings.Repeat("A", 43)
	sum := sha256.Sum256([]byte(token))
	want := hex.EncodeToString(sum[:])
	if got := HashToken(token); got != want || got != HashToken(token) {
		t.Fatalf("HashToken = %q, want %q every time", got, want)
	}
	// A known vector: the hash is plain hex SHA-256, so the store can compute it too.
	if got := HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashToken(abc) = %q", got)
	}
	if HashToken(token) == HashToken(token+"x") {
		t.Fatal("different tokens share a hash")
	}
}

func TestLooksLikeToken(t *testing.T) {
	good, _ := NewToken()
	cases := []struct {
		name string
		s    string
		want bool
	}{
		{"fresh token", good, true},
		{"all zero bytes", "osi_" + strings.Repeat("A", 43), true},
		{"url-safe alphabet", "osi_" + strings.Repeat("-_", 21) + "A", true},
		{"empty", "", false},
		{"prefix only", "osi_", false},
		{"no prefix", good[4:], false},
		{"other prefix", "osx_" + good[4:], false},
		{"upper-case prefix", "OSI_" + good[4:], false},
		{"one short", good[:len(good)-1], false},
		{"one long", good + "A", false},
		{"padded", good[:len(good)-1] + "=", false},
		{"standard base64 plus", good[:10] + "+" + good[11:], false},
		{"standard base64 slash", good[:10] + "/" + good[11:], false},
		{"space inside", good[:10] + " " + good[11:], false},
		{"trailing newline", good[:len(good)-1] + "\n", false},
		{"stray low bits in the last character", "osi_" + strings.Repeat("A", 42) + "B", false},
		{"non-ASCII", "osi_" + strings.Repeat("é", 21) + "A", false},
		{"SQL", "osi_' OR 1=1 --" + strings.Repeat("A", 43-len("' OR 1=1 --")), false},
		{"a hash", HashToken(good), false},
	}
	for _, c := range cases {
		if got := LooksLikeToken(c.s); got != c.want {
			t.Errorf("%s: LooksLikeToken(%q) = %v, want %v", c.name, c.s, got, c.want)
		}
	}
}

func TestNewInvitation(t *testing.T) {
	now := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return time.Date(2026, 3, 10+n, 0, 0, 0, 0, time.UTC) }
	parent := mixed(t, ParentCarer)
	child := mixed(t, ChildYoungPerson)
	professional := mixed(t, Professional)
	cases := []struct {
		name             string
		tpl              Template
		point, ref, plan string
		last             time.Time  // the last day it can be answered
		expires          time.Time  // when accepted: the start of the day after
		kind             fault.Kind // Unknown: accepted
		pointers         []string
		detail           string // of the first field, when set
	}{
		{"parent, referral", parent, "after_mam", "ref-1", "", day(14), day(15), fault.Unknown, nil, ""},
		{"child, plan", child, "at_review", "", "plan-1", day(30), day(31), fault.Unknown, nil, ""},
		{"last day tomorrow", parent, "other", "ref-1", "", day(1), day(2), fault.Unknown, nil, ""},
		{"last day 90 days on", parent, "at_closure", "ref-1", "", day(90), day(91), fault.Unknown, nil, ""},
		{"a time of day is read as its date", parent, "other", "ref-1", "", day(1).Add(23 * time.Hour), day(2), fault.Unknown, nil, ""},

		{"professional template", professional, "after_mam", "ref-1", "", day(14), time.Time{}, fault.Unprocessable, []string{"/template_id"},
			"invitations are for parent and carer or child and young person surveys"},
		{"professional template with other faults too", professional, "", "", "", day(0), time.Time{}, fault.Unprocessable, []string{"/template_id"}, ""},
		{"point missing", parent, "", "ref-1", "", day(14), time.Time{}, fault.Invalid, []string{"/point"},
			"must be one of: after_mam, at_review, at_closure, other"},
		{"point unknown", parent, "whenever", "ref-1", "", day(14), time.Time{}, fault.Invalid, []string{"/point"}, ""},
		{"neither referral nor plan", parent, "after_mam", "", "", day(14), time.Time{}, fault.Invalid, []string{"/referral_id"},
			"give the referral or the EHC plan the invitation is about"},
		{"both referral and plan", parent, "after_mam", "ref-1", "plan-1", day(14), time.Time{}, fault.Invalid, []string{"/referral_id"},
			"give the referral or the EHC plan the invitation is about, not both"},
		{"last day today", parent, "after_mam", "ref-1", "", day(0).Add(23 * time.Hour), time.Time{}, fault.Invalid, []string{"/expires_on"},
			"must be between 1 and 90 days from today"},
		{"last day yesterday", parent, "after_mam", "ref-1", "", day(-1), time.Time{}, fault.Invalid, []string{"/expires_on"}, ""},
		{"last day 91 days on", parent, "after_mam", "ref-1", "", day(91), time.Time{}, fault.Invalid, []string{"/expires_on"}, ""},
		{"zero last day", parent, "after_mam", "ref-1", "", time.Time{}, time.Time{}, fault.Invalid, []string{"/expires_on"}, ""},
		{"every field wrong", parent, "", "", "", now.AddDate(1, 0, 0), time.Time{}, fault.Invalid, []string{"/point", "/referral_id", "/expires_on"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, token, err := NewInvitation(c.tpl, c.point, c.ref, c.plan, c.last, now)
			kind, pointers, details := faultOf(t, err)
			if kind != c.kind || !slices.Equal(pointers, c.pointers) {
				t.Fatalf("got %v %q (%v), want %v %q", kind, pointers, err, c.kind, c.pointers)
			}
			if c.detail != "" && details[0] != c.detail {
				t.Errorf("detail = %q, want %q", details[0], c.detail)
			}
			if err != nil {
				if token != "" || inv.TokenHash != "" {
					t.Errorf("refused invitation came with a token")
				}
				return
			}
			if !LooksLikeToken(token) || inv.TokenHash != HashToken(token) {
				t.Errorf("token %q, hash %q", token, inv.TokenHash)
			}
			if inv.TemplateID != "tpl-1" || inv.TemplateVersion != 1 || inv.Audience != c.tpl.Audience || inv.Point != c.point ||
				inv.ReferralID != c.ref || inv.EHCPlanID != c.plan || !inv.ExpiresAt.Equal(c.expires) || !inv.CreatedAt.Equal(now) ||
				inv.Version != 1 || inv.AnsweredAt != nil || inv.ResponseID != "" {
				t.Errorf("invitation = %+v", inv)
			}
		})
	}
}

// TestNewInvitationAnyTimeOfDay: the bounds are whole days, whenever in the day the invitation
// is made: tomorrow and the 90th day on are accepted, today and the 91st day refused.
func TestNewInvitationAnyTimeOfDay(t *testing.T) {
	tpl := mixed(t, ParentCarer)
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Duration{0, time.Second, 14 * time.Hour, 24*time.Hour - time.Nanosecond} {
		now := today.Add(at)
		for days, ok := range map[int]bool{0: false, 1: true, 90: true, 91: false} {
			inv, _, err := NewInvitation(tpl, "after_mam", "ref-1", "", today.AddDate(0, 0, days), now)
			if (err == nil) != ok {
				t.Errorf("at %s, last day %d days on: %v, want accepted %v", now.Format(time.TimeOnly), days, err, ok)
				continue
			}
			if ok && !inv.ExpiresAt.Equal(today.AddDate(0, 0, days+1)) {
				t.Errorf("at %s, last day %d days on: expires %v", now.Format(time.TimeOnly), days, inv.ExpiresAt)
			}
		}
	}
}

// TestNewInvitationCurrentVersion: an invitation pins the question set current when it was sent.
func TestNewInvitationCurrentVersion(t *testing.T) {
	now := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	tpl := mixed(t, ParentCarer)
	if err := tpl.AddVersion(qs(likertQ("mood")), now); err != nil {
		t.Fatal(err)
	}
	a, tokenA, err := NewInvitation(tpl, "after_mam", "ref-1", "", now.AddDate(0, 0, 7), now)
	if err != nil {
		t.Fatal(err)
	}
	if a.TemplateVersion != 2 {
		t.Fatalf("template version %d, want 2", a.TemplateVersion)
	}
	b, tokenB, err := NewInvitation(tpl, "after_mam", "ref-1", "", now.AddDate(0, 0, 7), now)
	if err != nil || tokenA == tokenB || a.TokenHash == b.TokenHash {
		t.Fatalf("two invitations share a token: %v", err)
	}
}

func TestUsable(t *testing.T) {
	expires := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	answered := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		inv    Invitation
		now    time.Time
		kind   fault.Kind // Unknown: usable
		detail string
	}{
		{"open", Invitation{ExpiresAt: expires}, expires.Add(-time.Nanosecond), fault.Unknown, ""},
		{"expires exactly now", Invitation{ExpiresAt: expires}, expires, fault.Gone,
			"This invitation has expired; ask the person who sent it for a new one."},
		{"expired", Invitation{ExpiresAt: expires}, expires.Add(time.Hour), fault.Gone, ""},
		{"answered", Invitation{ExpiresAt: expires, AnsweredAt: &answered, ResponseID: "resp-1"}, answered.Add(time.Hour), fault.Conflict,
			"This invitation has already been answered; thank you."},
		{"answered and since expired", Invitation{ExpiresAt: expires, AnsweredAt: &answered, ResponseID: "resp-1"}, expires.AddDate(0, 1, 0), fault.Conflict, ""},
		{"response recorded without a time", Invitation{ExpiresAt: expires, ResponseID: "resp-1"}, answered, fault.Conflict, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.inv.Usable(c.now)
			if fault.KindOf(err) != c.kind || (c.kind == fault.Unknown) != (err == nil) {
				t.Fatalf("got %v, want kind %v", err, c.kind)
			}
			var fe *fault.Error
			if c.detail != "" && (!errors.As(err, &fe) || fe.Detail != c.detail) {
				t.Errorf("detail = %v, want %q", err, c.detail)
			}
		})
	}
}

func TestMarkAnswered(t *testing.T) {
	expires := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)
	inv := Invitation{ID: "inv-1", ExpiresAt: expires, Version: 1}
	if err := inv.MarkAnswered("resp-1", at); err != nil {
		t.Fatal(err)
	}
	if inv.AnsweredAt == nil || !inv.AnsweredAt.Equal(at) || inv.ResponseID != "resp-1" || inv.Version != 2 {
		t.Fatalf("after = %+v", inv)
	}
	if err := inv.Usable(at); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("usable after answering: %v", err)
	}
	// Once only: a second answer is refused and changes nothing.
	if err := inv.MarkAnswered("resp-2", at.Add(time.Minute)); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("second answer: %v", err)
	}
	if inv.ResponseID != "resp-1" || !inv.AnsweredAt.Equal(at) || inv.Version != 2 {
		t.Fatalf("second answer changed the invitation: %+v", inv)
	}

	expired := Invitation{ExpiresAt: expires, Version: 1}
	if err := expired.MarkAnswered("resp-3", expires); fault.KindOf(err) != fault.Gone || expired.AnsweredAt != nil || expired.Version != 1 {
		t.Fatalf("expired: %v %+v", err, expired)
	}
	open := Invitation{ExpiresAt: expires, Version: 1}
	if err := open.MarkAnswered("", at); err == nil || fault.KindOf(err) != fault.Unknown || open.AnsweredAt != nil || open.Version != 1 {
		t.Fatalf("no response id: %v %+v", err, open)
	}
}

func TestInvitationStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	cases := []struct {
		name string
		inv  Invitation
		want string
	}{
		{"pending", Invitation{ExpiresAt: now.Add(time.Second)}, InvitationPending},
		{"expires exactly now", Invitation{ExpiresAt: now}, InvitationExpired},
		{"answered", Invitation{ExpiresAt: now.Add(time.Hour), AnsweredAt: &at, ResponseID: "r"}, InvitationAnswered},
		{"answered, since expired", Invitation{ExpiresAt: now.Add(-time.Minute), AnsweredAt: &at, ResponseID: "r"}, InvitationAnswered},
	}
	for _, c := range cases {
		if got := c.inv.Status(now); got != c.want {
			t.Errorf("%s: Status = %q, want %q", c.name, got, c.want)
		}
	}
}
