package httpapi

import (
	"context"
	"io"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/advice"
	"github.com/oneplan-send/oneplan/internal/adviserlink"
	"github.com/oneplan-send/oneplan/internal/casework/adviserlinks"
	"github.com/oneplan-send/oneplan/internal/document"
)

// Handlers for adviser invitation links: the council issues and revokes them; their holders,
// with no credentials, read what was asked, attach reports and submit the advice once.
type adviserLinkHandlers struct {
	s   *Server
	svc *adviserlinks.Service
}

func toAdviserInvitation(i adviserlink.Invitation, status string) api.AdviserInvitation {
	return api.AdviserInvitation{ID: mustUUID(i.ID), AdviceRequestID: mustUUID(i.AdviceRequestID), ExpiresAt: i.ExpiresAt,
		Status: api.AdviserInvitationStatus(status), DocumentsAttached: len(i.DocumentIDs), UsedAt: i.UsedAt, RevokedAt: i.RevokedAt,
		CreatedAt: i.CreatedAt, Version: i.Version}
}

func toAdviserLinkDocument(d document.Document) api.AdviserLinkDocument {
	return api.AdviserLinkDocument{ID: mustUUID(d.ID), Kind: api.AdviserLinkDocumentKind(d.Kind), Title: d.Title, FileName: d.FileName,
		MediaType: d.MediaType, SizeBytes: d.SizeBytes, Sha256: d.SHA256, CreatedAt: d.CreatedAt}
}

func (h *adviserLinkHandlers) CreateAdviserInvitation(ctx context.Context, req api.CreateAdviserInvitationRequestObject) (api.CreateAdviserInvitationResponseObject, error) {
	var expiresOn time.Time
	if req.Body.ExpiresOn != nil {
		expiresOn = req.Body.ExpiresOn.Time
	}
	inv, token, err := h.svc.Issue(ctx, req.ID.String(), expiresOn)
	if err != nil {
		return nil, err
	}
	return api.CreateAdviserInvitation201JSONResponse{ID: mustUUID(inv.ID), AdviceRequestID: mustUUID(inv.AdviceRequestID), ExpiresAt: inv.ExpiresAt,
		Status: api.AdviserInvitationStatus(inv.Status(h.s.app.Clock.Now())), CreatedAt: inv.CreatedAt, Token: token,
		LinkPath: "/v1/adviser-links/" + token}, nil
}

func (h *adviserLinkHandlers) RevokeAdviserInvitation(ctx context.Context, req api.RevokeAdviserInvitationRequestObject) (api.RevokeAdviserInvitationResponseObject, error) {
	inv, err := h.svc.Revoke(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.RevokeAdviserInvitation200JSONResponse(toAdviserInvitation(inv, inv.Status(h.s.app.Clock.Now()))), nil
}

func (h *adviserLinkHandlers) GetAdviserLink(ctx context.Context, req api.GetAdviserLinkRequestObject) (api.GetAdviserLinkResponseObject, error) {
	l, err := h.svc.Open(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	out := api.GetAdviserLink200JSONResponse{Adviser: l.Request.Adviser, RequestedOn: date(l.Request.RequestedOn), DueOn: date(l.Request.DueOn),
		ExpiresAt: l.Invitation.ExpiresAt, Documents: make([]api.AdviserLinkDocument, len(l.Documents))}
	for i, d := range l.Documents {
		out.Documents[i] = toAdviserLinkDocument(d)
	}
	return out, nil
}

func (h *adviserLinkHandlers) AttachByAdviserLink(ctx context.Context, req api.AttachByAdviserLinkRequestObject) (api.AttachByAdviserLinkResponseObject, error) {
	content, err := io.ReadAll(io.LimitReader(req.Body, h.s.app.Documents.Limits().MaxBytes+1))
	if err != nil {
		return nil, err
	}
	q := req.Params
	d, err := h.svc.Attach(ctx, req.Token, document.Meta{Kind: string(q.Kind), Title: q.Title, FileName: str(q.FileName), Declared: document.Octet}, content)
	if err != nil {
		return nil, err
	}
	return api.AttachByAdviserLink201JSONResponse(toAdviserLinkDocument(d)), nil
}

func (h *adviserLinkHandlers) SubmitAdviceByAdviserLink(ctx context.Context, req api.SubmitAdviceByAdviserLinkRequestObject) (api.SubmitAdviceByAdviserLinkResponseObject, error) {
	b := req.Body
	in := advice.Submission{Sections: advice.Sections{Summary: str(b.Sections.Summary), Needs: str(b.Sections.Needs),
		Outcomes: str(b.Sections.Outcomes), Provision: str(b.Sections.Provision)}}
	if b.DocumentIds != nil {
		in.DocumentIDs = idStrings(*b.DocumentIds)
	}
	if b.InformsSections != nil {
		for _, s := range *b.InformsSections {
			in.Informs = append(in.Informs, string(s))
		}
	}
	v, err := h.svc.Submit(ctx, req.Token, in)
	if err != nil {
		return nil, err
	}
	out := api.SubmitAdviceByAdviserLink201JSONResponse{SubmittedOn: date(*v.SubmittedOn), DueOn: date(v.DueOn), Late: v.Late,
		InformsSections: make([]api.PlanSectionCode, len(v.Informs)), DocumentIds: make([]openapi_types.UUID, len(v.DocumentIDs))}
	for i, s := range v.Informs {
		out.InformsSections[i] = api.PlanSectionCode(s)
	}
	for i, id := range v.DocumentIDs {
		out.DocumentIds[i] = mustUUID(id)
	}
	return out, nil
}
