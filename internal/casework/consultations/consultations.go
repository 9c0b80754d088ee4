// Package consultations runs the council's consultations with settings about naming them in an
// EHC plan (section 39 of the Children and Families Act 2014): the council consults, the setting's
// own staff, and only they, see the consultations addressed to their setting and answer them.
// Each write is one transaction with its audit event, outbox event and timeline line.
package consultations

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the consultation use cases need of a transaction.
type Tx interface {
	plans.Tx
}

// Service runs the consultation use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
}

// New returns the consultation service.
func New(core casework.Core, db casework.DB[Tx]) *Service { return &Service{Core: core, db: db} }

// Input is what the council gives to consult a setting.
type Input struct {
	OrganisationID, RequestedBy, Notes string
	SentOn                             time.Time
}

// Reach is which consultations p may see: the SEND team all; a practitioner or an engagement
// lead those addressed to their organisation; anyone else none.
func Reach(p auth.Principal) consultation.Reach {
	switch {
	case p.SeesWholeCouncil():
		return consultation.Reach{All: true}
	case p.Role == auth.RolePractitioner || p.Role == auth.RoleEngagementLead:
		return consultation.Reach{OrganisationID: p.OrganisationID}
	}
	return consultation.Reach{}
}

func payload(c consultation.Consultation) map[string]any {
	out := map[string]any{"young_person_id": c.YoungPersonID, "plan_id": c.PlanID, "organisation_id": c.OrganisationID,
		"status": string(c.Status), "requested_by": c.RequestedBy, "sent_on": c.SentOn.Format("2006-01-02"), "due_on": c.DueOn.Format("2006-01-02")}
	if c.Response != "" {
		out["response"], out["late"] = c.Response, c.Late
		out["responded_on"] = c.RespondedOn.Format("2006-01-02")
	}
	return out
}

// Consult records a consultation with a setting about a plan the caller may see.
func (s *Service) Consult(ctx context.Context, planID string, in Input) (c consultation.Consultation, err error) {
	defer casework.Wrap(&err, "consult setting on plan %s", planID)
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		pl, err := tx.Plans().Get(planID, s.Scope(p))
		if err != nil {
			return err
		}
		if pl.Status == ehcplan.Ceased {
			return fault.StateConflict("A ceased plan names no setting; this plan is ceased.", string(pl.Status))
		}
		if c, err = consultation.New(pl.ID, pl.YoungPersonID, in.OrganisationID, in.RequestedBy, in.Notes, in.SentOn, s.Today()); err != nil {
			return err
		}
		org, err := tx.Directory().Organisation(in.OrganisationID)
		if err != nil {
			return casework.Referenced(err, "/organisation_id", "no such organisation")
		}
		if !directory.IsSetting(org.Type) {
			return fault.Field(fault.Unprocessable, "/organisation_id", "must be an education setting (a school, college, nursery or other provider), not a "+org.Type)
		}
		open, err := tx.Consultations().OfPlan(pl.ID)
		if err != nil {
			return err
		}
		for _, o := range open {
			if o.OrganisationID == org.ID && o.Status == consultation.Sent {
				return fault.StateConflict("This setting has already been consulted on this plan and has not answered yet.", string(o.Status))
			}
		}
		c.ID, c.CreatedAt, c.UpdatedAt, c.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.Consultations().Create(c); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Create, consultation.RecordType, c.ID, c.YoungPersonID, nil),
			s.Notice(outbox.SettingConsultationSent, c.ID, payload(c))); err != nil {
			return err
		}
		return s.OnTimeline(tx, c.YoungPersonID, "", c.SentOn, "setting_consultation.sent", consultation.RecordType, c.ID,
			"Setting consulted about naming it in the plan (requested by "+c.RequestedBy+"); answer due "+c.DueOn.Format("2006-01-02"))
	})
	return c, err
}

func principal(ctx context.Context) auth.Principal { p, _ := auth.FromContext(ctx); return p }

// Consultation reads one consultation within the caller's reach, audited as a read.
func (s *Service) Consultation(ctx context.Context, id string) (_ consultation.Consultation, err error) {
	defer casework.Wrap(&err, "read consultation %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, consultation.RecordType, id,
		func(tx Tx, _ access.Scope) (consultation.Consultation, error) {
			return tx.Consultations().Get(id, Reach(principal(ctx)))
		},
		func(c consultation.Consultation) string { return c.YoungPersonID })
}

// Consultations lists the consultations within the caller's reach, audited as one list.
func (s *Service) Consultations(ctx context.Context, f consultation.Filter, pg paging.Page) (_ []consultation.Consultation, _ string, err error) {
	defer casework.Wrap(&err, "list consultations")
	return casework.ListAudited(ctx, s.Core, s.db, consultation.RecordType,
		func(tx Tx, _ access.Scope) ([]consultation.Consultation, string, error) {
			return tx.Consultations().List(f, Reach(principal(ctx)), pg)
		},
		func(c consultation.Consultation) (string, string) { return c.ID, c.YoungPersonID })
}

// Respond records the setting's answer; only the staff of the setting consulted may give it.
func (s *Service) Respond(ctx context.Context, id string, ifMatch *int, response, reasons string) (c consultation.Consultation, err error) {
	defer casework.Wrap(&err, "respond to consultation %s", id)
	p, err := casework.Allow(ctx, auth.RespondConsultation)
	if err != nil {
		return c, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if c, err = tx.Consultations().Get(id, consultation.Reach{OrganisationID: p.OrganisationID}); err != nil {
			return err
		}
		if err := casework.CheckVersion(ifMatch, c.Version); err != nil {
			return err
		}
		if err := c.Respond(response, reasons, s.Today()); err != nil {
			return err
		}
		c.Version, c.UpdatedAt = c.Version+1, s.Now()
		if err := tx.Consultations().Update(c); err != nil {
			return casework.Raced(err, ifMatch)
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Update, consultation.RecordType, c.ID, c.YoungPersonID,
			[]string{"status", "response", "reasons", "responded_on"}), s.Notice(outbox.SettingConsultationResponded, c.ID, payload(c))); err != nil {
			return err
		}
		when := ""
		if c.Late {
			when = ", late"
		}
		return s.OnTimeline(tx, c.YoungPersonID, "", *c.RespondedOn, "setting_consultation.responded", consultation.RecordType, c.ID,
			"Setting answered the consultation: "+c.Response+when)
	})
	return c, err
}
