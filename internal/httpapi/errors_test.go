package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/pkg/client"
)

const unknownID = "01890000-0000-7000-8000-000000000000"

func TestValidationProblemsNameEachField(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, method, path string
			body               any
			want               []string
		}{
			{"missing, malformed and unknown fields", http.MethodPost, "/v1/young-people",
				map[string]any{"family_name": "", "date_of_birth": "2020-02-31", "nhs_number": "12345", "shoe_size": 9},
				[]string{"/date_of_birth", "/family_name", "/given_name", "/nhs_number", "/shoe_size"}},
			{"enum and nested fields", http.MethodPost, "/v1/young-people",
				map[string]any{"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01", "primary_sen_need": "XYZ",
					"contacts": []any{map[string]any{"name": "C", "relationship": "uncle"}}},
				[]string{"/contacts/0/relationship", "/primary_sen_need"}},
			{"NHS number check digit", http.MethodPost, "/v1/young-people",
				map[string]any{"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01", "nhs_number": "9434765918"},
				[]string{"/nhs_number"}},
			{"UPN check letter", http.MethodPost, "/v1/young-people",
				map[string]any{"given_name": "A", "family_name": "B", "date_of_birth": "2015-01-01", "upn": "A801200005001"},
				[]string{"/upn"}},
			{"older than 25", http.MethodPost, "/v1/young-people",
				map[string]any{"given_name": "A", "family_name": "B", "date_of_birth": time.Now().AddDate(-26, 0, -1).Format("2006-01-02")},
				[]string{"/date_of_birth"}},
			{"born in the future", http.MethodPost, "/v1/young-people",
				map[string]any{"given_name": "A", "family_name": "B", "date_of_birth": time.Now().AddDate(0, 0, 2).Format("2006-01-02")},
				[]string{"/date_of_birth"}},
			{"referral lists", http.MethodPost, "/v1/referrals",
				map[string]any{"young_person_id": unknownID, "referrer_practitioner_id": "not-a-uuid", "reasons": []string{}, "services_involved": []string{"school", "school"}},
				[]string{"/reasons", "/referrer_practitioner_id", "/services_involved"}},
			{"query parameters", http.MethodGet, "/v1/referrals?limit=500&status=lost&created_after=yesterday", nil,
				[]string{"/query/created_after", "/query/limit", "/query/status"}},
			{"path parameter", http.MethodGet, "/v1/referrals/123", nil, []string{"/path/id"}},
			{"cursor", http.MethodGet, "/v1/referrals?cursor=bm9wZQ", nil, []string{"/query/cursor"}},
			{"triage decision", http.MethodPost, "/v1/referrals/" + unknownID + "/triage", map[string]any{"decision": "maybe"},
				[]string{"/decision", "/reason"}},
			{"empty patch", http.MethodPatch, "/v1/organisations/" + unknownID, map[string]any{}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := e.officer
				if strings.HasPrefix(c.path, "/v1/organisations") {
					key = e.admin
				}
				p := e.do(c.method, c.path, key, c.body).problem(t, http.StatusBadRequest)
				for _, ptr := range c.want {
					if !hasPointer(p, ptr) {
						t.Errorf("no error for %s; got %v", ptr, pointers(p))
					}
				}
				if p.Errors != nil {
					for _, f := range *p.Errors {
						if f.Detail == "" {
							t.Errorf("field error %s has no detail", f.Pointer)
						}
					}
				}
			})
		}
		// A refused create writes nothing.
		list := e.do(http.MethodGet, "/v1/young-people", e.officer, nil)
		if n := len(list.json(t)["items"].([]any)); n != 0 {
			t.Fatalf("refused creates left %d records", n)
		}
	})
}

func TestRequestShapeProblems(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.do(http.MethodPost, "/v1/organisations", e.admin, "{not json").problem(t, http.StatusBadRequest)
		e.do(http.MethodPost, "/v1/organisations", e.admin, "name=x", "Content-Type", "application/x-www-form-urlencoded").problem(t, http.StatusUnsupportedMediaType)
		e.do(http.MethodPatch, "/v1/organisations/"+unknownID, e.admin, `{"name":"x"}`, "Content-Type", "text/plain").problem(t, http.StatusUnsupportedMediaType)
		big := `{"name":"` + strings.Repeat("x", 70<<10) + `","type":"vcs"}`
		e.do(http.MethodPost, "/v1/organisations", e.admin, big).problem(t, http.StatusRequestEntityTooLarge)
		e.do(http.MethodGet, "/v1/nowhere", e.admin, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/nowhere", "", nil).problem(t, http.StatusNotFound)
		e.do(http.MethodDelete, "/v1/referrals", e.officer, nil).problem(t, http.StatusMethodNotAllowed)
		e.do(http.MethodPatch, "/v1/organisations/"+unknownID, e.admin, map[string]any{"name": "x"}, "If-Match", "yesterday").problem(t, http.StatusBadRequest)
		for _, path := range []string{"/v1/organisations/", "/v1/practitioners/", "/v1/young-people/", "/v1/referrals/"} {
			key := e.officer
			e.do(http.MethodGet, path+unknownID, key, nil).problem(t, http.StatusNotFound)
		}
	})
}

func TestAuthentication(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, auth := range []string{"", "Basic abc", "Bearer ", "Bearer nonsense", "Bearer op_aaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Bearer " + e.officer + "x"} {
			r := e.do(http.MethodGet, "/v1/referrals", "", nil, "Authorization", auth)
			r.problem(t, http.StatusUnauthorized)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate for %q", auth)
			}
		}
		// Probes need no key; everything under /v1 does.
		for _, path := range []string{"/healthz", "/readyz", "/openapi.yaml"} {
			if r := e.do(http.MethodGet, path, "", nil); r.status != http.StatusOK {
				t.Errorf("%s: %d", path, r.status)
			}
		}
	})
}

// TestRoles checks the permission matrix at the HTTP boundary.
func TestRoles(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ypID := e.youngPerson(e.practitioner, child(7))
		org := map[string]any{"name": "New Nursery", "type": "pvi_nursery"}
		checks := []struct {
			who         string
			key         string
			method, url string
			body        any
			want        int
		}{
			{"admin manages organisations", e.admin, http.MethodPost, "/v1/organisations", org, http.StatusCreated},
			{"officer cannot create organisations", e.officer, http.MethodPost, "/v1/organisations", org, http.StatusForbidden},
			{"practitioner cannot create organisations", e.practitioner, http.MethodPost, "/v1/organisations", org, http.StatusForbidden},
			{"admin reads no casework", e.admin, http.MethodGet, "/v1/young-people/" + ypID, nil, http.StatusForbidden},
			{"admin lists no casework", e.admin, http.MethodGet, "/v1/referrals", nil, http.StatusForbidden},
			{"analyst reads no named record", e.analyst, http.MethodGet, "/v1/young-people/" + ypID, nil, http.StatusForbidden},
			{"analyst lists no named record", e.analyst, http.MethodGet, "/v1/young-people", nil, http.StatusForbidden},
			{"analyst reads the directory", e.analyst, http.MethodGet, "/v1/organisations", nil, http.StatusOK},
			{"officer reads every record", e.officer, http.MethodGet, "/v1/young-people/" + ypID, nil, http.StatusOK},
			{"practitioner reads own organisation's record", e.practitioner, http.MethodGet, "/v1/young-people/" + ypID, nil, http.StatusOK},
			{"unrelated practitioner cannot know it exists", e.outsider, http.MethodGet, "/v1/young-people/" + ypID, nil, http.StatusNotFound},
			{"only admins read the audit trail", e.officer, http.MethodGet, "/v1/audit-events", nil, http.StatusForbidden},
			{"admin reads the audit trail", e.admin, http.MethodGet, "/v1/audit-events", nil, http.StatusOK},
		}
		for _, c := range checks {
			r := e.do(c.method, c.url, c.key, c.body)
			if r.status != c.want {
				t.Errorf("%s: %d, want %d: %s", c.who, r.status, c.want, r.body)
			}
		}
		// Lists and search leak nothing to an unrelated practitioner.
		list := e.do(http.MethodGet, "/v1/young-people?q=amelia", e.outsider, nil)
		if n := len(list.json(t)["items"].([]any)); n != 0 {
			t.Fatalf("unrelated practitioner found %d young people", n)
		}
		// A partner refers only in its own name.
		r := e.do(http.MethodPost, "/v1/referrals", e.outsider, map[string]any{"young_person_id": ypID, "referrer_practitioner_id": e.schoolSENCO,
			"reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}})
		r.problem(t, http.StatusUnprocessableEntity)
	})
}

func TestIdempotentCreate(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ypID := e.youngPerson(e.officer, child(6))
		body := map[string]any{"young_person_id": ypID, "referrer_practitioner_id": e.schoolSENCO, "reasons": []string{"sen"}, "services_involved": []string{"school", "camhs"}}
		first := e.do(http.MethodPost, "/v1/referrals", e.officer, body, "Idempotency-Key", "retry-key-0001")
		second := e.do(http.MethodPost, "/v1/referrals", e.officer, body, "Idempotency-Key", "retry-key-0001")
		if first.status != http.StatusCreated || second.status != http.StatusCreated {
			t.Fatalf("statuses %d, %d: %s", first.status, second.status, second.body)
		}
		if first.json(t)["id"] != second.json(t)["id"] || second.header.Get("Idempotent-Replayed") != "true" || second.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("retry was not a replay: %s vs %s", first.body, second.body)
		}
		body["summary"] = "changed"
		e.do(http.MethodPost, "/v1/referrals", e.officer, body, "Idempotency-Key", "retry-key-0001").problem(t, http.StatusUnprocessableEntity)
		// A refused request does not burn its key: fixed and retried, it runs.
		bad := map[string]any{"young_person_id": unknownID, "referrer_practitioner_id": e.schoolSENCO, "reasons": []string{"sen"}, "services_involved": []string{"school"}}
		e.do(http.MethodPost, "/v1/referrals", e.officer, bad, "Idempotency-Key", "retry-key-0002").problem(t, http.StatusUnprocessableEntity)
		// The same key from another API key is another request.
		other := e.do(http.MethodPost, "/v1/referrals", e.practitioner, body, "Idempotency-Key", "retry-key-0001")
		if other.status != http.StatusCreated || other.json(t)["id"] == first.json(t)["id"] {
			t.Fatalf("keys must be scoped per API key: %d %s", other.status, other.body)
		}
		list := e.do(http.MethodGet, "/v1/referrals?young_person_id="+ypID, e.officer, nil)
		if n := len(list.json(t)["items"].([]any)); n != 2 {
			t.Fatalf("%d referrals, want 2 (one replayed)", n)
		}
	})
}

func TestPaginationAndPatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.client(e.officer)
		ctx := context.Background()
		for range 5 {
			e.youngPerson(e.officer, client.YoungPersonInput{GivenName: "Page", FamilyName: "Test", DateOfBirth: day(time.Now().AddDate(-4, 0, 0))})
		}
		seen := map[string]bool{}
		var cursor *string
		pages := 0
		for {
			res, err := c.ListYoungPeopleWithResponse(ctx, &client.ListYoungPeopleParams{Limit: ptr(2), Cursor: cursor})
			if err != nil || res.JSON200 == nil {
				t.Fatal(err, string(res.Body))
			}
			pages++
			for _, yp := range res.JSON200.Items {
				if seen[yp.ID.String()] {
					t.Fatal("a record appeared on two pages")
				}
				seen[yp.ID.String()] = true
			}
			if res.JSON200.NextCursor == nil {
				break
			}
			cursor = res.JSON200.NextCursor
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("%d records over %d pages", len(seen), pages)
		}

		// Merge patch: null removes, absent keeps, the result is validated, If-Match guards.
		id := e.youngPerson(e.officer, child(10))
		r := e.do(http.MethodPatch, "/v1/young-people/"+id, e.officer, map[string]any{"upn": nil, "preferred_name": "Millie"}, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		got := r.json(t)
		if _, has := got["upn"]; has || got["preferred_name"] != "Millie" || got["nhs_number"] != "9434765919" {
			t.Fatalf("patched record: %s", r.body)
		}
		p := e.do(http.MethodPatch, "/v1/young-people/"+id, e.officer, map[string]any{"given_name": nil}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/given_name") {
			t.Fatalf("pointers %v", pointers(p))
		}
		stale := e.do(http.MethodPatch, "/v1/young-people/"+id, e.officer, map[string]any{"locality": "North"}, "If-Match", `"1"`)
		stale.problem(t, http.StatusPreconditionFailed)
		if stale.header.Get("ETag") != `"2"` {
			t.Fatalf("412 ETag = %q", stale.header.Get("ETag"))
		}
		// A duplicate NHS number is a conflict naming the field, without echoing the value.
		dup := child(8)
		dup.UPN = nil
		res, _ := c.CreateYoungPersonWithResponse(ctx, nil, dup)
		if res.StatusCode() != http.StatusConflict || strings.Contains(string(res.Body), "9434765919") {
			t.Fatalf("duplicate NHS number: %d %s", res.StatusCode(), res.Body)
		}
	})
}

func TestOperations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		r := e.do(http.MethodGet, "/readyz", "", nil)
		if r.status != http.StatusOK || r.json(t)["database"] == "" {
			t.Fatalf("readyz: %d %s", r.status, r.body)
		}
		spec := e.do(http.MethodGet, "/openapi.yaml", "", nil)
		if string(spec.body) != string(api.SpecYAML) || !strings.HasPrefix(spec.header.Get("Content-Type"), "application/yaml") {
			t.Fatal("/openapi.yaml must serve the contract as written")
		}
		echoed := e.do(http.MethodGet, "/healthz", "", nil, "X-Request-Id", "trace-abc.123")
		if echoed.header.Get("X-Request-Id") != "trace-abc.123" {
			t.Fatal("a well-formed X-Request-Id is echoed")
		}
		made := e.do(http.MethodGet, "/healthz", "", nil, "X-Request-Id", "bad id with spaces")
		if id := made.header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
			t.Fatal("a malformed X-Request-Id is replaced")
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Cache-Control"} {
			if echoed.header.Get(h) == "" {
				t.Errorf("missing security header %s", h)
			}
		}
	})
}

// TestContractIsValid: the contract itself is a valid OpenAPI 3.0 document.
func TestContractIsValid(t *testing.T) {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
}

// TestIdempotencyPerSignedInUser: signed-in users have no API key; their Idempotency-Keys are
// theirs alone, so one person's retry never replays another's answer.
func TestIdempotencyPerSignedInUser(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		token := func(sub string) string {
			return "Bearer " + e.idp.token(t, auth.RoleSENDOfficer, e.council, map[string]any{"sub": sub})
		}
		body := map[string]any{"referral_id": f.referral, "from": "family", "working_well": "Good."}
		first := e.do(http.MethodPost, "/v1/pathway-feedback", "", body, "Authorization", token("officer-a"), "Idempotency-Key", "same-key-0001")
		again := e.do(http.MethodPost, "/v1/pathway-feedback", "", body, "Authorization", token("officer-a"), "Idempotency-Key", "same-key-0001")
		other := e.do(http.MethodPost, "/v1/pathway-feedback", "", body, "Authorization", token("officer-b"), "Idempotency-Key", "same-key-0001")
		for _, r := range []reply{first, again, other} {
			if r.status != http.StatusCreated {
				t.Fatalf("%d %s", r.status, r.body)
			}
		}
		if again.json(t)["id"] != first.json(t)["id"] || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the same user's retry was not replayed: %s vs %s", first.body, again.body)
		}
		if other.json(t)["id"] == first.json(t)["id"] || other.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("another user's request was answered with the first user's: %s", other.body)
		}
	})
}
