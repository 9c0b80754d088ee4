package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestBatchWritesAsRowByRow: audit and outbox rows written within Tx.Batch (on PostgreSQL, sent
// by COPY or as arrays, each value in its text form, or as VALUES lists) read back exactly as the
// same rows written one at a time: times to the microsecond (nanoseconds cut as a row's own write
// cuts them, not rounded), empty and NULL columns, lists and JSON payloads, and text holding what
// COPY's format escapes (tabs, line ends, backslashes, a literal \N).
func TestBatchWritesAsRowByRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newID := func() string { return uuid.Must(uuid.NewV7()).String() }
		batched, single, yp := newID(), newID(), newID()
		at := time.Date(2026, 3, 29, 1, 30, 0, 999_999_999, time.FixedZone("BST", 3600))
		events := func(rec string) ([]audit.Event, []outbox.Event) {
			var as []audit.Event
			var os []outbox.Event
			for i := range 3 {
				a := audit.Event{ID: newID(), OccurredAt: at.Add(time.Duration(i) * 1500 * time.Nanosecond), Action: "create", RecordType: "referral",
					RecordID: rec, ActorRole: "send_officer", Purpose: "import"}
				if i > 0 {
					a.YoungPersonID, a.ActorSubject, a.ChangedFields = yp, "o'neil \"q\" \\ é\ttab\nline\r\\N", []string{"status", "received_on"}
					a.RecordIDs, a.YoungPersonIDs = []string{rec, yp}, []string{yp}
				}
				as = append(as, a)
				o := outbox.Event{ID: newID(), OccurredAt: a.OccurredAt, Type: "referral.received", RecordType: "referral", RecordID: rec,
					Payload: map[string]any{"n": float64(i), "s": "a,b {c}\t\\N\n", "null": nil, "list": []any{"x", true}}}
				if i > 0 {
					o.YoungPersonID = yp
				}
				os = append(os, o)
			}
			return as, os
		}
		write := func(rec string, batch bool) {
			as, os := events(rec)
			if err := st.InTx(ctx, func(tx *store.Tx) error {
				fn := func() error {
					for i := range as {
						if err := tx.Audit(as[i]); err != nil {
							return err
						}
						if err := tx.Publish(os[i]); err != nil {
							return err
						}
					}
					return nil
				}
				if batch {
					return tx.Batch(fn)
				}
				return fn()
			}); err != nil {
				t.Fatal(err)
			}
		}
		var copies []string
		store.TraceCopies(func(sql string) { copies = append(copies, sql) })
		t.Cleanup(func() { store.TraceCopies(nil) })
		write(batched, true)
		binaryCopies := copies
		write(single, false)
		// And batched by COPY in text (the form when a value cannot go in binary), as arrays
		// (PostgreSQL's form before COPY) and as VALUES lists (the form before arrays), read back
		// the same too.
		arrays, values, copyText := newID(), newID(), newID()
		beforeBinary := store.SetPGCopyBinary(false)
		copies = nil
		write(copyText, true)
		textCopies := copies
		store.SetPGCopyBinary(beforeBinary)
		if st.Dialect() == store.Postgres {
			// Both tables' rows went by COPY, in binary unless it was turned off.
			for _, c := range []struct {
				sqls   []string
				binary bool
			}{{binaryCopies, true}, {textCopies, false}} {
				if all := strings.Join(c.sqls, "\n"); !strings.Contains(all, `COPY "audit_events"`) || !strings.Contains(all, `COPY "outbox_events"`) {
					t.Fatalf("COPY statements %q, want audit_events' and outbox_events' among them", c.sqls)
				}
				for _, sql := range c.sqls {
					if strings.HasSuffix(sql, "(FORMAT binary)") != c.binary {
						t.Errorf("%s: binary %v, want %v", sql, !c.binary, c.binary)
					}
				}
			}
		}
		beforeCopy := store.SetPGCopy(false)
		write(arrays, true)
		before := store.SetPGArrays(false)
		write(values, true)
		store.SetPGArrays(before)
		store.SetPGCopy(beforeCopy)
		read := func(rec string) ([]audit.Event, []outbox.Event) {
			var as []audit.Event
			var os []outbox.Event
			if err := st.InTx(ctx, func(tx *store.Tx) (err error) {
				if as, _, err = tx.AuditTrail().Events(audit.Filter{RecordID: rec}, paging.Page{Limit: 10}); err != nil {
					return err
				}
				os, err = tx.Outbox().ForRecord(rec)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for i := range as {
				as[i].ID, as[i].RecordID = "", ""
				as[i].RecordIDs = slicesReplace(as[i].RecordIDs, rec)
			}
			for i := range os {
				os[i].ID, os[i].RecordID = "", ""
			}
			return as, os
		}
		ba, bo := read(batched)
		sa, so := read(single)
		if len(ba) != 3 || len(bo) != 3 {
			t.Fatalf("batched: %d audit events, %d outbox events, want 3 each", len(ba), len(bo))
		}
		if !reflect.DeepEqual(ba, sa) {
			t.Errorf("audit events differ:\nbatched %+v\nsingle  %+v", ba, sa)
		}
		if !reflect.DeepEqual(bo, so) {
			t.Errorf("outbox events differ:\nbatched %+v\nsingle  %+v", bo, so)
		}
		if ta, to := read(copyText); !reflect.DeepEqual(ta, sa) || !reflect.DeepEqual(to, so) {
			t.Errorf("batched by COPY in text differ:\naudit %+v\noutbox %+v", ta, to)
		}
		if aa, ao := read(arrays); !reflect.DeepEqual(aa, sa) || !reflect.DeepEqual(ao, so) {
			t.Errorf("batched as arrays differ:\naudit %+v\noutbox %+v", aa, ao)
		}
		if va, vo := read(values); !reflect.DeepEqual(va, sa) || !reflect.DeepEqual(vo, so) {
			t.Errorf("batched as VALUES differ:\naudit %+v\noutbox %+v", va, vo)
		}
		if st.Dialect() == store.Postgres {
			// PostgreSQL keeps microseconds: the first event's 999,999,999 ns are cut, not rounded
			// up to the next second.
			first := sa[0].OccurredAt
			for _, a := range sa {
				if a.OccurredAt.Before(first) {
					first = a.OccurredAt
				}
			}
			if want := at.Truncate(time.Microsecond); !first.Equal(want) {
				t.Errorf("first occurred at %v, want %v", first.UTC(), want.UTC())
			}
		}
	})
}

// Every table an import writes goes by COPY in binary: each of its columns' types has an encoder
// (a new column of another type would quietly send the whole table's rows in text).
func TestImportTablesCopyInBinary(t *testing.T) {
	ran := false
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue
		}
		ran = true
		st := b.Open(t)
		for _, table := range []string{"young_people", "involvements", "referrals", "referral_stages", "referral_reasons", "timeline_events", "deadline_worklist_stale",
			"external_ids", "audit_events", "outbox_events", "ehc_plans", "transition_plans", "organisations", "practitioners"} {
			missing, err := store.CopyBinaryMissing(st, table)
			if err != nil {
				t.Fatal(err)
			}
			if len(missing) > 0 {
				t.Errorf("%s: no binary encoder for %q", table, missing)
			}
		}
	}
	if !ran {
		t.Skip("COPY is PostgreSQL's: no PostgreSQL reachable (CI requires one)")
	}
}

// slicesReplace is ids with rec taken out (the two writes name different records).
func slicesReplace(ids []string, rec string) []string {
	var out []string
	for _, id := range ids {
		if id != rec {
			out = append(out, id)
		}
	}
	return out
}

// TestInsertHeadsBounded: the INSERT heads kept for gathered rows are one per table and column
// list, not one per row written (a column list made per call once added an entry for every
// worklist mark an import wrote, for the life of the process: 11 MB of a 30,000-row import's live
// heap). A transaction naming 60 children marks them as a batch.
func TestInsertHeadsBounded(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			org := mkOrg(t, st, nil)
			var people []string
			for range 60 {
				people = append(people, mkPerson(t, st, org.ID, nil).ID)
			}
			write := func() {
				t.Helper()
				err := st.InTx(context.Background(), func(tx *store.Tx) error {
					for _, yp := range people {
						if err := tx.Publish(outbox.Event{ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: time.Now().UTC(),
							Type: "young_person.updated", RecordType: "young_person", RecordID: yp, YoungPersonID: yp}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			write()
			// One mark per child named, however the marks were written.
			if n, err := store.RawCount(st, "SELECT COUNT(*) FROM deadline_worklist_stale"); err != nil || n != int64(len(people)) {
				t.Errorf("a transaction naming %d children left %d worklist marks (%v), want one each", len(people), n, err)
			}
			before := store.HeadsCached()
			write()
			write()
			if after := store.HeadsCached(); after != before {
				t.Errorf("two more transactions marking 60 children added %d INSERT heads (%d -> %d): they are kept per row", after-before, before, after)
			}
		})
	}
}

// TestBatchAhead: the rows of a BatchAhead are held: reads within the next ReadAhead do not see
// them, and they are sent after it, in the background; the next read, or the commit, sees them.
// A write within ReadAhead goes after them. When the background send fails, the next use of the
// transaction fails with its error and nothing is committed.
func TestBatchAhead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newID := func() string { return uuid.Must(uuid.NewV7()).String() }
		event := func(id, rec string) outbox.Event {
			return outbox.Event{ID: id, OccurredAt: time.Now().UTC(), Type: "referral.received", RecordType: "referral", RecordID: rec}
		}
		count := func(tx *store.Tx, rec string) int {
			t.Helper()
			es, err := tx.Outbox().ForRecord(rec)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		first, second := newID(), newID()
		err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.BatchAhead(func() error {
				for range 3 {
					if err := tx.Publish(event(newID(), first)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
			var ahead int
			if err := tx.ReadAhead(func() error { ahead = count(tx, first); return nil }); err != nil {
				return err
			}
			if ahead != 0 {
				t.Errorf("read ahead of the held rows: %d events, want none", ahead)
			}
			// The next batch is gathered while the first is sent; a read after it sees both.
			if err := tx.BatchAhead(func() error { return tx.Publish(event(newID(), second)) }); err != nil {
				return err
			}
			if n, m := count(tx, first), count(tx, second); n != 3 || m != 1 {
				t.Errorf("after the batches: %d and %d events, want 3 and 1", n, m)
			}
			// A write within ReadAhead goes after the held rows (its read sees them all).
			if err := tx.BatchAhead(func() error { return tx.Publish(event(newID(), second)) }); err != nil {
				return err
			}
			return tx.ReadAhead(func() error {
				if err := tx.Publish(event(newID(), second)); err != nil {
					return err
				}
				if n := count(tx, second); n != 3 {
					t.Errorf("a write within ReadAhead, then a read: %d events, want 3", n)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if n, m := count(tx, first), count(tx, second); n != 3 || m != 3 {
				t.Errorf("committed: %d and %d events, want 3 and 3", n, m)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		// A held batch that fails (an event's id given twice) fails the transaction at its next
		// use, and nothing of it is kept.
		third, dup := newID(), newID()
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Publish(event(newID(), third)); err != nil {
				return err
			}
			if err := tx.BatchAhead(func() error {
				if err := tx.Publish(event(dup, third)); err != nil {
					return err
				}
				return tx.Publish(event(dup, third))
			}); err != nil {
				return err
			}
			if err := tx.ReadAhead(func() error { return nil }); err != nil {
				return err
			}
			_, err := tx.Outbox().ForRecord(third)
			return err
		})
		if err == nil {
			t.Fatal("a held batch with an id given twice: no error")
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if n := count(tx, third); n != 0 {
				t.Errorf("after the failed transaction: %d events kept, want none", n)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// A new referral's first stage is a plain insert, which a batch on PostgreSQL sends by COPY with
// the referral's other rows; a later stage keeps ON CONFLICT (a stage reached again keeps its
// first day), so it does not. Both are stored on either database.
func TestFirstStageGoesByCopy(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			org := mkOrg(t, st, nil)
			pr := mkPractitioner(t, st, org.ID, nil)
			r := mkReferral(t, st, mkPerson(t, st, org.ID, nil), pr, nil)
			var copies []string
			store.TraceCopies(func(sql string) { copies = append(copies, sql) })
			t.Cleanup(func() { store.TraceCopies(nil) })
			stage := func(first bool, s referral.StageReached) []string {
				copies = nil
				write(t, st, func(tx *store.Tx) error {
					return tx.Batch(func() error {
						if first {
							return tx.Referrals().FirstStage(r, s)
						}
						return tx.Referrals().ReachStage(r, s)
					})
				})
				return copies
			}
			firstCopies := stage(true, referral.StageReached{Stage: referral.Received, On: r.ReceivedOn})
			laterCopies := stage(false, referral.StageReached{Stage: referral.Accepted, On: r.ReceivedOn.AddDate(0, 0, 2), DaysFromReceived: 2})
			stage(false, referral.StageReached{Stage: referral.Received, On: r.ReceivedOn.AddDate(0, 0, 5)})
			if st.Dialect() == store.Postgres {
				if all := strings.Join(firstCopies, "\n"); !strings.Contains(all, `COPY "referral_stages"`) {
					t.Errorf("first stage: COPY statements %q, want referral_stages'", firstCopies)
				}
				if all := strings.Join(laterCopies, "\n"); strings.Contains(all, `COPY "referral_stages"`) {
					t.Errorf("later stage went by COPY: %q", laterCopies)
				}
			}
			var stages map[referral.Status]time.Time
			write(t, st, func(tx *store.Tx) (err error) { stages, err = tx.Referrals().Stages(r.ID); return err })
			if len(stages) != 2 || !stages[referral.Received].Equal(r.ReceivedOn) || !stages[referral.Accepted].Equal(r.ReceivedOn.AddDate(0, 0, 2)) {
				t.Errorf("stages %v", stages)
			}
		})
	}
}
