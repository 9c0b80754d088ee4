package outbox

import "testing"

// TestUnknown: the first name that is no event type is named; none when every one is.
func TestUnknown(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
		found bool
	}{
		{nil, "", false},
		{[]string{ReferralReceived.Name, APIKeyCreated.Name}, "", false},
		{[]string{ReferralReceived.Name, "referral.created", "nope"}, "referral.created", true},
		{[]string{"Referral.Received"}, "Referral.Received", true},
	} {
		if got, found := Unknown(c.names); got != c.want || found != c.found {
			t.Errorf("Unknown(%q) = %q, %v; want %q, %v", c.names, got, found, c.want, c.found)
		}
	}
}
