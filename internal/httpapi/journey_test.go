package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/pkg/client"
)

func ptr[T any](v T) *T { return &v }

func uid(s string) openapi_types.UUID {
	var u openapi_types.UUID
	_ = u.UnmarshalText([]byte(s))
	return u
}

func day(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

// youngPerson creates a young person through the API and returns its id.
func (e *env) youngPerson(key string, in client.YoungPersonInput) string {
	e.t.Helper()
	res, err := e.client(key).CreateYoungPersonWithResponse(context.Background(), nil, in)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.JSON201 == nil {
		e.t.Fatalf("create young person: %d %s", res.StatusCode(), res.Body)
	}
	return res.JSON201.ID.String()
}

func (e *env) referral(key string, in client.ReferralInput) client.Referral {
	e.t.Helper()
	res, err := e.client(key).CreateReferralWithResponse(context.Background(), nil, in)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.JSON201 == nil {
		e.t.Fatalf("create referral: %d %s", res.StatusCode(), res.Body)
	}
	return *res.JSON201
}

func child(years int) client.YoungPersonInput {
	return client.YoungPersonInput{GivenName: "Amelia", FamilyName: "Okonkwo-Test", DateOfBirth: day(time.Now().UTC().AddDate(-years, -2, 0)),
		NHSNumber: ptr("9434765919"), UPN: ptr("B801200005001"), Locality: ptr("South"), Postcode: ptr("M6 5AB"),
		Gender: ptr(client.Gender("female")), PrimarySENNeed: ptr(client.SENNeed("SLCN"))}
}

var refPattern = regexp.MustCompile(`^REF-\d{4}-\d{6}$`)

// TestReferralJourney is the foundation's acceptance path: directory, young person, referral,
// read with ETag, list and search, merge-patch with If-Match, triage, audit and outbox.
func TestReferralJourney(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		admin, officer := e.client(e.admin), e.client(e.officer)

		// Directory, as an admin.
		org, err := admin.CreateOrganisationWithResponse(ctx, nil, client.OrganisationInput{Name: "Irwell High", Type: client.OrganisationType("school_secondary"), Locality: ptr("South"), URN: ptr("105910")})
		if err != nil || org.JSON201 == nil {
			t.Fatalf("create organisation: %v %d %s", err, org.StatusCode(), org.Body)
		}
		if loc := org.HTTPResponse.Header.Get("Location"); loc != "/v1/organisations/"+org.JSON201.ID.String() {
			t.Fatalf("Location = %q", loc)
		}
		if et := org.HTTPResponse.Header.Get("ETag"); et != `"1"` {
			t.Fatalf("ETag = %q", et)
		}
		pr, err := admin.CreatePractitionerWithResponse(ctx, nil, client.PractitionerInput{OrganisationID: org.JSON201.ID, Name: "Jo Senco", Email: "jo@irwell.example", Role: client.PractitionerRole("senco")})
		if err != nil || pr.JSON201 == nil || !pr.JSON201.Active {
			t.Fatalf("create practitioner: %v %s", err, pr.Body)
		}

		// Casework, as the SEND officer.
		in := child(9)
		in.EducationSettingID = &org.JSON201.ID
		in.Contacts = &[]client.Contact{{Name: "Grace Okonkwo-Test", Relationship: client.ContactRelationship("mother"), ParentalResponsibility: ptr(true), MainContact: ptr(true)}}
		ypID := e.youngPerson(e.officer, in)

		ref := e.referral(e.officer, client.ReferralInput{YoungPersonID: uid(ypID), ReferrerPractitionerID: pr.JSON201.ID,
			Reasons: []client.ReferralReason{client.ReferralReason("speech_language"), client.ReferralReason("behaviour")}, ServicesInvolved: []client.ServiceType{client.ServiceType("school"), client.ServiceType("speech_and_language_therapy")},
			Summary: ptr("Speech and behaviour concerns at school and home.")})
		if !refPattern.MatchString(ref.Reference) || ref.Status != client.ReferralStatus("received") || !ref.Eligibility.Eligible || ref.MainReason != client.ReferralReason("speech_language") {
			t.Fatalf("unexpected referral: %+v", ref)
		}
		if ref.ReferrerOrganisationID != org.JSON201.ID {
			t.Fatal("referrer organisation should be the practitioner's")
		}

		got, err := officer.GetReferralWithResponse(ctx, ref.ID, &client.GetReferralParams{XPurpose: ptr("triage review")})
		if err != nil || got.JSON200 == nil || got.HTTPResponse.Header.Get("ETag") != `"1"` {
			t.Fatalf("get referral: %v %s", err, got.Body)
		}

		// Search by reference and by name, filter by reason and locality.
		for _, q := range []client.ListReferralsParams{{Q: ptr(strings.ToLower(ref.Reference))}, {Q: ptr("okonkwo")}, {Reason: ptr(client.ReferralReason("behaviour"))}, {Locality: ptr("south")}, {Status: ptr(client.ReferralStatus("received"))}} {
			list, err := officer.ListReferralsWithResponse(ctx, &q)
			if err != nil || list.JSON200 == nil || len(list.JSON200.Items) != 1 || list.JSON200.Items[0].ID != ref.ID {
				t.Fatalf("list %+v: %v %s", q, err, list.Body)
			}
		}
		none, _ := officer.ListReferralsWithResponse(ctx, &client.ListReferralsParams{Reason: ptr(client.ReferralReason("adhd"))})
		if len(none.JSON200.Items) != 0 {
			t.Fatal("reason filter matched a referral without that reason")
		}

		// Merge patch with If-Match: drop one service, add safeguarding.
		patch, err := officer.UpdateReferralWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, ref.ID, &client.UpdateReferralParams{IfMatch: ptr(`"1"`)},
			client.UpdateReferralApplicationMergePatchPlusJSONRequestBody{ServicesInvolved: &[]client.ServiceType{client.ServiceType("school"), client.ServiceType("camhs"), client.ServiceType("social_care")}, SafeguardingConcern: ptr(true)})
		if err != nil || patch.JSON200 == nil || patch.JSON200.Version != 2 || !patch.JSON200.SafeguardingConcern || patch.JSON200.Eligibility.ServicesCount != 3 {
			t.Fatalf("patch: %v %s", err, patch.Body)
		}
		if patch.JSON200.Summary == nil || *patch.JSON200.Summary != "Speech and behaviour concerns at school and home." {
			t.Fatal("merge patch must leave absent fields alone")
		}

		// Triage: safeguarding concern means the safeguarding route by default.
		tri, err := officer.TriageReferralWithResponse(ctx, ref.ID, &client.TriageReferralParams{IfMatch: ptr(`"2"`)},
			client.TriageInput{Decision: client.TriageDecision("accept"), Reason: "Meets the pathway; safeguarding concern noted."})
		if err != nil || tri.JSON200 == nil || tri.JSON200.Status != client.ReferralStatus("accepted") || tri.JSON200.Route == nil || *tri.JSON200.Route != client.Route("safeguarding_assessment") {
			t.Fatalf("triage: %v %s", err, tri.Body)
		}
		again, err := officer.TriageReferralWithResponse(ctx, ref.ID, nil, client.TriageInput{Decision: client.TriageDecision("decline"), Reason: "x"})
		if p := answered(t, "triage twice", again, err, http.StatusConflict).ApplicationProblemJSON409; p == nil || p.CurrentStatus == nil || *p.CurrentStatus != "accepted" {
			t.Fatalf("409 must name the current status: %s", again.Body)
		}
		late, err := officer.UpdateReferralWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, ref.ID, nil,
			client.UpdateReferralApplicationMergePatchPlusJSONRequestBody{Summary: ptr("x")})
		if answered(t, "patch after triage", late, err, http.StatusConflict).ApplicationProblemJSON409 == nil {
			t.Fatalf("no problem details: %s", late.Body)
		}

		// Audit: the admin sees create, read, list, update and triage on the referral.
		events, err := admin.ListAuditEventsWithResponse(ctx, &client.ListAuditEventsParams{RecordID: &ref.ID, Limit: ptr(200)})
		if err != nil || events.JSON200 == nil {
			t.Fatalf("audit: %v %s", err, events.Body)
		}
		actions := map[client.AuditAction]int{}
		for _, ev := range events.JSON200.Items {
			actions[ev.Action]++
			if ev.Action == client.AuditAction("read") && (ev.Purpose == nil || *ev.Purpose != "triage review") {
				t.Error("the read's purpose should be kept")
			}
			if ev.Action == client.AuditAction("list") {
				// A list is one event naming every record it returned and whose they were.
				if ev.YoungPersonIDs == nil || !slices.ContainsFunc(*ev.YoungPersonIDs, func(id openapi_types.UUID) bool { return id.String() == ypID }) ||
					ev.RecordIDs == nil || !slices.Contains(*ev.RecordIDs, ref.ID) {
					t.Errorf("a list event must name the referral and its young person: %+v", ev)
				}
			} else if ev.YoungPersonID == nil || ev.YoungPersonID.String() != ypID {
				t.Error("referral events must name the young person")
			}
		}
		if actions[client.AuditAction("create")] != 1 || actions[client.AuditAction("read")] != 1 || actions[client.AuditAction("list")] != 5 || actions[client.AuditAction("update")] != 1 || actions[client.AuditAction("triage")] != 1 {
			t.Fatalf("audit actions = %v", actions)
		}

		// Outbox: one event per write, in order.
		var types []string
		_ = e.st.Read(ctx, func(tx *store.Tx) error {
			evs, err := tx.Outbox().ForRecord(ref.ID.String())
			for _, ev := range evs {
				types = append(types, ev.Type)
			}
			return err
		})
		if fmt.Sprint(types) != "[referral.received referral.updated referral.triaged]" {
			t.Fatalf("outbox = %v", types)
		}

		// Nothing personal in the server's log.
		logs := e.logs.String()
		for _, secret := range []string{"Amelia", "Okonkwo", "9434765919", "B801200005001", "M6 5AB", "Speech and behaviour"} {
			if strings.Contains(logs, secret) {
				t.Errorf("log output contains personal data %q", secret)
			}
		}
		if !strings.Contains(logs, `"route":"/v1/referrals/:id/triage"`) {
			t.Error("log should name routes by template")
		}
	})
}

func TestTriageRules(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ypID := e.youngPerson(e.officer, child(5))
		base := client.ReferralInput{YoungPersonID: uid(ypID), ReferrerPractitionerID: uid(e.schoolSENCO), Reasons: []client.ReferralReason{client.ReferralReason("sen")},
			ServicesInvolved: []client.ServiceType{client.ServiceType("school"), client.ServiceType("paediatrics")}}
		triage := func(id openapi_types.UUID, body map[string]any) reply {
			return e.do(http.MethodPost, "/v1/referrals/"+id.String()+"/triage", e.officer, body)
		}

		// Safeguarding referrals cannot go to the family assessment route.
		sg := base
		sg.SafeguardingConcern = ptr(true)
		r := e.referral(e.officer, sg)
		p := triage(r.ID, map[string]any{"decision": "accept", "route": "family_assessment", "reason": "x"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/route") {
			t.Fatalf("pointers = %v", pointers(p))
		}

		// An ineligible referral (one service) needs an override reason to be accepted.
		one := base
		one.ServicesInvolved = []client.ServiceType{client.ServiceType("school")}
		r = e.referral(e.officer, one)
		if r.Eligibility.Eligible || r.Eligibility.TwoOrMoreServices || r.Eligibility.Unmet == nil {
			t.Fatalf("eligibility = %+v", r.Eligibility)
		}
		p = triage(r.ID, map[string]any{"decision": "accept", "reason": "x"}).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/override_reason") {
			t.Fatalf("pointers = %v", pointers(p))
		}
		ok := triage(r.ID, map[string]any{"decision": "accept", "reason": "x", "override_reason": "Complex needs emerging."})
		if ok.status != http.StatusOK || ok.json(t)["status"] != "accepted" {
			t.Fatalf("override accept: %d %s", ok.status, ok.body)
		}

		// Redirect needs a service; decline takes only a reason.
		r = e.referral(e.officer, base)
		p = triage(r.ID, map[string]any{"decision": "redirect", "reason": "x"}).problem(t, http.StatusBadRequest)
		if !hasPointer(p, "/redirect_to") {
			t.Fatalf("pointers = %v", pointers(p))
		}
		red := triage(r.ID, map[string]any{"decision": "redirect", "reason": "Early help is the right offer.", "redirect_to": "Early Help Hub"})
		if red.status != http.StatusOK || red.json(t)["status"] != "redirected" {
			t.Fatalf("redirect: %d %s", red.status, red.body)
		}

		// Partners cannot triage; stale If-Match is 412 with the current ETag.
		r = e.referral(e.officer, base)
		triage(r.ID, map[string]any{"decision": "decline", "reason": "x"})
		e.do(http.MethodPost, "/v1/referrals/"+r.ID.String()+"/triage", e.practitioner, map[string]any{"decision": "decline", "reason": "x"}).problem(t, http.StatusForbidden)
		r = e.referral(e.officer, base)
		stale := e.do(http.MethodPost, "/v1/referrals/"+r.ID.String()+"/triage", e.officer, map[string]any{"decision": "decline", "reason": "x"}, "If-Match", `"7"`)
		p = stale.problem(t, http.StatusPreconditionFailed)
		if stale.header.Get("ETag") != `"1"` || p.CurrentEtag == nil || *p.CurrentEtag != `"1"` {
			t.Fatalf("412 must carry the current ETag: %v %s", stale.header, stale.body)
		}

		// References are sequential within the year.
		a, b := e.referral(e.officer, base), e.referral(e.officer, base)
		var na, nb int
		fmt.Sscanf(a.Reference[9:], "%d", &na)
		fmt.Sscanf(b.Reference[9:], "%d", &nb)
		if nb != na+1 {
			t.Fatalf("references %s then %s", a.Reference, b.Reference)
		}
	})
}

func referralFor(youngPersonID, practitionerID string) client.ReferralInput {
	return client.ReferralInput{YoungPersonID: uid(youngPersonID), ReferrerPractitionerID: uid(practitionerID),
		Reasons: []client.ReferralReason{client.ReferralReason("sen")}, ServicesInvolved: []client.ServiceType{client.ServiceType("school"), client.ServiceType("camhs")}}
}

type clientReferral = client.ReferralInput

var consentOnForm = client.ReferralConsent{GivenBy: "Grace Okonkwo-Test", Relationship: client.ReferralConsentRelationship("parent"), GivenOn: day(time.Now().AddDate(0, 0, -1))}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

type clientYP = client.YoungPersonInput
