// Package fhir shows OnePlan's records as HL7 FHIR R4 resources (the models of
// github.com/samply/golang-fhir-models), for health systems that speak FHIR. It maps only: who may
// read what, and the audit of it, stay with the services the HTTP layer calls.
package fhir

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// Identifier and code systems. The NHS number system is UK Core's; the others are OnePlan's own,
// documented in docs/fhir.md.
const (
	NHSNumberSystem     = "https://fhir.nhs.uk/Id/nhs-number"
	ODSCodeSystem       = "https://fhir.nhs.uk/Id/ods-organization-code"
	base                = "https://github.com/oneplan-send/oneplan/fhir/"
	ReferenceSystem     = base + "Id/referral-reference"
	ReasonSystem        = base + "CodeSystem/referral-reason"
	StatusSystem        = base + "CodeSystem/referral-status"
	OrganisationTypeSys = base + "CodeSystem/organisation-type"
	MediaType           = "application/fhir+json"

	orgType = "Organization" //nolint:misspell // FHIR's resource type is spelt so
)

// orgResource is FHIR's organisation resource, whose US spelling the linter would flag everywhere.
type orgResource = fhir.Organization //nolint:misspell // FHIR's name

func ptr[T any](v T) *T { return &v }

func meta(version int, updated time.Time) *fhir.Meta {
	return &fhir.Meta{VersionId: ptr(strconv.Itoa(version)), LastUpdated: ptr(updated.UTC().Format(time.RFC3339))}
}

func ref(kind, id string) *fhir.Reference {
	if id == "" {
		return nil
	}
	return &fhir.Reference{Reference: ptr(kind + "/" + id)}
}

func date(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return ptr(t.Format("2006-01-02"))
}

// Patient shows a young person. Contacts, communication needs and ethnicity are not shown: a
// health system reads who the child is, and the rest through the API under its own purpose.
func Patient(yp person.YoungPerson) fhir.Patient {
	p := fhir.Patient{Id: ptr(yp.ID), Meta: meta(yp.Version, yp.UpdatedAt), Active: ptr(true), BirthDate: date(yp.DateOfBirth),
		Name:                 []fhir.HumanName{{Use: ptr(fhir.NameUseOfficial), Family: ptr(yp.FamilyName), Given: []string{yp.GivenName}}},
		ManagingOrganization: ref(orgType, yp.RecordedByOrgID)}
	if yp.NHSNumber != "" {
		p.Identifier = append(p.Identifier, fhir.Identifier{System: ptr(NHSNumberSystem), Value: ptr(yp.NHSNumber)})
	}
	if yp.PreferredName != "" {
		p.Name = append(p.Name, fhir.HumanName{Use: ptr(fhir.NameUseUsual), Given: []string{yp.PreferredName}})
	}
	if g, ok := genders[yp.Gender]; ok {
		p.Gender = ptr(g)
	}
	if yp.Postcode != "" {
		p.Address = []fhir.Address{{PostalCode: ptr(yp.Postcode)}}
	}
	return p
}

// genders maps OnePlan's genders to FHIR's administrative gender; "prefer not to say" is left out.
var genders = map[string]fhir.AdministrativeGender{
	"female": fhir.AdministrativeGenderFemale, "male": fhir.AdministrativeGenderMale,
	"non_binary": fhir.AdministrativeGenderOther, "other": fhir.AdministrativeGenderOther,
	"not_known": fhir.AdministrativeGenderUnknown,
}

// Organisation shows an organisation from the directory as FHIR's resource of that name.
func Organisation(o directory.Organisation) orgResource {
	out := orgResource{Id: ptr(o.ID), Meta: meta(o.Version, o.UpdatedAt), Active: ptr(true), Name: ptr(o.Name),
		Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr(OrganisationTypeSys), Code: ptr(o.Type)}}}}}
	if o.ODSCode != "" {
		out.Identifier = append(out.Identifier, fhir.Identifier{System: ptr(ODSCodeSystem), Value: ptr(o.ODSCode)})
	}
	return out
}

// PractitionerRoleSystem codes OnePlan's practitioner roles (senco, health_visitor, ...).
const PractitionerRoleSystem = base + "CodeSystem/practitioner-role"

// Practitioner shows a practitioner from the directory: their name and work contacts.
func Practitioner(p directory.Practitioner) fhir.Practitioner {
	out := fhir.Practitioner{Id: ptr(p.ID), Meta: meta(p.Version, p.UpdatedAt), Active: ptr(p.Active),
		Name: []fhir.HumanName{{Text: ptr(p.Name)}}}
	if p.Email != "" {
		out.Telecom = append(out.Telecom, fhir.ContactPoint{System: ptr(fhir.ContactPointSystemEmail), Value: ptr(p.Email), Use: ptr(fhir.ContactPointUseWork)})
	}
	if p.Phone != "" {
		out.Telecom = append(out.Telecom, fhir.ContactPoint{System: ptr(fhir.ContactPointSystemPhone), Value: ptr(p.Phone), Use: ptr(fhir.ContactPointUseWork)})
	}
	return out
}

// PractitionerRole shows what a practitioner does and for which organisation (OnePlan keeps one
// role per practitioner, so the role has the practitioner's id).
func PractitionerRole(p directory.Practitioner) fhir.PractitionerRole {
	return fhir.PractitionerRole{Id: ptr(p.ID), Meta: meta(p.Version, p.UpdatedAt), Active: ptr(p.Active),
		Practitioner: ref("Practitioner", p.ID), Organization: ref(orgType, p.OrganisationID), //nolint:misspell // FHIR field name
		Code: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: ptr(PractitionerRoleSystem), Code: ptr(p.Role)}}}}}
}

// RequestStatus is the FHIR status of a referral: open while on the pathway, completed once
// closed, revoked when declined or redirected at triage.
func RequestStatus(s referral.Status) fhir.RequestStatus {
	switch s {
	case referral.Closed:
		return fhir.RequestStatusCompleted
	case referral.Declined, referral.Redirected:
		return fhir.RequestStatusRevoked
	}
	return fhir.RequestStatusActive
}

// RequestStatuses lists the OnePlan statuses a FHIR status search matches.
func RequestStatuses(s string) ([]referral.Status, bool) {
	var out []referral.Status
	for _, st := range referral.Statuses {
		if RequestStatus(st).Code() == s {
			out = append(out, st)
		}
	}
	return out, len(out) > 0
}

// ServiceRequest shows a referral into the pathway.
func ServiceRequest(r referral.Referral) fhir.ServiceRequest {
	sr := fhir.ServiceRequest{Id: ptr(r.ID), Meta: meta(r.Version, r.UpdatedAt), Status: RequestStatus(r.Status), Intent: fhir.RequestIntentOrder,
		Identifier: []fhir.Identifier{{System: ptr(ReferenceSystem), Value: ptr(r.Reference)}},
		Priority:   ptr(fhir.RequestPriorityRoutine),
		Subject:    *ref("Patient", r.YoungPersonID), AuthoredOn: date(r.ReceivedOn),
		Requester: ref("Practitioner", r.ReferrerPractitionerID)}
	if r.SafeguardingConcern {
		sr.Priority = ptr(fhir.RequestPriorityUrgent)
	}
	for _, reason := range r.Reasons {
		sr.ReasonCode = append(sr.ReasonCode, fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(ReasonSystem), Code: ptr(reason)}}})
	}
	return sr
}

// Task shows where a referral is on the pathway, so the system that sent it can follow it.
func Task(r referral.Referral) fhir.Task {
	t := fhir.Task{Id: ptr(r.ID), Meta: meta(r.Version, r.UpdatedAt), Status: taskStatus(r.Status), Intent: "order",
		BusinessStatus: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: ptr(StatusSystem), Code: ptr(string(r.Status))}}},
		Focus:          ref("ServiceRequest", r.ID), For: ref("Patient", r.YoungPersonID),
		AuthoredOn: date(r.ReceivedOn), LastModified: ptr(r.UpdatedAt.UTC().Format(time.RFC3339)),
		Owner: ref("Practitioner", r.EngagementLeadID)}
	return t
}

func taskStatus(s referral.Status) fhir.TaskStatus {
	switch s {
	case referral.Received:
		return fhir.TaskStatusRequested
	case referral.Accepted:
		return fhir.TaskStatusAccepted
	case referral.Closed:
		return fhir.TaskStatusCompleted
	case referral.Declined, referral.Redirected:
		return fhir.TaskStatusRejected
	}
	return fhir.TaskStatusInProgress
}

// Issue is one problem in an OperationOutcome: what went wrong, and where (a FHIRPath or the
// search parameter's name).
type Issue struct {
	Code       fhir.IssueType
	Diagnostic string
	Expression string
}

// OperationOutcome reports an error the FHIR way.
func OperationOutcome(issues ...Issue) fhir.OperationOutcome {
	out := fhir.OperationOutcome{}
	for _, i := range issues {
		oi := fhir.OperationOutcomeIssue{Severity: fhir.IssueSeverityError, Code: i.Code, Diagnostics: ptr(i.Diagnostic)}
		if i.Expression != "" {
			oi.Expression = []string{i.Expression}
		}
		out.Issue = append(out.Issue, oi)
	}
	return out
}

// Searchset is a page of search results made at now: selfURL is the search as asked, nextURL the
// next page or empty, base the server's FHIR base for each entry's fullUrl.
func Searchset[T any](now time.Time, base, kind, selfURL, nextURL string, items []T, id func(T) string) (fhir.Bundle, error) {
	b := fhir.Bundle{Type: fhir.BundleTypeSearchset, Timestamp: ptr(now.UTC().Format(time.RFC3339)),
		Link: []fhir.BundleLink{{Relation: "self", Url: selfURL}}, Entry: []fhir.BundleEntry{}}
	if nextURL != "" {
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", Url: nextURL})
	}
	for _, it := range items {
		raw, err := json.Marshal(it)
		if err != nil {
			return b, fmt.Errorf("marshal %s: %w", kind, err)
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullUrl: ptr(base + "/" + kind + "/" + id(it)), Resource: raw,
			Search: &fhir.BundleEntrySearch{Mode: ptr(fhir.SearchEntryModeMatch)}})
	}
	return b, nil
}
