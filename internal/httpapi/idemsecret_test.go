package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestIdempotentSecretsNotKept: an answer holding a secret shown once (here an API key, a family
// invitation's token and a webhook's signing secret) is not kept under its Idempotency-Key, where
// anyone reading the database would find it in the clear for a day, nor replayed: a retry is a
// 409 naming where the record is. Answers without a secret are still replayed (TestIdempotentCreate).
func TestIdempotentSecretsNotKept(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(8))
		cases := []struct {
			key, path, secret string
			body              map[string]any
			other             string // a member to change for another request
		}{
			{e.admin, "/v1/api-keys", "key", map[string]any{"organisation_id": e.council, "role": "analyst", "name": "Retried key"}, "name"},
			{e.officer, "/v1/family-invitations", "token", map[string]any{"young_person_id": yp, "purpose": "request_assessment"}, "expires_on"},
			{e.admin, "/v1/webhook-subscriptions", "secret", map[string]any{"organisation_id": e.council, "view": "council", "url": "https://receiver.example.org/oneplan",
				"event_types": []string{"referral.received"}}, "url"},
		}
		for i, c := range cases {
			idem := "secret-retry-000" + string(rune('1'+i))
			first := e.do(http.MethodPost, c.path, c.key, c.body, "Idempotency-Key", idem)
			if first.status != http.StatusCreated {
				t.Fatalf("%s: %d %s", c.path, first.status, first.body)
			}
			secret, _ := first.json(t)[c.secret].(string)
			if secret == "" {
				t.Fatalf("%s: no %s in %s", c.path, c.secret, first.body)
			}
			again := e.do(http.MethodPost, c.path, c.key, c.body, "Idempotency-Key", idem)
			p := again.problem(t, http.StatusConflict)
			if strings.Contains(string(again.body), secret) || again.header.Get("Location") != first.header.Get("Location") ||
				!strings.Contains(*p.Detail, first.header.Get("Location")) {
				t.Errorf("%s: retry answered %s (Location %q), want a 409 naming %q without the secret", c.path, again.body,
					again.header.Get("Location"), first.header.Get("Location"))
			}
			db, err := e.st.SQL()
			if err != nil {
				t.Fatal(err)
			}
			var kept int
			if err := db.QueryRow("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = $1 AND state = 'withheld'", idem).Scan(&kept); err != nil {
				t.Fatal(err)
			}
			var leaked int
			if err := db.QueryRow("SELECT COUNT(*) FROM idempotency_keys WHERE body LIKE '%' || $1 || '%'", secret).Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != 0 || kept != 1 {
				t.Errorf("%s: the secret is kept in %d idempotency records (withheld records: %d)", c.path, leaked, kept)
			}
			// Another request under the same key is still refused as such.
			c.body[c.other] = map[string]string{"name": "Other", "expires_on": time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02"),
				"url": "https://other.example.org/oneplan"}[c.other]
			e.do(http.MethodPost, c.path, c.key, c.body, "Idempotency-Key", idem).problem(t, http.StatusUnprocessableEntity)
		}
	})
}
