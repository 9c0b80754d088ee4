package fhir

import (
	"slices"
	"strconv"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// SNOMEDSystem is SNOMED CT's FHIR system URI.
const (
	SNOMEDSystem = "http://snomed.info/sct"
	// FlagSystem codes the flags a sender may put in ServiceRequest.category.
	FlagSystem = base + "CodeSystem/referral-flag"
	// ServiceSystem codes the services already involved, also in category.
	ServiceSystem = base + "CodeSystem/service-type"
)

// ReasonMap is the ConceptMap from the codes a health system sends in ServiceRequest.reasonCode
// to OnePlan's referral reasons. OnePlan's own reason codes map to themselves. The SNOMED CT
// entries are a starting set: a council adds the codes its local systems send (and should check
// each against the NHS SNOMED CT browser) here and in docs/fhir.md.
var ReasonMap = map[string]map[string]string{
	SNOMEDSystem: {
		"406506008": "adhd",              // Attention deficit hyperactivity disorder (disorder)
		"408856003": "asd_asc",           // Autistic disorder (disorder)
		"248290002": "development",       // Developmental delay (disorder)
		"15188001":  "hearing_deaf",      // Hearing loss (disorder)
		"397540003": "visual_impairment", // Visual impairment (disorder)
		"128188000": "physical_mobility", // Cerebral palsy (disorder)
	},
}

// Reasons are OnePlan's referral reasons (the contract's ReferralReason), for its own code system.
var Reasons = []string{"adhd", "asd_asc", "attachment", "behaviour", "complex_health_needs", "complex_needs", "development",
	"hearing_deaf", "physical_mobility", "semh", "sen", "speech_language", "transitional_support", "visual_impairment", "social_care"}

// Services are OnePlan's service types (the contract's ServiceType).
var Services = []string{"school", "early_years_setting", "health_visiting", "school_nursing", "paediatrics",
	"speech_and_language_therapy", "occupational_therapy", "physiotherapy", "camhs", "educational_psychology",
	"sensory_support", "social_care", "early_help", "youth_justice", "adult_social_care", "other"}

// Incoming is a health system's referral read from a ServiceRequest: the referral, and who it is
// for (a Patient id, or an NHS number to look up).
type Incoming struct {
	Referral         referral.Referral
	PatientID, NHSNo string
}

// FromServiceRequest reads a referral from a FHIR ServiceRequest. Every problem is named by its
// FHIRPath; a reason code with no mapping is refused, never dropped.
func FromServiceRequest(sr fhir.ServiceRequest) (Incoming, []fault.FieldError) {
	var in Incoming
	var errs []fault.FieldError
	bad := func(path, detail string) { errs = append(errs, fault.FieldError{Pointer: path, Detail: detail}) }
	if sr.Status != fhir.RequestStatusActive {
		bad("ServiceRequest.status", "a referral is sent as active")
	}
	if sr.Intent != fhir.RequestIntentOrder && sr.Intent != fhir.RequestIntentOriginalOrder && sr.Intent != fhir.RequestIntentProposal {
		bad("ServiceRequest.intent", "must be order, original-order or proposal")
	}
	switch {
	case sr.Subject.Reference != nil && strings.HasPrefix(*sr.Subject.Reference, "Patient/"):
		in.PatientID = strings.TrimPrefix(*sr.Subject.Reference, "Patient/")
	case sr.Subject.Identifier != nil && sr.Subject.Identifier.System != nil && *sr.Subject.Identifier.System == NHSNumberSystem && sr.Subject.Identifier.Value != nil:
		in.NHSNo = *sr.Subject.Identifier.Value
	default:
		bad("ServiceRequest.subject", "name the child as Patient/<id> or by NHS number (identifier "+NHSNumberSystem+")")
	}
	if sr.Requester == nil || sr.Requester.Reference == nil || !strings.HasPrefix(*sr.Requester.Reference, "Practitioner/") {
		bad("ServiceRequest.requester", "name the referring practitioner as Practitioner/<id> (a practitioner in OnePlan's directory)")
	} else {
		in.Referral.ReferrerPractitionerID = strings.TrimPrefix(*sr.Requester.Reference, "Practitioner/")
	}
	for i, rc := range sr.ReasonCode {
		reason, detail := mapReason(rc)
		if detail != "" {
			bad("ServiceRequest.reasonCode["+strconv.Itoa(i)+"]", detail)
			continue
		}
		if !slices.Contains(in.Referral.Reasons, reason) {
			in.Referral.Reasons = append(in.Referral.Reasons, reason)
		}
	}
	if len(sr.ReasonCode) == 0 {
		bad("ServiceRequest.reasonCode", "give at least one reason")
	}
	for i, cat := range sr.Category {
		for _, c := range cat.Coding {
			switch {
			case c.System != nil && *c.System == FlagSystem && c.Code != nil && *c.Code == "safeguarding-concern":
				in.Referral.SafeguardingConcern = true
			case c.System != nil && *c.System == ServiceSystem && c.Code != nil && slices.Contains(Services, *c.Code):
				in.Referral.ServicesInvolved = append(in.Referral.ServicesInvolved, *c.Code)
			case c.System != nil && (*c.System == FlagSystem || *c.System == ServiceSystem):
				bad("ServiceRequest.category["+strconv.Itoa(i)+"]", "unknown code in "+*c.System)
			}
		}
	}
	if len(in.Referral.ServicesInvolved) == 0 {
		in.Referral.ServicesInvolved = []string{"other"}
	}
	if len(sr.Note) > 0 {
		in.Referral.Summary = sr.Note[0].Text
	}
	return in, errs
}

// mapReason maps one reasonCode through ReasonMap; detail says why it cannot be mapped.
func mapReason(cc fhir.CodeableConcept) (reason, detail string) {
	var tried []string
	for _, c := range cc.Coding {
		if c.System == nil || c.Code == nil {
			continue
		}
		if *c.System == ReasonSystem && slices.Contains(Reasons, *c.Code) {
			return *c.Code, ""
		}
		if r, ok := ReasonMap[*c.System][*c.Code]; ok {
			return r, ""
		}
		tried = append(tried, *c.System+"|"+*c.Code)
	}
	if len(tried) == 0 {
		return "", "give a coding with a system and a code (SNOMED CT or " + ReasonSystem + ")"
	}
	return "", "no mapping for " + strings.Join(tried, ", ") + " (see the ConceptMap in docs/fhir.md)"
}
