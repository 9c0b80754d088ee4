package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Converters for EHC plans and annual reviews.

func fromNeeds(in *[]api.EHCNeed) []ehcplan.Need {
	var out []ehcplan.Need
	for _, n := range ptrVal(in) {
		out = append(out, ehcplan.Need{Ref: n.Ref, SENType: string(ptrVal(n.SENType)), Rank: ptrVal(n.Rank), Description: n.Description})
	}
	return out
}

func toNeeds(in []ehcplan.Need) *[]api.EHCNeed {
	out := make([]api.EHCNeed, len(in))
	for i, n := range in {
		out[i] = api.EHCNeed{Ref: n.Ref, SENType: ptr(api.EHCNeedSENType(n.SENType)), Rank: ptr(n.Rank), Description: n.Description}
	}
	return &out
}

func fromProvision(in *[]api.EHCProvision) []ehcplan.Provision {
	var out []ehcplan.Provision
	for _, l := range ptrVal(in) {
		out = append(out, ehcplan.Provision{Ref: l.Ref, What: l.What, Who: l.Who, HowOften: l.HowOften, HowLong: l.HowLong, Outcomes: ptrVal(l.Outcomes)})
	}
	return out
}

func toProvision(in []ehcplan.Provision) *[]api.EHCProvision {
	out := make([]api.EHCProvision, len(in))
	for i, l := range in {
		out[i] = api.EHCProvision{Ref: l.Ref, What: l.What, Who: l.Who, HowOften: l.HowOften, HowLong: l.HowLong, Outcomes: slicePtr(l.Outcomes)}
	}
	return &out
}

func fromPlacement(in *api.EHCPlacement) ehcplan.Placement {
	if in == nil {
		return ehcplan.Placement{}
	}
	return ehcplan.Placement{SettingName: str(in.SettingName), SettingType: string(ptrVal(in.SettingType)), URN: str(in.URN), UKPRN: str(in.UKPRN),
		Residential: in.Residential, WorkBasedLearning: in.WorkBasedLearning, ConsultationID: uuidStr(in.ConsultationID),
		PlacementID: uuidStr(in.PlacementID)}
}

func fromPlanSections(in api.EHCPlanSections) ehcplan.Sections {
	s := ehcplan.Sections{B: fromNeeds(in.B), C: fromNeeds(in.C), D: fromNeeds(in.D), F: fromProvision(in.F), G: fromProvision(in.G),
		H1: fromProvision(in.H1), H2: fromProvision(in.H2), I: fromPlacement(in.I)}
	if a := in.A; a != nil {
		s.A = ehcplan.Views{Views: str(a.Views), Interests: str(a.Interests), Aspirations: str(a.Aspirations), WhoseWords: string(ptrVal(a.WhoseWords))}
	}
	for _, o := range ptrVal(in.E) {
		s.E = append(s.E, ehcplan.Outcome{Ref: o.Ref, Description: o.Description, Needs: o.Needs, PfAArea: string(ptrVal(o.PFAArea))})
	}
	if j := in.J; j != nil {
		s.J = &ehcplan.PersonalBudget{Type: string(j.Type)}
		for _, l := range j.Lines {
			s.J.Lines = append(s.J.Lines, ehcplan.BudgetLine{Stream: string(l.Stream), AmountPence: int64(l.AmountPence)})
		}
	}
	for _, k := range ptrVal(in.K) {
		a := ehcplan.AdviceObtained{Adviser: string(k.Adviser), Source: k.Source}
		if k.On != nil {
			a.On = k.On.Time
		}
		s.K = append(s.K, a)
	}
	return s
}

// toPlanJ is section J as answered: typed, or computed from the linked personal budget.
func toPlanJ(j *ehcplan.PersonalBudget) *api.EHCPersonalBudget {
	if j == nil {
		return nil
	}
	b := &api.EHCPersonalBudget{Type: api.EHCPersonalBudgetType(j.Type), Source: ptr(api.EHCPersonalBudgetSource(ehcplan.JTyped))}
	if j.Source == ehcplan.JPersonalBudget {
		b.Source, b.PersonalBudgetID = ptr(api.EHCPersonalBudgetSource(j.Source)), uuidPtr(j.BudgetID)
		b.BudgetStatus, b.Text = ptr(api.EHCPersonalBudgetBudgetStatus(j.BudgetStatus)), ptr(j.Text)
	}
	b.Lines = make([]struct {
		AmountPence int                                    `json:"amount_pence"`
		Arrangement *api.EHCPersonalBudgetLinesArrangement `json:"arrangement,omitempty"`
		Stream      api.EHCPersonalBudgetLinesStream       `json:"stream"`
	}, len(j.Lines))
	for i, l := range j.Lines {
		b.Lines[i].AmountPence, b.Lines[i].Stream = int(l.AmountPence), api.EHCPersonalBudgetLinesStream(l.Stream)
		if l.Arrangement != "" {
			b.Lines[i].Arrangement = ptr(api.EHCPersonalBudgetLinesArrangement(l.Arrangement))
		}
	}
	return b
}

func toPlanSections(s ehcplan.Sections) api.EHCPlanSections {
	out := api.EHCPlanSections{B: toNeeds(s.B), C: toNeeds(s.C), D: toNeeds(s.D), F: toProvision(s.F), G: toProvision(s.G), H1: toProvision(s.H1),
		H2: toProvision(s.H2),
		A: &api.EHCViews{Views: ptr(s.A.Views), Interests: ptr(s.A.Interests), Aspirations: ptr(s.A.Aspirations),
			WhoseWords: ptr(api.EHCViewsWhoseWords(s.A.WhoseWords))}}
	e := make([]api.EHCOutcome, len(s.E))
	for i, o := range s.E {
		e[i] = api.EHCOutcome{Ref: o.Ref, Description: o.Description, Needs: o.Needs, PFAArea: ptr(api.PfAArea(o.PfAArea))}
		if e[i].Needs == nil {
			e[i].Needs = []string{}
		}
	}
	out.E = &e
	if !s.I.Empty() {
		out.I = &api.EHCPlacement{SettingName: ptr(s.I.SettingName), SettingType: ptr(api.EHCPlacementSettingType(s.I.SettingType)), URN: ptr(s.I.URN),
			UKPRN: ptr(s.I.UKPRN), Residential: s.I.Residential, WorkBasedLearning: s.I.WorkBasedLearning}
		if s.I.ConsultationID != "" {
			id := mustUUID(s.I.ConsultationID)
			out.I.ConsultationID = &id
		}
		out.I.PlacementID = uuidPtr(s.I.PlacementID)
	}
	out.J = toPlanJ(s.J)
	k := make([]api.EHCAdviceObtained, len(s.K))
	for i, a := range s.K {
		k[i] = api.EHCAdviceObtained{Adviser: api.EHCAdviser(a.Adviser), Source: a.Source}
		if !a.On.IsZero() {
			k[i].On = optDatePtr(&a.On)
		}
	}
	out.K = &k
	return out
}

// toDeadline converts a deadline; absent dates stay absent.
func toDeadline(m statutory.Milestone) api.Milestone {
	return api.Milestone{DueOn: optDatePtr(&m.DueOn), CompletedOn: optDatePtr(&m.CompletedOn), Status: api.DeadlineStatus(m.Status)}
}

func optDeadline(m *statutory.Milestone) *api.Milestone {
	if m == nil {
		return nil
	}
	out := toDeadline(*m)
	return &out
}

func toEHCPlan(p ehcplan.Plan, asOf time.Time) api.EHCPlan {
	out := api.EHCPlan{ID: mustUUID(p.ID), YoungPersonID: mustUUID(p.YoungPersonID), EHCRequestID: uuidPtr(p.RequestID), TransferredFromLA: ptr(p.TransferredFromLA), Status: api.EHCPlanStatus(p.StatusOn(asOf)),
		LatestVersion: p.Latest().Number, FirstIssuedOn: optDatePtr(p.FirstIssuedOn), LastIssuedOn: optDatePtr(p.LastIssuedOn),
		LastReviewedOn: optDatePtr(p.LastReviewedOn), Versions: make([]api.EHCPlanVersion, len(p.Versions)), ExternalIds: toExternalIDs(p.ExternalIDs),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	inForce := p.InForceOn(asOf)
	if inForce != nil {
		out.InForceVersion = ptr(inForce.Number)
	}
	out.NextReview = optDeadline(p.NextReview(asOf))
	out.TransferIn = toTransferIn(p.Transfer)
	if t := p.PhaseTransfer; t != nil {
		out.PhaseTransfer = &struct {
			Deadline   api.Milestone                `json:"deadline"`
			Kind       api.EHCPlanPhaseTransferKind `json:"kind"`
			TransferOn openapi_types.Date           `json:"transfer_on"`
		}{Deadline: *optDeadline(p.PhaseTransferDeadline(asOf)), Kind: api.EHCPlanPhaseTransferKind(t.Kind), TransferOn: date(t.TransferOn)}
	}
	if c := p.Cessation; c != nil {
		out.Cessation = &struct {
			CeasesOn          openapi_types.Date `json:"ceases_on"`
			DecidedOn         openapi_types.Date `json:"decided_on"`
			Notes             *string            `json:"notes,omitempty"`
			Reason            api.EHCCeaseReason `json:"reason"`
			ReasonDescription string             `json:"reason_description"`
		}{CeasesOn: date(c.CeasesOn), DecidedOn: date(c.DecidedOn), Notes: ptr(c.Notes), Reason: api.EHCCeaseReason(c.Reason),
			ReasonDescription: ehcplan.CeaseReasons[c.Reason]}
	}
	for i, v := range p.Versions {
		sections := toPlanSections(v.Sections)
		sections.J = toPlanJ(p.SectionJ(v.Number))
		av := api.EHCPlanVersion{Number: v.Number, Kind: api.EHCPlanVersionKind(v.Kind), Frozen: v.Frozen(), Sections: sections,
			ServedOn: optDatePtr(v.ServedOn), CommentsDueOn: optDatePtr(v.CommentsDueOn), IssuedOn: optDatePtr(v.IssuedOn), Reason: ptr(v.Reason),
			AnnualReviewID: uuidPtr(v.AnnualReviewID), CreatedAt: v.CreatedAt,
			InForce: boolPtr(inForce != nil && inForce.Number == v.Number), AmendmentFinal: optDeadline(p.AmendmentDeadline(v, asOf))}
		out.Versions[i] = av
	}
	return out
}

func toAnnualReview(r annualreview.Review, asOf time.Time) api.AnnualReview {
	d := r.Deadlines(asOf)
	out := api.AnnualReview{ID: mustUUID(r.ID), PlanID: mustUUID(r.PlanID), YoungPersonID: mustUUID(r.YoungPersonID), Sequence: r.Sequence,
		Status: api.AnnualReviewStatus(r.Status), DueOn: date(r.DueOn), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	out.Deadlines.Review, out.Deadlines.Papers = toDeadline(d.Review), toDeadline(d.Papers)
	out.Deadlines.Report, out.Deadlines.Decision = toDeadline(d.Report), toDeadline(d.Decision)
	if m := r.Meeting; m != nil {
		att := make([]api.AnnualReviewAttendee, len(m.Attendees))
		for i, a := range m.Attendees {
			att[i] = api.AnnualReviewAttendee{Role: api.AnnualReviewAttendeeRole(a.Role), OrganisationID: uuidPtr(a.OrganisationID), Name: ptr(a.Name)}
		}
		out.Meeting = &struct {
			Attendees      []api.AnnualReviewAttendee            `json:"attendees"`
			ChildViews     *string                               `json:"child_views,omitempty"`
			MeetingOn      openapi_types.Date                    `json:"meeting_on"`
			PapersSentOn   *openapi_types.Date                   `json:"papers_sent_on,omitempty"`
			ParentViews    *string                               `json:"parent_views,omitempty"`
			PFAFocus       []api.PfAArea                         `json:"pfa_focus"`
			Recommendation api.AnnualReviewMeetingRecommendation `json:"recommendation"`
			ReportSentOn   *openapi_types.Date                   `json:"report_sent_on,omitempty"`
		}{Attendees: att, ChildViews: ptr(m.ChildViews), MeetingOn: date(m.On), PapersSentOn: optDatePtr(m.PapersSentOn), ParentViews: ptr(m.ParentViews),
			PFAFocus: toEnums[api.PfAArea](m.PfAFocus), Recommendation: api.AnnualReviewMeetingRecommendation(m.Recommendation),
			ReportSentOn: optDatePtr(m.ReportSentOn)}
		if out.Meeting.PFAFocus == nil {
			out.Meeting.PFAFocus = []api.PfAArea{}
		}
	}
	if dec := r.Decision; dec != nil {
		out.Decision = &struct {
			AppealRightsNotified bool                             `json:"appeal_rights_notified"`
			DecidedOn            openapi_types.Date               `json:"decided_on"`
			Decision             api.AnnualReviewDecisionDecision `json:"decision"`
			Reason               string                           `json:"reason"`
		}{AppealRightsNotified: dec.AppealRightsNotified, DecidedOn: date(dec.DecidedOn), Decision: api.AnnualReviewDecisionDecision(dec.Decision),
			Reason: dec.Reason}
	}
	return out
}

// Handlers.

func (h *planHandlers) CreateEHCPlan(ctx context.Context, req api.CreateEHCPlanRequestObject) (api.CreateEHCPlanResponseObject, error) {
	b := req.Body
	in := plans.EHCPlanInput{YoungPersonID: b.YoungPersonID.String(), RequestID: uuidStr(b.EHCRequestID),
		TransferredFromLA: str(b.TransferredFromLA), Sections: fromPlanSections(b.Sections), ExternalIDs: fromExternalIDs(b.ExternalIds)}
	if req.Params.IfNoneExist != nil {
		cond, err := h.svc.ParseExternalID("If-None-Exist", *req.Params.IfNoneExist)
		if err != nil {
			return nil, err
		}
		p, created, err := h.svc.CreateEHCPlanIfNoneExist(ctx, in, cond)
		if err != nil {
			return nil, err
		}
		if !created {
			return api.CreateEHCPlan200JSONResponse{Body: toEHCPlan(p, h.s.today()), Headers: api.CreateEHCPlan200ResponseHeaders{
				Location: location("/v1/ehc-plans", p.ID), ETag: etag(p.Version)}}, nil
		}
		return api.CreateEHCPlan201JSONResponse{Body: toEHCPlan(p, h.s.today()), Headers: api.CreateEHCPlan201ResponseHeaders{
			Location: location("/v1/ehc-plans", p.ID), ETag: etag(p.Version)}}, nil
	}
	p, err := h.svc.CreateEHCPlan(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreateEHCPlan201JSONResponse{Body: toEHCPlan(p, h.s.today()), Headers: api.CreateEHCPlan201ResponseHeaders{
		Location: location("/v1/ehc-plans", p.ID), ETag: etag(p.Version)}}, nil
}

func (h *planHandlers) ListEHCPlans(ctx context.Context, req api.ListEHCPlansRequestObject) (api.ListEHCPlansResponseObject, error) {
	q := req.Params
	f := ehcplan.Filter{YoungPersonID: uuidStr(q.YoungPersonID), RequestID: uuidStr(q.EHCRequestID), Status: string(ptrVal(q.Status))}
	if q.ExternalID != nil {
		id, err := h.svc.ParseExternalID("external_id", *q.ExternalID)
		if err != nil {
			return nil, err
		}
		f.ExternalID = &id
	}
	items, next, err := h.svc.EHCPlans(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	asOf := h.s.today()
	out := api.ListEHCPlans200JSONResponse{Items: make([]api.EHCPlan, len(items)), NextCursor: nextCursor(next)}
	for i, p := range items {
		out.Items[i] = toEHCPlan(p, asOf)
	}
	return out, nil
}

func (h *planHandlers) GetEHCPlan(ctx context.Context, req api.GetEHCPlanRequestObject) (api.GetEHCPlanResponseObject, error) {
	p, err := h.svc.EHCPlan(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetEHCPlan200JSONResponse{Body: toEHCPlan(p, h.s.today()), Headers: api.GetEHCPlan200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *planHandlers) UpdateEHCPlan(ctx context.Context, req api.UpdateEHCPlanRequestObject) (api.UpdateEHCPlanResponseObject, error) {
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.SetEHCPlanExternalIDs(ctx, req.ID.String(), ifMatch, fromExternalIDs(&req.Body.ExternalIds))
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateEHCPlan200JSONResponse{Body: body, Headers: api.UpdateEHCPlan200ResponseHeaders{ETag: tag}}, nil
}

// planAction runs one change to a plan with the request's If-Match.
func (h *planHandlers) planAction(ifMatchHeader *string, run func(ifMatch *int) (ehcplan.Plan, error)) (api.EHCPlan, *string, error) {
	ifMatch, err := parseIfMatch(ifMatchHeader)
	if err != nil {
		return api.EHCPlan{}, nil, err
	}
	p, err := run(ifMatch)
	if err != nil {
		return api.EHCPlan{}, nil, err
	}
	return toEHCPlan(p, h.s.today()), etag(p.Version), nil
}

func (h *planHandlers) ReviseEHCPlanDraft(ctx context.Context, req api.ReviseEHCPlanDraftRequestObject) (api.ReviseEHCPlanDraftResponseObject, error) {
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.ReviseEHCPlanDraft(ctx, req.ID.String(), ifMatch, fromPlanSections(req.Body.Sections))
	})
	if err != nil {
		return nil, err
	}
	return api.ReviseEHCPlanDraft200JSONResponse{Body: body, Headers: api.ReviseEHCPlanDraft200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) ServeEHCPlanDraft(ctx context.Context, req api.ServeEHCPlanDraftRequestObject) (api.ServeEHCPlanDraftResponseObject, error) {
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.ServeEHCPlanDraft(ctx, req.ID.String(), ifMatch, req.Body.ServedOn.Time)
	})
	if err != nil {
		return nil, err
	}
	return api.ServeEHCPlanDraft200JSONResponse{Body: body, Headers: api.ServeEHCPlanDraft200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) IssueEHCPlan(ctx context.Context, req api.IssueEHCPlanRequestObject) (api.IssueEHCPlanResponseObject, error) {
	b := req.Body
	in := ehcplan.IssueInput{IssuedOn: b.IssuedOn.Time, FamilyAgreedEarly: ptrVal(b.FamilyAgreedEarly)}
	if b.Sections != nil {
		s := fromPlanSections(*b.Sections)
		in.Sections = &s
	}
	if b.Placement != nil {
		pl := fromPlacement(b.Placement)
		in.Placement = &pl
	}
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.IssueEHCPlan(ctx, req.ID.String(), ifMatch, in)
	})
	if err != nil {
		return nil, err
	}
	return api.IssueEHCPlan200JSONResponse{Body: body, Headers: api.IssueEHCPlan200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) ProposeEHCPlanAmendment(ctx context.Context, req api.ProposeEHCPlanAmendmentRequestObject) (api.ProposeEHCPlanAmendmentResponseObject, error) {
	b := req.Body
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.ProposeEHCPlanAmendment(ctx, req.ID.String(), ifMatch, plans.AmendmentInput{NoticeOn: b.NoticeOn.Time, Reason: b.Reason,
			AnnualReviewID: uuidStr(b.AnnualReviewID), Sections: fromPlanSections(b.Sections)})
	})
	if err != nil {
		return nil, err
	}
	return api.ProposeEHCPlanAmendment200JSONResponse{Body: body, Headers: api.ProposeEHCPlanAmendment200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) CeaseEHCPlan(ctx context.Context, req api.CeaseEHCPlanRequestObject) (api.CeaseEHCPlanResponseObject, error) {
	b := req.Body
	c := ehcplan.Cessation{Reason: string(b.Reason), DecidedOn: b.DecidedOn.Time, AppealRightsNotified: ptrVal(b.AppealRightsNotified), Notes: str(b.Notes)}
	if b.CeasesOn != nil {
		c.CeasesOn = b.CeasesOn.Time
	}
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.CeaseEHCPlan(ctx, req.ID.String(), ifMatch, c)
	})
	if err != nil {
		return nil, err
	}
	return api.CeaseEHCPlan200JSONResponse{Body: body, Headers: api.CeaseEHCPlan200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) SetEHCPlanPhaseTransfer(ctx context.Context, req api.SetEHCPlanPhaseTransferRequestObject) (api.SetEHCPlanPhaseTransferResponseObject, error) {
	b := req.Body
	body, tag, err := h.planAction(req.Params.IfMatch, func(ifMatch *int) (ehcplan.Plan, error) {
		return h.svc.SetEHCPlanPhaseTransfer(ctx, req.ID.String(), ifMatch, statutory.TransferKind(b.Kind), b.TransferOn.Time)
	})
	if err != nil {
		return nil, err
	}
	return api.SetEHCPlanPhaseTransfer200JSONResponse{Body: body, Headers: api.SetEHCPlanPhaseTransfer200ResponseHeaders{ETag: tag}}, nil
}

func (h *planHandlers) ListAnnualReviews(ctx context.Context, req api.ListAnnualReviewsRequestObject) (api.ListAnnualReviewsResponseObject, error) {
	q := req.Params
	f := annualreview.Filter{PlanID: uuidStr(q.PlanID), YoungPersonID: uuidStr(q.YoungPersonID), Status: string(ptrVal(q.Status)), Overdue: q.Overdue}
	if q.DueBefore != nil {
		f.DueBefore = q.DueBefore.Time
	}
	items, next, err := h.svc.AnnualReviews(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	asOf := h.s.today()
	out := api.ListAnnualReviews200JSONResponse{Items: make([]api.AnnualReview, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = toAnnualReview(r, asOf)
	}
	return out, nil
}

func (h *planHandlers) GetAnnualReview(ctx context.Context, req api.GetAnnualReviewRequestObject) (api.GetAnnualReviewResponseObject, error) {
	r, err := h.svc.AnnualReview(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetAnnualReview200JSONResponse{Body: toAnnualReview(r, h.s.today()), Headers: api.GetAnnualReview200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *planHandlers) HoldAnnualReview(ctx context.Context, req api.HoldAnnualReviewRequestObject) (api.HoldAnnualReviewResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	m := annualreview.Meeting{On: b.MeetingOn.Time, ChildViews: str(b.ChildViews), ParentViews: str(b.ParentViews), Recommendation: string(b.Recommendation),
		PfAFocus: enumStrings(ptrVal(b.PFAFocus))}
	if b.PapersSentOn != nil {
		m.PapersSentOn = &b.PapersSentOn.Time
	}
	if b.ReportSentOn != nil {
		m.ReportSentOn = &b.ReportSentOn.Time
	}
	for _, a := range b.Attendees {
		m.Attendees = append(m.Attendees, annualreview.Attendee{Role: string(a.Role), OrganisationID: uuidStr(a.OrganisationID), Name: str(a.Name)})
	}
	r, err := h.svc.HoldAnnualReview(ctx, req.ID.String(), ifMatch, m)
	if err != nil {
		return nil, err
	}
	return api.HoldAnnualReview200JSONResponse{Body: toAnnualReview(r, h.s.today()), Headers: api.HoldAnnualReview200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *planHandlers) DecideAnnualReview(ctx context.Context, req api.DecideAnnualReviewRequestObject) (api.DecideAnnualReviewResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	var report *time.Time
	if b.ReportSentOn != nil {
		report = &b.ReportSentOn.Time
	}
	r, err := h.svc.DecideAnnualReview(ctx, req.ID.String(), ifMatch, annualreview.Decision{Decision: string(b.Decision), DecidedOn: b.DecidedOn.Time,
		AppealRightsNotified: ptrVal(b.AppealRightsNotified), Reason: b.Reason}, report)
	if err != nil {
		return nil, err
	}
	return api.DecideAnnualReview200JSONResponse{Body: toAnnualReview(r, h.s.today()), Headers: api.DecideAnnualReview200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// boolPtr keeps false, which ptr would drop as a zero value: in_force false is an answer.
func boolPtr(b bool) *bool { return &b }

// The family's views on a served draft (s.38-39, Reg 13).

func toFamilyViews(v ehcplan.FamilyViews) api.PlanFamilyViews {
	out := api.PlanFamilyViews{ID: mustUUID(v.ID), EHCPlanID: mustUUID(v.PlanID), YoungPersonID: mustUUID(v.YoungPersonID),
		DraftVersion: v.DraftVersion, Views: v.Views, WantsMeeting: v.WantsMeeting, GivenBy: api.PlanFamilyViewsGivenBy(v.GivenBy),
		GivenOn: date(v.GivenOn), CommentsDueOn: date(v.CommentsDueOn), CreatedAt: v.CreatedAt}
	if s := v.PreferredSetting; s != nil {
		out.PreferredSetting = &api.PreferredSetting{Name: s.Name, URN: ptr(s.URN), Type: ptr(api.PreferredSettingType(s.Type))}
		if s.URN == "" {
			out.PreferredSetting.URN = nil
		}
		if s.Type == "" {
			out.PreferredSetting.Type = nil
		}
	}
	return out
}

func (h *planHandlers) GiveEHCPlanFamilyViews(ctx context.Context, req api.GiveEHCPlanFamilyViewsRequestObject) (api.GiveEHCPlanFamilyViewsResponseObject, error) {
	b := req.Body
	in := plans.FamilyViewsInput{Views: b.Views, WantsMeeting: ptrVal(b.WantsMeeting)}
	if s := b.PreferredSetting; s != nil {
		in.PreferredSetting = &ehcplan.PreferredSetting{Name: s.Name, URN: str(s.URN), Type: string(ptrVal(s.Type))}
	}
	v, err := h.svc.GiveFamilyViews(ctx, req.ID.String(), in)
	if err != nil {
		return nil, err
	}
	return api.GiveEHCPlanFamilyViews201JSONResponse(toFamilyViews(v)), nil
}

func (h *planHandlers) ListFamilyViews(ctx context.Context, req api.ListFamilyViewsRequestObject) (api.ListFamilyViewsResponseObject, error) {
	q := req.Params
	f := ehcplan.FamilyViewsFilter{PlanID: uuidStr(q.EHCPlanID), YoungPersonID: uuidStr(q.YoungPersonID), WantsMeeting: q.WantsMeeting}
	items, next, err := h.svc.FamilyViews(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListFamilyViews200JSONResponse{Items: make([]api.PlanFamilyViews, len(items)), NextCursor: nextCursor(next)}
	for i, v := range items {
		out.Items[i] = toFamilyViews(v)
	}
	return out, nil
}

// What happens next, for the family.

func (h *planHandlers) GetFamilySummary(ctx context.Context, req api.GetFamilySummaryRequestObject) (api.GetFamilySummaryResponseObject, error) {
	s, err := h.svc.FamilySummary(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	out := api.GetFamilySummary200JSONResponse{YoungPersonID: req.ID, AsOf: date(h.s.today()), Requests: make([]api.FamilySummaryRequest, len(s.Requests)),
		Plans: make([]api.FamilySummaryPlan, len(s.Plans)), Upcoming: make([]api.FamilySummaryDate, len(s.Upcoming))}
	for i, r := range s.Requests {
		out.Requests[i] = api.FamilySummaryRequest{ID: mustUUID(r.ID), Status: api.EHCRequestStatus(r.Status), ReceivedOn: date(r.ReceivedOn),
			WhatIsHappening: r.WhatIsHappening}
	}
	for i, p := range s.Plans {
		out.Plans[i] = api.FamilySummaryPlan{ID: mustUUID(p.ID), Status: api.EHCPlanStatus(p.Status), WhatIsHappening: p.WhatIsHappening}
		if p.CommentsOpenUntil != nil {
			out.Plans[i].CommentsOpenUntil = ptr(date(*p.CommentsOpenUntil))
		}
	}
	for i, d := range s.Upcoming {
		out.Upcoming[i] = api.FamilySummaryDate{On: date(d.On), What: api.FamilySummaryDateWhat(d.What), RecordType: api.FamilySummaryDateRecordType(d.RecordType),
			RecordID: mustUUID(d.RecordID), Explanation: d.Explanation}
	}
	return out, nil
}

// Family invitation links.

func (h *planHandlers) CreateFamilyInvitation(ctx context.Context, req api.CreateFamilyInvitationRequestObject) (api.CreateFamilyInvitationResponseObject, error) {
	b := req.Body
	in := plans.FamilyInvitationInput{YoungPersonID: b.YoungPersonID.String(), Purpose: string(b.Purpose), PlanID: uuidStr(b.EHCPlanID)}
	if b.ExpiresOn != nil {
		in.ExpiresOn = b.ExpiresOn.Time
	}
	inv, token, err := h.svc.CreateFamilyInvitation(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreateFamilyInvitation201JSONResponse{ID: mustUUID(inv.ID), YoungPersonID: mustUUID(inv.YoungPersonID),
		Purpose: api.FamilyInvitationIssuedPurpose(inv.Purpose), EHCPlanID: uuidPtr(inv.PlanID), ExpiresAt: inv.ExpiresAt,
		Status: api.FamilyInvitationIssuedStatus(inv.Status(h.s.app.Clock.Now())), CreatedAt: inv.CreatedAt, Token: token,
		LinkPath: "/v1/family-links/" + token}, nil
}

func (h *planHandlers) GetFamilyLink(ctx context.Context, req api.GetFamilyLinkRequestObject) (api.GetFamilyLinkResponseObject, error) {
	l, err := h.svc.OpenFamilyLink(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	out := api.GetFamilyLink200JSONResponse{Purpose: api.FamilyLinkPurpose(l.Invitation.Purpose), ExpiresAt: l.Invitation.ExpiresAt}
	if l.CommentsDueOn != nil {
		out.CommentsDueOn = ptr(date(*l.CommentsDueOn))
	}
	return out, nil
}

func (h *planHandlers) RequestAssessmentByFamilyLink(ctx context.Context, req api.RequestAssessmentByFamilyLinkRequestObject) (api.RequestAssessmentByFamilyLinkResponseObject, error) {
	r, next, err := h.svc.RequestAssessmentByLink(ctx, req.Token, string(req.Body.RequestedBy), str(req.Body.Notes))
	if err != nil {
		return nil, err
	}
	return api.RequestAssessmentByFamilyLink201JSONResponse{ReceivedOn: date(r.ReceivedOn), WhatHappensNext: next}, nil
}

func (h *planHandlers) GiveViewsByFamilyLink(ctx context.Context, req api.GiveViewsByFamilyLinkRequestObject) (api.GiveViewsByFamilyLinkResponseObject, error) {
	b := req.Body
	in := plans.FamilyViewsInput{Views: b.Views, WantsMeeting: ptrVal(b.WantsMeeting)}
	if s := b.PreferredSetting; s != nil {
		in.PreferredSetting = &ehcplan.PreferredSetting{Name: s.Name, URN: str(s.URN), Type: string(ptrVal(s.Type))}
	}
	v, err := h.svc.GiveViewsByLink(ctx, req.Token, in)
	if err != nil {
		return nil, err
	}
	return api.GiveViewsByFamilyLink201JSONResponse{ReceivedOn: date(v.GivenOn),
		WhatHappensNext: "Thank you. The council has your views on the draft plan and will take them into account before the final plan is issued."}, nil
}
