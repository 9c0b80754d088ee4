package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/dispute"
)

// Converters for tribunal appeals, mediation and complaints.

// civilPtr is an optional date for the contract: the zero time is absent.
func civilPtr(t time.Time) *openapi_types.Date {
	if t.IsZero() {
		return nil
	}
	d := date(t)
	return &d
}

// civilOf reads an optional date from the contract: absent is the zero time.
func civilOf(d *openapi_types.Date) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}

func toDispute(d dispute.Dispute) api.Dispute {
	sections := make([]api.PlanSection, len(d.Sections))
	for i, s := range d.Sections {
		sections[i] = api.PlanSection(s)
	}
	return api.Dispute{ID: mustUUID(d.ID), YoungPersonID: mustUUID(d.YoungPersonID), Kind: api.DisputeKind(d.Kind),
		SubjectType: api.DisputeSubjectType(d.SubjectType), SubjectID: mustUUID(d.SubjectID), About: api.DisputeAbout(d.About), Sections: sections,
		BroughtBy: api.DisputeBroughtBy(d.BroughtBy), ReceivedOn: date(d.ReceivedOn), DecisionLetterOn: civilPtr(d.DecisionLetterOn),
		AppealDeadline: civilPtr(d.AppealDeadline()), CertificateIssuedOn: civilPtr(d.CertificateIssuedOn), CertificateDueOn: civilPtr(d.CertificateDue()),
		HearingOn: civilPtr(d.HearingOn), Notes: ptr(d.Notes), Status: api.DisputeStatus(d.Status()), Outcome: ptr(api.DisputeOutcome(d.Outcome)),
		ConcludedOn: civilPtr(d.ConcludedOn), ConclusionNotes: ptr(d.ConclusionNotes), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

func fromDisputeInput(in api.DisputeInput) dispute.Dispute {
	var sections []string
	for _, s := range ptrVal(in.Sections) {
		sections = append(sections, string(s))
	}
	return dispute.Dispute{Kind: dispute.Kind(in.Kind), SubjectType: string(in.SubjectType), SubjectID: in.SubjectID.String(), About: string(in.About),
		Sections: sections, BroughtBy: string(in.BroughtBy), ReceivedOn: in.ReceivedOn.Time, DecisionLetterOn: civilOf(in.DecisionLetterOn),
		CertificateIssuedOn: civilOf(in.CertificateIssuedOn), Notes: str(in.Notes)}
}

// toDisputePatch is a dispute in its patchable shape, for JSON merge patch.
func toDisputePatch(d dispute.Dispute) api.DisputePatch {
	return api.DisputePatch{Notes: ptr(d.Notes), HearingOn: civilPtr(d.HearingOn), CertificateIssuedOn: civilPtr(d.CertificateIssuedOn),
		DecisionLetterOn: civilPtr(d.DecisionLetterOn)}
}

// Handlers.

func (h *disputeHandlers) CreateDispute(ctx context.Context, req api.CreateDisputeRequestObject) (api.CreateDisputeResponseObject, error) {
	d, err := h.svc.CreateDispute(ctx, fromDisputeInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateDispute201JSONResponse{Body: toDispute(d), Headers: api.CreateDispute201ResponseHeaders{
		Location: location("/v1/disputes", d.ID), ETag: etag(d.Version)}}, nil
}

func (h *disputeHandlers) ListDisputes(ctx context.Context, req api.ListDisputesRequestObject) (api.ListDisputesResponseObject, error) {
	q := req.Params
	f := dispute.Filter{Kind: string(ptrVal(q.Kind)), YoungPersonID: uuidStr(q.YoungPersonID), SubjectID: uuidStr(q.SubjectID), Open: q.Open,
		ReceivedFrom: fromOptDate(q.ReceivedFrom), ReceivedTo: fromOptDate(q.ReceivedTo)}
	items, next, err := h.svc.Disputes(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListDisputes200JSONResponse{Items: make([]api.Dispute, len(items)), NextCursor: nextCursor(next)}
	for i, d := range items {
		out.Items[i] = toDispute(d)
	}
	return out, nil
}

func (h *disputeHandlers) GetDispute(ctx context.Context, req api.GetDisputeRequestObject) (api.GetDisputeResponseObject, error) {
	d, err := h.svc.Dispute(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetDispute200JSONResponse{Body: toDispute(d), Headers: api.GetDispute200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (h *disputeHandlers) UpdateDispute(ctx context.Context, req api.UpdateDisputeRequestObject) (api.UpdateDisputeResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.UpdateDispute(ctx, req.ID.String(), ifMatch, func(cur dispute.Dispute) (dispute.Changes, []string, error) {
		var in api.DisputePatch
		changed, err := h.s.mergePatch(ctx, toDisputePatch(cur), "DisputePatch", &in)
		if err != nil {
			return dispute.Changes{}, nil, err
		}
		// Only the fields the patch changed are passed on; null clears a field.
		var c dispute.Changes
		for _, f := range changed {
			switch f {
			case "notes":
				notes := str(in.Notes)
				c.Notes = &notes
			case "hearing_on":
				t := civilOf(in.HearingOn)
				c.HearingOn = &t
			case "certificate_issued_on":
				t := civilOf(in.CertificateIssuedOn)
				c.CertificateIssuedOn = &t
			case "decision_letter_on":
				t := civilOf(in.DecisionLetterOn)
				c.DecisionLetterOn = &t
			}
		}
		return c, changed, nil
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateDispute200JSONResponse{Body: toDispute(d), Headers: api.UpdateDispute200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (h *disputeHandlers) ConcludeDispute(ctx context.Context, req api.ConcludeDisputeRequestObject) (api.ConcludeDisputeResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.ConcludeDispute(ctx, req.ID.String(), ifMatch, string(b.Outcome), b.ConcludedOn.Time, str(b.Notes))
	if err != nil {
		return nil, err
	}
	return api.ConcludeDispute200JSONResponse{Body: toDispute(d), Headers: api.ConcludeDispute200ResponseHeaders{ETag: etag(d.Version)}}, nil
}
