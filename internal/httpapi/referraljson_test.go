package httpapi

import (
	"bytes"
	stdjson "encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"pgregory.net/rapid"

	"github.com/oneplan-send/oneplan/api"
)

// TestReferralJSON: a page of referrals written field by field (referralPageJSON) is byte for
// byte what the generated response writes with encoding/json, for any referral: every optional
// part present or not, empty and nil lists, strings needing escapes (quotes, HTML, control
// characters, invalid UTF-8, U+2028), times in other zones and with nanoseconds.
func TestReferralJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		page := api.ReferralPage{Items: rapid.SliceOf(rapid.Custom(genReferral)).Draw(t, "items")}
		if rapid.Bool().Draw(t, "has next") {
			page.NextCursor = ptr(genString(t, "cursor"))
		}
		var want bytes.Buffer
		if err := stdjson.NewEncoder(&want).Encode(api.ListReferrals200JSONResponse(page)); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if err := (referralPageJSON{page: page}).VisitListReferralsResponse(rec); err != nil {
			t.Fatal(err)
		}
		if got := rec.Body.String(); got != want.String() {
			t.Fatalf("written field by field:\n%s\nencoding/json:\n%s", got, want.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" || rec.Code != 200 {
			t.Fatalf("status %d, content type %q", rec.Code, ct)
		}
	})
}

// TestReferralJSONKnowsEveryField: appendReferral writes every field api.Referral has; a field the
// contract adds fails here until it is written there too (an optional one would otherwise be
// left out without any test noticing).
func TestReferralJSONKnowsEveryField(t *testing.T) {
	written := []string{"closure", "consent", "created_at", "eligibility", "engagement_lead_practitioner_id", "external_ids", "id",
		"lead_must_be_social_worker", "main_reason", "reasons", "received_on", "reference", "referrer_organisation_id",
		"referrer_practitioner_id", "route", "safeguarding_concern", "safeguarding_raised", "services_involved", "status", "summary",
		"triage", "updated_at", "version", "young_person_id"}
	eligibility := []string{"age", "age_in_range", "assessed_on", "eligible", "in_area", "services_count", "two_or_more_services", "unmet"}
	for typ, want := range map[reflect.Type][]string{reflect.TypeFor[api.Referral](): written, reflect.TypeFor[api.Eligibility](): eligibility,
		reflect.TypeFor[api.ReferralPage](): {"items", "next_cursor"}, reflect.TypeFor[api.ExternalID](): {"system", "value"}} {
		var have []string
		for f := range typ.Fields() {
			have = append(have, strings.Split(f.Tag.Get("json"), ",")[0])
		}
		slices.Sort(have)
		if !slices.Equal(have, want) {
			t.Errorf("%s has the fields %v; referraljson.go writes %v", typ, have, want)
		}
	}
}

func genString(t *rapid.T, label string) string {
	return rapid.OneOf(rapid.String(), rapid.StringMatching(`[a-z<>&"\\\x00-\x1f\x{2028}\x{2029}é ]*`),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(t, label)
}

func genTime(t *rapid.T, label string) time.Time {
	at := time.Unix(rapid.Int64Range(-62135596800+86400, 253402300799-86400).Draw(t, label+" seconds"), rapid.Int64Range(0, 999999999).Draw(t, label+" nanos"))
	switch rapid.IntRange(0, 3).Draw(t, label+" zone") {
	case 0:
		return at.UTC()
	case 1:
		return at.In(time.FixedZone("", rapid.IntRange(-14*60, 14*60).Draw(t, label+" offset")*60))
	case 2:
		return at.Truncate(time.Second).UTC()
	}
	return at.Truncate(time.Millisecond).UTC()
}

func genUUID(t *rapid.T, label string) openapi_types.UUID {
	var u openapi_types.UUID
	copy(u[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label))
	return u
}

func genDate(t *rapid.T, label string) openapi_types.Date {
	return openapi_types.Date{Time: time.Date(rapid.IntRange(1, 9999).Draw(t, label+" year"), time.Month(rapid.IntRange(1, 12).Draw(t, label+" month")),
		rapid.IntRange(1, 28).Draw(t, label+" day"), 0, 0, 0, 0, time.UTC)}
}

// maybe draws a value of gen or nil.
func maybe[T any](t *rapid.T, label string, gen func(*rapid.T, string) T) *T {
	if !rapid.Bool().Draw(t, label+" present") {
		return nil
	}
	v := gen(t, label)
	return &v
}

func genStrings[T ~string](t *rapid.T, label string) []T {
	if rapid.IntRange(0, 4).Draw(t, label+" nil") == 0 {
		return nil
	}
	out := []T{}
	for i := range rapid.IntRange(0, 3).Draw(t, label+" len") {
		out = append(out, T(genString(t, label+" "+string(rune('0'+i)))))
	}
	return out
}

func genReferral(t *rapid.T) api.Referral {
	r := api.Referral{ID: genUUID(t, "id"), Reference: genString(t, "reference"), Status: api.ReferralStatus(genString(t, "status")),
		YoungPersonID: genUUID(t, "young person"), ReferrerOrganisationID: genUUID(t, "organisation"), ReferrerPractitionerID: genUUID(t, "practitioner"),
		MainReason: api.ReferralReason(genString(t, "main reason")), Reasons: genStrings[api.ReferralReason](t, "reasons"),
		ServicesInvolved: genStrings[api.ServiceType](t, "services"), ReceivedOn: genDate(t, "received"),
		LeadMustBeSocialWorker: rapid.Bool().Draw(t, "lead must"), SafeguardingConcern: rapid.Bool().Draw(t, "concern"),
		CreatedAt: genTime(t, "created"), UpdatedAt: genTime(t, "updated"), Version: rapid.Int().Draw(t, "version"),
		Summary: maybe(t, "summary", genString), Route: maybe(t, "route", func(t *rapid.T, l string) api.Route { return api.Route(genString(t, l)) }),
		EngagementLeadPractitionerID: maybe(t, "lead", genUUID)}
	r.Eligibility = api.Eligibility{Age: maybe(t, "age", func(t *rapid.T, l string) int { return rapid.Int().Draw(t, l) }),
		AgeInRange: rapid.Bool().Draw(t, "in range"), AssessedOn: genDate(t, "assessed"), Eligible: rapid.Bool().Draw(t, "eligible"),
		InArea: rapid.Bool().Draw(t, "in area"), ServicesCount: rapid.Int().Draw(t, "count"), TwoOrMoreServices: rapid.Bool().Draw(t, "two"),
		Unmet: maybe(t, "unmet", genStrings[string])}
	r.ExternalIds = maybe(t, "external ids", func(t *rapid.T, l string) api.ExternalIds {
		if rapid.IntRange(0, 4).Draw(t, l+" nil") == 0 {
			return nil
		}
		out := api.ExternalIds{}
		for range rapid.IntRange(0, 3).Draw(t, l+" len") {
			out = append(out, api.ExternalID{System: genString(t, l+" system"), Value: genString(t, l+" value")})
		}
		return out
	})
	r.Closure = maybe(t, "closure", func(t *rapid.T, l string) api.Closure {
		return api.Closure{ClosedAt: genTime(t, l+" at"), Outcome: api.CloseOutcome(genString(t, l+" outcome")), Reason: genString(t, l+" reason")}
	})
	r.Consent = maybe(t, "consent", func(t *rapid.T, l string) api.ReferralConsent {
		return api.ReferralConsent{GivenBy: genString(t, l+" by"), GivenOn: genDate(t, l+" on"),
			Relationship: api.ReferralConsentRelationship(genString(t, l+" relationship"))}
	})
	r.SafeguardingRaised = maybe(t, "raised", func(t *rapid.T, l string) api.SafeguardingRaised {
		return api.SafeguardingRaised{RaisedOn: genDate(t, l+" on"), Reason: genString(t, l+" reason"),
			RouteBefore: maybe(t, l+" route", func(t *rapid.T, l string) api.Route { return api.Route(genString(t, l)) })}
	})
	r.Triage = maybe(t, "triage", func(t *rapid.T, l string) api.Triage {
		return api.Triage{Decision: api.TriageDecision(genString(t, l+" decision")), Reason: genString(t, l+" reason"),
			OverrideReason: maybe(t, l+" override", genString), RedirectTo: maybe(t, l+" redirect", genString),
			Route:     maybe(t, l+" route", func(t *rapid.T, l string) api.Route { return api.Route(genString(t, l)) }),
			TriagedAt: genTime(t, l+" at"), TriagedByAPIKeyID: maybe(t, l+" by", genUUID)}
	})
	return r
}
