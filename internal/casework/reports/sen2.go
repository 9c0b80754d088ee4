package reports

import (
	"bytes"
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/sen2"
)

// SEN2Export is a built SEN2 return: the zip, and what it holds.
type SEN2Export struct {
	Zip      []byte
	FileName string
	People   int // young people in the return
	Issues   int // mandatory items missing
}

// ExportSEN2 builds the person-level SEN2 return as of the reference date. It holds names,
// dates of birth and pupil numbers, so it is for the SEND team only and every child in it is
// audited as exported, in the same transaction as the read. Only the children the return names
// are audited: the store's candidates are a wider net (a request refused years ago, say).
func (s *Service) ExportSEN2(ctx context.Context, ref time.Time) (out SEN2Export, err error) {
	defer casework.Wrap(&err, "export SEN2 return")
	p, err := casework.Allow(ctx, auth.ExportReturns)
	if err != nil {
		return out, err
	}
	if ref.After(s.Today()) {
		return out, fault.Field(fault.Invalid, "/query/reference_date", "must not be in the future")
	}
	from, _ := sen2.CollectionPeriod(ref)
	err = s.db.InTx(ctx, func(tx Tx) error {
		c, err := tx.SEN2().Candidates(from, ref)
		if err != nil {
			return err
		}
		ret := sen2.Build(s.sen2Snapshot(c, ref))
		var buf bytes.Buffer
		if err := ret.WriteZip(&buf); err != nil {
			return err
		}
		out.Zip, out.Issues = buf.Bytes(), len(ret.Issues)
		events := make([]audit.Event, 0, len(ret.People))
		// The purpose always names the return: a subject access export is audited with the same
		// action on the same record. A purpose the caller gave follows it.
		m := casework.MetaFrom(ctx)
		purpose := "SEN2 return " + ref.Format("2006-01-02")
		if m.Purpose != "" {
			purpose += ": " + m.Purpose
		}
		ctx = casework.WithMeta(ctx, casework.Meta{RequestID: m.RequestID, IP: m.IP, Purpose: purpose})
		for _, id := range ret.People {
			events = append(events, s.Event(ctx, p, audit.Export, audit.YoungPerson, id, id, nil))
		}
		out.People = len(ret.People)
		return tx.Audit(events...)
	})
	la := s.opts.LACode
	if la == "" {
		la = "LA"
	}
	out.FileName = "sen2-" + la + "-" + ref.Format("2006-01-02") + ".zip"
	return out, err
}

// sen2Snapshot turns OnePlan's records into what the return needs, as of ref.
func (s *Service) sen2Snapshot(c sen2.Candidates, ref time.Time) sen2.Snapshot {
	snap := sen2.Snapshot{LA: s.opts.LACode, ReferenceDate: ref, GeneratedAt: s.Now(), Software: "OnePlan", Release: s.opts.Release}
	for _, yp := range c.People {
		snap.Persons = append(snap.Persons, sen2.Person{ID: yp.ID, Surname: yp.FamilyName, Forename: yp.GivenName, BirthDate: yp.DateOfBirth,
			Sex: yp.Sex, Ethnicity: yp.Ethnicity, Postcode: yp.Postcode, UPN: yp.UPN, ULN: yp.ULN, UPNUnknown: yp.UPNUnknown})
	}
	planOfRequest := map[string]string{}
	for _, pl := range c.Plans {
		if pl.RequestID != "" {
			planOfRequest[pl.RequestID] = pl.ID
		}
		snap.Plans = append(snap.Plans, sen2Plan(pl, c, ref))
	}
	for _, r := range c.Requests {
		snap.Requests = append(snap.Requests, sen2Request(r, planOfRequest[r.ID], c.Disputes))
	}
	return snap
}

func sen2Request(r ehc.Request, planID string, disputes []dispute.Dispute) sen2.Request {
	out := sen2.Request{ID: r.ID, PersonID: r.YoungPersonID, ReceivedOn: r.ReceivedOn, InYouthCustody: r.InYouthCustody,
		PlanIssuedOn: r.PlanIssuedOn, Week20: r.DueDates().Week20}
	if d := r.Decision; d != nil {
		on := d.DecidedOn
		out.Decision, out.DecidedOn = d.Decision, &on
	}
	if d := r.IssueDecision; d != nil {
		on := d.DecidedOn
		out.IssueDecision, out.IssueDecidedOn = d.Decision, &on
	}
	if w := r.Withdrawal; w != nil {
		on := w.On
		out.WithdrawnOn = &on
	}
	// Mediation and tribunal flags: about the refusal to assess, the refusal to issue, or anything
	// about the plan that came of the request.
	for _, d := range disputes {
		if d.SubjectID != r.ID && (planID == "" || d.SubjectID != planID) {
			continue
		}
		var mediation, tribunal *bool
		switch {
		case d.SubjectID == r.ID && d.About == dispute.AboutRefusalToAssess:
			mediation, tribunal = &out.RequestMediation, &out.RequestTribunal
		case d.SubjectID == r.ID && d.About == dispute.AboutRefusalToIssue:
			mediation, tribunal = &out.AssessmentMediation, &out.AssessmentTribunal
		default:
			mediation, tribunal = &out.OtherMediation, &out.OtherTribunal
		}
		switch d.Kind {
		case dispute.Mediation:
			*mediation = true
		case dispute.Tribunal:
			*tribunal = true
		}
	}
	return out
}

func sen2Plan(pl ehcplan.Plan, c sen2.Candidates, ref time.Time) sen2.Plan {
	out := sen2.Plan{ID: pl.ID, PersonID: pl.YoungPersonID, RequestID: pl.RequestID, TransferredFromLA: pl.TransferredFromLA}
	if pl.FirstIssuedOn != nil {
		out.FirstIssuedOn = *pl.FirstIssuedOn
	}
	if cs := pl.Cessation; cs != nil && pl.Status != ehcplan.Issued {
		on := cs.CeasesOn
		out.CeasedOn, out.CeaseReason = &on, cs.Reason
	}
	if pt := pl.PhaseTransfer; pt != nil {
		due := pt.DueOn
		out.PhaseTransferDueOn = &due
	}
	// The version in force on ref: the latest final issued by then. The setting's entry date is
	// the first of the run of finals naming the same setting up to it.
	var inForce *ehcplan.Version
	var settingFrom time.Time
	for i := range pl.Versions {
		v := &pl.Versions[i]
		if !v.Frozen() || v.IssuedOn == nil || v.IssuedOn.After(ref) {
			continue
		}
		if inForce == nil || !sameSetting(inForce.Sections.I, v.Sections.I) {
			settingFrom = *v.IssuedOn
		}
		inForce = v
	}
	if inForce != nil {
		sec := inForce.Sections
		if !sec.I.Empty() {
			out.Placement = &sen2.Placement{SettingType: sec.I.SettingType, URN: sec.I.URN, UKPRN: sec.I.UKPRN,
				Residential: sec.I.Residential, WorkBased: sec.I.WorkBasedLearning, From: settingFrom}
		}
		// Section J as the plan shows it: computed from a linked personal budget when there is
		// one, so the return and the plan never disagree.
		if j := pl.SectionJ(inForce.Number); j != nil {
			out.BudgetType = j.Type
		}
		for _, n := range sec.B {
			out.Needs = append(out.Needs, sen2.Need{Type: n.SENType, Rank: n.Rank})
		}
	}
	if rv, ok := c.Reviews[pl.ID]; ok && rv.Meeting != nil {
		on := rv.Meeting.On
		out.LastReviewMeetingOn = &on
		if d := rv.Decision; d != nil && !d.DecidedOn.After(ref) {
			decided := d.DecidedOn
			out.LastReviewDecision, out.LastReviewDecidedOn = d.Decision, &decided
		}
	}
	return out
}

// sameSetting reports whether two versions name the same setting.
func sameSetting(a, b ehcplan.Placement) bool {
	return a.SettingName == b.SettingName && a.SettingType == b.SettingType && a.URN == b.URN && a.UKPRN == b.UKPRN
}
