package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
)

func strictOps(t *testing.T) map[string]*operationInput {
	t.Helper()
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := operationInputs(spec)
	n := 0
	for _, item := range spec.Paths.Map() {
		n += len(item.Operations())
	}
	if len(ops) != n || ops["GET /healthz"] == nil {
		t.Fatalf("%d operations read, want all %d", len(ops), n)
	}
	return ops
}

func TestStrictQuery(t *testing.T) {
	ops := strictOps(t)
	cases := []struct {
		op, query string
		want      string // "pointer: part of the detail", or "" for none
	}{
		{"GET /v1/referrals", "status=received&limit=5&q=Okonkwo", ""},
		{"GET /v1/referrals", "", ""},
		{"GET /v1/referrals", "statuss=received", "/query/statuss: which takes: created_after, created_before, cursor, external_id, limit, locality, organisation_id, q, reason, status, updated_since, young_person_id"},
		{"GET /v1/referrals", "Status=received", "/query/Status: is not a parameter"},
		{"GET /v1/young-people", "q=%00", "/query/q: NUL character (%00)"},
		{"GET /v1/young-people", "q=a%00b&limit=5", "/query/q: NUL"},
		{"GET /v1/referrals", "q=%FF", "/query/q: not valid UTF-8"},
		{"GET /v1/referrals", "q=%C3", "/query/q: not valid UTF-8"},
		{"GET /v1/referrals", "q=%zz", "/query: not a well-formed query string"},
		{"GET /v1/referrals", "q=a;status=x", "/query: not a well-formed query string"},
		{"GET /v1/referrals", "status=received&status=closed", "/query/status: is given 2 times"},
		{"GET /v1/referrals", "%00=1", "/query: parameter name that contains the NUL"},
		{"GET /v1/referrals", "a%2Fb~=1", "/query/a~1b~0: is not a parameter"},
		{"POST /v1/referrals/:id/triage", "x=1", "/query/x: which takes none"},
		{"GET /v1/referrals/:id", "q=x", "/query/q: which takes none"},
	}
	for _, c := range cases {
		fields := ops[c.op].checkQuery(c.query)
		if c.want == "" {
			if len(fields) > 0 {
				t.Errorf("%s?%s: refused: %v", c.op, c.query, fields)
			}
			continue
		}
		ptr, detail, _ := strings.Cut(c.want, ": ")
		if len(fields) != 1 || fields[0].Pointer != ptr || !strings.Contains(fields[0].Detail, detail) {
			t.Errorf("%s?%s: got %v, want %s", c.op, c.query, fields, c.want)
		}
	}
}

func TestStrictHeaders(t *testing.T) {
	ops := strictOps(t)
	long := strings.Repeat("é", 201)
	cases := []struct {
		op, name, value string
		want            string
	}{
		{"GET /v1/referrals/:id", "X-Purpose", "Annual review " + strings.Repeat("é", 150), ""},
		{"GET /v1/referrals/:id", "X-Purpose", "review \xff", "/header/X-Purpose: not valid UTF-8"},
		// X-Purpose reaches the audit trail of every operation, declared or not.
		{"GET /v1/referrals", "X-Purpose", "a\xc3", "/header/X-Purpose: not valid UTF-8"},
		{"GET /v1/referrals", "X-Purpose", long, "/header/X-Purpose: longer than 200 characters"},
		{"POST /v1/referrals", "Idempotency-Key", "key-\xff\xfe-0001", "/header/Idempotency-Key: not valid UTF-8"},
		{"POST /v1/referrals", "X-Other", "\xff", ""},
	}
	for _, c := range cases {
		h := http.Header{}
		h.Set(c.name, c.value)
		fields := ops[c.op].checkHeaders(h)
		if c.want == "" {
			if len(fields) > 0 {
				t.Errorf("%s %s: refused: %v", c.op, c.name, fields)
			}
			continue
		}
		ptr, detail, _ := strings.Cut(c.want, ": ")
		if len(fields) != 1 || fields[0].Pointer != ptr || !strings.Contains(fields[0].Detail, detail) {
			t.Errorf("%s %s: got %v, want %s", c.op, c.name, fields, c.want)
		}
	}
}

func TestStrictMediaType(t *testing.T) {
	ops := strictOps(t)
	cases := []struct {
		op, contentType string
		json            bool
		refusal         string // part of the 415 detail, or "" when accepted
	}{
		{"POST /v1/referrals", "application/json", true, ""},
		{"POST /v1/referrals", "Application/JSON; charset=UTF-8", true, ""},
		{"POST /v1/referrals", "application/json;charset=utf8", true, ""},
		{"PATCH /v1/referrals/:id", "application/merge-patch+json", true, ""},
		{"POST /v1/referrals", "text/plain", false, "takes a body of type application/json, not text/plain"},
		{"POST /v1/referrals", "", false, "application/json; the request has a body but no Content-Type"},
		{"POST /v1/referrals", "application/json; charset=latin1", false, "application/json in UTF-8, not in the charset latin1"},
		{"POST /v1/referrals", "application/json; =utf-8", false, "Content-Type is not a media type"},
		{"POST /v1/referrals", "json", false, "application/json, not json"},
		{"PATCH /v1/referrals/:id", "application/json", false, "takes a body of type application/merge-patch+json, not application/json"},
	}
	for _, c := range cases {
		isJSON, err := ops[c.op].mediaType(c.contentType)
		if c.refusal == "" {
			if err != nil || isJSON != c.json {
				t.Errorf("%s %q: json=%v, %v", c.op, c.contentType, isJSON, err)
			}
			continue
		}
		var mte *mediaTypeError
		if !errors.As(err, &mte) || !strings.Contains(err.Error(), c.refusal) {
			t.Errorf("%s %q: got %v, want a refusal with %q", c.op, c.contentType, err, c.refusal)
			continue
		}
		p := mte.problem()
		if p.Status != http.StatusUnsupportedMediaType || p.Errors == nil || (*p.Errors)[0].Pointer != "/header/Content-Type" {
			t.Errorf("%s %q: problem %+v", c.op, c.contentType, p)
		}
	}
}

func TestStrictBodyProblemIsInvalid(t *testing.T) {
	err := strictJSON([]byte(`{"a":1,"a":2}`))
	if fault.KindOf(err) != fault.Invalid {
		t.Fatalf("kind %v: a refused body must answer 400", fault.KindOf(err))
	}
}
