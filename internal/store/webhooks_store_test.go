package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
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
				evs, next, err = tx.Feed().After(after, nil, time.Time{}, access.All, 50)
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
