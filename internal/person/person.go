// Package person holds the child or young person at the centre of the pathway and the rules a
// record must keep: aged 0 to 25, and identifiers that pass their check digits.
package person

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/identifier"
)

// YoungPerson is a child or young person aged 0 to 25.
type YoungPerson struct {
	ID                 string
	GivenName          string
	FamilyName         string
	PreferredName      string
	DateOfBirth        time.Time
	NHSNumber          string
	UPN                string
	ULN                string
	UPNUnknown         string // the SEN2 reason there is no UPN or ULN (UN1...)
	Gender             string
	Sex                string // female or male, as recorded for the SEN2 return
	Ethnicity          string // DfE main ethnicity code
	Locality           string
	Postcode           string
	PrimarySENNeed     string
	EducationSettingID string
	Contacts           []Contact
	ExternalIDs        []externalid.ID // other systems' ids for the child (kept in external_ids)
	Communication      *Communication
	RecordedByOrgID    string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

// Contact is a parent, carer or other family contact. The JSON tags are the stored form.
type Contact struct {
	Name                   string `json:"name"`
	Relationship           string `json:"relationship"`
	ParentalResponsibility bool   `json:"parental_responsibility"`
	MainContact            bool   `json:"main_contact"`
	Phone                  string `json:"phone,omitempty"`
	Email                  string `json:"email,omitempty"`
}

// Communication records how the young person and family want to be communicated with.
type Communication struct {
	Language          string   `json:"language,omitempty"`
	InterpreterNeeded bool     `json:"interpreter_needed"`
	Methods           []string `json:"methods,omitempty"`
	Formats           []string `json:"formats,omitempty"`
	Notes             string   `json:"notes,omitempty"`
}

// Rules are the deployment's choices that validation depends on.
type Rules struct {
	// AllowTestNHSNumbers admits the 999 test range, for training and test environments only.
	AllowTestNHSNumbers bool
	// ExternalIDSystems are the short system names external ids may use besides URIs.
	ExternalIDSystems externalid.Systems
}

// Validate checks the record as of today and names every bad field.
func (p YoungPerson) Validate(today time.Time, rules Rules) error {
	var errs []fault.FieldError
	add := func(ptr, detail string) { errs = append(errs, fault.FieldError{Pointer: ptr, Detail: detail}) }
	switch {
	case p.DateOfBirth.After(today):
		add("/date_of_birth", "must not be in the future")
	case !age.InRange0to25(p.DateOfBirth, today):
		add("/date_of_birth", "the pathway is for children and young people aged 0 to 25")
	}
	if p.NHSNumber != "" {
		if err := identifier.CheckNHSNumber(p.NHSNumber); err != nil {
			add("/nhs_number", "is not a valid NHS number: "+err.Error())
		} else if identifier.IsTestNHSNumber(p.NHSNumber) && !rules.AllowTestNHSNumbers {
			add("/nhs_number", "is in the NHS test range, which this deployment does not accept")
		}
	}
	if p.UPN != "" {
		if err := identifier.CheckUPN(p.UPN); err != nil {
			add("/upn", "is not a valid unique pupil number: "+err.Error())
		}
	}
	if p.ULN != "" {
		if err := identifier.CheckULN(p.ULN); err != nil {
			add("/uln", "is not a valid unique learner number: "+err.Error())
		}
	}
	if p.UPNUnknown != "" && (p.UPN != "" || p.ULN != "") {
		add("/upn_unknown", "give a reason only when there is no UPN or ULN")
	}
	mains := 0
	for _, c := range p.Contacts {
		if c.MainContact {
			mains++
		}
	}
	if mains > 1 {
		add("/contacts", "at most one contact can be the main contact")
	}
	errs = append(errs, rules.ExternalIDSystems.Validate("/external_ids", p.ExternalIDs)...)
	return fault.Fields(fault.Invalid, errs)
}

// AgeOn returns completed years on the given day.
func (p YoungPerson) AgeOn(day time.Time) int { return age.YearsOn(p.DateOfBirth, day) }
