package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestGatherSendsAhead: writes gathered with Tx.Gather and sent ahead are in the transaction
// when anything next uses it (a read inside it sees them), commit with it, and bring their
// children's worklist marks with them; the next chunk is gathered while one is sent (run with
// -race, this is where the two would share the session).
func TestGatherSendsAhead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := mkOrg(t, st, nil)
		a, b := mkPerson(t, st, org.ID, nil).ID, mkPerson(t, st, org.ID, nil).ID
		marksBefore, err := store.RawCount(st, "SELECT COUNT(*) FROM deadline_worklist_stale")
		if err != nil {
			t.Fatal(err)
		}
		err = st.InTx(ctx, func(tx *store.Tx) error {
			send, err := tx.Gather(func() error { return publish(tx, a, 3) })
			if err != nil {
				return err
			}
			send()
			// Gathered while the first is sent.
			sendB, err := tx.Gather(func() error { return publish(tx, b, 2) })
			if err != nil {
				return err
			}
			// A read waits for the first send and sees it; the second is not sent yet.
			if got, err := tx.Outbox().ForRecord(a); err != nil || len(got) != 3 {
				t.Errorf("inside the transaction, the first chunk's events read back as %d (%v), want 3", len(got), err)
			}
			if got, err := tx.Outbox().ForRecord(b); err != nil || len(got) != 0 {
				t.Errorf("the second chunk, not yet sent, read back as %d events (%v), want 0", len(got), err)
			}
			sendB()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for rec, want := range map[string]int{a: 3, b: 2} {
			if n, err := store.RawCount(st, "SELECT COUNT(*) FROM outbox_events WHERE record_id = '"+rec+"'"); err != nil || n != int64(want) {
				t.Errorf("committed: %d outbox events for one chunk's record (%v), want %d", n, err, want)
			}
			if n, err := store.RawCount(st, "SELECT COUNT(*) FROM audit_events WHERE record_id = '"+rec+"'"); err != nil || n != int64(want) {
				t.Errorf("committed: %d audit events for one chunk's record (%v), want %d", n, err, want)
			}
		}
		if n, err := store.RawCount(st, "SELECT COUNT(*) FROM deadline_worklist_stale"); err != nil || n != marksBefore+2 {
			t.Errorf("worklist marks %d -> %d (%v), want one for each chunk's child", marksBefore, n, err)
		}
	})
}

// TestGatherSendFails: a chunk whose send fails in the background (an audit event's id taken)
// fails Settle and the transaction's next use with the database's answer, and nothing of the transaction
// is committed: neither that chunk nor the one gathered after it.
func TestGatherSendFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := mkOrg(t, st, nil)
		yp := mkPerson(t, st, org.ID, nil).ID
		taken := uuid.Must(uuid.NewV7()).String()
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Audit(audit.Event{ID: taken, OccurredAt: time.Now().UTC(), Action: "create", RecordType: "referral", RecordID: taken, ActorRole: "send_officer"})
		}); err != nil {
			t.Fatal(err)
		}
		rec, next := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		var readErr, settleErr error
		err := st.InTx(ctx, func(tx *store.Tx) error {
			send, err := tx.Gather(func() error {
				if err := publish(tx, yp, 0, rec); err != nil {
					return err
				}
				return tx.Audit(audit.Event{ID: taken, OccurredAt: time.Now().UTC(), Action: "create", RecordType: "referral", RecordID: rec, ActorRole: "send_officer"})
			})
			if err != nil {
				return err
			}
			send()
			sendNext, err := tx.Gather(func() error { return publish(tx, yp, 0, next) })
			if err != nil {
				return err
			}
			sendNext() // the failed send comes first: nothing more is sent
			settleErr = tx.Settle()
			_, readErr = tx.Outbox().ForRecord(rec)
			return readErr
		})
		if err == nil || readErr == nil || settleErr == nil {
			t.Fatalf("a chunk whose send failed: Settle answered %v, the read after it %v and the transaction %v, want all three to fail", settleErr, readErr, err)
		}
		if !errors.Is(err, readErr) && err.Error() != readErr.Error() {
			t.Errorf("the transaction failed with %v, the read with %v: want the send's error from both", err, readErr)
		}
		for _, id := range []string{rec, next} {
			if n, err := store.RawCount(st, "SELECT COUNT(*) FROM outbox_events WHERE record_id = '"+id+"'"); err != nil || n != 0 {
				t.Errorf("%d outbox events of the failed transaction were committed (%v)", n, err)
			}
		}
	})
}

// publish writes n audit and outbox events about the young person yp, for yp's record or for
// rec when given (n 0: one of each).
func publish(tx *store.Tx, yp string, n int, rec ...string) error {
	id := yp
	if len(rec) > 0 {
		id = rec[0]
	}
	for range max(n, 1) {
		at := time.Now().UTC()
		if err := tx.Audit(audit.Event{ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: at, Action: "update", RecordType: "young_person",
			RecordID: id, YoungPersonID: yp, ActorRole: "send_officer"}); err != nil {
			return err
		}
		if err := tx.Publish(outbox.Event{ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: at, Type: "young_person.updated",
			RecordType: "young_person", RecordID: id, YoungPersonID: yp}); err != nil {
			return err
		}
	}
	return nil
}
