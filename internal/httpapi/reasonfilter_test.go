package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/oneplan-send/oneplan/pkg/client"
)

// TestListReferralsByReason: a reason filter finds a referral by any reason it gives (main or
// not), once each, newest first, across pages and together with a status filter.
func TestListReferralsByReason(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.fixture().child
		withReasons := func(main string, more ...string) string {
			in := referralFor(yp, e.schoolSENCO)
			in.Reasons = []client.ReferralReason{client.ReferralReason(main)}
			for _, r := range more {
				in.Reasons = append(in.Reasons, client.ReferralReason(r))
			}
			return e.referral(e.officer, in).ID.String()
		}
		adhdOnly := withReasons("adhd")
		adhdAndCare := withReasons("adhd", "social_care")
		careOnly := withReasons("social_care")

		ids := func(path string) []string {
			var out []string
			for _, it := range items(t, e.do(http.MethodGet, path, e.officer, nil)) {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			return out
		}
		if got := ids("/v1/referrals?reason=social_care"); len(got) != 2 || got[0] != careOnly || got[1] != adhdAndCare {
			t.Errorf("reason=social_care: %v, want [%s %s]", got, careOnly, adhdAndCare)
		}
		if got := ids("/v1/referrals?reason=adhd"); len(got) != 2 || got[0] != adhdAndCare || got[1] != adhdOnly {
			t.Errorf("reason=adhd: %v, want [%s %s]", got, adhdAndCare, adhdOnly)
		}
		first := e.do(http.MethodGet, "/v1/referrals?reason=adhd&limit=1", e.officer, nil)
		cursor, _ := first.json(t)["next_cursor"].(string)
		if cursor == "" {
			t.Fatalf("a first page of one gives no cursor: %s", first.body)
		}
		if got := ids("/v1/referrals?reason=adhd&limit=1&cursor=" + cursor); len(got) != 1 || got[0] != adhdOnly {
			t.Errorf("second page: %v, want [%s]", got, adhdOnly)
		}
		if got := ids("/v1/referrals?reason=adhd&status=received"); len(got) != 2 {
			t.Errorf("reason and status: %v, want 2", got)
		}
		if got := ids("/v1/referrals?reason=adhd&status=closed"); len(got) != 0 {
			t.Errorf("reason=adhd&status=closed: %v, want none", got)
		}
	})
}
