package store

import (
	"strings"
	"time"
	"unicode/utf8"

	// JSON columns are read on every row of every list: segmentio's decoder, a drop-in for
	// encoding/json, reads them several times faster (measured on the referral list).
	"github.com/segmentio/encoding/json"

	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

const dateLayout = "2006-01-02"

// Dates are stored as YYYY-MM-DD text on both databases, which sorts and compares correctly.
func fromDate(t time.Time) string { return t.Format(dateLayout) }

// toDate reads a stored date; "" is no date. A malformed one is corrupt data, which must never
// come back as a zero date: see unreadable.
func toDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := readDate(s)
	if err != nil {
		panic(unreadable{what: "date", err: err})
	}
	return t
}

// readDate reads a stored YYYY-MM-DD date: by hand where it is plain, else through time.Parse,
// which also gives the error for a malformed one.
func readDate(s string) (time.Time, error) {
	if t, ok := plainDate(s); ok {
		return t, nil
	}
	return time.Parse(dateLayout, s)
}

// plainDate reads YYYY-MM-DD by hand, as time.Parse would (UTC), or says it cannot: a list reads
// a date or more on every row, and time.Parse was a fiftieth of the referral list's server time.
// Anything else, a day past the month's end included, is left to time.Parse and its error.
func plainDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	var n [3]int
	for i, part := range [3]string{s[:4], s[5:7], s[8:]} {
		for j := 0; j < len(part); j++ {
			c := part[j]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] {
		return time.Time{}, false
	}
	return t, true
}

// nullable stores "" as NULL, so optional unique columns (NHS number, URN) admit many blanks.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func toJSONOrNull(v any, isNil bool) *string {
	if isNil {
		return nil
	}
	s := toJSON(v)
	return &s
}

// fromJSON reads a stored JSON column; NULL or "" is the zero value. Malformed JSON is corrupt
// data: see unreadable.
func fromJSON[T any](s *string) T {
	if s == nil || *s == "" {
		// Returned before v is declared: v escapes (the decoder is handed &v), so declaring it
		// first cost an allocation for every NULL JSON column of every row listed (four on most
		// referrals: no consent, triage, closure or raised concern).
		var zero T
		return zero
	}
	var v T
	// Arrays of plain strings (a referral's reasons and services, on every row of its list)
	// are read by hand: the decoder's reflection was a tenth of the list's time.
	if p, ok := any(&v).(*[]string); ok {
		if out, ok := plainStrings(*s); ok {
			*p = out
			return v
		}
	}
	if err := json.Unmarshal([]byte(*s), &v); err != nil {
		panic(unreadable{what: "JSON column", err: err})
	}
	return v
}

// plainStrings reads s, a JSON array of strings none of which has an escape or a control
// character (as the store writes reasons and services), as the decoder would: [] is an empty
// slice, not nil. ok is false for anything else (null, escapes, invalid UTF-8, malformed), which
// the decoder is left to read.
func plainStrings(s string) (out []string, ok bool) {
	i := skipJSONSpace(s, 0)
	if i == len(s) || s[i] != '[' {
		return nil, false
	}
	out = make([]string, 0, 1+strings.Count(s, ","))
	if i = skipJSONSpace(s, i+1); i < len(s) && s[i] == ']' {
		return out, skipJSONSpace(s, i+1) == len(s)
	}
	for {
		if i == len(s) || s[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' || s[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j == len(s) || !utf8.ValidString(s[i+1:j]) {
			return nil, false
		}
		out = append(out, s[i+1:j])
		if i = skipJSONSpace(s, j+1); i == len(s) {
			return nil, false
		}
		switch s[i] {
		case ']':
			return out, skipJSONSpace(s, i+1) == len(s)
		case ',':
			i = skipJSONSpace(s, i+1)
		default:
			return nil, false
		}
	}
}

// skipJSONSpace returns the index of the first byte from i on that is not JSON whitespace.
func skipJSONSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// unreadable is a stored value that cannot be read back. Row converters raise it rather than
// thread an error through every field; InTx and Read turn it back into an error, so a corrupt
// row fails its request instead of being shown with a field silently blanked.
type unreadable struct {
	what string
	err  error
}

type organisationRow struct {
	ID          string
	Name        string
	SearchName  string
	Type        string
	Locality    *string
	LocalityKey *string
	URN         *string `gorm:"column:urn"`
	UKPRN       *string `gorm:"column:ukprn"`
	ODSCode     *string `gorm:"column:ods_code"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

func (organisationRow) TableName() string { return "organisations" }

func toOrganisationRow(o directory.Organisation) organisationRow {
	return organisationRow{ID: o.ID, Name: o.Name, SearchName: key(o.Name), Type: o.Type, Locality: nullable(o.Locality), LocalityKey: nullable(localityKey(o.Locality)), URN: nullable(o.URN),
		UKPRN: nullable(o.UKPRN), ODSCode: nullable(o.ODSCode), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

func (r organisationRow) toDomain() directory.Organisation {
	return directory.Organisation{ID: r.ID, Name: r.Name, Type: r.Type, Locality: deref(r.Locality), URN: deref(r.URN),
		UKPRN: deref(r.UKPRN), ODSCode: deref(r.ODSCode), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

type practitionerRow struct {
	ID             string
	OrganisationID string
	Name           string
	SearchName     string
	Email          string
	Role           string
	Phone          *string
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func (practitionerRow) TableName() string { return "practitioners" }

func toPractitionerRow(p directory.Practitioner) practitionerRow {
	return practitionerRow{ID: p.ID, OrganisationID: p.OrganisationID, Name: p.Name, SearchName: key(p.Name), Email: strings.ToLower(p.Email), Role: p.Role,
		Phone: nullable(p.Phone), Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func (r practitionerRow) toDomain() directory.Practitioner {
	return directory.Practitioner{ID: r.ID, OrganisationID: r.OrganisationID, Name: r.Name, Email: r.Email, Role: r.Role,
		Phone: deref(r.Phone), Active: r.Active, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

type youngPersonRow struct {
	ID                 string
	GivenName          string
	FamilyName         string
	PreferredName      *string
	SearchName         string
	DateOfBirth        string
	NHSNumber          *string `gorm:"column:nhs_number"`
	UPN                *string `gorm:"column:upn"`
	ULN                *string `gorm:"column:uln"`
	UPNUnknown         *string `gorm:"column:upn_unknown"`
	Gender             *string
	Sex                *string
	Ethnicity          *string
	Locality           *string
	LocalityKey        *string
	Postcode           *string
	PrimarySENNeed     *string `gorm:"column:primary_sen_need"`
	EducationSettingID *string
	Contacts           string
	Communication      *string
	RecordedByOrgID    string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

func (youngPersonRow) TableName() string { return "young_people" }

// youngPersonColumns are a young person's columns, in appendFields' order.
const youngPersonColumns = `young_people.id, young_people.given_name, young_people.family_name, young_people.preferred_name,
	young_people.search_name, young_people.date_of_birth, young_people.nhs_number, young_people.upn, young_people.uln,
	young_people.upn_unknown, young_people.gender, young_people.sex, young_people.ethnicity, young_people.locality,
	young_people.locality_key, young_people.postcode, young_people.primary_sen_need, young_people.education_setting_id,
	young_people.contacts, young_people.communication, young_people.recorded_by_org_id, young_people.created_at,
	young_people.updated_at, young_people.version`

// appendFields appends pointers to r's fields, in youngPersonColumns' order, to dst.
func (r *youngPersonRow) appendFields(dst []any) []any {
	return append(dst, &r.ID, &r.GivenName, &r.FamilyName, &r.PreferredName, &r.SearchName, &r.DateOfBirth, &r.NHSNumber, &r.UPN,
		&r.ULN, &r.UPNUnknown, &r.Gender, &r.Sex, &r.Ethnicity, &r.Locality, &r.LocalityKey, &r.Postcode, &r.PrimarySENNeed,
		&r.EducationSettingID, &r.Contacts, &r.Communication, &r.RecordedByOrgID, &r.CreatedAt, &r.UpdatedAt, &r.Version)
}

func toYoungPersonRow(p person.YoungPerson) youngPersonRow {
	contacts := p.Contacts
	if contacts == nil {
		contacts = []person.Contact{}
	}
	return youngPersonRow{
		ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: nullable(p.PreferredName),
		SearchName:  key(strings.Join([]string{p.GivenName, p.FamilyName, p.PreferredName}, " ")),
		DateOfBirth: fromDate(p.DateOfBirth), NHSNumber: nullable(p.NHSNumber), UPN: nullable(p.UPN), Gender: nullable(p.Gender),
		ULN: nullable(p.ULN), UPNUnknown: nullable(p.UPNUnknown), Sex: nullable(p.Sex), Ethnicity: nullable(p.Ethnicity),
		Locality: nullable(p.Locality), LocalityKey: nullable(localityKey(p.Locality)), Postcode: nullable(p.Postcode), PrimarySENNeed: nullable(p.PrimarySENNeed),
		EducationSettingID: nullable(p.EducationSettingID), Contacts: toJSON(contacts),
		Communication:   toJSONOrNull(p.Communication, p.Communication == nil),
		RecordedByOrgID: p.RecordedByOrgID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version,
	}
}

func (r youngPersonRow) toDomain() person.YoungPerson {
	return person.YoungPerson{
		ID: r.ID, GivenName: r.GivenName, FamilyName: r.FamilyName, PreferredName: deref(r.PreferredName),
		DateOfBirth: toDate(r.DateOfBirth), NHSNumber: deref(r.NHSNumber), UPN: deref(r.UPN), Gender: deref(r.Gender),
		ULN: deref(r.ULN), UPNUnknown: deref(r.UPNUnknown), Sex: deref(r.Sex), Ethnicity: deref(r.Ethnicity),
		Locality: deref(r.Locality), Postcode: deref(r.Postcode), PrimarySENNeed: deref(r.PrimarySENNeed),
		EducationSettingID: deref(r.EducationSettingID), Contacts: fromJSON[[]person.Contact](&r.Contacts),
		Communication:   fromJSON[*person.Communication](r.Communication),
		RecordedByOrgID: r.RecordedByOrgID, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

// referralColumns and (*referralRow).fields name referralRow's columns in one order, for scanPage.
const referralColumns = `referrals.id, referrals.reference, referrals.status, referrals.young_person_id,
	referrals.referrer_practitioner_id, referrals.referrer_organisation_id, referrals.reasons, referrals.main_reason,
	referrals.services_involved, referrals.services_count, referrals.safeguarding_concern, referrals.consent, referrals.summary,
	referrals.received_on, referrals.locality, referrals.locality_key, referrals.route, referrals.eligible, referrals.eligibility,
	referrals.triage, referrals.engagement_lead_id, referrals.closure, referrals.safeguarding_raised, referrals.created_at,
	referrals.updated_at, referrals.version`

func (r *referralRow) fields() []any { return r.appendFields(nil) }

// appendFields appends fields' pointers to dst (a page reuses one slice for all its rows).
func (r *referralRow) appendFields(dst []any) []any {
	return append(dst, &r.ID, &r.Reference, &r.Status, &r.YoungPersonID, &r.ReferrerPractitionerID, &r.ReferrerOrganisationID, &r.Reasons,
		&r.MainReason, &r.ServicesInvolved, &r.ServicesCount, &r.SafeguardingConcern, &r.Consent, &r.Summary, &r.ReceivedOn,
		&r.Locality, &r.LocalityKey, &r.Route, &r.Eligible, &r.Eligibility, &r.Triage, &r.EngagementLeadID, &r.Closure,
		&r.SafeguardingRaised, &r.CreatedAt, &r.UpdatedAt, &r.Version)
}

type referralRow struct {
	ID                     string
	Reference              string
	Status                 string
	YoungPersonID          string
	ReferrerPractitionerID string
	ReferrerOrganisationID string
	Reasons                string
	MainReason             string
	ServicesInvolved       string
	ServicesCount          int
	SafeguardingConcern    bool
	Consent                *string
	Summary                *string
	ReceivedOn             string
	Locality               *string
	LocalityKey            *string
	Route                  *string
	Eligible               bool
	Eligibility            string
	Triage                 *string
	EngagementLeadID       *string
	Closure                *string
	SafeguardingRaised     *string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	Version                int
}

func (referralRow) TableName() string { return "referrals" }

func toReferralRow(r referral.Referral) referralRow {
	return referralRow{
		ID: r.ID, Reference: r.Reference, Status: string(r.Status), YoungPersonID: r.YoungPersonID,
		ReferrerPractitionerID: r.ReferrerPractitionerID, ReferrerOrganisationID: r.ReferrerOrganisationID,
		Reasons: toJSON(r.Reasons), MainReason: r.MainReason, ServicesInvolved: toJSON(r.ServicesInvolved),
		ServicesCount: len(r.ServicesInvolved), SafeguardingConcern: r.SafeguardingConcern,
		Consent: toJSONOrNull(r.Consent, r.Consent == nil), Summary: nullable(r.Summary), ReceivedOn: fromDate(r.ReceivedOn),
		Locality: nullable(r.Locality), LocalityKey: nullable(localityKey(r.Locality)),
		Route: nullable(r.Route), Eligible: r.Eligibility.Eligible, Eligibility: toJSON(r.Eligibility),
		Triage: toJSONOrNull(r.Triage, r.Triage == nil), EngagementLeadID: nullable(r.EngagementLeadID),
		Closure: toJSONOrNull(r.Closure, r.Closure == nil), SafeguardingRaised: toJSONOrNull(r.SafeguardingRaised, r.SafeguardingRaised == nil),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
}

func (r referralRow) toDomain() referral.Referral {
	return referral.Referral{
		ID: r.ID, Reference: r.Reference, Status: referral.Status(r.Status), YoungPersonID: r.YoungPersonID,
		ReferrerPractitionerID: r.ReferrerPractitionerID, ReferrerOrganisationID: r.ReferrerOrganisationID,
		Reasons: fromJSON[[]string](&r.Reasons), MainReason: r.MainReason, ServicesInvolved: fromJSON[[]string](&r.ServicesInvolved),
		SafeguardingConcern: r.SafeguardingConcern, Consent: fromJSON[*referral.Consent](r.Consent), Summary: deref(r.Summary),
		ReceivedOn: toDate(r.ReceivedOn), Locality: deref(r.Locality), Route: deref(r.Route), Eligibility: fromJSON[referral.Eligibility](&r.Eligibility),
		Triage: fromJSON[*referral.Triage](r.Triage), EngagementLeadID: deref(r.EngagementLeadID), Closure: fromJSON[*referral.Closure](r.Closure),
		SafeguardingRaised: fromJSON[*referral.SafeguardingRaised](r.SafeguardingRaised), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}
