package httpapi

import (
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Converters between the contract's types and the domain's, one pair per resource.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func uuidStr(p *openapi_types.UUID) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func uuidPtr(s string) *openapi_types.UUID {
	if s == "" {
		return nil
	}
	u := mustUUID(s)
	return &u
}

func mustUUID(s string) openapi_types.UUID {
	var u openapi_types.UUID
	_ = u.UnmarshalText([]byte(s))
	return u
}

func date(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

func enumStrings[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func toEnums[T ~string](in []string) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

func slicePtr[T any](in []T) *[]T {
	if len(in) == 0 {
		return nil
	}
	return &in
}

func fromOrganisationInput(in api.OrganisationInput) directory.Organisation {
	return directory.Organisation{Name: in.Name, Type: string(in.Type), Locality: str(in.Locality), URN: str(in.URN), UKPRN: str(in.UKPRN), ODSCode: str(in.OdsCode),
		ExternalIDs: fromExternalIDs(in.ExternalIds)}
}

func toOrganisationInput(o directory.Organisation) api.OrganisationInput {
	return api.OrganisationInput{Name: o.Name, Type: api.OrganisationType(o.Type), Locality: ptr(o.Locality), URN: ptr(o.URN), UKPRN: ptr(o.UKPRN), OdsCode: ptr(o.ODSCode),
		ExternalIds: toExternalIDs(o.ExternalIDs)}
}

func toOrganisation(o directory.Organisation) api.Organisation {
	return api.Organisation{ID: mustUUID(o.ID), Name: o.Name, Type: api.OrganisationType(o.Type), Locality: ptr(o.Locality), URN: ptr(o.URN),
		UKPRN: ptr(o.UKPRN), OdsCode: ptr(o.ODSCode), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version,
		ExternalIds: toExternalIDs(o.ExternalIDs)}
}

func fromPractitionerInput(in api.PractitionerInput) directory.Practitioner {
	active := true
	if in.Active != nil {
		active = *in.Active
	}
	return directory.Practitioner{OrganisationID: in.OrganisationID.String(), Name: in.Name, Email: string(in.Email), Role: string(in.Role), Phone: str(in.Phone), Active: active}
}

func toPractitionerInput(p directory.Practitioner) api.PractitionerInput {
	return api.PractitionerInput{OrganisationID: mustUUID(p.OrganisationID), Name: p.Name, Email: openapi_types.Email(p.Email),
		Role: api.PractitionerRole(p.Role), Phone: ptr(p.Phone), Active: &p.Active}
}

func toPractitioner(p directory.Practitioner) api.Practitioner {
	return api.Practitioner{ID: mustUUID(p.ID), OrganisationID: mustUUID(p.OrganisationID), Name: p.Name, Email: p.Email,
		Role: api.PractitionerRole(p.Role), Phone: ptr(p.Phone), Active: p.Active, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func fromContacts(in *[]api.Contact) []person.Contact {
	if in == nil {
		return nil
	}
	out := make([]person.Contact, len(*in))
	for i, c := range *in {
		out[i] = person.Contact{Name: c.Name, Relationship: string(c.Relationship), Phone: str(c.Phone), Email: string(ptrVal(c.Email)),
			ParentalResponsibility: ptrVal(c.ParentalResponsibility), MainContact: ptrVal(c.MainContact)}
	}
	return out
}

func toContacts(in []person.Contact) []api.Contact {
	out := make([]api.Contact, len(in))
	for i, c := range in {
		pr, main := c.ParentalResponsibility, c.MainContact
		var email *openapi_types.Email
		if c.Email != "" {
			e := openapi_types.Email(c.Email)
			email = &e
		}
		out[i] = api.Contact{Name: c.Name, Relationship: api.ContactRelationship(c.Relationship), Phone: ptr(c.Phone), Email: email,
			ParentalResponsibility: &pr, MainContact: &main}
	}
	return out
}

func ptrVal[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func fromCommunication(in *api.CommunicationPreferences) *person.Communication {
	if in == nil {
		return nil
	}
	return &person.Communication{Language: str(in.Language), InterpreterNeeded: ptrVal(in.InterpreterNeeded),
		Methods: enumStrings(ptrVal(in.Methods)), Formats: enumStrings(ptrVal(in.Formats)), Notes: str(in.Notes)}
}

func toCommunication(in *person.Communication) *api.CommunicationPreferences {
	if in == nil {
		return nil
	}
	need := in.InterpreterNeeded
	return &api.CommunicationPreferences{Language: ptr(in.Language), InterpreterNeeded: &need,
		Methods: slicePtr(toEnums[api.CommunicationPreferencesMethods](in.Methods)), Formats: slicePtr(toEnums[api.CommunicationPreferencesFormats](in.Formats)), Notes: ptr(in.Notes)}
}

func fromYoungPersonInput(in api.YoungPersonInput) person.YoungPerson {
	return person.YoungPerson{GivenName: in.GivenName, FamilyName: in.FamilyName, PreferredName: str(in.PreferredName), DateOfBirth: in.DateOfBirth.Time,
		NHSNumber: str(in.NHSNumber), UPN: str(in.UPN), Gender: string(ptrVal(in.Gender)), Locality: str(in.Locality), Postcode: str(in.Postcode),
		ULN: str(in.ULN), UPNUnknown: string(ptrVal(in.UPNUnknown)), Sex: string(ptrVal(in.Sex)), Ethnicity: string(ptrVal(in.Ethnicity)),
		PrimarySENNeed: string(ptrVal(in.PrimarySENNeed)), EducationSettingID: uuidStr(in.EducationSettingID),
		Contacts: fromContacts(in.Contacts), Communication: fromCommunication(in.CommunicationPreferences),
		ExternalIDs: fromExternalIDs(in.ExternalIds)}
}

func toYoungPersonInput(p person.YoungPerson) api.YoungPersonInput {
	contacts := toContacts(p.Contacts)
	return api.YoungPersonInput{GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: ptr(p.PreferredName), DateOfBirth: date(p.DateOfBirth),
		NHSNumber: ptr(p.NHSNumber), UPN: ptr(p.UPN), Gender: ptr(api.Gender(p.Gender)), Locality: ptr(p.Locality), Postcode: ptr(p.Postcode),
		ULN: ptr(p.ULN), UPNUnknown: ptr(api.UPNUnknown(p.UPNUnknown)), Sex: ptr(api.Sex(p.Sex)), Ethnicity: ptr(api.Ethnicity(p.Ethnicity)),
		PrimarySENNeed: ptr(api.SENNeed(p.PrimarySENNeed)), EducationSettingID: uuidPtr(p.EducationSettingID),
		Contacts: slicePtr(contacts), CommunicationPreferences: toCommunication(p.Communication), ExternalIds: toExternalIDs(p.ExternalIDs)}
}

func toYoungPerson(p person.YoungPerson, today time.Time) api.YoungPerson {
	return api.YoungPerson{ID: mustUUID(p.ID), GivenName: p.GivenName, FamilyName: p.FamilyName, PreferredName: ptr(p.PreferredName),
		DateOfBirth: date(p.DateOfBirth), Age: max(p.AgeOn(today), 0), NHSNumber: ptr(p.NHSNumber), UPN: ptr(p.UPN), Gender: ptr(api.Gender(p.Gender)),
		Locality: ptr(p.Locality), Postcode: ptr(p.Postcode), PrimarySENNeed: ptr(api.SENNeed(p.PrimarySENNeed)),
		ULN: ptr(p.ULN), UPNUnknown: ptr(api.UPNUnknown(p.UPNUnknown)), Sex: ptr(api.Sex(p.Sex)), Ethnicity: ptr(api.Ethnicity(p.Ethnicity)),
		EducationSettingID: uuidPtr(p.EducationSettingID), Contacts: toContacts(p.Contacts), CommunicationPreferences: toCommunication(p.Communication),
		RecordedByOrganisationID: mustUUID(p.RecordedByOrgID), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version,
		ExternalIds: toExternalIDs(p.ExternalIDs)}
}

func fromExternalIDs(in *api.ExternalIds) []externalid.ID {
	if in == nil {
		return nil
	}
	out := make([]externalid.ID, len(*in))
	for i, id := range *in {
		out[i] = externalid.ID{System: id.System, Value: id.Value}
	}
	return out
}

func toExternalIDs(in []externalid.ID) *api.ExternalIds {
	if len(in) == 0 {
		return nil
	}
	out := make(api.ExternalIds, len(in))
	for i, id := range in {
		out[i] = api.ExternalID{System: id.System, Value: id.Value}
	}
	return &out
}

func fromConsent(in *api.ReferralConsent) *referral.Consent {
	if in == nil {
		return nil
	}
	return &referral.Consent{GivenBy: in.GivenBy, Relationship: string(in.Relationship), GivenOn: in.GivenOn.Time}
}

func toReferralConsent(in *referral.Consent) *api.ReferralConsent {
	if in == nil {
		return nil
	}
	return &api.ReferralConsent{GivenBy: in.GivenBy, Relationship: api.ReferralConsentRelationship(in.Relationship), GivenOn: date(in.GivenOn)}
}

func fromReferralInput(in api.ReferralInput) referral.Referral {
	r := referral.Referral{YoungPersonID: in.YoungPersonID.String(), ReferrerPractitionerID: in.ReferrerPractitionerID.String(),
		Reasons: enumStrings(in.Reasons), MainReason: string(ptrVal(in.MainReason)), ServicesInvolved: enumStrings(in.ServicesInvolved),
		SafeguardingConcern: ptrVal(in.SafeguardingConcern), Consent: fromConsent(in.Consent), Summary: str(in.Summary),
		ExternalIDs: fromExternalIDs(in.ExternalIds)}
	if in.ReceivedOn != nil {
		r.ReceivedOn = in.ReceivedOn.Time
	}
	return r
}

func toReferralInput(r referral.Referral) api.ReferralInput {
	sg := r.SafeguardingConcern
	ro := date(r.ReceivedOn)
	return api.ReferralInput{YoungPersonID: mustUUID(r.YoungPersonID), ReferrerPractitionerID: mustUUID(r.ReferrerPractitionerID),
		Reasons: toEnums[api.ReferralReason](r.Reasons), MainReason: ptr(api.ReferralReason(r.MainReason)),
		ServicesInvolved: toEnums[api.ServiceType](r.ServicesInvolved), SafeguardingConcern: &sg, Consent: toReferralConsent(r.Consent),
		Summary: ptr(r.Summary), ReceivedOn: &ro, ExternalIds: toExternalIDs(r.ExternalIDs)}
}

func toReferral(r referral.Referral) api.Referral {
	e := r.Eligibility
	age := e.Age
	out := api.Referral{ID: mustUUID(r.ID), Reference: r.Reference, Status: api.ReferralStatus(r.Status), YoungPersonID: mustUUID(r.YoungPersonID),
		ReferrerPractitionerID: mustUUID(r.ReferrerPractitionerID), ReferrerOrganisationID: mustUUID(r.ReferrerOrganisationID),
		Reasons: toEnums[api.ReferralReason](r.Reasons), MainReason: api.ReferralReason(r.MainReason), ServicesInvolved: toEnums[api.ServiceType](r.ServicesInvolved),
		SafeguardingConcern: r.SafeguardingConcern, Consent: toReferralConsent(r.Consent), Summary: ptr(r.Summary), ReceivedOn: date(r.ReceivedOn),
		Route: ptr(api.Route(r.Route)),
		Eligibility: api.Eligibility{Eligible: e.Eligible, AgeInRange: e.AgeInRange, Age: &age, TwoOrMoreServices: e.TwoOrMoreServices,
			ServicesCount: e.ServicesCount, InArea: e.InArea, AssessedOn: date(e.AssessedOn), Unmet: slicePtr(e.Unmet)},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	out.EngagementLeadPractitionerID = uuidPtr(r.EngagementLeadID)
	out.LeadMustBeSocialWorker = r.LeadMustBeSocialWorker()
	out.SafeguardingRaised = toSafeguardingRaised(r.SafeguardingRaised)
	out.Closure = toClosure(r.Closure)
	out.Triage = toTriage(r.Triage)
	out.ExternalIds = toExternalIDs(r.ExternalIDs)
	return out
}

// toSafeguardingRaised, toClosure and toTriage are the parts of a referral few have, shared by
// toReferral and the list's encoder (appendReferralRecord) so the two cannot drift.
func toSafeguardingRaised(sr *referral.SafeguardingRaised) *api.SafeguardingRaised {
	if sr == nil {
		return nil
	}
	return &api.SafeguardingRaised{Reason: sr.Reason, RaisedOn: date(sr.RaisedOn), RouteBefore: ptr(api.Route(sr.RouteBefore))}
}

func toClosure(c *referral.Closure) *api.Closure {
	if c == nil {
		return nil
	}
	return &api.Closure{Outcome: api.CloseOutcome(c.Outcome), Reason: c.Reason, ClosedAt: c.ClosedAt}
}

func toTriage(t *referral.Triage) *api.Triage {
	if t == nil {
		return nil
	}
	return &api.Triage{Decision: api.TriageDecision(t.Decision), Route: ptr(api.Route(t.Route)), Reason: t.Reason,
		RedirectTo: ptr(t.RedirectTo), OverrideReason: ptr(t.OverrideReason), TriagedAt: t.TriagedAt, TriagedByAPIKeyID: uuidPtr(t.TriagedBy)}
}

func fromTriageInput(in api.TriageInput) referral.Triage {
	return referral.Triage{Decision: string(in.Decision), Route: string(ptrVal(in.Route)), Reason: in.Reason, RedirectTo: str(in.RedirectTo), OverrideReason: str(in.OverrideReason)}
}

func toAuditEvent(e audit.Event) api.AuditEvent {
	out := api.AuditEvent{ID: mustUUID(e.ID), OccurredAt: e.OccurredAt, Action: api.AuditAction(e.Action), RecordType: api.RecordType(e.RecordType),
		RecordID: uuidPtr(e.RecordID), YoungPersonID: uuidPtr(e.YoungPersonID), Purpose: ptr(e.Purpose), ChangedFields: slicePtr(e.ChangedFields),
		RequestID: ptr(e.RequestID), IP: ptr(e.IP), RecordIDs: uuidsPtr(e.RecordIDs), YoungPersonIDs: uuidsPtr(e.YoungPersonIDs)}
	out.Actor.APIKeyID = uuidPtr(e.ActorKeyID)
	out.Actor.Subject = ptr(e.ActorSubject)
	out.Actor.PractitionerID = uuidPtr(e.ActorPractitionerID)
	out.Actor.OrganisationID = uuidPtr(e.ActorOrgID)
	out.Actor.Role = e.ActorRole
	return out
}

// uuidsPtr is a list of ids, or nil when there are none.
func uuidsPtr(ids []string) *[]openapi_types.UUID {
	if len(ids) == 0 {
		return nil
	}
	out := make([]openapi_types.UUID, len(ids))
	for i, id := range ids {
		out[i] = mustUUID(id)
	}
	return &out
}
