package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
)

// A body text with a place to spoil: a string literal (as it appears in the body) and the
// pointer to it, and a member name with the pointer to its object.
type spot struct{ literal, pointer string }

type hostileTarget struct {
	name, method, path, body string
	ok                       int    // the status of the unspoilt body
	values                   []spot // string literals to spoil
	member, parent           string // a member name to spoil, and its object's pointer
}

// spoil puts s inside the literal lit, after its first character.
func spoil(body, lit, s string) string {
	return strings.Replace(body, lit, lit[:2]+s+lit[2:], 1)
}

// TestHostileJSONBodies sends bodies that encoding/json would quietly repair or that the
// database cannot store, and requires a 400 naming the place, with nothing written.
func TestHostileJSONBodies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		yesterday := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
		consent := `"consent":{"given_by":"Grace","relationship":"parent","given_on":"` + yesterday + `"}`
		targets := []hostileTarget{
			{"create young person", http.MethodPost, "/v1/young-people",
				`{"given_name":"Amelia","family_name":"Okonkwo-Test","date_of_birth":"2016-03-01","locality":"South"}`, http.StatusCreated,
				[]spot{{`"Amelia"`, "/given_name"}, {`"South"`, "/locality"}}, "family_name", ""},
			{"create referral", http.MethodPost, "/v1/referrals",
				`{"young_person_id":"` + yp + `","referrer_practitioner_id":"` + e.schoolSENCO + `","reasons":["sen","semh"],` +
					`"services_involved":["school","camhs"],` + consent + `}`, http.StatusCreated,
				[]spot{{`"semh"`, "/reasons/1"}, {`"Grace"`, "/consent/given_by"}}, "given_by", "/consent"},
			{"patch young person", http.MethodPatch, "/v1/young-people/" + yp,
				`{"locality":"North","postcode":"M6 5AB"}`, http.StatusOK,
				[]spot{{`"North"`, "/locality"}}, "postcode", ""},
			{"patch referral", http.MethodPatch, "/v1/referrals/" + ref,
				`{"summary":"Speech and language","reasons":["sen","semh"],` + consent + `}`, http.StatusOK,
				[]spot{{`"Speech and language"`, "/summary"}, {`"semh"`, "/reasons/1"}, {`"parent"`, "/consent/relationship"}}, "relationship", "/consent"},
		}
		for _, tg := range targets {
			t.Run(tg.name, func(t *testing.T) {
				type hostile struct{ name, body, pointer, detail string }
				var cases []hostile
				for _, v := range tg.values {
					cases = append(cases,
						hostile{"NUL escape in " + v.pointer, spoil(tg.body, v.literal, `\u0000`), v.pointer, `NUL character (\u0000) at byte offset`},
						hostile{"NUL byte in " + v.pointer, spoil(tg.body, v.literal, "\x00"), v.pointer, "NUL character (U+0000)"},
						hostile{"invalid UTF-8 in " + v.pointer, spoil(tg.body, v.literal, "\xff"), v.pointer, "not UTF-8 (0xFF)"},
						hostile{"cut UTF-8 sequence in " + v.pointer, spoil(tg.body, v.literal, "\xc3"), v.pointer, "not UTF-8 (0xC3)"},
						hostile{"lone high surrogate in " + v.pointer, spoil(tg.body, v.literal, `\ud800`), v.pointer, `unpaired UTF-16 surrogate escape \ud800`},
						hostile{"low surrogate first in " + v.pointer, spoil(tg.body, v.literal, `\udc00\ud800`), v.pointer, `\udc00`},
					)
				}
				name := `"` + tg.member + `":`
				at := strings.Index(tg.body, name) + len(name) - 1 // where the colon was
				cases = append(cases,
					hostile{"NUL in a member name", strings.Replace(tg.body, name, `"`+tg.member+`\u0000":`, 1), tg.parent, "member name that contains the NUL"},
					hostile{"invalid UTF-8 in a member name", strings.Replace(tg.body, name, `"`+tg.member+"\xff\":", 1), tg.parent, "member name that contains bytes that are not UTF-8"},
					hostile{"duplicate member", strings.Replace(tg.body, name, name+`"x",`+name, 1), tg.parent + "/" + tg.member, "second member with this name"},
					hostile{"trailing garbage", tg.body + ` {"x":1}`, "", fmt.Sprintf("at byte offset %d (line 1, column %d): unexpected data after the JSON value", len(tg.body)+1, len(tg.body)+2)},
					hostile{"syntax error", strings.Replace(tg.body, name, `"`+tg.member+`" `, 1), tg.parent,
						fmt.Sprintf("at byte offset %d (line 1, column %d): expected ':' after a member name", at+1, at+2)},
				)
				for _, c := range cases {
					p := e.do(tg.method, tg.path, e.officer, c.body).problem(t, http.StatusBadRequest)
					if len(pointers(p)) == 0 || pointers(p)[0] != c.pointer || !strings.Contains((*p.Errors)[0].Detail, c.detail) {
						t.Errorf("%s: got %v %s, want %q with %q", c.name, pointers(p), e.do(tg.method, tg.path, e.officer, c.body).body, c.pointer, c.detail)
					}
					if strings.HasPrefix(c.name, "syntax") || strings.HasPrefix(c.name, "trailing") {
						if !strings.Contains(*p.Detail, "byte offset") {
							t.Errorf("%s: the detail gives no offset: %s", c.name, *p.Detail)
						}
					}
				}
				// Nothing was written: the records and lists are as they were, and the unspoilt
				// body is accepted, so the refusals were for the spoilt places alone.
				if tg.method == http.MethodPatch {
					if v := e.do(http.MethodGet, tg.path, e.officer, nil).json(t)["version"]; v != 1.0 {
						t.Errorf("refused patches changed the record to version %v", v)
					}
				} else if n := len(items(t, e.do(http.MethodGet, tg.path, e.officer, nil))); n != 1 {
					t.Errorf("refused creates left %d records, want the 1 made before", n)
				}
				if r := e.do(tg.method, tg.path, e.officer, tg.body); r.status != tg.ok {
					t.Errorf("the unspoilt body: %d %s", r.status, r.body)
				}
			})
		}
	})
}

// TestHostileQueryStrings: a query the database cannot store, or one the operation does not
// understand, is refused rather than answered with a 500 or a silently wider list.
func TestHostileQueryStrings(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		e.referral(e.officer, referralFor(yp, e.schoolSENCO))
		cases := []struct{ path, pointer, detail string }{
			{"/v1/young-people?q=%00", "/query/q", "NUL character (%00)"},
			{"/v1/young-people?q=Amelia%00", "/query/q", "NUL character (%00)"},
			{"/v1/referrals?q=%00", "/query/q", "NUL character (%00)"},
			{"/v1/practitioners?q=%00", "/query/q", "NUL character (%00)"},
			{"/v1/referrals?q=%FF", "/query/q", "not valid UTF-8"},
			{"/v1/young-people?locality=%C3", "/query/locality", "not valid UTF-8"},
			{"/v1/referrals?statuss=received", "/query/statuss", "is not a parameter of this operation, which takes: created_after, created_before, cursor, external_id, limit, locality, organisation_id, q, reason, status, updated_since, young_person_id"},
			{"/v1/young-people/" + yp + "?verbose=1", "/query/verbose", "which takes none"},
			{"/v1/referrals?status=received&status=closed", "/query/status", "is given 2 times"},
			{"/v1/referrals?q=%zz", "/query", "not a well-formed query string"},
			{"/v1/referrals?%00=x", "/query", "parameter name that contains the NUL"},
		}
		for _, c := range cases {
			p := e.do(http.MethodGet, c.path, e.officer, nil).problem(t, http.StatusBadRequest)
			if !hasPointer(p, c.pointer) || !strings.Contains((*p.Errors)[0].Detail, c.detail) {
				t.Errorf("%s: got %+v, want %s with %q", c.path, *p.Errors, c.pointer, c.detail)
			}
		}
		// The misspelt filter used to answer every referral; the right one filters.
		if n := len(items(t, e.do(http.MethodGet, "/v1/referrals?status=closed", e.officer, nil))); n != 0 {
			t.Errorf("status=closed listed %d referrals", n)
		}
		// Credentials come first, and public operations are held to the same rule.
		e.do(http.MethodGet, "/v1/referrals?statuss=received", "", nil).problem(t, http.StatusUnauthorized)
		p := e.do(http.MethodGet, "/v1/survey-links/osi_"+strings.Repeat("a", 43)+"?q=%00", "", nil).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/query/q") {
			t.Errorf("public survey link: %v", pointers(p))
		}
	})
}

// TestHostileHeaders: X-Purpose goes into the audit trail of every call, so it must be text
// the database can store, whole.
func TestHostileHeaders(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		for _, c := range []struct{ path, value, detail string }{
			{"/v1/referrals/" + ref, "review \xff\xfe", "not valid UTF-8"}, // declared here; was a 500 on PostgreSQL
			{"/v1/referrals", "a\xc3", "not valid UTF-8"},                  // not declared, still audited
			{"/v1/referrals", strings.Repeat("é", 201), "longer than 200 characters"},
		} {
			p := e.do(http.MethodGet, c.path, e.officer, nil, "X-Purpose", c.value).problem(t, http.StatusBadRequest)
			if !hasPointer(p, "/header/X-Purpose") || !strings.Contains((*p.Errors)[0].Detail, c.detail) {
				t.Errorf("%s %q: %v", c.path, c.value, *p.Errors)
			}
		}
		// 151 characters, 301 bytes: kept whole, not cut into invalid UTF-8 at 200 bytes.
		purpose := "Annual review: " + strings.Repeat("é", 136)
		r := e.do(http.MethodGet, "/v1/referrals/"+ref, e.officer, nil, "X-Purpose", purpose, "X-Request-Id", "purpose-probe-1")
		if r.status != http.StatusOK {
			t.Fatalf("a long purpose: %d %s", r.status, r.body)
		}
		events := items(t, e.do(http.MethodGet, "/v1/audit-events?request_id=purpose-probe-1", e.admin, nil))
		if len(events) != 1 || events[0].(map[string]any)["purpose"] != purpose {
			t.Errorf("audit events for the read: %v", events)
		}
	})
}

// TestBearerSchemeInAnyCase: the scheme name is case-insensitive (RFC 9110 §11.1).
func TestBearerSchemeInAnyCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		jwt := e.idp.token(t, auth.RoleSENDOfficer, e.council, nil)
		for _, h := range []string{"bearer " + e.officer, "BEARER " + e.officer, "bEaReR " + e.officer, "Bearer   " + e.officer, "bearer " + jwt} {
			if r := e.do(http.MethodGet, "/v1/referrals", "", nil, "Authorization", h); r.status != http.StatusOK {
				t.Errorf("%.12s...: %d %s", h, r.status, r.body)
			}
		}
		for _, h := range []string{"bearer", "bearer ", "Bearer" + e.officer, "Bearer-" + e.officer, "Basic " + e.officer, "bearer " + e.officer + "x"} {
			r := e.do(http.MethodGet, "/v1/referrals", "", nil, "Authorization", h)
			r.problem(t, http.StatusUnauthorized)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%.12s...: 401 without WWW-Authenticate", h)
			}
		}
	})
}

// TestHeadMirrorsGet: HEAD answers as GET would, without the body, through the same
// authentication, validation and audit.
func TestHeadMirrorsGet(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		for _, path := range []string{"/v1/referrals/" + ref, "/v1/young-people/" + yp, "/v1/referrals", "/v1/referrals?status=received&limit=5"} {
			get := e.do(http.MethodGet, path, e.officer, nil)
			head := e.do(http.MethodHead, path, e.officer, nil)
			if head.status != http.StatusOK || len(head.body) != 0 {
				t.Errorf("HEAD %s: %d with %d bytes", path, head.status, len(head.body))
			}
			for _, h := range []string{"ETag", "Content-Type", "Cache-Control", "X-Content-Type-Options"} {
				if head.header.Get(h) != get.header.Get(h) {
					t.Errorf("HEAD %s: %s %q, GET has %q", path, h, head.header.Get(h), get.header.Get(h))
				}
			}
			if head.header.Get("X-Request-Id") == "" {
				t.Errorf("HEAD %s: no X-Request-Id", path)
			}
		}
		if etag := e.do(http.MethodHead, "/v1/referrals/"+ref, e.officer, nil).header.Get("ETag"); etag != `"1"` {
			t.Errorf("HEAD of a referral: ETag %q", etag)
		}
		// A HEAD of a child's record is a read, and is audited as one.
		if r := e.do(http.MethodHead, "/v1/young-people/"+yp, e.officer, nil, "X-Request-Id", "head-probe-1"); r.status != http.StatusOK {
			t.Fatalf("HEAD: %d", r.status)
		}
		events := items(t, e.do(http.MethodGet, "/v1/audit-events?request_id=head-probe-1", e.admin, nil))
		if len(events) != 1 || events[0].(map[string]any)["action"] != "read" || events[0].(map[string]any)["record_id"] != yp {
			t.Errorf("audit events for the HEAD: %v", events)
		}
		for _, c := range []struct {
			path, key string
			status    int
		}{
			{"/v1/referrals/" + ref, "", http.StatusUnauthorized},
			{"/v1/referrals/" + ref, e.outsider, http.StatusNotFound},
			{"/v1/referrals/01890000-0000-7000-8000-000000000000", e.officer, http.StatusNotFound},
			{"/v1/referrals/123", e.officer, http.StatusBadRequest},
			{"/v1/referrals?statuss=received", e.officer, http.StatusBadRequest},
			{"/v1/referrals/" + ref + "/triage", e.officer, http.StatusMethodNotAllowed},
			{"/healthz", "", http.StatusOK},
		} {
			r := e.do(http.MethodHead, c.path, c.key, nil)
			if r.status != c.status || len(r.body) != 0 {
				t.Errorf("HEAD %s: %d with %d bytes, want %d and none", c.path, r.status, len(r.body), c.status)
			}
			if c.status >= 400 && r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("HEAD %s: Content-Type %q", c.path, r.header.Get("Content-Type"))
			}
		}
	})
}

// TestHostileMediaTypes: a 415 names the media types the operation takes; JSON in another
// charset is refused rather than read as UTF-8.
func TestHostileMediaTypes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		yp := e.youngPerson(e.officer, child(9))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO)).ID.String()
		person := `{"given_name":"Amelia","family_name":"Okonkwo-Test","date_of_birth":"2016-03-01"}`
		for _, c := range []struct{ method, path, contentType, detail string }{
			{http.MethodPost, "/v1/young-people", "text/plain", "takes a body of type application/json, not text/plain"},
			{http.MethodPost, "/v1/young-people", "application/x-www-form-urlencoded", "application/json"},
			{http.MethodPost, "/v1/young-people", "application/json; charset=iso-8859-1", "in UTF-8, not in the charset iso-8859-1"},
			{http.MethodPatch, "/v1/referrals/" + ref, "application/json", "takes a body of type application/merge-patch+json, not application/json"},
		} {
			p := e.do(c.method, c.path, e.officer, person, "Content-Type", c.contentType).problem(t, http.StatusUnsupportedMediaType)
			if !strings.Contains(*p.Detail, c.detail) || !hasPointer(p, "/header/Content-Type") {
				t.Errorf("%s %s as %s: %s", c.method, c.path, c.contentType, *p.Detail)
			}
		}
		if r := e.do(http.MethodPost, "/v1/young-people", e.officer, person, "Content-Type", "application/json; charset=UTF-8"); r.status != http.StatusCreated {
			t.Errorf("JSON declared as UTF-8: %d %s", r.status, r.body)
		}
		// Over the limit is still 413, also when the length is not declared up front.
		big := `{"given_name":"` + strings.Repeat("x", 70<<10) + `"}`
		e.do(http.MethodPost, "/v1/young-people", e.officer, big).problem(t, http.StatusRequestEntityTooLarge)
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/young-people", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.officer)
		resp, err := e.httpc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("a chunked body over the limit: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}
