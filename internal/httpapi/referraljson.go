package httpapi

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/segmentio/encoding/json"

	"github.com/oneplan-send/oneplan/api"
)

// referralPageJSON answers a page of referrals (GET /v1/referrals) with the bytes the generated
// response would write, but spelt out field by field instead of by reflection: encoding a page
// was the largest single share of the server's time on the busiest list. The few parts most
// referrals lack (closure, consent, triage, a raised concern) still go through the encoder.
// TestReferralJSON holds it to the generated encoding, and fails when api.Referral gains a
// field this does not write.
type referralPageJSON struct{ page api.ReferralPage }

func (p referralPageJSON) VisitListReferralsResponse(w http.ResponseWriter) error {
	buf := jsonBuffers.Get().(*[]byte)
	defer jsonBuffers.Put(buf)
	b, err := appendReferralPage((*buf)[:0], &p.page)
	if err != nil {
		return err
	}
	*buf = b
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// jsonBuffers keeps the buffers pages are written into, so that a page does not grow a new one.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// appendReferralPage appends the JSON of a page, as json.Encoder.Encode writes it (a newline
// after the value).
func appendReferralPage(b []byte, p *api.ReferralPage) ([]byte, error) {
	b = append(b, `{"items":`...)
	if p.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.Items {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendReferral(b, &p.Items[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if p.NextCursor != nil {
		b = appendString(append(b, `,"next_cursor":`...), *p.NextCursor)
	}
	return append(b, "}\n"...), nil
}

// appendReferral appends r's JSON: its fields in api.Referral's order, as the encoder writes them.
func appendReferral(b []byte, r *api.Referral) ([]byte, error) {
	var err error
	b = append(b, '{')
	if r.Closure != nil {
		if b, err = appendValue(append(b, `"closure":`...), r.Closure); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	if r.Consent != nil {
		if b, err = appendValue(append(b, `"consent":`...), r.Consent); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	if b, err = appendTime(append(b, `"created_at":`...), r.CreatedAt); err != nil {
		return nil, err
	}
	b = appendEligibility(append(b, `,"eligibility":`...), &r.Eligibility)
	if r.EngagementLeadPractitionerID != nil {
		b = appendUUID(append(b, `,"engagement_lead_practitioner_id":`...), *r.EngagementLeadPractitionerID)
	}
	if r.ExternalIds != nil {
		b = append(b, `,"external_ids":`...)
		if ids := *r.ExternalIds; ids == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, id := range ids {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(append(b, `{"system":`...), id.System)
				b = append(appendString(append(b, `,"value":`...), id.Value), '}')
			}
			b = append(b, ']')
		}
	}
	b = appendUUID(append(b, `,"id":`...), r.ID)
	b = strconv.AppendBool(append(b, `,"lead_must_be_social_worker":`...), r.LeadMustBeSocialWorker)
	b = appendString(append(b, `,"main_reason":`...), string(r.MainReason))
	b = appendStrings(append(b, `,"reasons":`...), r.Reasons)
	b = appendDate(append(b, `,"received_on":`...), r.ReceivedOn)
	b = appendString(append(b, `,"reference":`...), r.Reference)
	b = appendUUID(append(b, `,"referrer_organisation_id":`...), r.ReferrerOrganisationID)
	b = appendUUID(append(b, `,"referrer_practitioner_id":`...), r.ReferrerPractitionerID)
	if r.Route != nil {
		b = appendString(append(b, `,"route":`...), string(*r.Route))
	}
	b = strconv.AppendBool(append(b, `,"safeguarding_concern":`...), r.SafeguardingConcern)
	if r.SafeguardingRaised != nil {
		if b, err = appendValue(append(b, `,"safeguarding_raised":`...), r.SafeguardingRaised); err != nil {
			return nil, err
		}
	}
	b = appendStrings(append(b, `,"services_involved":`...), r.ServicesInvolved)
	b = appendString(append(b, `,"status":`...), string(r.Status))
	if r.Summary != nil {
		b = appendString(append(b, `,"summary":`...), *r.Summary)
	}
	if r.Triage != nil {
		if b, err = appendValue(append(b, `,"triage":`...), r.Triage); err != nil {
			return nil, err
		}
	}
	if b, err = appendTime(append(b, `,"updated_at":`...), r.UpdatedAt); err != nil {
		return nil, err
	}
	b = strconv.AppendInt(append(b, `,"version":`...), int64(r.Version), 10)
	b = appendUUID(append(b, `,"young_person_id":`...), r.YoungPersonID)
	return append(b, '}'), nil
}

func appendEligibility(b []byte, e *api.Eligibility) []byte {
	b = append(b, '{')
	if e.Age != nil {
		b = append(strconv.AppendInt(append(b, `"age":`...), int64(*e.Age), 10), ',')
	}
	b = strconv.AppendBool(append(b, `"age_in_range":`...), e.AgeInRange)
	b = appendDate(append(b, `,"assessed_on":`...), e.AssessedOn)
	b = strconv.AppendBool(append(b, `,"eligible":`...), e.Eligible)
	b = strconv.AppendBool(append(b, `,"in_area":`...), e.InArea)
	b = strconv.AppendInt(append(b, `,"services_count":`...), int64(e.ServicesCount), 10)
	b = strconv.AppendBool(append(b, `,"two_or_more_services":`...), e.TwoOrMoreServices)
	if e.Unmet != nil {
		b = append(b, `,"unmet":`...)
		if *e.Unmet == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, s := range *e.Unmet {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, s)
			}
			b = append(b, ']')
		}
	}
	return append(b, '}')
}

// appendValue appends v as the encoder would (for the parts of a referral few have).
func appendValue(b []byte, v any) ([]byte, error) {
	return json.Append(b, v, json.EscapeHTML|json.SortMapKeys)
}

// appendString appends s as a JSON string, escaped as the encoder escapes it (HTML too).
// appendStrings writes a list of strings as encoding/json does: null for a nil slice.
func appendStrings[S ~string](b []byte, ss []S) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, string(s))
	}
	return append(b, ']')
}

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
	var s [38]byte
	s[0], s[9], s[14], s[19], s[24], s[37] = '"', '-', '-', '-', '-', '"'
	hex.Encode(s[1:9], u[0:4])
	hex.Encode(s[10:14], u[4:6])
	hex.Encode(s[15:19], u[6:8])
	hex.Encode(s[20:24], u[8:10])
	hex.Encode(s[25:37], u[10:16])
	return append(b, s[:]...)
}
