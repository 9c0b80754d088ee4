package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// TestFeedNeverSkipsALateCommit: an event whose transaction began (and took its id) first but
// committed after a later one is still read by a cursor taken between the two commits. With
// "id > cursor" it would be skipped: its UUIDv7 id is older than the cursor's.
func TestFeedNeverSkipsALateCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		event := func() outbox.Event {
			id := uuid.Must(uuid.NewV7()).String()
			return outbox.Event{ID: id, OccurredAt: now, Type: outbox.OrganisationCreated.Name, RecordType: "organisation", RecordID: id,
				Payload: map[string]any{"id": id}}
		}
		sequence := func() {
			t.Helper()
			if err := st.InTx(ctx, func(tx *store.Tx) error { _, _, err := tx.WebhookQueue().Sequence(time.Now(), 100); return err }); err != nil {
				t.Fatal(err)
			}
		}
		feed := func(after int64) ([]outbox.Published, int64) {
			t.Helper()
			var (
				evs  []outbox.Published
				next int64
			)
			if err := st.Read(ctx, func(tx *store.Tx) (err error) {
				evs, next, err = tx.Feed().After(after, nil, nil, time.Time{}, access.All, 50)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return evs, next
		}
		early, late := event(), event() // early's id sorts first
		if st.Dialect() == store.SQLite {
			// One writer at a time: the early transaction cannot be open while the late one
			// commits, so the order of commits is the order of ids; the feed still follows commits.
			for _, e := range []outbox.Event{late, early} {
				if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.Publish(e) }); err != nil {
					t.Fatal(err)
				}
				if e.ID == late.ID {
					sequence()
				}
			}
		} else {
			held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				done <- st.InTx(ctx, func(tx *store.Tx) error {
					if err := tx.Publish(early); err != nil {
						return err
					}
					// Begin the transaction and send the kept insert now, so it is open and uncommitted.
					if _, err := tx.Outbox().ForRecord(early.RecordID); err != nil {
						return err
					}
					close(held)
					<-release
					return nil
				})
			}()
			<-held
			if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.Publish(late) }); err != nil {
				t.Fatal(err)
			}
			sequence()
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		first, cursor := feed(0)
		if len(first) != 1 || first[0].ID != late.ID {
			t.Fatalf("first page: %+v, want only the event committed first", first)
		}
		sequence()
		second, next := feed(cursor)
		if len(second) != 1 || second[0].ID != early.ID || second[0].Seq <= first[0].Seq {
			t.Fatalf("after cursor %d: %+v, want the event committed late", cursor, second)
		}
		if again, _ := feed(next); len(again) != 0 {
			t.Fatalf("the feed repeated events: %+v", again)
		}
	})
}

// TestWebhookStatusChangeRefusesAStaleSave: a PATCH loads the subscription, the dispatcher turns
// it failing before the PATCH saves, and the save is refused as stale (412, or 409 without
// If-Match) instead of writing back the status it loaded. Each turn of the status takes the next
// version and updated_at. Before, the status changed under the same version, so the save matched
// it and the subscription was silently healthy again.
func TestWebhookStatusChangeRefusesAStaleSave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t0 := time.Now().UTC().Truncate(time.Millisecond)
		org := directory.Organisation{ID: newID(t), Name: "Receiving Council", Type: "local_authority_send", CreatedAt: t0, UpdatedAt: t0, Version: 1}
		sub := webhook.Subscription{ID: newID(t), OrganisationID: org.ID, View: webhook.ViewCouncil, URL: "https://hooks.example.org/a", Active: true,
			Status: webhook.Healthy, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: t0, UpdatedAt: t0, Version: 1}
		write(t, st, func(tx *store.Tx) error {
			if err := tx.Directory().CreateOrganisation(org); err != nil {
				return err
			}
			return tx.Webhooks().CreateSubscription(sub)
		})
		load := func() webhook.Subscription {
			return read(t, st, func(tx *store.Tx) (webhook.Subscription, error) { return tx.Webhooks().Subscription(sub.ID) })
		}
		settle := func(at time.Time, code int, gaveUp bool) []string {
			t.Helper()
			a := webhook.Attempt{ID: newID(t), SubscriptionID: sub.ID, EventID: newID(t), EventType: outbox.OrganisationCreated.Name, Attempt: 1,
				AttemptedAt: at, ResponseCode: code}
			var failing []string
			write(t, st, func(tx *store.Tx) (err error) {
				failing, err = tx.WebhookQueue().Settle(at, []webhook.Result{{Attempt: a, GaveUp: gaveUp, Subscription: sub}})
				return err
			})
			return failing
		}

		loaded := load() // a PATCH has read version 1 ...
		t1 := t0.Add(time.Minute)
		if failing := settle(t1, 503, true); len(failing) != 1 || failing[0] != sub.ID {
			t.Fatalf("failing %v, want the subscription", failing)
		}
		// ... and saves its change after the dispatcher turned the subscription failing.
		loaded.URL, loaded.Version, loaded.UpdatedAt = "https://hooks.example.org/b", loaded.Version+1, t1.Add(time.Second)
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Webhooks().UpdateSubscription(loaded) }), fault.PreconditionFailed)
		got := load()
		if got.Status != webhook.Failing || got.Version != 2 || !got.UpdatedAt.Equal(t1) || got.URL != sub.URL {
			t.Fatalf("after the status change and the stale save: status %s, version %d, updated_at %s, url %s; want failing, 2, %s, %s",
				got.Status, got.Version, got.UpdatedAt, got.URL, t1, sub.URL)
		}
		// A success turns it healthy: the next version again. One that changes no status writes nothing.
		t2 := t1.Add(time.Minute)
		settle(t2, 204, false)
		settle(t2.Add(time.Minute), 204, false)
		if got := load(); got.Status != webhook.Healthy || got.Version != 3 || !got.UpdatedAt.Equal(t2) {
			t.Fatalf("healthy again: status %s, version %d, updated_at %s; want healthy, 3, %s", got.Status, got.Version, got.UpdatedAt, t2)
		}
	})
}
