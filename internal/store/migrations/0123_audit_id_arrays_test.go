package migrations_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
)

// TestMigration0123AuditIDArrays: a list's audit event written after 0123 keeps its id lists as
// uuid[] on PostgreSQL (JSON text on SQLite, as before), one written before keeps its jsonb lists,
// and the access log finds both: "who looked at this child" and "at this record" answer the lists
// that showed them whichever column holds them, through the arrays' GIN indexes on PostgreSQL. A
// list naming an id that is not a UUID keeps it in the jsonb list.
func TestMigration0123AuditIDArrays(t *testing.T) {
	child, older, newer := uuid(3), uuid(2), uuid(5)
	checkMigrationAt(t, "0123_audit_id_arrays", func(t *testing.T, db *gorm.DB) {
		exec(t, db, `INSERT INTO audit_events (id, occurred_at, action, record_type, actor_role, record_ids, young_person_ids)
			VALUES (?, ?, 'list', 'referral', 'send_officer', ?, ?)`, uuid(10), created, `["`+older+`"]`, `["`+child+`"]`)
	}, func(t *testing.T, db *gorm.DB, dsn string) {
		has(t, "audit_events", columns(t, db, "audit_events"), "record_id_list", "young_person_id_list")
		if isPostgres(db) {
			has(t, "indexes", indexes(t, db), "audit_events_record_list", "audit_events_young_person_list")
			wantNullFree(t, db, "audit_events_record_list", "audit_events_young_person_list")
		}

		ctx := context.Background()
		st := openStore(t, dsn)
		list := func(id string, records ...string) audit.Event {
			return audit.Event{ID: id, OccurredAt: created, Action: "list", RecordType: "referral", ActorRole: "send_officer",
				RecordIDs: records, YoungPersonIDs: []string{child}}
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Audit(list(uuid(11), newer, older), list(uuid(12), "not-a-uuid"))
		}); err != nil {
			t.Fatal(err)
		}
		if isPostgres(db) {
			wantValue(t, db, "{"+newer+","+older+"}", `SELECT record_id_list FROM audit_events WHERE id = ?`, uuid(11))
			wantValue(t, db, "{"+child+"}", `SELECT young_person_id_list FROM audit_events WHERE id = ?`, uuid(11))
			wantValue(t, db, "NULL", `SELECT record_ids FROM audit_events WHERE id = ?`, uuid(11))
			wantValue(t, db, `["not-a-uuid"]`, `SELECT record_ids FROM audit_events WHERE id = ?`, uuid(12))
			wantValue(t, db, "NULL", `SELECT record_id_list FROM audit_events WHERE id = ?`, uuid(12))
			usesIndex(t, db, "audit_events_young_person_list", `SELECT id FROM audit_events WHERE young_person_id_list @> ARRAY['`+child+`'::uuid]`)
			usesIndex(t, db, "audit_events_record_list", `SELECT id FROM audit_events WHERE record_id_list @> ARRAY['`+newer+`'::uuid]`)
		}
		refuses(t, db, "changing an audit event", `UPDATE audit_events SET record_id_list = NULL WHERE id = ?`, uuid(11))

		for _, c := range []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"the child", audit.Filter{YoungPersonID: child}, []string{uuid(12), uuid(11), uuid(10)}},
			{"the record listed before and after", audit.Filter{RecordID: older}, []string{uuid(11), uuid(10)}},
			{"the record listed after", audit.Filter{RecordID: newer}, []string{uuid(11)}},
		} {
			var events []audit.Event
			if err := st.Read(ctx, func(tx *store.Tx) (err error) {
				events, _, err = tx.AuditTrail().Events(c.f, paging.Page{Limit: 10})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				got = append(got, e.ID)
				want := map[string][]string{uuid(10): {older}, uuid(11): {newer, older}, uuid(12): {"not-a-uuid"}}[e.ID]
				if !slices.Equal(e.RecordIDs, want) || !slices.Equal(e.YoungPersonIDs, []string{child}) {
					t.Errorf("%s: event %s names records %v and young people %v, want %v and [%s]", c.name, e.ID, e.RecordIDs, e.YoungPersonIDs, want, child)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("the access log of %s: %v, want %v", c.name, got, c.want)
			}
		}
	})
}
