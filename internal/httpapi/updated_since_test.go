package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// updatedSinceExempt are the list operations without updated_since, and why.
var updatedSinceExempt = map[string]string{
	"listEventTypes":          "the event catalogue is fixed by the release, not records that change",
	"listUpcomingTransitions": "dated events computed from birthdays and plan dates, not records that change",
	"listImportErrors":        "a job's row errors are written once, as it runs, and listed in the order found; the job's updated_at says when",
}

// listOperations reads every GET operation named list* from the contract, with its path and
// whether it declares updated_since.
func listOperations(t *testing.T) map[string]struct {
	path  string
	since bool
} {
	t.Helper()
	b, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct {
		path  string
		since bool
	}{}
	for path, ops := range doc.Paths {
		op, ok := ops["get"].(map[string]any)
		id, _ := op["operationId"].(string)
		if !ok || !strings.HasPrefix(id, "list") {
			continue
		}
		since := false
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if m, _ := p.(map[string]any); m["$ref"] == "#/components/parameters/UpdatedSince" || m["name"] == "updated_since" {
				since = true
			}
		}
		out[id] = struct {
			path  string
			since bool
		}{path, since}
	}
	return out
}

// TestUpdatedSinceOnEveryList sweeps every list operation in the contract: each (but the exempt)
// declares updated_since, accepts an RFC 3339 instant, lists what changed since a day ago and
// nothing "since" an hour ahead, and refuses a malformed instant with a problem naming the field.
func TestUpdatedSinceOnEveryList(t *testing.T) {
	ops := listOperations(t)
	if len(ops) < 30 {
		t.Fatalf("found only %d list operations", len(ops))
	}
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// A world with at least one record of every list.
		f := e.fixture()
		withIssuedPlan(e, &f) // an EHC request, a plan, its annual review
		g := e.fixture()
		withMeeting(e, &g)
		withFeedback(e, &g)
		withDocument(e, &g)
		withDispute(e, &g)
		withSurveyResponse(e, &g)
		withSurveyInvitation(e, &g)
		withSurveyTemplate(e, &g)
		h := e.fixture()
		withAssessment(e, &h)
		withPossibleDuplicate(e, &h)
		k := e.fixture()
		withTransitionPlan(e, &k)
		gap := e.fixture()
		withTransitionAge(e, &gap)
		tc := e.fixture() // Transforming Care: a register entry with a C(E)TR, a personal budget, a placement
		withCareReview(e, &tc)
		withBudget(e, &tc)
		withPlacement(e, &tc)
		adv := e.fixture() // an advice request to a named adviser
		withNamedAdvice(e, &adv)
		con := e.fixture() // a consultation with a setting
		withConsultation(e, &con)
		fv := e.fixture() // the family's views on a served draft, recorded by the SEND team
		withDraftServedToday(e, &fv)
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+fv.feedback+"/family-views", map[string]any{"views": "We agree with the draft."}, http.StatusCreated)
		reg := e.fixture()
		withRegisterEntry(e, &reg)
		re := e.fixture() // a request to re-assess a plan in force
		withReassessment(e, &re)
		var imp fixture // an import job (issue 18)
		withImportJob(e, &imp)
		if _, err := e.app.Webhooks.Round(ctx); err != nil { // number the events for the feed
			t.Fatal(err)
		}
		sub := e.do(http.MethodPost, "/v1/webhook-subscriptions", e.admin, map[string]any{"organisation_id": e.council, "view": "council",
			"url": "https://receiver.example.org/hook"})
		if sub.status != http.StatusCreated {
			t.Fatalf("subscription: %d %s", sub.status, sub.body)
		}
		subID := sub.json(t)["subscription"].(map[string]any)["id"].(string)

		paths := map[string]string{
			"/v1/young-people/{id}/involvements":        "/v1/young-people/" + f.child + "/involvements",
			"/v1/young-people/{id}/consents":            "/v1/young-people/" + f.child + "/consents",
			"/v1/referrals/{id}/allocations":            "/v1/referrals/" + f.referral + "/allocations",
			"/v1/webhook-subscriptions/{id}/deliveries": "/v1/webhook-subscriptions/" + subID + "/deliveries",
			"/v1/documents":                             "/v1/documents?record_type=referral&record_id=" + g.referral,
			"/v1/ehc-plans/{id}/reassessments":          "/v1/ehc-plans/" + re.feedback + "/reassessments",
		}
		// Lists this world leaves empty: they are checked to accept and filter, not to list.
		unpaged := map[string]bool{"listConsents": true, "listAllocations": true}
		mayBeEmpty := map[string]bool{"listRetentionDue": true, "listAllocations": true, "listWebhookDeliveries": true}

		for id, op := range ops {
			if reason, ok := updatedSinceExempt[id]; ok {
				if op.since {
					t.Errorf("%s declares updated_since but is exempt (%s)", id, reason)
				}
				continue
			}
			if !op.since {
				t.Errorf("%s does not declare updated_since", id)
				continue
			}
			path := op.path
			if p, ok := paths[path]; ok {
				path = p
			}
			if strings.Contains(path, "{") {
				t.Errorf("%s: no path for %s", id, path)
				continue
			}
			get := func(since string) (int, int, string) {
				t.Helper()
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				u := path + sep + "updated_since=" + url.QueryEscape(since)
				if !unpaged[id] {
					u += "&limit=200"
				}
				r := e.do(http.MethodGet, u, e.officer, nil)
				if r.status == http.StatusForbidden {
					r = e.do(http.MethodGet, u, e.admin, nil)
				}
				if r.status != http.StatusOK {
					return r.status, 0, string(r.body)
				}
				items, _ := r.json(t)["items"].([]any)
				return r.status, len(items), ""
			}
			dayAgo := time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
			ahead := time.Now().Add(time.Hour).Format(time.RFC3339Nano)
			if status, n, body := get(dayAgo); status != http.StatusOK || (n == 0 && !mayBeEmpty[id]) {
				t.Errorf("%s since a day ago: %d, %d items %s", id, status, n, body)
			}
			if status, n, body := get(ahead); status != http.StatusOK || n != 0 {
				t.Errorf("%s since an hour ahead: %d, %d items %s", id, status, n, body)
			}
			if status, _, _ := get("yesterday"); status != http.StatusBadRequest {
				t.Errorf("%s with a malformed instant: %d", id, status)
			}
			if !unpaged[id] && id != "listEvents" { // the feed pages by sequence (after), in event order
				// Ordered by the change, a row at a time: the first two rows of the whole page,
				// the second reached through the first page's cursor (its time read back for
				// the list's own change column, an expression on some).
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				u := path + sep + "updated_since=" + url.QueryEscape(dayAgo)
				key := e.officer
				page := func(q string) (ids []string, next string) {
					r := e.do(http.MethodGet, u+q, key, nil)
					if r.status == http.StatusForbidden && key == e.officer {
						key = e.admin
						r = e.do(http.MethodGet, u+q, key, nil)
					}
					if r.status != http.StatusOK {
						t.Errorf("%s%s: %d %s", u, q, r.status, r.body)
						return nil, ""
					}
					m := r.json(t)
					items, _ := m["items"].([]any)
					for _, it := range items {
						if id, ok := it.(map[string]any)["id"].(string); ok {
							ids = append(ids, id)
						}
					}
					next, _ = m["next_cursor"].(string)
					return ids, next
				}
				whole, _ := page("&limit=200")
				first, next := page("&limit=1")
				if len(whole) >= 2 && len(first) == 1 {
					second, _ := page("&limit=1&cursor=" + next)
					if first[0] != whole[0] || len(second) != 1 || second[0] != whole[1] {
						t.Errorf("%s a row at a time: %v then %v, want %v", id, first, second, whole[:2])
					}
				}
			}
		}

		// It discriminates: only the young person recorded after the instant.
		mid := time.Now().UTC()
		later := e.fixture()
		r := e.do(http.MethodGet, "/v1/young-people?limit=200&updated_since="+url.QueryEscape(mid.Format(time.RFC3339Nano)), e.officer, nil)
		items := r.json(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != later.child {
			t.Fatalf("young people since %s: %v", mid, items)
		}

		// A change counts, not only a creation: the register entry rated after the instant is listed;
		// the placement and the C(E)TR untouched since are not.
		mid = time.Now().UTC()
		e.mustDo(http.MethodPost, register+"/"+reg.feedback+"/ratings", map[string]any{"rating": "amber", "reasons": []string{"support in place"},
			"decided_on": time.Now().Format(time.DateOnly)}, http.StatusOK)
		since := url.QueryEscape(mid.Format(time.RFC3339Nano))
		items = e.do(http.MethodGet, register+"?updated_since="+since, e.officer, nil).json(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != reg.feedback {
			t.Fatalf("register since %s: %v", mid, items)
		}
		for _, list := range []string{"/v1/placements", "/v1/care-treatment-reviews"} {
			if items := e.do(http.MethodGet, list+"?updated_since="+since, e.officer, nil).json(t)["items"].([]any); len(items) != 0 {
				t.Fatalf("%s since %s: %v", list, mid, items)
			}
		}
	})
}
