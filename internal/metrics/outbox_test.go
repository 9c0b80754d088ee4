package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/metrics"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// gauge reads one of the backlog gauges from a scrape of the whole registry.
func gauge(t *testing.T, reg *metrics.Registry, name string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if m.Gauge != nil {
				return m.Gauge.GetValue(), true
			}
			return m.Counter.GetValue(), true
		}
	}
	return 0, false
}

// TestOutboxLag: the backlog gauges are read from the database at scrape time. An event written
// an hour ago and not yet published shows as one unpublished event an hour old; once the
// sequencer publishes it to a council subscription, as one pending delivery of the same age;
// with nothing left, both ages are 0.
func TestOutboxLag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		reg := metrics.New()
		reg.WatchOutbox(st.OutboxBacklog)
		want := func(name string, min, max float64) {
			t.Helper()
			v, ok := gauge(t, reg, name)
			if !ok || v < min || v > max {
				t.Fatalf("%s = %v (present %v), want between %v and %v", name, v, ok, min, max)
			}
		}
		want("oneplan_outbox_unpublished_events", 0, 0)
		want("oneplan_outbox_oldest_unpublished_age_seconds", 0, 0)
		want("oneplan_webhook_pending_deliveries", 0, 0)

		now := time.Now().UTC()
		org := directory.Organisation{ID: uuid.Must(uuid.NewV7()).String(), Name: "Salford SEND", Type: "local_authority",
			CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now.Add(-2 * time.Hour), Version: 1}
		sub := webhook.Subscription{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: org.ID, View: webhook.ViewCouncil,
			URL: "https://hooks.example.org/oneplan", EventTypes: []string{}, Active: true, Status: webhook.Healthy, Secret: "s3cret",
			CreatedAt: now.Add(-2 * time.Hour), UpdatedAt: now.Add(-2 * time.Hour), Version: 1}
		id := uuid.Must(uuid.NewV7()).String()
		ev := outbox.Event{ID: id, OccurredAt: now.Add(-time.Hour), Type: outbox.OrganisationCreated.Name, RecordType: "organisation",
			RecordID: org.ID, Payload: map[string]any{"id": org.ID}}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Directory().CreateOrganisation(org); err != nil {
				return err
			}
			if err := tx.Webhooks().CreateSubscription(sub); err != nil {
				return err
			}
			return tx.Publish(ev)
		}); err != nil {
			t.Fatal(err)
		}
		want("oneplan_outbox_unpublished_events", 1, 1)
		want("oneplan_outbox_oldest_unpublished_age_seconds", 3600, 3600+300)
		want("oneplan_webhook_pending_deliveries", 0, 0)
		want("oneplan_webhook_oldest_pending_age_seconds", 0, 0)

		if err := st.InTx(ctx, func(tx *store.Tx) error { _, _, err := tx.WebhookQueue().Sequence(time.Now(), 100); return err }); err != nil {
			t.Fatal(err)
		}
		want("oneplan_outbox_unpublished_events", 0, 0)
		want("oneplan_outbox_oldest_unpublished_age_seconds", 0, 0)
		want("oneplan_webhook_pending_deliveries", 1, 1)
		want("oneplan_webhook_oldest_pending_age_seconds", 3600, 3600+300)
	})
}

// TestOutboxLagReadFails: a failed read leaves the gauges out of that scrape and counts the
// failure, and the rest of /metrics is still served.
func TestOutboxLagReadFails(t *testing.T) {
	reg := metrics.New()
	reg.WatchOutbox(func(context.Context) (outbox.Backlog, error) {
		return outbox.Backlog{}, errors.New("database unavailable")
	})
	if _, ok := gauge(t, reg, "oneplan_outbox_unpublished_events"); ok {
		t.Fatal("unpublished events gauge served although the read failed")
	}
	if v, ok := gauge(t, reg, "oneplan_outbox_backlog_read_errors_total"); !ok || v != 2 {
		t.Fatalf("read errors = %v (present %v), want 2 (one per scrape)", v, ok)
	}
	if _, ok := gauge(t, reg, "go_goroutines"); !ok {
		t.Fatal("the rest of the registry was not served")
	}
}
