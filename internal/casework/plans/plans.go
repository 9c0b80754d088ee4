// Package plans runs EHC plans and their annual reviews: drafting, serving, issuing, amending,
// phase transfer and cessation of a plan, each version kept; and the reviews scheduled from it.
package plans

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/consultation"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/familylink"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// Tx is what the plan and review use cases need of a transaction: the requests', since a plan
// closes its request.
type Tx interface {
	ehcrequests.Tx
	Plans() ehcplan.Repository
	Reviews() annualreview.Repository
	FamilyInvitations() familylink.Repository
	Consultations() consultation.Repository
	TransformingCare() tcare.Repository
}

// Service runs the plan and review use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
	// requests receives a family's request for an assessment made through an invitation link.
	requests *ehcrequests.Service
	// Systems are the short names external ids may use besides URIs (issue 18).
	Systems externalid.Systems
}

// New returns the plan service.
func New(core casework.Core, db casework.DB[Tx], requests *ehcrequests.Service) *Service {
	return &Service{Core: core, db: db, requests: requests}
}

var (
	versionedPlans = casework.Versioned[ehcplan.Plan, Tx]{Load: casework.LoadVia(Tx.Plans, ehcplan.Repository.Get),
		Save:  casework.SaveVia(Tx.Plans, ehcplan.Repository.Update),
		Stamp: func(p *ehcplan.Plan) (*int, *time.Time) { return &p.Version, &p.UpdatedAt }}
	versionedReviews = casework.Versioned[annualreview.Review, Tx]{Load: casework.LoadVia(Tx.Reviews, annualreview.Repository.Get),
		Save:  casework.SaveVia(Tx.Reviews, annualreview.Repository.Update),
		Stamp: func(r *annualreview.Review) (*int, *time.Time) { return &r.Version, &r.UpdatedAt }}
)

// dateOfBirth reads a young person's date of birth for rules that depend on age.
func dateOfBirth(tx Tx, youngPersonID string) (time.Time, error) {
	yp, err := tx.People().Get(youngPersonID, access.All)
	return yp.DateOfBirth, err
}

// planPayload is the outbox payload of a plan: ids, statuses, version numbers and dates only.
func planPayload(p ehcplan.Plan) map[string]any {
	out := map[string]any{"young_person_id": p.YoungPersonID, "status": string(p.Status), "latest_version": p.Latest().Number}
	if p.RequestID != "" {
		out["ehc_request_id"] = p.RequestID
	}
	if v := p.InForce(); v != nil {
		out["in_force_version"] = v.Number
	}
	if p.ReviewDueOn != nil {
		out["review_due_on"] = p.ReviewDueOn.Format("2006-01-02")
	}
	if t := p.Transfer; t != nil {
		d := t.Deadlines()
		out["transferred_from_la"], out["transferred_on"] = t.FromLA, t.TransferredOn.Format("2006-01-02")
		out["notify_family_by"], out["review_by"] = d.NotifyFamilyBy.Format("2006-01-02"), d.ReviewBy.Format("2006-01-02")
	}
	if c := p.Cessation; c != nil {
		out["cease_reason"], out["ceases_on"] = c.Reason, c.CeasesOn.Format("2006-01-02")
	}
	return out
}

// EHCPlanInput drafts a plan.
type EHCPlanInput struct {
	YoungPersonID, RequestID, TransferredFromLA string
	Sections                                    ehcplan.Sections
	// ExternalIDs are the plan's ids in other systems (issue 18).
	ExternalIDs []externalid.ID
}

// CreateEHCPlan drafts a young person's plan: after a decision to issue on their request, or
// without one for a plan transferred in from another authority. A young person has one plan.
func (s *Service) CreateEHCPlan(ctx context.Context, in EHCPlanInput) (pl ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "create EHC plan")
	p, err := casework.Allow(ctx, auth.RunPathway)
	if err != nil {
		return pl, err
	}
	if err := s.checkSystems(in.ExternalIDs); err != nil {
		return pl, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error { return s.createIn(ctx, tx, p, in, &pl) })
	return pl, err
}

// createIn drafts the plan in tx (CreateEHCPlan's transaction), keeping its external ids.
func (s *Service) createIn(ctx context.Context, tx Tx, p auth.Principal, in EHCPlanInput, out *ehcplan.Plan) error {
	var pl ehcplan.Plan
	defer func() { *out = pl }()
	yp, err := tx.People().Get(in.YoungPersonID, s.Scope(p))
	if err != nil {
		return casework.Referenced(err, "/young_person_id", "no such young person")
	}
	if in.RequestID != "" {
		r, err := tx.EHCRequests().Get(in.RequestID, s.Scope(p))
		if err != nil {
			return casework.Referenced(err, "/ehc_request_id", "no such EHC needs assessment request")
		}
		if r.YoungPersonID != yp.ID {
			return fault.Field(fault.Unprocessable, "/ehc_request_id", "is another young person's request")
		}
		if err := r.PlanDraftable(); err != nil {
			return err
		}
	}
	if _, err := s.CeaseDue(ctx, tx, p, s.Today(), yp.ID, 0); err != nil {
		return err
	}
	if pl, err = ehcplan.New(yp.ID, in.RequestID, yp.DateOfBirth, in.Sections, s.Now(), s.Today()); err != nil {
		return err
	}
	if err := placed(tx, pl, in.Sections.I, "/sections/i/placement_id"); err != nil {
		return err
	}
	if err := pl.TransferIn(in.TransferredFromLA); err != nil {
		return err
	}
	if err := s.checkExternalIDs(tx, p, in.ExternalIDs, ""); err != nil {
		return err
	}
	pl.ID, pl.CreatedAt, pl.UpdatedAt, pl.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := tx.Plans().Create(pl); err != nil {
		if fault.KindOf(err) == fault.Conflict {
			return fault.Field(fault.Conflict, "/young_person_id", "this young person already has an EHC plan; amend it rather than drafting another")
		}
		return err
	}
	pl.ExternalIDs = in.ExternalIDs
	if err := tx.ExternalIDs().Add(externalid.EHCPlan, pl.ID, pl.ExternalIDs, s.Now()); err != nil {
		return err
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Create, ehcplan.RecordType, pl.ID, pl.YoungPersonID, nil),
		s.Notice(outbox.EHCPlanDrafted, pl.ID, planPayload(pl))); err != nil {
		return err
	}
	return s.OnTimeline(tx, pl.YoungPersonID, "", s.Today(), "ehc_plan.drafted", ehcplan.RecordType, pl.ID, "Draft EHC plan started (version 1)")
}

// CeaseDue marks ceased the plans whose cease date has come by asOf (one young person's, or
// all when youngPersonID is empty), at most limit of them (0: every one), so the one-plan rule and
// the lists see them as they are. It returns how many it ceased.
func (s *Service) CeaseDue(ctx context.Context, tx Tx, p auth.Principal, asOf time.Time, youngPersonID string, limit int) (_ int, err error) {
	defer casework.Wrap(&err, "cease plans due")
	due, err := tx.Plans().CeaseDue(asOf, youngPersonID, limit)
	if err != nil {
		return 0, err
	}
	for _, pl := range due {
		if err := pl.MarkCeased(asOf); err != nil {
			return 0, err
		}
		if err := versionedPlans.SaveNext(s.Core, tx, &pl); err != nil {
			return 0, err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Close, ehcplan.RecordType, pl.ID, pl.YoungPersonID, []string{"status"}),
			s.Notice(outbox.EHCPlanCeased, pl.ID, planPayload(pl))); err != nil {
			return 0, err
		}
		if err := s.OnTimeline(tx, pl.YoungPersonID, "", pl.Cessation.CeasesOn, "ehc_plan.ceased", ehcplan.RecordType, pl.ID,
			"EHC plan ceased (SEN2 cease reason "+pl.Cessation.Reason+")"); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// EHCPlan reads one plan the caller may see.
func (s *Service) EHCPlan(ctx context.Context, id string) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "read EHC plan %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, ehcplan.RecordType, id,
		func(tx Tx, sc access.Scope) (ehcplan.Plan, error) { return tx.Plans().Get(id, sc) },
		func(r ehcplan.Plan) string { return r.YoungPersonID })
}

// EHCPlans lists the plans the caller may see, auditing each hit.
func (s *Service) EHCPlans(ctx context.Context, f ehcplan.Filter, pg paging.Page) (_ []ehcplan.Plan, _ string, err error) {
	defer casework.Wrap(&err, "list EHC plans")
	f.Today = s.Today()
	return casework.ListAudited(ctx, s.Core, s.db, ehcplan.RecordType,
		func(tx Tx, sc access.Scope) ([]ehcplan.Plan, string, error) { return tx.Plans().List(f, sc, pg) },
		func(r ehcplan.Plan) (string, string) { return r.ID, r.YoungPersonID })
}

// planChange is what one change to a plan does besides the plan itself.
type planChange struct {
	perm      auth.Permission
	action    string
	changed   []string
	eventType outbox.Type
	// apply changes the plan; dob is the young person's date of birth.
	apply func(tx Tx, p auth.Principal, pl *ehcplan.Plan, dob time.Time) error
	// summary is the timeline line, written after apply.
	summary func(pl ehcplan.Plan) (occurredOn time.Time, text string)
}

// changeEHCPlan loads a visible plan, checks If-Match, applies the change and writes the plan
// with its audit, outbox and timeline events in one transaction.
func (s *Service) changeEHCPlan(ctx context.Context, id string, ifMatch *int, c planChange) (ehcplan.Plan, error) {
	return versionedPlans.Change(ctx, s.Core, s.db, c.perm, id, ifMatch,
		func(tx Tx, p auth.Principal, pl *ehcplan.Plan) (bool, error) {
			dob, err := dateOfBirth(tx, pl.YoungPersonID)
			if err != nil {
				return false, err
			}
			return true, c.apply(tx, p, pl, dob)
		},
		func(tx Tx, p auth.Principal, pl ehcplan.Plan) error {
			if err := casework.Record(tx, s.Event(ctx, p, c.action, ehcplan.RecordType, pl.ID, pl.YoungPersonID, c.changed),
				s.Notice(c.eventType, pl.ID, planPayload(pl))); err != nil {
				return err
			}
			on, text := c.summary(pl)
			return s.OnTimeline(tx, pl.YoungPersonID, "", on, c.eventType.Name, ehcplan.RecordType, pl.ID, text)
		})
}

// changeLinkedRequest applies change to the plan's request, if any, in the same transaction.
func (s *Service) changeLinkedRequest(ctx context.Context, tx Tx, p auth.Principal, pl ehcplan.Plan, change func(r *ehc.Request) error, eventType outbox.Type) error {
	if pl.RequestID == "" {
		return nil
	}
	r, err := tx.EHCRequests().Get(pl.RequestID, access.Scope{})
	if err != nil {
		return err
	}
	if err := change(&r); err != nil {
		return err
	}
	if err := ehcrequests.Versioned.SaveNext(s.Core, tx, &r); err != nil {
		return err
	}
	n := s.Notice(eventType, r.ID, ehcrequests.Payload(r))
	if err := casework.Record(tx, s.Event(ctx, p, audit.Transition, ehc.RecordType, r.ID, r.YoungPersonID, []string{"status"}), n); err != nil {
		return err
	}
	// The plan's own timeline entry tells the story; the request's change is audited and published.
	return nil
}

// ReviseEHCPlanDraft replaces the draft's content (a served draft is kept; the revision is next).
func (s *Service) ReviseEHCPlanDraft(ctx context.Context, id string, ifMatch *int, sec ehcplan.Sections) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "revise EHC plan draft %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Update, changed: []string{"sections"},
		eventType: outbox.EHCPlanDraftRevised,
		apply: func(tx Tx, _ auth.Principal, pl *ehcplan.Plan, dob time.Time) error {
			if err := sectionsChecked(tx, *pl, sec, "/sections/i"); err != nil {
				return err
			}
			return pl.ReviseDraft(sec, dob, s.Now(), s.Today())
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			return s.Today(), "Draft EHC plan revised (version " + strconv.Itoa(pl.Latest().Number) + ")"
		}})
}

// ServeEHCPlanDraft records the draft sent to the family; the first one meets the request's
// draft target.
func (s *Service) ServeEHCPlanDraft(ctx context.Context, id string, ifMatch *int, on time.Time) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "serve EHC plan draft %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Transition, changed: []string{"served_on"},
		eventType: outbox.EHCPlanDraftServed,
		apply: func(tx Tx, p auth.Principal, pl *ehcplan.Plan, _ time.Time) error {
			if err := pl.ServeDraft(on, s.Today()); err != nil {
				return err
			}
			return s.changeLinkedRequest(ctx, tx, p, *pl, func(r *ehc.Request) error { return r.DraftServed(on) }, outbox.EHCRequestDraftServed)
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			l := pl.Latest()
			return *l.ServedOn, "Draft EHC plan (version " + strconv.Itoa(l.Number) + ") sent to the family; comments until " + l.CommentsDueOn.Format("2006-01-02")
		}})
}

// IssueEHCPlan issues the final plan or the amended plan. The first final closes the request
// (SEN2 assessment outcome Y) and schedules the first annual review.
func (s *Service) IssueEHCPlan(ctx context.Context, id string, ifMatch *int, in ehcplan.IssueInput) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "issue EHC plan %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Transition, changed: []string{"status", "versions"},
		eventType: outbox.EHCPlanIssued,
		apply: func(tx Tx, p auth.Principal, pl *ehcplan.Plan, dob time.Time) error {
			v, err := pl.Issue(in, dob, s.Now(), s.Today())
			if err != nil {
				return err
			}
			base := "/sections/i"
			if in.Sections == nil {
				base = "/placement"
			}
			if err := consulted(tx, *pl, v.Sections.I, base+"/consultation_id"); err != nil {
				return err
			}
			if err := placed(tx, *pl, v.Sections.I, base+"/placement_id"); err != nil {
				return err
			}
			if in.Sections != nil {
				if err := pl.TypedJ(*in.Sections); err != nil {
					return err
				}
			}
			if v.Kind != ehcplan.KindFinal {
				return nil
			}
			if err := s.changeLinkedRequest(ctx, tx, p, *pl, func(r *ehc.Request) error { return r.PlanIssued(*v.IssuedOn) }, outbox.EHCRequestPlanIssued); err != nil {
				return err
			}
			return s.scheduleReview(ctx, tx, p, *pl, 1)
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			l := pl.Latest()
			what := "Final EHC plan issued"
			if l.Kind == ehcplan.KindAmendedFinal {
				what = "Amended EHC plan issued"
			}
			return *l.IssuedOn, what + " (version " + strconv.Itoa(l.Number) + ")"
		}})
}

// scheduleReview creates the plan's next annual review, due on the plan's review date.
func (s *Service) scheduleReview(ctx context.Context, tx Tx, p auth.Principal, pl ehcplan.Plan, sequence int) error {
	r := annualreview.Schedule(pl.ID, pl.YoungPersonID, sequence, *pl.ReviewDueOn)
	r.ID, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), s.Now(), s.Now(), 1
	if err := tx.Reviews().Create(r); err != nil {
		return err
	}
	return casework.Record(tx, s.Event(ctx, p, audit.Create, annualreview.RecordType, r.ID, r.YoungPersonID, nil),
		s.Notice(outbox.AnnualReviewScheduled, r.ID, ReviewPayload(r)))
}

// AmendmentInput proposes amendments.
type AmendmentInput struct {
	NoticeOn       time.Time
	Reason         string
	AnnualReviewID string
	Sections       ehcplan.Sections
}

// ProposeEHCPlanAmendment sends proposed amendments to the family (Reg 22).
func (s *Service) ProposeEHCPlanAmendment(ctx context.Context, id string, ifMatch *int, in AmendmentInput) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "propose EHC plan amendment %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Update, changed: []string{"versions"},
		eventType: outbox.EHCPlanAmendmentProposed,
		apply: func(tx Tx, p auth.Principal, pl *ehcplan.Plan, dob time.Time) error {
			if in.AnnualReviewID != "" {
				r, err := tx.Reviews().Get(in.AnnualReviewID, access.Scope{})
				if err != nil || r.PlanID != pl.ID {
					return fault.Field(fault.Unprocessable, "/annual_review_id", "is not a review of this plan")
				}
			}
			if err := sectionsChecked(tx, *pl, in.Sections, "/sections/i"); err != nil {
				return err
			}
			return pl.ProposeAmendment(in.Sections, in.NoticeOn, in.Reason, in.AnnualReviewID, dob, s.Now(), s.Today())
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			l := pl.Latest()
			return *l.ServedOn, "Proposed amendments sent to the family; comments until " + l.CommentsDueOn.Format("2006-01-02") +
				", amended plan due " + l.FinalDueOn.Format("2006-01-02")
		}})
}

// CeaseEHCPlan records the decision to cease to maintain the plan; reviews not yet held lapse.
func (s *Service) CeaseEHCPlan(ctx context.Context, id string, ifMatch *int, c ehcplan.Cessation) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "cease EHC plan %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Transition, changed: []string{"status", "cessation"},
		eventType: outbox.EHCPlanCeasing,
		apply: func(tx Tx, p auth.Principal, pl *ehcplan.Plan, _ time.Time) error {
			if err := pl.Cease(c, s.Today()); err != nil {
				return err
			}
			pending, err := tx.Reviews().Pending(pl.ID)
			if err != nil {
				return err
			}
			for _, r := range pending {
				if !r.Lapse() {
					continue
				}
				if err := versionedReviews.SaveNext(s.Core, tx, &r); err != nil {
					return err
				}
				if err := casework.Record(tx, s.Event(ctx, p, audit.Close, annualreview.RecordType, r.ID, r.YoungPersonID, []string{"status"}),
					s.Notice(outbox.AnnualReviewCancelled, r.ID, ReviewPayload(r))); err != nil {
					return err
				}
			}
			return nil
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			return pl.Cessation.DecidedOn, "Decision to cease the EHC plan (SEN2 cease reason " + pl.Cessation.Reason + "); in force until " +
				statutory.AddDays(pl.Cessation.CeasesOn, -1).Format("2006-01-02")
		}})
}

// SetEHCPlanPhaseTransfer records the next phase transfer and its Reg 18 deadline.
func (s *Service) SetEHCPlanPhaseTransfer(ctx context.Context, id string, ifMatch *int, kind statutory.TransferKind, on time.Time) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "set EHC plan phase transfer %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Update, changed: []string{"phase_transfer"},
		eventType: outbox.EHCPlanPhaseTransferPlanned,
		apply: func(_ Tx, _ auth.Principal, pl *ehcplan.Plan, _ time.Time) error {
			return pl.SetPhaseTransfer(kind, on)
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			return s.Today(), "Phase transfer planned; plan to be reviewed and amended by " + pl.PhaseTransfer.DueOn.Format("2006-01-02")
		}})
}

// consulted checks that the consultation section I names, if any, is one on this plan (s.39):
// the placement is then linked to the setting's answer that supports it.
func consulted(tx Tx, pl ehcplan.Plan, i ehcplan.Placement, pointer string) error {
	if i.ConsultationID == "" {
		return nil
	}
	c, err := tx.Consultations().Get(i.ConsultationID, consultation.Reach{All: true})
	if err != nil || c.PlanID != pl.ID {
		return casework.Referenced(orNoConsultation(err), pointer, "is not a consultation on this plan")
	}
	return nil
}

// placed checks the placement record section I names: one of the plan's young person's placements
// (422 on pointer otherwise).
func placed(tx Tx, pl ehcplan.Plan, i ehcplan.Placement, pointer string) error {
	if i.PlacementID == "" {
		return nil
	}
	rec, err := tx.TransformingCare().Placement(i.PlacementID, access.All)
	if err != nil {
		return casework.Referenced(err, pointer, "no such placement")
	}
	if rec.YoungPersonID != pl.YoungPersonID {
		return fault.Field(fault.Unprocessable, pointer, "is another young person's placement")
	}
	return nil
}

// sectionsChecked runs the checks of a version's sections that need other records: the
// consultation and placement section I names, and no typed section J while a personal budget is
// linked to the plan. base is where the sections are in the request ("/sections", or "" for a
// placement given alone).
func sectionsChecked(tx Tx, pl ehcplan.Plan, s ehcplan.Sections, iBase string) error {
	if err := consulted(tx, pl, s.I, iBase+"/consultation_id"); err != nil {
		return err
	}
	if err := placed(tx, pl, s.I, iBase+"/placement_id"); err != nil {
		return err
	}
	return pl.TypedJ(s)
}

func orNoConsultation(err error) error {
	if err == nil {
		return fault.New(fault.NotFound, "No such consultation.")
	}
	return err
}

// RecordEHCPlanTransferIn records (or corrects) the transfer of the plan in from another
// authority (Reg 15). The plan keeps the old authority's made date and its next review is due by
// Reg 15(5)'s date; a review already scheduled here and not yet held moves to it.
func (s *Service) RecordEHCPlanTransferIn(ctx context.Context, id string, ifMatch *int, t ehcplan.TransferIn) (_ ehcplan.Plan, err error) {
	defer casework.Wrap(&err, "record EHC plan transfer in %s", id)
	return s.changeEHCPlan(ctx, id, ifMatch, planChange{perm: auth.RunPathway, action: audit.Update,
		changed: []string{"transfer_in", "transferred_from_la", "first_issued_on", "last_reviewed_on", "review_due_on"}, eventType: outbox.EHCPlanTransferredIn,
		apply: func(tx Tx, p auth.Principal, pl *ehcplan.Plan, _ time.Time) error {
			if err := pl.RecordTransferIn(t, s.Today()); err != nil {
				return err
			}
			if pl.Status != ehcplan.Issued || pl.ReviewDueOn == nil {
				return nil
			}
			pending, err := tx.Reviews().Pending(pl.ID)
			if err != nil {
				return err
			}
			for _, r := range pending {
				if r.Status != annualreview.Due || r.DueOn.Equal(*pl.ReviewDueOn) {
					continue
				}
				r.DueOn = *pl.ReviewDueOn
				if err := versionedReviews.SaveNext(s.Core, tx, &r); err != nil {
					return err
				}
				if err := tx.Audit(s.Event(ctx, p, audit.Update, annualreview.RecordType, r.ID, r.YoungPersonID, []string{"due_on"})); err != nil {
					return err
				}
			}
			return nil
		},
		summary: func(pl ehcplan.Plan) (time.Time, string) {
			d := pl.Transfer.Deadlines()
			return pl.Transfer.TransferredOn, "EHC plan transferred in from authority " + pl.Transfer.FromLA + " (Reg 15); family to be told by " +
				d.NotifyFamilyBy.Format("2006-01-02") + ", first review here by " + d.ReviewBy.Format("2006-01-02")
		}})
}
