package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fhirSchemaPath is the official HL7 FHIR R4 JSON schema, installed by `make fhir-schema` (npm ci in
// tools/fhirschema); tests read it from disk, never from the network.
var fhirSchemaPath = filepath.Join("..", "..", "tools", "fhirschema", "node_modules", "@medplum", "definitions", "dist", "fhir", "r4", "fhir.schema.json")

var fhirSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(fhirSchemaPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	// This build of the schema refers to two definitions it does not hold: integer64 (an R5 type
	// no R4 resource we emit uses) and Resource (the abstract base, which means "any resource").
	defs := doc.(map[string]any)["definitions"].(map[string]any)
	if _, ok := defs["integer64"]; !ok {
		defs["integer64"] = map[string]any{"type": "string", "pattern": "^[0]|[-]?[1-9][0-9]*$"}
	}
	if _, ok := defs["Resource"]; !ok {
		defs["Resource"] = map[string]any{"$ref": "#/definitions/ResourceList"}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	if err := c.AddResource("http://hl7.org/fhir/json-schema/4.0", doc); err != nil {
		return nil, err
	}
	return c.Compile("http://hl7.org/fhir/json-schema/4.0")
})

// fhirValid asserts a FHIR answer: its status, media type, and that the body is a valid R4
// resource of the given type.
func fhirValid(t *testing.T, r reply, status int, resourceType string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Fatalf("Content-Type %q", ct)
	}
	schema, err := fhirSchema()
	if err != nil {
		t.Fatalf("the FHIR R4 schema is not installed (run `make fhir-schema`): %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("not a valid FHIR R4 resource: %v\n%s", err, r.body)
	}
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
	if m["resourceType"] != resourceType {
		t.Fatalf("resourceType %v, want %s", m["resourceType"], resourceType)
	}
	return m
}

func entries(t *testing.T, bundle map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	es, _ := bundle["entry"].([]any)
	for _, e := range es {
		out = append(out, e.(map[string]any)["resource"].(map[string]any))
	}
	return out
}

func nextLink(bundle map[string]any) string {
	links, _ := bundle["link"].([]any)
	for _, l := range links {
		if l := l.(map[string]any); l["relation"] == "next" {
			return l["url"].(string)
		}
	}
	return ""
}

// TestFHIR drives the FHIR R4 facade: the CapabilityStatement, Patient, organisation,
// ServiceRequest and Task reads and searches, paging, and OperationOutcomes for the caller who
// may not see a child, the caller with no credentials, and a search the server does not support.
// Every body the server emits is checked against the official R4 schema.
func TestFHIR(t *testing.T) {
	schema, err := fhirSchema()
	if err != nil {
		t.Fatalf("the FHIR R4 schema is not installed (run `make fhir-schema`): %v", err)
	}
	// The schema itself catches a bad resource (so a pass below means something).
	for _, bad := range []string{`{"resourceType":"Patient","gender":"robot"}`, `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","birthDate":"3 May"}}]}`} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if schema.Validate(inst) == nil {
			t.Fatalf("the schema accepts %s", bad)
		}
	}
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withNHS := e.youngPerson(e.officer, child(10))
		first := e.referral(e.officer, referralFor(withNHS, e.schoolSENCO))
		second := e.referral(e.officer, referralFor(withNHS, e.schoolSENCO))
		get := func(path, key string) reply {
			return e.do(http.MethodGet, path, key, nil, "Accept", "application/fhir+json")
		}

		// The CapabilityStatement is public and lists what the tests below prove.
		cs := fhirValid(t, get("/fhir/R4/metadata", ""), http.StatusOK, "CapabilityStatement")
		got := map[string]bool{}
		for _, r := range cs["rest"].([]any)[0].(map[string]any)["resource"].([]any) {
			r := r.(map[string]any)
			got[r["type"].(string)] = true
		}
		for _, want := range []string{"Patient", "Organization", "Practitioner", "PractitionerRole", "ServiceRequest", "Task", "CarePlan"} { //nolint:misspell // FHIR names
			if !got[want] {
				t.Errorf("CapabilityStatement lacks %s: %v", want, got)
			}
		}

		// Patient: read, by NHS number, by name and birth date.
		p := fhirValid(t, get("/fhir/R4/Patient/"+withNHS, e.officer), http.StatusOK, "Patient")
		ident := p["identifier"].([]any)[0].(map[string]any)
		if ident["system"] != "https://fhir.nhs.uk/Id/nhs-number" || ident["value"] != "9434765919" || p["gender"] != "female" {
			t.Errorf("patient: %v", p)
		}
		b := fhirValid(t, get("/fhir/R4/Patient?identifier="+url.QueryEscape("https://fhir.nhs.uk/Id/nhs-number|9434765919"), e.officer), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 1 || es[0]["id"] != withNHS || b["type"] != "searchset" {
			t.Errorf("search by NHS number: %s", mustJSON(b))
		}
		dob := time.Now().UTC().AddDate(-10, -2, 0).Format("2006-01-02")
		b = fhirValid(t, get("/fhir/R4/Patient?name=okonkwo&birthdate="+dob, e.officer), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 1 || es[0]["id"] != withNHS {
			t.Errorf("search by name and birth date: %s", mustJSON(b))
		}

		// The organisation resource.
		o := fhirValid(t, get("/fhir/R4/Organization/"+e.school, e.officer), http.StatusOK, "Organization") //nolint:misspell // FHIR names
		if o["id"] != e.school {
			t.Errorf("organisation: %v", o)
		}

		pr := fhirValid(t, get("/fhir/R4/Practitioner/"+e.lead, e.officer), http.StatusOK, "Practitioner")
		role := fhirValid(t, get("/fhir/R4/PractitionerRole/"+e.lead, e.officer), http.StatusOK, "PractitionerRole")
		if pr["name"].([]any)[0].(map[string]any)["text"] != "Lee Lead" || role["organization"].(map[string]any)["reference"] != "Organization/"+e.health || //nolint:misspell // FHIR names
			role["code"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] != "health_visitor" {
			t.Errorf("practitioner %v, role %v", pr, role)
		}

		// ServiceRequest: read, search by patient and status, paged.
		sr := fhirValid(t, get("/fhir/R4/ServiceRequest/"+first.ID.String(), e.officer), http.StatusOK, "ServiceRequest")
		if sr["status"] != "active" || sr["intent"] != "order" || sr["subject"].(map[string]any)["reference"] != "Patient/"+withNHS {
			t.Errorf("service request: %v", sr)
		}
		b = fhirValid(t, get("/fhir/R4/ServiceRequest?patient=Patient/"+withNHS+"&status=active&_count=1", e.officer), http.StatusOK, "Bundle")
		seen := []any{}
		for _, r := range entries(t, b) {
			seen = append(seen, r["id"])
		}
		next := nextLink(b)
		if next == "" {
			t.Fatalf("no next link with _count=1 and two referrals: %s", mustJSON(b))
		}
		u, _ := url.Parse(next)
		b = fhirValid(t, get(u.RequestURI(), e.officer), http.StatusOK, "Bundle")
		for _, r := range entries(t, b) {
			seen = append(seen, r["id"])
		}
		if len(seen) != 2 || seen[0] != second.ID.String() || seen[1] != first.ID.String() || nextLink(b) != "" {
			t.Errorf("two pages: %v (next %q)", seen, nextLink(b))
		}
		today := time.Now().UTC().Format("2006-01-02")
		for q, want := range map[string]int{"authored=" + today: 2, "authored=ge" + today + "&authored=le" + today: 2,
			"authored=lt" + today: 0, "authored=gt" + today: 0} {
			b = fhirValid(t, get("/fhir/R4/ServiceRequest?patient="+withNHS+"&"+q, e.officer), http.StatusOK, "Bundle")
			if n := len(entries(t, b)); n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		fhirValid(t, get("/fhir/R4/ServiceRequest?authored=yesterday", e.officer), http.StatusBadRequest, "OperationOutcome")
		b = fhirValid(t, get("/fhir/R4/ServiceRequest?patient="+withNHS+"&status=completed", e.officer), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 0 {
			t.Errorf("completed: %d", len(es))
		}

		// Task follows the referral's state.
		task := fhirValid(t, get("/fhir/R4/Task/"+first.ID.String(), e.officer), http.StatusOK, "Task")
		if task["status"] != "requested" || task["focus"].(map[string]any)["reference"] != "ServiceRequest/"+first.ID.String() {
			t.Errorf("task: %v", task)
		}

		// Refusals are OperationOutcomes, and a child the caller may not see does not exist for them.
		oo := fhirValid(t, get("/fhir/R4/Patient/"+f.child, e.outsider), http.StatusNotFound, "OperationOutcome")
		if oo["issue"].([]any)[0].(map[string]any)["code"] != "not-found" {
			t.Errorf("outsider: %v", oo)
		}
		b = fhirValid(t, get("/fhir/R4/Patient?identifier="+url.QueryEscape("https://fhir.nhs.uk/Id/nhs-number|9434765919"), e.outsider), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 0 {
			t.Errorf("outsider's search found %d", len(es))
		}
		fhirValid(t, get("/fhir/R4/Patient/"+withNHS, ""), http.StatusUnauthorized, "OperationOutcome")
		oo = fhirValid(t, get("/fhir/R4/Patient?gender=female", e.officer), http.StatusBadRequest, "OperationOutcome")
		if oo["issue"].([]any)[0].(map[string]any)["expression"].([]any)[0] != "gender" {
			t.Errorf("unsupported parameter: %v", oo)
		}
		fhirValid(t, get("/fhir/R4/Patient?identifier=9434765919", e.officer), http.StatusBadRequest, "OperationOutcome")
		// A value that is not text the service stores is refused naming its parameter, as the JSON
		// API refuses it, rather than answered with an empty searchset.
		for _, bad := range []string{"/fhir/R4/ServiceRequest?patient=%FF", "/fhir/R4/Patient?name=Ab%00"} {
			oo = fhirValid(t, get(bad, e.officer), http.StatusBadRequest, "OperationOutcome")
			if want := strings.SplitN(strings.SplitN(bad, "?", 2)[1], "=", 2)[0]; oo["issue"].([]any)[0].(map[string]any)["expression"].([]any)[0] != want {
				t.Errorf("%s: %v, want the issue at %s", bad, oo, want)
			}
		}
		// A reference to no UUID matches nothing: an empty searchset on both databases.
		for _, q := range []string{"/fhir/R4/ServiceRequest?patient=not-a-uuid", "/fhir/R4/CarePlan?patient=Patient/zzz"} {
			if es := entries(t, fhirValid(t, get(q, e.officer), http.StatusOK, "Bundle")); len(es) != 0 {
				t.Errorf("%s found %d", q, len(es))
			}
		}
		// An id that is no UUID, or not even text, names nothing: 404, never a 500.
		for _, bad := range []string{"/fhir/R4/Patient/%FF", "/fhir/R4/Patient/a%00b", "/fhir/R4/ServiceRequest/%FF",
			"/fhir/R4/CarePlan/a%00b", "/fhir/R4/Task/not-a-uuid", "/fhir/R4/Questionnaire/" + strings.Repeat("a", 36)} {
			fhirValid(t, get(bad, e.officer), http.StatusNotFound, "OperationOutcome")
		}
		fhirValid(t, get("/fhir/R4/Observation/1", e.officer), http.StatusNotFound, "OperationOutcome")
		fhirValid(t, get("/fhir/R4/Patient/"+unknownID, e.officer), http.StatusNotFound, "OperationOutcome")
	})
}

// TestFHIRCarePlan: a health system reads a child's EHC plan back as a CarePlan: the outcomes
// as goals, the health provision (section G) as activities that name the goals they serve.
func TestFHIRCarePlan(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		sections := minimalSections()
		sections["g"] = []any{map[string]any{"ref": "G1", "what": "Occupational therapy for fine motor skills", "who": "Community OT service",
			"how_often": "Fortnightly, 45 minutes", "how_long": "One school year", "outcomes": []any{"E1"}}}
		plan := e.mustDo(http.MethodPost, "/v1/ehc-plans", map[string]any{"young_person_id": f.child, "sections": sections}, http.StatusCreated)["id"].(string)
		get := func(path, key string) reply { return e.do(http.MethodGet, path, key, nil) }

		draft := fhirValid(t, get("/fhir/R4/CarePlan/"+plan, e.officer), http.StatusOK, "CarePlan")
		if draft["status"] != "draft" || draft["period"] != nil {
			t.Errorf("draft: %v", draft)
		}
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/serve-draft", map[string]any{"served_on": daysAgo(20)}, http.StatusOK)
		e.mustDo(http.MethodPost, "/v1/ehc-plans/"+plan+"/issue", map[string]any{"issued_on": daysAgo(3), "placement": placement,
			"family_agreed_early": true}, http.StatusOK)

		cp := fhirValid(t, get("/fhir/R4/CarePlan/"+plan, e.officer), http.StatusOK, "CarePlan")
		act := cp["activity"].([]any)[0].(map[string]any)["detail"].(map[string]any)
		goal := cp["contained"].([]any)[0].(map[string]any)
		if cp["status"] != "active" || cp["period"].(map[string]any)["start"] != daysAgo(3) ||
			act["description"] != "Occupational therapy for fine motor skills" || act["status"] != "in-progress" ||
			act["goal"].([]any)[0].(map[string]any)["reference"] != "#goal-E1" ||
			goal["resourceType"] != "Goal" || goal["id"] != "goal-E1" || cp["goal"].([]any)[0].(map[string]any)["reference"] != "#goal-E1" {
			t.Errorf("care plan: %s", mustJSON(cp))
		}
		if len(cp["activity"].([]any)) != 1 {
			t.Errorf("only section G is health provision: %d activities", len(cp["activity"].([]any)))
		}
		b := fhirValid(t, get("/fhir/R4/CarePlan?patient=Patient/"+f.child, e.officer), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 1 || es[0]["id"] != plan {
			t.Errorf("search by patient: %s", mustJSON(b))
		}
		fhirValid(t, get("/fhir/R4/CarePlan/"+plan, e.outsider), http.StatusNotFound, "OperationOutcome")
		b = fhirValid(t, get("/fhir/R4/CarePlan?patient="+f.child, e.outsider), http.StatusOK, "Bundle")
		if es := entries(t, b); len(es) != 0 {
			t.Errorf("the outsider's search found %d plans", len(es))
		}
	})
}

// fhirReferral is a ServiceRequest as a health system would send it.
func fhirReferral(subject map[string]any, requester string, codings ...map[string]any) map[string]any {
	reasons := []any{}
	for _, c := range codings {
		reasons = append(reasons, map[string]any{"coding": []any{c}})
	}
	return map[string]any{"resourceType": "ServiceRequest", "status": "active", "intent": "order", "subject": subject,
		"requester": map[string]any{"reference": "Practitioner/" + requester}, "reasonCode": reasons,
		"note": []any{map[string]any{"text": "Seen in clinic; parents worried about speech and attention."}}}
}

func snomed(code string) map[string]any {
	return map[string]any{"system": "http://snomed.info/sct", "code": code}
}

// TestFHIRReferral: a health system refers a child with one FHIR POST (by NHS number or Patient
// id), its SNOMED CT reasons mapped to OnePlan's; a safeguarding flag takes the referral down the
// safeguarding route; unmapped codes and bad references are refused naming them, with nothing
// written; an outsider cannot refer a child they cannot see.
func TestFHIRReferral(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		withNHS := e.youngPerson(e.officer, child(6))
		post := func(key string, body any, headers ...string) reply {
			return e.do(http.MethodPost, "/fhir/R4/ServiceRequest", key, body, append([]string{"Content-Type", "application/fhir+json"}, headers...)...)
		}
		byNHS := map[string]any{"identifier": map[string]any{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}}

		r := post(e.officer, fhirReferral(byNHS, e.lead, snomed("406506008"), snomed("408856003")))
		sr := fhirValid(t, r, http.StatusCreated, "ServiceRequest")
		id := sr["id"].(string)
		if !strings.HasSuffix(r.header.Get("Location"), "/fhir/R4/ServiceRequest/"+id) || sr["subject"].(map[string]any)["reference"] != "Patient/"+withNHS {
			t.Errorf("created: %s (Location %q)", r.body, r.header.Get("Location"))
		}
		ref := e.do(http.MethodGet, "/v1/referrals/"+id, e.officer, nil).json(t)
		if reasons := ref["reasons"].([]any); len(reasons) != 2 || reasons[0] != "adhd" || reasons[1] != "asd_asc" || ref["status"] != "received" ||
			ref["referrer_organisation_id"] != e.health || ref["summary"] != "Seen in clinic; parents worried about speech and attention." {
			t.Errorf("the referral in /v1: %v", ref)
		}

		// A safeguarding flag: the referral must go to a safeguarding assessment at triage.
		flagged := fhirReferral(map[string]any{"reference": "Patient/" + f.child}, e.schoolSENCO,
			map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/CodeSystem/referral-reason", "code": "speech_language"})
		flagged["category"] = []any{map[string]any{"coding": []any{map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/CodeSystem/referral-flag", "code": "safeguarding-concern"}}},
			map[string]any{"coding": []any{map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/CodeSystem/service-type", "code": "paediatrics"}}},
			map[string]any{"coding": []any{map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/CodeSystem/service-type", "code": "school"}}}}
		sr = fhirValid(t, post(e.practitioner, flagged), http.StatusCreated, "ServiceRequest")
		if sr["priority"] != "urgent" {
			t.Errorf("flagged referral: %v", sr)
		}
		p := e.do(http.MethodPost, "/v1/referrals/"+sr["id"].(string)+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x", "route": "family_assessment"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/route") {
			t.Errorf("the flagged referral could go to a family assessment: %+v", p)
		}
		if g := e.do(http.MethodPost, "/v1/referrals/"+sr["id"].(string)+"/triage", e.officer, map[string]any{"decision": "accept", "reason": "x", "route": "safeguarding_assessment"}); g.status != http.StatusOK {
			t.Errorf("safeguarding route: %d %s", g.status, g.body)
		}

		count := func() int { return len(items(t, e.do(http.MethodGet, "/v1/referrals?limit=200", e.officer, nil))) }

		// Conditional create: a resend of the same referral (the sender's own id) makes nothing new.
		before := count()
		resend := fhirReferral(byNHS, e.lead, snomed("15188001"))
		cond := []string{"If-None-Exist", "identifier=https://trust.example/Id/referral|TR-0042"}
		a := fhirValid(t, post(e.officer, resend, cond...), http.StatusCreated, "ServiceRequest")
		b := fhirValid(t, post(e.officer, resend, cond...), http.StatusOK, "ServiceRequest")
		if a["id"] != b["id"] || count() != before+1 {
			t.Errorf("resend made another referral: %v then %v (%d more)", a["id"], b["id"], count()-before)
		}
		fhirValid(t, post(e.officer, resend, "If-None-Exist", "TR-0042"), http.StatusBadRequest, "OperationOutcome")
		before = count()
		for name, c := range map[string]struct {
			key    string
			body   any
			status int
			expr   string
		}{
			"unmapped code":       {e.officer, fhirReferral(byNHS, e.lead, snomed("406506008"), snomed("22298006")), http.StatusBadRequest, "ServiceRequest.reasonCode[1]"},
			"no reason":           {e.officer, fhirReferral(byNHS, e.lead), http.StatusBadRequest, "ServiceRequest.reasonCode"},
			"no subject":          {e.officer, fhirReferral(map[string]any{"display": "a child"}, e.lead, snomed("406506008")), http.StatusBadRequest, "ServiceRequest.subject"},
			"unknown NHS number":  {e.officer, fhirReferral(map[string]any{"identifier": map[string]any{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765870"}}, e.lead, snomed("406506008")), http.StatusUnprocessableEntity, "ServiceRequest.subject"},
			"unknown requester":   {e.officer, fhirReferral(byNHS, unknownID, snomed("406506008")), http.StatusUnprocessableEntity, "ServiceRequest.requester"},
			"not a referral":      {e.officer, map[string]any{"resourceType": "Patient"}, http.StatusBadRequest, "resourceType"},
			"a child out of view": {e.outsider, fhirReferral(map[string]any{"reference": "Patient/" + f.child}, e.otherWorker, snomed("406506008")), http.StatusUnprocessableEntity, "ServiceRequest.subject"},
			"a duplicate key":     {e.officer, `{"resourceType":"ServiceRequest","status":"active","status":"draft"}`, http.StatusBadRequest, ""},
		} {
			oo := fhirValid(t, post(c.key, c.body), c.status, "OperationOutcome")
			if c.expr != "" {
				if ex, _ := oo["issue"].([]any)[0].(map[string]any)["expression"].([]any); len(ex) == 0 || ex[0] != c.expr {
					t.Errorf("%s: %s", name, mustJSON(oo))
				}
			}
		}
		if n := count(); n != before {
			t.Errorf("refused referrals wrote %d", n-before)
		}
		fhirValid(t, e.do(http.MethodPost, "/fhir/R4/ServiceRequest", e.officer, "<xml/>", "Content-Type", "application/fhir+xml"), http.StatusUnsupportedMediaType, "OperationOutcome")
	})
}

// TestFHIRSurveys: a survey template as a Questionnaire, and a family answering an invitation
// through FHIR with the token as the only credential, once; the response reads back as a
// QuestionnaireResponse about the child.
func TestFHIRSurveys(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		q := fhirValid(t, e.do(http.MethodGet, "/fhir/R4/Questionnaire/"+parentTemplate, e.officer, nil), http.StatusOK, "Questionnaire")
		first := q["item"].([]any)[0].(map[string]any)
		if q["version"] != "1" || first["linkId"] != "listened_to" || first["type"] != "choice" || len(first["answerOption"].([]any)) != 5 {
			t.Errorf("questionnaire: %s", mustJSON(q))
		}
		token := e.svPost(e.officer, svInvitations, map[string]any{"template_id": parentTemplate, "point": "at_closure", "referral_id": f.referral}, http.StatusCreated)["token"].(string)
		answer := func(values ...int) map[string]any {
			items := []any{}
			for i, id := range []string{"listened_to", "involved_in_decisions", "understood", "confidence_and_trust"} {
				items = append(items, map[string]any{"linkId": id, "answer": []any{map[string]any{"valueInteger": values[i]}}})
			}
			return map[string]any{"resourceType": "QuestionnaireResponse", "status": "completed", "item": items,
				"identifier": map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/Id/survey-invitation-token", "value": token}}
		}
		post := func(body any) reply {
			return e.do(http.MethodPost, "/fhir/R4/QuestionnaireResponse", "", body, "Content-Type", "application/fhir+json")
		}
		oo := fhirValid(t, post(answer(5, 4, 9, 4)), http.StatusBadRequest, "OperationOutcome")
		if ex := oo["issue"].([]any)[0].(map[string]any)["expression"].([]any); ex[0] != "QuestionnaireResponse.item[2]" {
			t.Errorf("a bad answer: %s", mustJSON(oo))
		}
		r := post(answer(5, 4, 4, 3))
		qr := fhirValid(t, r, http.StatusCreated, "QuestionnaireResponse")
		if qr["subject"].(map[string]any)["reference"] != "Patient/"+f.child || qr["item"].([]any)[2].(map[string]any)["answer"].([]any)[0].(map[string]any)["valueInteger"] != float64(4) {
			t.Errorf("response: %s", mustJSON(qr))
		}
		fhirValid(t, post(answer(5, 4, 4, 3)), http.StatusConflict, "OperationOutcome")
		back := fhirValid(t, e.do(http.MethodGet, "/fhir/R4/QuestionnaireResponse/"+qr["id"].(string), e.officer, nil), http.StatusOK, "QuestionnaireResponse")
		if back["questionnaire"] != qr["questionnaire"] || !strings.HasSuffix(back["questionnaire"].(string), "/fhir/R4/Questionnaire/"+parentTemplate+"|1") {
			t.Errorf("read back: %s", mustJSON(back))
		}
		fhirValid(t, e.do(http.MethodGet, "/fhir/R4/QuestionnaireResponse/"+qr["id"].(string), e.outsider, nil), http.StatusNotFound, "OperationOutcome")
		bad := answer(5, 4, 4, 3)
		bad["identifier"] = map[string]any{"system": "https://github.com/oneplan-send/oneplan/fhir/Id/survey-invitation-token", "value": "osi_" + strings.Repeat("a", 43)}
		fhirValid(t, post(bad), http.StatusNotFound, "OperationOutcome")
	})
}
