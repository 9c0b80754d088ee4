// Package consultation holds the council's consultations with settings about naming them in an
// EHC plan (section 39 of the Children and Families Act 2014): who was consulted, the 15 days
// they have to answer (beginning with the day the consultation was sent, as package statutory
// counts periods), and their answer. Standard library only.
package consultation

import (
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names consultations in the audit trail, outbox and timeline.
const RecordType = "setting_consultation"

// ResponseDays is the time a setting has to answer: 15 days (SEND Code of Practice, chapter 9).
const ResponseDays = 15

// Status is where a consultation stands.
type Status string

// The statuses.
const (
	Sent      Status = "sent"
	Responded Status = "responded"
)

// Who asked for the setting to be consulted.
const (
	ByFamily    = "family"    // the family named it (s.38(2)(b))
	ByAuthority = "authority" // the council proposes it
)

// The setting's answers.
const (
	CanMeetNeeds    = "can_meet_needs"
	CannotMeetNeeds = "cannot_meet_needs"
)

// Consultation is one setting consulted about one plan.
type Consultation struct {
	ID, PlanID, YoungPersonID, OrganisationID string
	RequestedBy                               string
	SentOn, DueOn                             time.Time
	Status                                    Status
	Response, Reasons                         string
	RespondedOn                               *time.Time
	Late                                      bool
	Notes                                     string
	CreatedAt, UpdatedAt                      time.Time
	Version                                   int
}

// New starts a consultation sent on sentOn (today when zero); today is the civil date now.
func New(planID, youngPersonID, organisationID, requestedBy, notes string, sentOn, today time.Time) (Consultation, error) {
	if sentOn.IsZero() {
		sentOn = today
	}
	sentOn = statutory.Civil(sentOn)
	var errs []fault.FieldError
	if requestedBy != ByFamily && requestedBy != ByAuthority {
		errs = append(errs, fault.FieldError{Pointer: "/requested_by", Detail: "must be family or authority"})
	}
	errs = statutory.AppendDay(errs, "/sent_on", sentOn, time.Time{}, "", today)
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return Consultation{}, err
	}
	return Consultation{PlanID: planID, YoungPersonID: youngPersonID, OrganisationID: organisationID, RequestedBy: requestedBy,
		Notes: notes, SentOn: sentOn, DueOn: DueOn(sentOn), Status: Sent}, nil
}

// DueOn is the last day of the setting's 15 days, beginning with the day sent.
func DueOn(sent time.Time) time.Time {
	return statutory.PeriodEndDays(statutory.Civil(sent), ResponseDays)
}

// Respond records the setting's answer on today: once; reasons are required when it cannot meet
// the child's needs; after DueOn it is taken and flagged late.
func (c *Consultation) Respond(response, reasons string, today time.Time) error {
	if c.Status != Sent {
		return fault.StateConflict("This consultation has already been answered.", string(c.Status))
	}
	var errs []fault.FieldError
	if response != CanMeetNeeds && response != CannotMeetNeeds {
		errs = append(errs, fault.FieldError{Pointer: "/response", Detail: "must be can_meet_needs or cannot_meet_needs"})
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if response == CannotMeetNeeds && strings.TrimSpace(reasons) == "" {
		return fault.Field(fault.Unprocessable, "/reasons", "a setting that cannot meet the child's needs must say why")
	}
	on := statutory.Civil(today)
	c.Status, c.Response, c.Reasons, c.RespondedOn, c.Late = Responded, response, reasons, &on, on.After(c.DueOn)
	return nil
}

// Reach says which consultations a caller may see: every one (the SEND team), those addressed
// to one organisation (its staff), or none.
type Reach struct {
	All            bool
	OrganisationID string
}

// Visible reports whether c is within reach.
func (v Reach) Visible(c Consultation) bool {
	return v.All || (v.OrganisationID != "" && v.OrganisationID == c.OrganisationID)
}

// Filter narrows a list.
type Filter struct {
	PlanID string
	Status Status
}

// Repository keeps consultations. The store implements it; a service sees only this.
type Repository interface {
	Create(c Consultation) error
	Get(id string, v Reach) (Consultation, error)
	Update(c Consultation) error
	List(f Filter, v Reach, p paging.Page) ([]Consultation, string, error)
	// OfPlan lists every consultation on one plan, oldest first.
	OfPlan(planID string) ([]Consultation, error)
}
