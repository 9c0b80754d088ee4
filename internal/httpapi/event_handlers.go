package httpapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

type eventHandlers struct {
	s   *Server
	svc *webhooks.Service
}

func (h *eventHandlers) ListEventTypes(ctx context.Context, _ api.ListEventTypesRequestObject) (api.ListEventTypesResponseObject, error) {
	types, err := h.svc.EventTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := api.ListEventTypes200JSONResponse{Items: make([]api.EventType, len(types))}
	for i, t := range types {
		out.Items[i] = api.EventType{Name: t.Name, Version: t.Version, RecordType: t.RecordType, Summary: t.Summary, PayloadSchema: outbox.PayloadSchema(t.RecordType)}
	}
	return out, nil
}

// toAPIEvent converts through the delivered body, so the feed and a webhook say the same.
func toAPIEvent(e outbox.Published) (api.Event, error) {
	b, err := json.Marshal(webhooks.BodyOf(e))
	if err != nil {
		return api.Event{}, err
	}
	var out api.Event
	return out, json.Unmarshal(b, &out)
}

func (h *eventHandlers) ListEvents(ctx context.Context, req api.ListEventsRequestObject) (api.ListEventsResponseObject, error) {
	q := req.Params
	var types []string
	if q.Types != nil {
		types = *q.Types
	}
	limit := 0
	if q.Limit != nil {
		limit = *q.Limit
	}
	var since time.Time
	if q.UpdatedSince != nil {
		since = *q.UpdatedSince
	}
	pg, err := h.svc.Feed(ctx, str(q.After), types, since, limit)
	if err != nil {
		return nil, err
	}
	out := api.ListEvents200JSONResponse{Items: make([]api.Event, len(pg.Events)), NextCursor: pg.Next}
	for i, e := range pg.Events {
		if out.Items[i], err = toAPIEvent(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func toAPISubscription(s webhook.Subscription) api.WebhookSubscription {
	types := s.EventTypes
	if types == nil {
		types = []string{}
	}
	out := api.WebhookSubscription{ID: mustUUID(s.ID), OrganisationID: mustUUID(s.OrganisationID), View: api.WebhookView(s.View), URL: s.URL,
		EventTypes: types, Active: s.Active, Status: api.WebhookSubscriptionStatus(s.Status), CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if s.PreviousSecret != "" && s.PreviousExpiresAt != nil {
		out.PreviousSecretExpiresAt = s.PreviousExpiresAt
	}
	return out
}

func (h *eventHandlers) ListWebhookSubscriptions(ctx context.Context, req api.ListWebhookSubscriptionsRequestObject) (api.ListWebhookSubscriptionsResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.Subscriptions(ctx, webhook.Filter{OrganisationID: uuidStr(q.OrganisationID), UpdatedSince: q.UpdatedSince},
		page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListWebhookSubscriptions200JSONResponse{Items: make([]api.WebhookSubscription, len(items)), NextCursor: nextCursor(next)}
	for i, s := range items {
		out.Items[i] = toAPISubscription(s)
	}
	return out, nil
}

func (h *eventHandlers) CreateWebhookSubscription(ctx context.Context, req api.CreateWebhookSubscriptionRequestObject) (api.CreateWebhookSubscriptionResponseObject, error) {
	b := req.Body
	in := webhooks.Input{OrganisationID: b.OrganisationID.String(), View: webhook.View(b.View), URL: b.URL, Active: true}
	if b.EventTypes != nil {
		in.EventTypes = *b.EventTypes
	}
	if b.Active != nil {
		in.Active = *b.Active
	}
	sub, secret, err := h.svc.Create(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreateWebhookSubscription201JSONResponse{Body: api.WebhookSubscriptionIssued{Subscription: toAPISubscription(sub), Secret: secret},
		Headers: api.CreateWebhookSubscription201ResponseHeaders{Location: location("/v1/webhook-subscriptions", sub.ID), ETag: etag(sub.Version)}}, nil
}

func (h *eventHandlers) GetWebhookSubscription(ctx context.Context, req api.GetWebhookSubscriptionRequestObject) (api.GetWebhookSubscriptionResponseObject, error) {
	sub, err := h.svc.Subscription(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetWebhookSubscription200JSONResponse{Body: toAPISubscription(sub), Headers: api.GetWebhookSubscription200ResponseHeaders{ETag: etag(sub.Version)}}, nil
}

func (h *eventHandlers) UpdateWebhookSubscription(ctx context.Context, req api.UpdateWebhookSubscriptionRequestObject) (api.UpdateWebhookSubscriptionResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	sub, err := h.svc.Update(ctx, req.ID.String(), ifMatch, webhooks.Patch{URL: b.URL, EventTypes: b.EventTypes, Active: b.Active})
	if err != nil {
		return nil, err
	}
	return api.UpdateWebhookSubscription200JSONResponse{Body: toAPISubscription(sub), Headers: api.UpdateWebhookSubscription200ResponseHeaders{ETag: etag(sub.Version)}}, nil
}

func (h *eventHandlers) RotateWebhookSecret(ctx context.Context, req api.RotateWebhookSecretRequestObject) (api.RotateWebhookSecretResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	sub, secret, err := h.svc.RotateSecret(ctx, req.ID.String(), ifMatch, time.Duration(req.Body.OverlapSeconds)*time.Second)
	if err != nil {
		return nil, err
	}
	return api.RotateWebhookSecret200JSONResponse{Body: api.WebhookSubscriptionIssued{Subscription: toAPISubscription(sub), Secret: secret},
		Headers: api.RotateWebhookSecret200ResponseHeaders{ETag: etag(sub.Version)}}, nil
}

func (h *eventHandlers) ListWebhookDeliveries(ctx context.Context, req api.ListWebhookDeliveriesRequestObject) (api.ListWebhookDeliveriesResponseObject, error) {
	items, next, err := h.svc.Attempts(ctx, req.ID.String(), page(req.Params.Limit, req.Params.Cursor, req.Params.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListWebhookDeliveries200JSONResponse{Items: make([]api.WebhookAttempt, len(items)), NextCursor: nextCursor(next)}
	for i, a := range items {
		w := api.WebhookAttempt{ID: mustUUID(a.ID), EventID: mustUUID(a.EventID), EventType: a.EventType, Attempt: a.Attempt,
			AttemptedAt: a.AttemptedAt, LatencyMs: int(a.Latency.Milliseconds()), NextRetryAt: a.NextRetryAt}
		if a.ResponseCode != 0 {
			code := a.ResponseCode
			w.ResponseCode = &code
		}
		if a.Error != "" {
			e := a.Error
			w.Error = &e
		}
		out.Items[i] = w
	}
	return out, nil
}

func (h *eventHandlers) ReplayWebhookEvents(ctx context.Context, req api.ReplayWebhookEventsRequestObject) (api.ReplayWebhookEventsResponseObject, error) {
	b := req.Body
	n, err := h.svc.Replay(ctx, req.ID.String(), webhook.Replay{AfterEventID: uuidStr(b.AfterEventID), Since: b.Since})
	if err != nil {
		return nil, err
	}
	return api.ReplayWebhookEvents202JSONResponse{Queued: n}, nil
}
