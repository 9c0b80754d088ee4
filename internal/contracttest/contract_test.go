package contracttest_test

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/oneplan-send/oneplan/internal/contracttest"
)

const contract = "../../openapi.yaml"

// TestContract fails listing every operation without a description, every request body or 2xx
// JSON answer without an example, and every example that does not match its schema.
func TestContract(t *testing.T) {
	doc, err := contracttest.Load(contract)
	if err != nil {
		t.Fatal(err)
	}
	problems := contracttest.Check(doc)
	if len(problems) == 0 {
		return
	}
	var b strings.Builder
	for _, p := range problems {
		b.WriteString("\n  " + p.String())
	}
	t.Fatalf("openapi.yaml: %d problem(s); every operation needs a description (who may call it, what it changes), "+
		"every request body and 2xx JSON answer an example under components/examples, and every example must match its schema "+
		"(see README \"Contract stability\"):%s", len(problems), b.String())
}

// TestCheckCatchesBrokenExamples proves the check is not vacuous: a broken example, a missing
// example and a missing description are each reported.
func TestCheckCatchesBrokenExamples(t *testing.T) {
	doc, err := contracttest.Load(contract)
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Paths.Value("/v1/referrals").Post
	media := op.RequestBody.Value.Content.Get("application/json")
	// A referral with an unknown reason, a date that is not a date and no young person.
	media.Examples = openapi3.Examples{"broken": &openapi3.ExampleRef{Value: openapi3.NewExample(map[string]any{
		"referrer_practitioner_id": "not-a-uuid", "reasons": []any{"no_such_reason"},
	})}}
	doc.Paths.Value("/v1/referrals/{id}").Get.Description = ""
	delete(doc.Paths.Value("/v1/referrals/{id}").Get.Responses.Value("200").Value.Content, "application/json")
	getReferral200 := doc.Paths.Value("/v1/referrals/{id}").Get.Responses.Value("200").Value
	getReferral200.Content = openapi3.NewContentWithJSONSchemaRef(doc.Components.Schemas["Referral"])

	got := map[string]bool{}
	var all []string
	for _, p := range contracttest.Check(doc) {
		all = append(all, p.String())
		switch {
		case strings.HasPrefix(p.Where, "POST /v1/referrals (createReferral) request body application/json example broken") &&
			strings.Contains(p.What, "young_person_id"):
			got["broken example"] = true
		case p.Where == "GET /v1/referrals/{id} (getReferral)" && strings.Contains(p.What, "no description"):
			got["no description"] = true
		case p.Where == "GET /v1/referrals/{id} (getReferral) answer 200 application/json" && strings.Contains(p.What, "no example"):
			got["no example"] = true
		}
	}
	for _, want := range []string{"broken example", "no description", "no example"} {
		if !got[want] {
			t.Errorf("Check did not report the %s; it reported:\n  %s", want, strings.Join(all, "\n  "))
		}
	}
}
