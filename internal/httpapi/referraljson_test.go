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

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// TestReferralJSON: a page of referrals written field by field from the domain's records
// (referralPageJSON) is byte for byte what the generated response writes with encoding/json for
// the same records converted by toReferral (the list's previous encoding), for any referral:
// every optional part present or not, empty and nil lists, ids in and out of canonical form (and
// not ids at all), strings needing escapes (quotes, HTML, control characters, invalid UTF-8,
// U+2028), times in other zones and with nanoseconds.
func TestReferralJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		items := rapid.SliceOf(rapid.Custom(genReferral)).Draw(t, "items")
		var next string
		if rapid.Bool().Draw(t, "has next") {
			next = genString(t, "cursor")
		}
		page := api.ReferralPage{Items: make([]api.Referral, len(items)), NextCursor: nextCursor(next)}
		for i, r := range items {
			page.Items[i] = toReferral(r)
		}
		var want bytes.Buffer
		if err := stdjson.NewEncoder(&want).Encode(api.ListReferrals200JSONResponse(page)); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if err := (referralPageJSON{items: items, next: next}).VisitListReferralsResponse(rec); err != nil {
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

// genID draws a stored id: canonical (as PostgreSQL returns every id), upper-case or braced (as
// a text column might hold one), empty, or anything at all.
func genID(t *rapid.T, label string) string {
	var u uuid.UUID
	copy(u[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label))
	switch rapid.IntRange(0, 5).Draw(t, label+" form") {
	case 0:
		return strings.ToUpper(u.String())
	case 1:
		return "{" + u.String() + "}"
	case 2:
		return ""
	case 3:
		return genString(t, label+" text")
	}
	return u.String()
}

// maybe draws a value of gen or nil.
func maybe[T any](t *rapid.T, label string, gen func(*rapid.T, string) T) *T {
	if !rapid.Bool().Draw(t, label+" present") {
		return nil
	}
	v := gen(t, label)
	return &v
}

// genStrings draws a list: nil, empty or a few strings.
func genStrings(t *rapid.T, label string) []string {
	if rapid.IntRange(0, 4).Draw(t, label+" nil") == 0 {
		return nil
	}
	out := []string{}
	for i := range rapid.IntRange(0, 3).Draw(t, label+" len") {
		out = append(out, genString(t, label+" "+string(rune('0'+i))))
	}
	return out
}

// orEmpty draws either "" or a value of gen.
func orEmpty(t *rapid.T, label string, gen func(*rapid.T, string) string) string {
	if rapid.Bool().Draw(t, label+" empty") {
		return ""
	}
	return gen(t, label)
}

func genReferral(t *rapid.T) referral.Referral {
	r := referral.Referral{ID: genID(t, "id"), Reference: genString(t, "reference"), Status: referral.Status(genString(t, "status")),
		YoungPersonID: genID(t, "young person"), ReferrerOrganisationID: genID(t, "organisation"), ReferrerPractitionerID: genID(t, "practitioner"),
		MainReason: genString(t, "main reason"), Reasons: genStrings(t, "reasons"), ServicesInvolved: genStrings(t, "services"),
		ReceivedOn: genTime(t, "received"), SafeguardingConcern: rapid.Bool().Draw(t, "concern"),
		CreatedAt: genTime(t, "created"), UpdatedAt: genTime(t, "updated"), Version: rapid.Int().Draw(t, "version"),
		Summary: orEmpty(t, "summary", genString), Route: orEmpty(t, "route", genString), EngagementLeadID: orEmpty(t, "lead", genID),
		Locality: genString(t, "locality")}
	r.Eligibility = referral.Eligibility{Age: rapid.Int().Draw(t, "age"), AgeInRange: rapid.Bool().Draw(t, "in range"),
		AssessedOn: genTime(t, "assessed"), Eligible: rapid.Bool().Draw(t, "eligible"), InArea: rapid.Bool().Draw(t, "in area"),
		ServicesCount: rapid.Int().Draw(t, "count"), TwoOrMoreServices: rapid.Bool().Draw(t, "two"), Unmet: genStrings(t, "unmet")}
	if rapid.IntRange(0, 4).Draw(t, "external ids nil") > 0 {
		for range rapid.IntRange(0, 3).Draw(t, "external ids len") {
			r.ExternalIDs = append(r.ExternalIDs, externalid.ID{System: genString(t, "system"), Value: genString(t, "value")})
		}
	}
	r.Closure = maybe(t, "closure", func(t *rapid.T, l string) referral.Closure {
		return referral.Closure{ClosedAt: genTime(t, l+" at"), Outcome: genString(t, l+" outcome"), Reason: genString(t, l+" reason")}
	})
	r.Consent = maybe(t, "consent", func(t *rapid.T, l string) referral.Consent {
		return referral.Consent{GivenBy: genString(t, l+" by"), GivenOn: genTime(t, l+" on"), Relationship: genString(t, l+" relationship")}
	})
	r.SafeguardingRaised = maybe(t, "raised", func(t *rapid.T, l string) referral.SafeguardingRaised {
		sr := referral.SafeguardingRaised{RaisedOn: genTime(t, l+" on"), Reason: genString(t, l+" reason"), RouteBefore: orEmpty(t, l+" route", genString)}
		switch rapid.IntRange(0, 2).Draw(t, l+" lead to replace") {
		case 1: // the lead in post: lead_must_be_social_worker unless the referral has ended
			sr.LeadToReplace = r.EngagementLeadID
		case 2:
			sr.LeadToReplace = genID(t, l+" lead")
		}
		return sr
	})
	if rapid.IntRange(0, 3).Draw(t, "open status") == 0 {
		r.Status = referral.Status(rapid.SampledFrom([]string{"received", "assessing", "closed", "declined"}).Draw(t, "known status"))
	}
	r.Triage = maybe(t, "triage", func(t *rapid.T, l string) referral.Triage {
		return referral.Triage{Decision: genString(t, l+" decision"), Reason: genString(t, l+" reason"),
			OverrideReason: orEmpty(t, l+" override", genString), RedirectTo: orEmpty(t, l+" redirect", genString),
			Route: orEmpty(t, l+" route", genString), TriagedAt: genTime(t, l+" at"), TriagedBy: orEmpty(t, l+" by", genID)}
	})
	return r
}

// TestCanonicalUUID: only the lower-case hyphenated 8-4-4-4-12 form is canonical; a hyphen moved,
// added or missing, a capital, a brace or any other byte is not, whatever the byte weights add up
// to (canonicalUUID sums them).
func TestCanonicalUUID(t *testing.T) {
	id := "01a251c4-1f1c-7c7d-921f-497016d38880"
	for _, c := range []struct {
		s    string
		want bool
	}{
		{id, true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
		{strings.ToUpper(id), false},
		{"{" + id[:34] + "}", false},
		{id[:35], false},
		{id + "0", false},
		{strings.Repeat("-", 36), false},
		{"01a251c4-1f1c-7c7d-921f-497016d3888-", false},       // a fifth hyphen for a digit
		{"01a251c41-f1c-7c7d-921f-497016d38880", false},       // a hyphen moved
		{"01a251c4-1f1c-7c7d-921f-497016d3888g", false},       // not hex
		{"01a251c4-1f1c-7c7d-921f-497016d3888\x00", false},    // a NUL
		{"01a251c4-1f1c-7c7d-921f-497016d388\xc3\xa9", false}, // é, two bytes
	} {
		if got := canonicalUUID(c.s); got != c.want {
			t.Errorf("canonicalUUID(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
