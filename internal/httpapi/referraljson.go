package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/segmentio/encoding/json"

	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/uuidtext"
)

// referralPageJSON answers a page of referrals (GET /v1/referrals) with the bytes the generated
// response (api.ReferralPage of toReferral's records, through encoding/json) would write, but
// spelt out field by field from the domain's records: encoding a page by reflection was the
// largest single share of the server's time on the busiest list, and converting each record to
// api.Referral first (ids parsed into UUIDs only to be written out again, lists copied) a further
// tenth of the page's allocations. The few parts most referrals lack (closure, consent, triage, a
// raised concern) still go through toReferral's conversions and the encoder. TestReferralJSON
// holds it to the generated encoding, and TestReferralJSONKnowsEveryField fails when
// api.Referral gains a field this does not write.
type referralPageJSON struct {
	items []referral.Referral
	next  string // "" on the last page
}

func (p referralPageJSON) VisitListReferralsResponse(w http.ResponseWriter) error {
	buf := jsonBuffers.Get().(*[]byte)
	defer jsonBuffers.Put(buf)
	b, err := appendReferralPage((*buf)[:0], p.items, p.next)
	if err != nil {
		return err
	}
	*buf = b
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b))) // not chunked: see fastJSON
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// jsonBuffers keeps the buffers pages are written into, so that a page does not grow a new one.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// appendReferralPage appends the JSON of a page, as json.Encoder.Encode writes it (a newline
// after the value). A page's items are never null: the generated page always has a list.
func appendReferralPage(b []byte, items []referral.Referral, next string) ([]byte, error) {
	b = append(b, `{"items":[`...)
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendReferralRecord(b, &items[i]); err != nil {
			return nil, err
		}
	}
	b = append(b, ']')
	if next != "" {
		b = appendString(append(b, `,"next_cursor":`...), next)
	}
	return append(b, "}\n"...), nil
}

// appendReferralRecord appends the JSON of toReferral(*r): its fields in api.Referral's order, as
// the encoder writes them.
func appendReferralRecord(b []byte, r *referral.Referral) ([]byte, error) {
	var err error
	b = append(b, '{')
	if c := toClosure(r.Closure); c != nil {
		if b, err = appendValue(append(b, `"closure":`...), c); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	if c := toReferralConsent(r.Consent); c != nil {
		if b, err = appendValue(append(b, `"consent":`...), c); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	if b, err = appendTime(append(b, `"created_at":`...), r.CreatedAt); err != nil {
		return nil, err
	}
	b = appendEligibility(append(b, `,"eligibility":`...), &r.Eligibility)
	if r.EngagementLeadID != "" {
		b = appendID(append(b, `,"engagement_lead_practitioner_id":`...), r.EngagementLeadID)
	}
	if len(r.ExternalIDs) > 0 {
		b = append(b, `,"external_ids":[`...)
		for i, id := range r.ExternalIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(append(b, `{"system":`...), id.System)
			b = append(appendString(append(b, `,"value":`...), id.Value), '}')
		}
		b = append(b, ']')
	}
	b = appendID(append(b, `,"id":`...), r.ID)
	b = strconv.AppendBool(append(b, `,"lead_must_be_social_worker":`...), r.LeadMustBeSocialWorker())
	b = appendString(append(b, `,"main_reason":`...), r.MainReason)
	b = appendList(append(b, `,"reasons":`...), r.Reasons)
	b = appendDate(append(b, `,"received_on":`...), date(r.ReceivedOn))
	b = appendString(append(b, `,"reference":`...), r.Reference)
	b = appendID(append(b, `,"referrer_organisation_id":`...), r.ReferrerOrganisationID)
	b = appendID(append(b, `,"referrer_practitioner_id":`...), r.ReferrerPractitionerID)
	if r.Route != "" {
		b = appendString(append(b, `,"route":`...), r.Route)
	}
	b = strconv.AppendBool(append(b, `,"safeguarding_concern":`...), r.SafeguardingConcern)
	if sr := toSafeguardingRaised(r.SafeguardingRaised); sr != nil {
		if b, err = appendValue(append(b, `,"safeguarding_raised":`...), sr); err != nil {
			return nil, err
		}
	}
	b = appendList(append(b, `,"services_involved":`...), r.ServicesInvolved)
	b = appendString(append(b, `,"status":`...), string(r.Status))
	if r.Summary != "" {
		b = appendString(append(b, `,"summary":`...), r.Summary)
	}
	if t := toTriage(r.Triage); t != nil {
		if b, err = appendValue(append(b, `,"triage":`...), t); err != nil {
			return nil, err
		}
	}
	if b, err = appendTime(append(b, `,"updated_at":`...), r.UpdatedAt); err != nil {
		return nil, err
	}
	b = strconv.AppendInt(append(b, `,"version":`...), int64(r.Version), 10)
	b = appendID(append(b, `,"young_person_id":`...), r.YoungPersonID)
	return append(b, '}'), nil
}

// appendEligibility appends toReferral's api.Eligibility of e: the age always, unmet only when
// there is some.
func appendEligibility(b []byte, e *referral.Eligibility) []byte {
	b = strconv.AppendInt(append(b, `{"age":`...), int64(e.Age), 10)
	b = strconv.AppendBool(append(b, `,"age_in_range":`...), e.AgeInRange)
	b = appendDate(append(b, `,"assessed_on":`...), date(e.AssessedOn))
	b = strconv.AppendBool(append(b, `,"eligible":`...), e.Eligible)
	b = strconv.AppendBool(append(b, `,"in_area":`...), e.InArea)
	b = strconv.AppendInt(append(b, `,"services_count":`...), int64(e.ServicesCount), 10)
	b = strconv.AppendBool(append(b, `,"two_or_more_services":`...), e.TwoOrMoreServices)
	if len(e.Unmet) > 0 {
		b = appendList(append(b, `,"unmet":`...), e.Unmet)
	}
	return append(b, '}')
}

// appendList appends a list of strings as toReferral's copy of it is written: [] for none (the
// copy is never nil).
func appendList(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendID appends the id s as mustUUID then the encoder would write it: a stored id already in
// canonical form (lower-case, hyphenated: every id PostgreSQL returns) as it is, anything else
// parsed and written again (the zero UUID if it does not parse, as mustUUID gives).
func appendID(b []byte, s string) []byte {
	if canonicalUUID(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return appendUUID(b, mustUUID(s))
}

// canonicalUUID says s is a UUID as PostgreSQL writes one: lower-case hex, hyphenated 8-4-4-4-12.
// Each byte's class is added up rather than tested position by position (five ids a row, 51 rows
// a page: the byte-by-byte switch was 3.5% of a list's CPU): 32 hex digits at 1 and 4 hyphens
// at 16 make 96, which no other mix of 36 bytes makes (any other byte alone weighs 128), and the
// hyphens are then where they must be.
func canonicalUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	sum := 0
	for i := range 36 {
		sum += int(uuidByteWeight[s[i]])
	}
	return sum == 32+4*16
}

// uuidByteWeight weighs a byte for canonicalUUID: 1 a lower-case hex digit, 16 a hyphen, 128 any
// other.
var uuidByteWeight = func() (w [256]uint8) {
	for c := range w {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			w[c] = 1
		case c == '-':
			w[c] = 16
		default:
			w[c] = 128
		}
	}
	return w
}()

// appendValue appends v as the encoder would (for the parts of a referral few have).
func appendValue(b []byte, v any) ([]byte, error) {
	return json.Append(b, v, json.EscapeHTML|json.SortMapKeys)
}

// appendString appends s as a JSON string, escaped as the encoder escapes it (HTML too).
func appendString(b []byte, s string) []byte { return json.AppendEscape(b, s, json.EscapeHTML) }

// appendTime appends t as time.Time's MarshalJSON does (RFC 3339 with nanoseconds, quoted),
// leaving to it the times RFC 3339 cannot write (which it refuses).
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if _, offset := t.Zone(); t.Year() < 0 || t.Year() > 9999 || offset%60 != 0 {
		return appendValue(b, t)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendDate appends d as openapi_types.Date's MarshalJSON does.
func appendDate(b []byte, d openapi_types.Date) []byte {
	b = append(b, '"')
	b = d.AppendFormat(b, openapi_types.DateFormat)
	return append(b, '"')
}

// appendUUID appends u in its canonical text form, quoted.
func appendUUID(b []byte, u openapi_types.UUID) []byte {
	return append(uuidtext.Append(append(b, '"'), u), '"')
}
