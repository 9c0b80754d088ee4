package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/meeting"
)

// Converters for meetings and the actions agreed at them.

func fromAttendees(in *[]api.Attendee) []meeting.Attendee {
	if in == nil {
		return nil
	}
	out := make([]meeting.Attendee, len(*in))
	for i, a := range *in {
		took := true
		if a.TookPart != nil {
			took = *a.TookPart
		}
		out[i] = meeting.Attendee{Kind: string(a.Kind), PractitionerID: uuidStr(a.PractitionerID), OrganisationID: uuidStr(a.OrganisationID),
			Name: str(a.Name), Relationship: str(a.Relationship), TookPart: took, How: string(ptrVal(a.How))}
	}
	return out
}

func toAttendees(in []meeting.Attendee) []api.Attendee {
	out := make([]api.Attendee, len(in))
	for i, a := range in {
		took := a.TookPart
		out[i] = api.Attendee{Kind: api.AttendeeKind(a.Kind), PractitionerID: uuidPtr(a.PractitionerID), OrganisationID: uuidPtr(a.OrganisationID),
			Name: ptr(a.Name), Relationship: ptr(a.Relationship), TookPart: &took, How: ptr(api.AttendeeHow(a.How))}
	}
	return out
}

func fromMapDecision(in *api.MAPDecision) *meeting.MapDecision {
	if in == nil {
		return nil
	}
	return &meeting.MapDecision{Solution: in.Solution, CostBand: string(in.CostBand), Outcome: string(in.Outcome)}
}

func toMapDecision(in *meeting.MapDecision) *api.MAPDecision {
	if in == nil {
		return nil
	}
	return &api.MAPDecision{Solution: in.Solution, CostBand: api.MAPDecisionCostBand(in.CostBand), Outcome: api.MAPDecisionOutcome(in.Outcome)}
}

func fromMeetingInput(in api.MeetingInput) meeting.Meeting {
	m := meeting.Meeting{ReferralID: in.ReferralID.String(), Type: string(in.Type), HeldOn: in.HeldOn.Time, Attendees: fromAttendees(in.Attendees),
		FamilySaid: str(in.FamilySaid), Decisions: ptrVal(in.Decisions), MapDecision: fromMapDecision(in.MAPDecision)}
	for _, a := range ptrVal(in.Actions) {
		m.Actions = append(m.Actions, meeting.Action{What: a.What, OwnerPractitionerID: uuidStr(a.OwnerPractitionerID),
			OwnerDescription: str(a.OwnerDescription), DueOn: a.DueOn.Time})
	}
	return m
}

// toMeetingPatch is a meeting in its patchable shape, for JSON merge patch.
func toMeetingPatch(m meeting.Meeting) api.MeetingPatch {
	held := date(m.HeldOn)
	decisions := m.Decisions
	if decisions == nil {
		decisions = []string{}
	}
	attendees := toAttendees(m.Attendees)
	return api.MeetingPatch{HeldOn: &held, Attendees: &attendees, FamilySaid: ptr(m.FamilySaid), Decisions: &decisions,
		MAPDecision: toMapDecision(m.MapDecision)}
}

func toAction(a meeting.Action, today time.Time) api.Action {
	return api.Action{ID: mustUUID(a.ID), MeetingID: mustUUID(a.MeetingID), ReferralID: mustUUID(a.ReferralID), What: a.What,
		OwnerPractitionerID: uuidPtr(a.OwnerPractitionerID), OwnerDescription: ptr(a.OwnerDescription), DueOn: date(a.DueOn),
		Status: api.ActionStatus(a.Status), Overdue: a.OverdueOn(today), CompletedAt: a.CompletedAt,
		CompletedByPractitionerID: uuidPtr(a.CompletedByPractitionerID), CompletionNote: ptr(a.CompletionNote)}
}

func toMeeting(m meeting.Meeting, today time.Time) api.Meeting {
	before := m.BeforeReferral
	decisions := m.Decisions
	if decisions == nil {
		decisions = []string{}
	}
	actions := make([]api.Action, len(m.Actions))
	for i, a := range m.Actions {
		actions[i] = toAction(a, today)
	}
	return api.Meeting{ID: mustUUID(m.ID), ReferralID: mustUUID(m.ReferralID), YoungPersonID: mustUUID(m.YoungPersonID), Type: api.MeetingType(m.Type),
		HeldOn: date(m.HeldOn), BeforeReferral: &before, Attendees: toAttendees(m.Attendees), FamilySaid: ptr(m.FamilySaid), Decisions: decisions,
		Actions: actions, MAPDecision: toMapDecision(m.MapDecision), CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

// Handlers.

func (h *meetingHandlers) ListMeetings(ctx context.Context, req api.ListMeetingsRequestObject) (api.ListMeetingsResponseObject, error) {
	q := req.Params
	f := meeting.Filter{ReferralID: uuidStr(q.ReferralID), YoungPersonID: uuidStr(q.YoungPersonID), Type: string(ptrVal(q.Type)),
		HeldAfter: fromOptDate(q.HeldAfter), HeldBefore: fromOptDate(q.HeldBefore)}
	items, next, err := h.svc.Meetings(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListMeetings200JSONResponse{Items: make([]api.Meeting, len(items)), NextCursor: nextCursor(next)}
	d := h.s.today()
	for i, m := range items {
		out.Items[i] = toMeeting(m, d)
	}
	return out, nil
}

func (h *meetingHandlers) CreateMeeting(ctx context.Context, req api.CreateMeetingRequestObject) (api.CreateMeetingResponseObject, error) {
	m, err := h.svc.CreateMeeting(ctx, fromMeetingInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateMeeting201JSONResponse{Body: toMeeting(m, h.s.today()), Headers: api.CreateMeeting201ResponseHeaders{
		Location: location("/v1/meetings", m.ID), ETag: etag(m.Version)}}, nil
}

func (h *meetingHandlers) GetMeeting(ctx context.Context, req api.GetMeetingRequestObject) (api.GetMeetingResponseObject, error) {
	m, err := h.svc.Meeting(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetMeeting200JSONResponse{Body: toMeeting(m, h.s.today()), Headers: api.GetMeeting200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

func (h *meetingHandlers) UpdateMeeting(ctx context.Context, req api.UpdateMeetingRequestObject) (api.UpdateMeetingResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	m, err := h.svc.UpdateMeeting(ctx, req.ID.String(), ifMatch, func(cur meeting.Meeting) (meeting.Meeting, []string, error) {
		var in api.MeetingPatch
		changed, err := h.s.mergePatch(ctx, toMeetingPatch(cur), "MeetingPatch", &in)
		if in.HeldOn != nil {
			cur.HeldOn = in.HeldOn.Time
		}
		cur.Attendees, cur.FamilySaid, cur.Decisions = fromAttendees(in.Attendees), str(in.FamilySaid), ptrVal(in.Decisions)
		cur.MapDecision = fromMapDecision(in.MAPDecision)
		return cur, changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateMeeting200JSONResponse{Body: toMeeting(m, h.s.today()), Headers: api.UpdateMeeting200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

func (h *meetingHandlers) ListActions(ctx context.Context, req api.ListActionsRequestObject) (api.ListActionsResponseObject, error) {
	q := req.Params
	f := meeting.ActionFilter{OwnerPractitionerID: uuidStr(q.Owner), ReferralID: uuidStr(q.ReferralID), Status: string(ptrVal(q.Status)), Overdue: q.Overdue}
	items, next, err := h.svc.Actions(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListActions200JSONResponse{Items: make([]api.Action, len(items)), NextCursor: nextCursor(next)}
	d := h.s.today()
	for i, a := range items {
		out.Items[i] = toAction(a, d)
	}
	return out, nil
}

func (h *meetingHandlers) CompleteAction(ctx context.Context, req api.CompleteActionRequestObject) (api.CompleteActionResponseObject, error) {
	var by, note string
	if b := req.Body; b != nil {
		by, note = uuidStr(b.CompletedByPractitionerID), str(b.Note)
	}
	a, err := h.svc.CompleteAction(ctx, req.ID.String(), by, note)
	if err != nil {
		return nil, err
	}
	return api.CompleteAction200JSONResponse(toAction(a, h.s.today())), nil
}
