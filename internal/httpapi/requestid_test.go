package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// TestRequestIDs: a well-formed X-Request-Id is echoed and audited as sent; otherwise the server
// makes a UUIDv7, later ones sorting after earlier ones, so that the audit trail's index on the
// request id grows at its end rather than at a random leaf (issue 13).
func TestRequestIDs(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(3))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		var last string
		for i, sent := range []string{"", "", "has spaces in it", "é"} {
			r := e.do(http.MethodGet, "/v1/referrals/"+ref, e.officer, nil, "X-Request-Id", sent)
			if r.status != http.StatusOK {
				t.Fatalf("read %d: %d %s", i, r.status, r.body)
			}
			rid := r.header.Get("X-Request-Id")
			id, err := uuid.Parse(rid)
			if err != nil || id.Version() != 7 || id.String() != rid {
				t.Fatalf("read %d (sent %q): X-Request-Id %q is not a UUIDv7 as written (%v)", i, sent, rid, err)
			}
			if rid <= last {
				t.Errorf("read %d: X-Request-Id %q does not sort after the one before, %q", i, rid, last)
			}
			last = rid
			events := items(t, e.do(http.MethodGet, "/v1/audit-events?request_id="+rid, e.admin, nil))
			if len(events) != 1 || events[0].(map[string]any)["record_id"] != ref {
				t.Errorf("read %d: audit events of request %s: %v", i, rid, events)
			}
		}
		r := e.do(http.MethodGet, "/v1/referrals/"+ref, e.officer, nil, "X-Request-Id", "caller-chosen.1")
		if got := r.header.Get("X-Request-Id"); r.status != http.StatusOK || got != "caller-chosen.1" {
			t.Errorf("a well-formed X-Request-Id: %d, echoed as %q", r.status, got)
		}
		if events := items(t, e.do(http.MethodGet, "/v1/audit-events?request_id=caller-chosen.1", e.admin, nil)); len(events) != 1 {
			t.Errorf("audit events of the caller's request id: %v", events)
		}
	})
}
