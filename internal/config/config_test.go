package config

import (
	"fmt"
	"testing"
)

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"https://oneplan.council.example/", "https://oneplan.council.example", true},
		{"http://10.0.0.5:8080/api", "http://10.0.0.5:8080/api", true},
		{"oneplan.council.example", "", false},
		{"ftp://oneplan.council.example", "", false},
		{"https://oneplan.council.example/?a=b", "", false},
		{"https://user:pw@oneplan.council.example", "", false},
	} {
		t.Setenv("ONEPLAN_PUBLIC_URL", tc.in)
		c, err := FromEnv()
		if (err == nil) != tc.ok || (tc.ok && c.PublicURL != tc.want) {
			t.Errorf("%q: got %q, %v", tc.in, c.PublicURL, err)
		}
	}
}

// TestDatabaseMaxConns: the pool's size has a default and refuses what is not a usable size.
func TestDatabaseMaxConns(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"64", 64, true}, {"1", 1, true}, {"0", 0, false}, {"-3", 0, false}, {"lots", 0, false}, {"1001", 0, false},
	} {
		t.Setenv("ONEPLAN_DATABASE_MAX_CONNS", tc.in)
		c, err := FromEnv()
		if (err == nil) != tc.ok || (tc.ok && c.DatabaseMaxConns != tc.want) {
			t.Errorf("%q: got %d, %v", tc.in, c.DatabaseMaxConns, err)
		}
	}
}

// TestMaxActiveRequests: 16 unless set, 0 turns the limit off, and nonsense is refused.
func TestMaxActiveRequests(t *testing.T) {
	c, err := FromEnv()
	if err != nil || c.MaxActiveRequests != 16 {
		t.Errorf("default: %d, %v; want 16", c.MaxActiveRequests, err)
	}
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"8", 8, true}, {"0", 0, true}, {"-1", 0, false}, {"many", 0, false}, {"10001", 0, false},
	} {
		t.Setenv("ONEPLAN_MAX_ACTIVE_REQUESTS", tc.in)
		c, err := FromEnv()
		if (err == nil) != tc.ok || (tc.ok && c.MaxActiveRequests != tc.want) {
			t.Errorf("%q: got %d, %v", tc.in, c.MaxActiveRequests, err)
		}
	}
}

// TestPublishedLocalities: the localities controlled reports name default to the pathway's area,
// and may be listed apart from it (a council publishing by locality whose area is all of it).
func TestPublishedLocalities(t *testing.T) {
	for _, tc := range []struct{ area, published, want string }{
		{"", "", "[]"}, {"South, North", "", "[South North]"}, {"", "South,North", "[South North]"}, {"South", "North,South", "[North South]"},
	} {
		t.Setenv("ONEPLAN_AREA_LOCALITIES", tc.area)
		t.Setenv("ONEPLAN_PUBLISHED_LOCALITIES", tc.published)
		c, err := FromEnv()
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(c.PublishedLocalities); got != tc.want {
			t.Errorf("area %q, published %q: %s, want %s", tc.area, tc.published, got, tc.want)
		}
	}
}
