package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Converters for transition plans.

func fromPfaArea(a *api.PFAArea) transition.Area {
	if a == nil {
		return transition.Area{}
	}
	return transition.Area{Aspirations: str(a.Aspirations), Actions: str(a.Actions)}
}

func toPfaArea(a transition.Area) *api.PFAArea {
	return &api.PFAArea{Aspirations: ptr(a.Aspirations), Actions: ptr(a.Actions)}
}

func fromAdultContacts(in *[]api.AdultServicesContact) []transition.Contact {
	if in == nil {
		return nil
	}
	out := make([]transition.Contact, len(*in))
	for i, c := range *in {
		out[i] = transition.Contact{Service: string(c.Service), OrganisationID: uuidStr(c.OrganisationID), ContactName: str(c.ContactName),
			ContactRole: str(c.ContactRole)}
	}
	return out
}

func toAdultContacts(in []transition.Contact) []api.AdultServicesContact {
	out := make([]api.AdultServicesContact, len(in))
	for i, c := range in {
		out[i] = api.AdultServicesContact{Service: api.AdultService(c.Service), OrganisationID: uuidPtr(c.OrganisationID),
			ContactName: ptr(c.ContactName), ContactRole: ptr(c.ContactRole)}
	}
	return out
}

func fromCHC(c *api.CHCInput) transition.CHC {
	if c == nil {
		return transition.CHC{}
	}
	return transition.CHC{IdentifiedOn: fromOptDate(c.IdentifiedOn), ReferredOn: fromOptDate(c.ReferredOn),
		EligibilityDecidedOn: fromOptDate(c.EligibilityDecidedOn), Eligible: c.Eligible, InPlaceOn: fromOptDate(c.InPlaceOn)}
}

func fromTransitionInput(in api.TransitionPlanInput) transition.Plan {
	p := transition.Plan{YoungPersonID: in.YoungPersonID.String(), StartedOn: in.StartedOn.Time, Contacts: fromAdultContacts(in.AdultServicesContacts),
		CHC: fromCHC(in.CHC), EHCPlanExpectedEndOn: fromOptDate(in.EHCPlanExpectedEndOn), Notes: str(in.Notes)}
	if f := in.PFA; f != nil {
		p.PfA = transition.PfA{EmploymentEducation: fromPfaArea(f.EmploymentEducation), IndependentLiving: fromPfaArea(f.IndependentLiving),
			Community: fromPfaArea(f.Community), Health: fromPfaArea(f.Health)}
	}
	if c := in.CareActAssessment; c != nil {
		p.CareAct = transition.CareActAssessment{Status: string(c.Status), RequestedOn: fromOptDate(c.RequestedOn), CompletedOn: fromOptDate(c.CompletedOn),
			Notes: str(c.Notes)}
	}
	return p
}

// toTransitionInput is a plan in its create shape, for JSON merge patch: the patched document is
// decoded back through fromTransitionInput, so a patch can set exactly what a create can.
func toTransitionInput(p transition.Plan) api.TransitionPlanInput {
	contacts := toAdultContacts(p.Contacts)
	area := func(a transition.Area) *api.PFAArea {
		if a == (transition.Area{}) {
			return nil
		}
		return toPfaArea(a)
	}
	in := api.TransitionPlanInput{YoungPersonID: mustUUID(p.YoungPersonID), StartedOn: date(p.StartedOn), AdultServicesContacts: &contacts,
		CareActAssessment: &api.CareActAssessment{Status: api.CareActAssessmentStatus(p.CareAct.Status), RequestedOn: optDatePtr(p.CareAct.RequestedOn),
			CompletedOn: optDatePtr(p.CareAct.CompletedOn), Notes: ptr(p.CareAct.Notes)},
		EHCPlanExpectedEndOn: optDatePtr(p.EHCPlanExpectedEndOn), Notes: ptr(p.Notes),
		PFA: &api.PFA{EmploymentEducation: area(p.PfA.EmploymentEducation), IndependentLiving: area(p.PfA.IndependentLiving),
			Community: area(p.PfA.Community), Health: area(p.PfA.Health)}}
	c := p.CHC
	if c != (transition.CHC{}) {
		in.CHC = &api.CHCInput{IdentifiedOn: optDatePtr(c.IdentifiedOn), ReferredOn: optDatePtr(c.ReferredOn),
			EligibilityDecidedOn: optDatePtr(c.EligibilityDecidedOn), Eligible: c.Eligible, InPlaceOn: optDatePtr(c.InPlaceOn)}
	}
	return in
}

func toMilestone(m transition.Milestone) api.TransitionMilestone {
	return api.TransitionMilestone{DueOn: date(m.DueOn), CompletedOn: optDatePtr(m.CompletedOn), Status: api.DeadlineStatus(m.Status)}
}

func toTransitionPlan(p transition.Plan, today time.Time) api.TransitionPlan {
	m := p.Milestones(today)
	c := p.CHC
	out := api.TransitionPlan{ID: mustUUID(p.ID), YoungPersonID: mustUUID(p.YoungPersonID), StartedOn: date(p.StartedOn), Current: !p.Ended(),
		PFA: api.PFA{EmploymentEducation: toPfaArea(p.PfA.EmploymentEducation), IndependentLiving: toPfaArea(p.PfA.IndependentLiving),
			Community: toPfaArea(p.PfA.Community), Health: toPfaArea(p.PfA.Health)},
		AdultServicesContacts: toAdultContacts(p.Contacts),
		CareActAssessment: api.CareActAssessment{Status: api.CareActAssessmentStatus(p.CareAct.Status), RequestedOn: optDatePtr(p.CareAct.RequestedOn),
			CompletedOn: optDatePtr(p.CareAct.CompletedOn), Notes: ptr(p.CareAct.Notes)},
		CHC: api.CHC{IdentifiedOn: optDatePtr(c.IdentifiedOn), ReferredOn: optDatePtr(c.ReferredOn), EligibilityDecidedOn: optDatePtr(c.EligibilityDecidedOn),
			Eligible: c.Eligible, InPlaceOn: optDatePtr(c.InPlaceOn),
			Milestones: api.CHCMilestones{Identify: toMilestone(m.Identify), Refer: toMilestone(m.Refer),
				EligibilityDecided: toMilestone(m.EligibilityDecided), InPlace: toMilestone(m.InPlace)}},
		EHCPlanExpectedEndOn: optDatePtr(p.EHCPlanExpectedEndOn), Notes: ptr(p.Notes),
		Age: age.YearsOn(p.DateOfBirth, today), NationalCurriculumYear: age.NationalCurriculumYear(p.DateOfBirth, today),
		InYear9OrAbove: transition.InYear9OrAbove(p.DateOfBirth, today), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if e := p.Ending; e != nil {
		out.Ending = &api.TransitionPlanEnding{EndedOn: date(e.On), Reason: api.TransitionPlanEndReason(e.Reason), Notes: ptr(e.Notes)}
	}
	return out
}

func toTransitionGap(g transitions.GapItem) api.TransitionGap {
	out := api.TransitionGap{YoungPersonID: mustUUID(g.YoungPersonID), GivenName: g.GivenName, FamilyName: g.FamilyName,
		PreferredName: ptr(g.PreferredName), DateOfBirth: date(g.DateOfBirth), Age: g.Age, NationalCurriculumYear: g.NationalCurriculumYear,
		Reasons: []api.TransitionGapReason{}, GapSince: date(g.GapSince)}
	if g.OpenReferral {
		out.Reasons = append(out.Reasons, api.TransitionGapReasonOpenReferral)
	}
	if g.EHCPlan {
		out.Reasons = append(out.Reasons, api.TransitionGapReasonEHCPlan)
	}
	return out
}

func toUpcomingTransition(u transitions.UpcomingItem) api.UpcomingTransition {
	return api.UpcomingTransition{YoungPersonID: mustUUID(u.YoungPersonID), Kind: api.UpcomingTransitionKind(u.Kind), On: date(u.On),
		HasCurrentTransitionPlan: u.HasCurrentTransitionPlan, RelatedID: uuidPtr(u.RelatedID), RelatedType: ptr(api.UpcomingTransitionRelatedType(u.RelatedType))}
}

// Handlers.

func (h *transitionHandlers) CreateTransitionPlan(ctx context.Context, req api.CreateTransitionPlanRequestObject) (api.CreateTransitionPlanResponseObject, error) {
	p, err := h.svc.CreateTransitionPlan(ctx, fromTransitionInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateTransitionPlan201JSONResponse{Body: toTransitionPlan(p, h.s.today()), Headers: api.CreateTransitionPlan201ResponseHeaders{
		Location: location("/v1/transition-plans", p.ID), ETag: etag(p.Version)}}, nil
}

func (h *transitionHandlers) ListTransitionPlans(ctx context.Context, req api.ListTransitionPlansRequestObject) (api.ListTransitionPlansResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.TransitionPlans(ctx, transition.Filter{YoungPersonID: uuidStr(q.YoungPersonID), Current: q.Current},
		page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	d := h.s.today()
	out := api.ListTransitionPlans200JSONResponse{Items: make([]api.TransitionPlan, len(items)), NextCursor: nextCursor(next)}
	for i, p := range items {
		out.Items[i] = toTransitionPlan(p, d)
	}
	return out, nil
}

func (h *transitionHandlers) GetTransitionPlan(ctx context.Context, req api.GetTransitionPlanRequestObject) (api.GetTransitionPlanResponseObject, error) {
	p, err := h.svc.TransitionPlan(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetTransitionPlan200JSONResponse{Body: toTransitionPlan(p, h.s.today()), Headers: api.GetTransitionPlan200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *transitionHandlers) UpdateTransitionPlan(ctx context.Context, req api.UpdateTransitionPlanRequestObject) (api.UpdateTransitionPlanResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.UpdateTransitionPlan(ctx, req.ID.String(), ifMatch, func(cur transition.Plan) (transition.Plan, []string, error) {
		var in api.TransitionPlanInput
		changed, err := h.s.mergePatch(ctx, toTransitionInput(cur), "TransitionPlanInput", &in)
		if err != nil {
			return cur, nil, err
		}
		return fromTransitionInput(in), changed, nil
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateTransitionPlan200JSONResponse{Body: toTransitionPlan(p, h.s.today()), Headers: api.UpdateTransitionPlan200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *transitionHandlers) EndTransitionPlan(ctx context.Context, req api.EndTransitionPlanRequestObject) (api.EndTransitionPlanResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	var on time.Time
	if b.EndedOn != nil {
		on = b.EndedOn.Time
	}
	p, err := h.svc.EndTransitionPlan(ctx, req.ID.String(), ifMatch, on, string(b.Reason), str(b.Notes))
	if err != nil {
		return nil, err
	}
	return api.EndTransitionPlan200JSONResponse{Body: toTransitionPlan(p, h.s.today()), Headers: api.EndTransitionPlan200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *transitionHandlers) ListTransitionGaps(ctx context.Context, req api.ListTransitionGapsRequestObject) (api.ListTransitionGapsResponseObject, error) {
	q := req.Params
	gq := transitions.GapQuery{MinAge: ptrVal(q.MinAge), SchoolYear: ptrVal(q.SchoolYear)}
	if q.AsOf != nil {
		gq.AsOf = q.AsOf.Time
	}
	items, next, err := h.svc.TransitionGaps(ctx, gq, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListTransitionGaps200JSONResponse{Items: make([]api.TransitionGap, len(items)), NextCursor: nextCursor(next)}
	for i, g := range items {
		out.Items[i] = toTransitionGap(g)
	}
	return out, nil
}

func (h *transitionHandlers) ListUpcomingTransitions(ctx context.Context, req api.ListUpcomingTransitionsRequestObject) (api.ListUpcomingTransitionsResponseObject, error) {
	q := req.Params
	uq := transitions.UpcomingQuery{WithinMonths: ptrVal(q.WithinMonths)}
	if q.AsOf != nil {
		uq.AsOf = q.AsOf.Time
	}
	items, next, err := h.svc.UpcomingTransitions(ctx, uq, page(q.Limit, q.Cursor, nil))
	if err != nil {
		return nil, err
	}
	out := api.ListUpcomingTransitions200JSONResponse{Items: make([]api.UpcomingTransition, len(items)), NextCursor: nextCursor(next)}
	for i, u := range items {
		out.Items[i] = toUpcomingTransition(u)
	}
	return out, nil
}
