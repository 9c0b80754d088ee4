package httpapi_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/api"
)

// nasty values that a careless or hostile client might send in any field.
var nasty = []any{nil, "", " ", "x", strings.Repeat("é", 3000), "\u0000", "😀", "'; DROP TABLE referrals; --", "%", "_", `\`,
	"2026-13-45", "9999-12-31", "0000-01-01", "REF-2026-000001", unknownID, "01a2", -1, 0, 1.5, 1e300, true, false,
	[]any{}, []any{nil}, []any{"sen", "sen"}, map[string]any{}, map[string]any{"x": []any{map[string]any{}}}}

// TestNoServerErrorsForAnyInput sends random, mostly invalid input to every operation in the
// contract, as every role and as nobody, and requires an answer that is declared in the contract
// (the validating transport checks) and never a 5xx.
func TestNoServerErrorsForAnyInput(t *testing.T) {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	each(t, func(t *testing.T, e *env) {
		rng := rand.New(rand.NewPCG(7, 11))
		yp := e.youngPerson(e.officer, child(9))
		ref := e.referral(e.officer, referralFor(yp, e.schoolSENCO))
		// Real EHC records too, so random bodies reach the statutory rules, not just the 404s.
		f := e.fixture()
		withIssuedPlan(e, &f)
		plan := f.feedback
		review := e.mustDo(http.MethodGet, "/v1/annual-reviews?plan_id="+plan, nil, http.StatusOK)["items"].([]any)[0].(map[string]any)["id"].(string)
		request := e.mustDo(http.MethodGet, "/v1/ehc-plans/"+plan, nil, http.StatusOK)["ehc_request_id"].(string)
		ids := []string{yp, ref.ID.String(), e.school, e.schoolSENCO, unknownID, "nope", "%00", plan, review, request}
		seen := map[int]int{}
		defer func() { t.Logf("statuses seen: %v", seen) }()
		keys := []string{"", e.admin, e.officer, e.practitioner, e.analyst, e.outsider}
		for path, item := range spec.Paths.Map() {
			for method, op := range item.Operations() {
				var fields []string
				if op.RequestBody != nil {
					for _, mt := range op.RequestBody.Value.Content {
						for name := range mt.Schema.Value.Properties {
							fields = append(fields, name)
						}
					}
				}
				var query []string
				for _, p := range append(item.Parameters, op.Parameters...) {
					if p.Value.In == "query" {
						query = append(query, p.Value.Name)
					}
				}
				for range 40 {
					url := strings.NewReplacer("{id}", url.PathEscape(ids[rng.IntN(len(ids))]), "{advice_id}", unknownID).Replace(path) +
						randomQuery(rng, query)
					var body any
					if op.RequestBody != nil {
						m := map[string]any{}
						for _, f := range fields {
							if rng.IntN(2) == 0 {
								m[f] = nasty[rng.IntN(len(nasty))]
							}
						}
						if rng.IntN(6) == 0 {
							m["unexpected"] = 1
						}
						body = m
						if rng.IntN(8) == 0 {
							body = `{"broken": [`
						}
					}
					r := e.do(method, url, keys[rng.IntN(len(keys))], body, "Idempotency-Key", "sweep-key-"+string(rune('a'+rng.IntN(26)))+"0000")
					seen[r.status]++
					if r.status >= 500 {
						t.Errorf("%s %s answered %d: %s", method, url, r.status, r.body)
					}
				}
			}
		}
	})
}

func randomQuery(rng *rand.Rand, names []string) string {
	if len(names) == 0 || rng.IntN(3) == 0 {
		return ""
	}
	q := url.Values{}
	for _, n := range names {
		if rng.IntN(3) == 0 {
			v, _ := json.Marshal(nasty[rng.IntN(len(nasty))])
			q.Set(n, strings.Trim(string(v), `"`))
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
