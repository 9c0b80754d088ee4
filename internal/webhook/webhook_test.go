package webhook

import (
	"net/netip"
	"testing"
	"time"
)

func TestPolicyRefusesInternalAddresses(t *testing.T) {
	var none Policy
	local, _ := ParsePolicy([]string{"127.0.0.1", "10.1.0.0/16"})
	cases := []struct {
		p    Policy
		url  string
		okay bool
	}{
		{none, "https://93.184.215.14/hook", true},
		{none, "https://example.org/hook", true}, // names are checked on the address dialled
		{none, "http://example.org/hook", false},
		{none, "https://127.0.0.1/hook", false},
		{none, "https://localhost/hook", false},
		{none, "https://10.1.2.3/", false},
		{none, "https://172.16.0.1/", false},
		{none, "https://192.168.0.1/", false},
		{none, "https://169.254.169.254/latest/meta-data", false},
		{none, "https://[::1]/", false},
		{none, "https://[fe80::1]/", false},
		{none, "https://[fd00::1]/", false},
		{none, "https://100.64.0.1/", false},
		{none, "https://0.0.0.0/", false},
		{none, "https://user:pw@example.org/", false},
		{none, "ftp://example.org/", false},
		{none, "/relative", false},
		{local, "http://127.0.0.1:9000/hook", true},
		{local, "https://10.1.2.3/", true},
		{local, "https://10.2.0.1/", false},
		{local, "http://10.1.2.3/", false}, // plain http only to loopback
	}
	for _, c := range cases {
		if err := c.p.CheckURL(c.url); (err == nil) != c.okay {
			t.Errorf("CheckURL(%s) with %v = %v, want allowed %v", c.url, c.p.Allowed, err, c.okay)
		}
	}
	if err := none.Control("tcp", "[::ffff:127.0.0.1]:443", nil); err == nil {
		t.Error("a v4-mapped loopback address was dialled")
	}
	if err := none.CheckAddr(netip.MustParseAddr("8.8.8.8")); err != nil {
		t.Error(err)
	}
}

func TestRetryBacksOffForThreeDays(t *testing.T) {
	first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now, attempts := first, 0
	var last time.Duration
	for {
		attempts++
		next, ok := DefaultRetry.Next(attempts, first, now)
		if !ok {
			break
		}
		d := next.Sub(now)
		if d < DefaultRetry.Base*4/5 || d > DefaultRetry.Cap*6/5 || (attempts < 5 && d < last) {
			t.Fatalf("attempt %d: next in %v", attempts, d)
		}
		last, now = d, next
	}
	if now.Sub(first) < 72*time.Hour || attempts < 10 || attempts > 40 {
		t.Fatalf("gave up after %d attempts over %v", attempts, now.Sub(first))
	}
}

func TestRotationOverlap(t *testing.T) {
	now := time.Now()
	s := Subscription{Secret: "whsec_b2xk"}
	if _, err := s.Rotate(now, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := s.Secrets(now.Add(time.Minute)); len(got) != 2 || got[1] != "whsec_b2xk" {
		t.Fatalf("during the overlap: %v", got)
	}
	if got := s.Secrets(now.Add(2 * time.Hour)); len(got) != 1 || got[0] == "whsec_b2xk" {
		t.Fatalf("after the overlap: %v", got)
	}
	if _, err := s.Rotate(now, 8*24*time.Hour); err == nil {
		t.Fatal("an overlap over 7 days was accepted")
	}
}
