package httpapi

import (
	"context"
	"strings"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// deadlineHandlers serve the statutory clock as a worklist.
type deadlineHandlers struct {
	s   *Server
	svc *deadlines.Service
}

func (h *deadlineHandlers) ListDeadlines(ctx context.Context, req api.ListDeadlinesRequestObject) (api.ListDeadlinesResponseObject, error) {
	p := req.Params
	q := deadline.Query{}
	if p.Clock != nil {
		q.Clock = deadline.Clock(*p.Clock)
	}
	if p.Status != nil {
		q.Status = deadline.Status(*p.Status)
	}
	if p.DueBefore != nil {
		q.DueBefore = p.DueBefore.Time
	}
	if p.AsOf != nil {
		q.AsOf = p.AsOf.Time
	}
	if p.YoungPersonID != nil {
		q.YoungPersonID = p.YoungPersonID.String()
	}
	if p.Owner != nil {
		q.Owner = strings.ToLower(*p.Owner)
		if q.Owner == "me" {
			// The caller's own worklist: the practitioner they act as.
			caller, _ := auth.FromContext(ctx)
			if q.Owner = caller.PractitionerID; q.Owner == "" {
				return nil, fault.Field(fault.Unprocessable, "/query/owner", "is me, but you are not acting as a practitioner: name one by id")
			}
		}
	}
	items, next, err := h.svc.List(ctx, q, page(p.Limit, p.Cursor, p.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListDeadlines200JSONResponse{Items: make([]api.Deadline, len(items)), NextCursor: nextCursor(next)}
	for i, d := range items {
		out.Items[i] = toDeadlineItem(d)
	}
	return out, nil
}

func toDeadlineItem(d deadline.Item) api.Deadline {
	out := api.Deadline{Clock: api.DeadlineClock(d.Clock), RecordType: api.DeadlineRecordType(d.RecordType), RecordID: mustUUID(d.RecordID),
		DueOn: date(d.DueOn), WarnFrom: date(d.WarnFrom), Status: api.WorklistStatus(d.Status)}
	if d.YoungPersonID != "" {
		yp := mustUUID(d.YoungPersonID)
		out.YoungPersonID = &yp
	}
	if d.Owner != "" {
		owner := mustUUID(d.Owner)
		out.OwnerPractitionerID = &owner
	}
	if d.Part != "" {
		part := d.Part
		out.Part = &part
	}
	return out
}
