// Package webhooks tells other systems what changed: webhook subscriptions and their delivery in
// the background (dispatch.go), the pull feed over the same outbox, and the event catalogue.
package webhooks

import (
	"context"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// Tx is what the webhook use cases need of a transaction.
type Tx interface {
	casework.Recorder
	Directory() directory.Repository
	Webhooks() webhook.Repository
	WebhookQueue() webhook.Queue
	Feed() outbox.Feed
}

// Service runs the webhook use cases and the dispatcher.
type Service struct {
	casework.Core
	db     casework.DB[Tx]
	policy webhook.Policy
	opts   Options
	client *client
	fleet  *fleet
}

// New returns the webhook service.
func New(core casework.Core, db casework.DB[Tx], policy webhook.Policy, opts Options) *Service {
	opts = opts.withDefaults()
	return &Service{Core: core, db: db, policy: policy, opts: opts, client: newClient(policy, opts.Timeout), fleet: newFleet(opts.Concurrency)}
}

// Audit record type of a subscription.
const recordType = "webhook_subscription"

// EventTypes is the catalogue.
func (s *Service) EventTypes(ctx context.Context) ([]outbox.Type, error) {
	if _, err := casework.Allow(ctx, auth.ReadEvents); err != nil {
		return nil, err
	}
	return outbox.Catalogue, nil
}

// FeedPage is one page of the pull feed.
type FeedPage struct {
	Events []outbox.Published
	Next   string // the cursor to continue from; always set
}

// Feed lists committed events after the cursor, in commit order, that the caller may see. The
// service's administrative events (API keys, subscriptions) are in no one's feed: they go to
// council subscriptions only. The read is audited like any list: one event naming every event
// shown and every child they are about.
func (s *Service) Feed(ctx context.Context, after string, types []string, since time.Time, limit int) (page FeedPage, err error) {
	defer casework.Wrap(&err, "read the event feed")
	p, err := casework.Allow(ctx, auth.ReadEvents)
	if err != nil {
		return page, err
	}
	var seq int64
	if after != "" {
		if seq, err = strconv.ParseInt(after, 10, 64); err != nil || seq < 0 {
			return page, fault.Field(fault.Invalid, "/query/after", "Not a cursor this feed gave out.")
		}
	}
	if t, ok := outbox.Unknown(types); ok {
		// A query parameter is named as every other query error names it: types is one
		// comma-separated parameter, so there is no element to point into.
		return page, fault.Field(fault.Invalid, "/query/types", "No such event type: "+strconv.Quote(t)+" (see GET /v1/event-types).")
	}
	if limit <= 0 || limit > paging.Max {
		limit = paging.Default
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		events, next, err := tx.Feed().After(seq, types, webhook.AdministrativeRecordTypes, since, s.Scope(p), limit)
		if err != nil {
			return err
		}
		page = FeedPage{Events: events, Next: strconv.FormatInt(next, 10)}
		if len(events) == 0 {
			return nil
		}
		e := s.Event(ctx, p, audit.List, "event", "", "", nil)
		seen := map[string]bool{}
		for _, ev := range events {
			e.RecordIDs = append(e.RecordIDs, ev.ID)
			if ev.YoungPersonID != "" && !seen[ev.YoungPersonID] {
				seen[ev.YoungPersonID] = true
				e.YoungPersonIDs = append(e.YoungPersonIDs, ev.YoungPersonID)
			}
		}
		return tx.Audit(e)
	})
	return page, err
}

// Input is what a caller sets on a subscription.
type Input struct {
	OrganisationID string
	View           webhook.View
	URL            string
	EventTypes     []string
	Active         bool
}

// Create adds a subscription and returns it with its signing secret, shown this once.
func (s *Service) Create(ctx context.Context, in Input) (sub webhook.Subscription, secret string, err error) {
	defer casework.Wrap(&err, "create webhook subscription")
	p, err := casework.Allow(ctx, auth.ManageWebhooks)
	if err != nil {
		return sub, "", err
	}
	if secret, err = webhook.NewSecret(); err != nil {
		return sub, "", err
	}
	now := s.Now()
	sub = webhook.Subscription{ID: casework.NewID(), OrganisationID: in.OrganisationID, View: in.View, URL: in.URL, EventTypes: in.EventTypes,
		Active: in.Active, Status: webhook.Healthy, Secret: secret, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := sub.Validate(s.policy); err != nil {
		return sub, "", err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if _, err := tx.Directory().Organisation(in.OrganisationID); err != nil {
			if fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Unprocessable, "/organisation_id", "No such organisation.")
			}
			return err
		}
		if err := tx.Webhooks().CreateSubscription(sub); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, recordType, sub.ID, "", nil),
			s.Notice(outbox.WebhookSubscriptionCreated, sub.ID, subscriptionPayload(sub)))
	})
	return sub, secret, err
}

func subscriptionPayload(sub webhook.Subscription) map[string]any {
	return map[string]any{"organisation_id": sub.OrganisationID, "view": string(sub.View), "active": sub.Active, "status": string(sub.Status)}
}

// Subscription reads one subscription (never its secret).
func (s *Service) Subscription(ctx context.Context, id string) (sub webhook.Subscription, err error) {
	defer casework.Wrap(&err, "read webhook subscription %s", id)
	if _, err := casework.Allow(ctx, auth.ManageWebhooks); err != nil {
		return sub, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		sub, err = tx.Webhooks().Subscription(id)
		return err
	})
	return sub, err
}

// Subscriptions lists subscriptions.
func (s *Service) Subscriptions(ctx context.Context, f webhook.Filter, pg paging.Page) (out []webhook.Subscription, next string, err error) {
	defer casework.Wrap(&err, "list webhook subscriptions")
	if _, err := casework.Allow(ctx, auth.ManageWebhooks); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.Webhooks().Subscriptions(f, pg)
		return err
	})
	return out, next, err
}

// Patch is a change to a subscription: nil fields stay as they are.
type Patch struct {
	URL        *string
	EventTypes *[]string
	Active     *bool
}

var versioned = casework.Versioned[webhook.Subscription, Tx]{
	Load: func(tx Tx, id string, _ access.Scope) (webhook.Subscription, error) {
		return tx.Webhooks().Subscription(id)
	},
	Save:  func(tx Tx, v webhook.Subscription) error { return tx.Webhooks().UpdateSubscription(v) },
	Stamp: func(v *webhook.Subscription) (*int, *time.Time) { return &v.Version, &v.UpdatedAt },
}

// Update changes a subscription's target, types or active flag.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, change Patch) (sub webhook.Subscription, err error) {
	defer casework.Wrap(&err, "update webhook subscription %s", id)
	return versioned.Change(ctx, s.Core, s.db, auth.ManageWebhooks, id, ifMatch,
		func(_ Tx, _ auth.Principal, v *webhook.Subscription) (bool, error) {
			var changed bool
			if change.URL != nil && *change.URL != v.URL {
				v.URL, changed = *change.URL, true
			}
			if change.EventTypes != nil {
				v.EventTypes, changed = *change.EventTypes, true
			}
			if change.Active != nil && *change.Active != v.Active {
				v.Active, changed = *change.Active, true
			}
			if !changed {
				return false, nil
			}
			return true, v.Validate(s.policy)
		},
		func(tx Tx, p auth.Principal, v webhook.Subscription) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, recordType, v.ID, "", nil),
				s.Notice(outbox.WebhookSubscriptionUpdated, v.ID, subscriptionPayload(v)))
		})
}

// RotateSecret gives the subscription a new secret, shown this once; the old one keeps signing
// (beside the new) for overlap, so the receiver can switch without losing a delivery.
func (s *Service) RotateSecret(ctx context.Context, id string, ifMatch *int, overlap time.Duration) (sub webhook.Subscription, secret string, err error) {
	defer casework.Wrap(&err, "rotate the secret of webhook subscription %s", id)
	sub, err = versioned.Change(ctx, s.Core, s.db, auth.ManageWebhooks, id, ifMatch,
		func(_ Tx, _ auth.Principal, v *webhook.Subscription) (bool, error) {
			secret, err = v.Rotate(s.Now(), overlap)
			return err == nil, err
		},
		func(tx Tx, p auth.Principal, v webhook.Subscription) error {
			return casework.Record(tx, s.Event(ctx, p, audit.Update, recordType, v.ID, "", []string{"secret"}),
				s.Notice(outbox.WebhookSubscriptionUpdated, v.ID, subscriptionPayload(v)))
		})
	return sub, secret, err
}

// Attempts lists a subscription's delivery attempts, newest first.
func (s *Service) Attempts(ctx context.Context, id string, pg paging.Page) (out []webhook.Attempt, next string, err error) {
	defer casework.Wrap(&err, "list deliveries of webhook subscription %s", id)
	if _, err := casework.Allow(ctx, auth.ManageWebhooks); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		if _, err := tx.Webhooks().Subscription(id); err != nil {
			return err
		}
		out, next, err = tx.Webhooks().Attempts(id, pg)
		return err
	})
	return out, next, err
}

// Replay sends again the events after an event, or since an instant, that the subscription may
// receive, with their original webhook-id (receivers that already have one may drop it).
func (s *Service) Replay(ctx context.Context, id string, r webhook.Replay) (n int, err error) {
	defer casework.Wrap(&err, "replay to webhook subscription %s", id)
	p, err := casework.Allow(ctx, auth.ManageWebhooks)
	if err != nil {
		return 0, err
	}
	if (r.AfterEventID == "") == (r.Since == nil) {
		detail := "Name either after_event_id or since, not both."
		if r.AfterEventID == "" {
			detail = "Name either after_event_id or since."
		}
		return 0, fault.Fields(fault.Unprocessable, []fault.FieldError{{Pointer: "/after_event_id", Detail: detail}, {Pointer: "/since", Detail: detail}})
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		sub, err := tx.Webhooks().Subscription(id)
		if err != nil {
			return err
		}
		if n, err = tx.Webhooks().Replay(sub, r, s.Now()); err != nil {
			return err
		}
		return tx.Audit(s.Event(ctx, p, audit.Update, recordType, id, "", []string{"replay"}))
	})
	return n, err
}
