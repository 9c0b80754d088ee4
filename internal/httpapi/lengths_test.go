package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
)

// TestAnswersDeclareTheirLength: the answers written whole by the hand-written encoders (a page
// of referrals, a page of young people, a referral) declare their length rather than being sent
// in chunks (a chunked answer costs the server one more write to the socket for its closing
// chunk), over the real HTTP stack; a HEAD declares the length its GET has. The pages are made
// longer than net/http's own buffer, below which it works the length out itself.
func TestAnswersDeclareTheirLength(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var ref string
		for i := range 12 {
			in := child(5 + i%10)
			in.NHSNumber, in.UPN = nil, nil // one child's identifiers cannot be recorded twice
			yp := e.youngPerson(e.officer, in)
			ref = e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		}
		for _, path := range []string{"/v1/referrals?limit=50", "/v1/young-people?limit=50", "/v1/referrals/" + ref} {
			get := e.do(http.MethodGet, path, e.officer, nil)
			if get.status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, get.status, get.body)
			}
			if path != "/v1/referrals/"+ref && len(get.body) <= 4096 {
				t.Fatalf("GET %s: %d bytes, want a page longer than net/http's buffer", path, len(get.body))
			}
			if n := get.header.Get("Content-Length"); n != strconv.Itoa(len(get.body)) {
				t.Errorf("GET %s: Content-Length %q for %d bytes (chunked when absent)", path, n, len(get.body))
			}
			head := e.do(http.MethodHead, path, e.officer, nil)
			if n := head.header.Get("Content-Length"); n != strconv.Itoa(len(get.body)) {
				t.Errorf("HEAD %s: Content-Length %q, its GET has %d bytes", path, n, len(get.body))
			}
		}
	})
}
