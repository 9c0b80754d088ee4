package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// TestReferralCorrectionWritesWhatChanged: a referral read and corrected in one unit has its
// changed columns written and no others; its reason rows follow a change of what they carry
// (the day of receipt here); its external ids come with the read. On PostgreSQL the whole
// correction is two statements: the read and the write.
func TestReferralCorrectionWritesWhatChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		rf := mkReferral(t, st, mkPerson(t, st, o.ID, nil), pr, nil)
		held := externalid.ID{System: "ems", Value: "R-1"}
		write(t, st, func(tx *store.Tx) error {
			return tx.ExternalIDs().Add(externalid.Referral, rf.ID, []externalid.ID{held}, now())
		})

		sent := store.RecordSQL(st)
		var read referral.Referral
		write(t, st, func(tx *store.Tx) error {
			r, err := tx.Referrals().GetWithExternalIDs(rf.ID, access.Scope{})
			if err != nil {
				return err
			}
			read = r
			r.Summary, r.Version, r.UpdatedAt = "corrected", r.Version+1, now()
			return tx.Referrals().Update(r)
		})
		statements := sent()
		wantEqual(t, "external ids read with the referral", read.ExternalIDs, []externalid.ID{held})
		var update string
		for _, s := range statements {
			if i := strings.Index(s, "UPDATE referrals SET "); i >= 0 {
				update = s[i:]
			}
		}
		set := update[:max(strings.Index(update, " WHERE "), 0)]
		if !strings.Contains(set, "summary = ") || !strings.Contains(set, "version = ") || strings.Contains(set, "reasons") ||
			strings.Contains(set, "eligibility") || strings.Contains(set, "status") {
			t.Errorf("the correction's update = %q, want summary, updated_at and version alone", set)
		}
		if st.Dialect() == store.Postgres && len(statements) != 2 {
			t.Errorf("a correction sent %d statements, want 2 (the read, then every write at once):\n%s", len(statements), strings.Join(statements, "\n"))
		}
		got := readOne(t, st, rf.ID)
		if got.Summary != "corrected" || got.Version != 2 || got.Reasons[0] != "sen" || !got.Eligibility.Eligible {
			t.Errorf("after the correction: summary %q v%d reasons %v eligible %v", got.Summary, got.Version, got.Reasons, got.Eligibility.Eligible)
		}

		// The day of receipt moves: the reason rows (which reports group by it) move with it.
		write(t, st, func(tx *store.Tx) error {
			r, err := tx.Referrals().Get(rf.ID, access.Scope{})
			if err != nil {
				return err
			}
			r.ReceivedOn, r.Version, r.UpdatedAt = testkit.Day(2026, 4, 1), r.Version+1, now()
			return tx.Referrals().Update(r)
		})
		if on, err := store.RawString(st, "SELECT received_on FROM referral_reasons WHERE referral_id = ?", rf.ID); err != nil || on != "2026-04-01" {
			t.Errorf("reason row's received_on = %q, %v; want 2026-04-01", on, err)
		}
		if got := readOne(t, st, rf.ID); !got.ReceivedOn.Equal(testkit.Day(2026, 4, 1)) || got.Summary != "corrected" || got.Version != 3 {
			t.Errorf("after moving the day: received %v summary %q v%d", got.ReceivedOn, got.Summary, got.Version)
		}

		// A stale correction writes nothing and names the current version.
		stale := got
		stale.Summary, stale.Version = "lost", 3
		err := st.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Referrals().Get(rf.ID, access.Scope{}); err != nil {
				return err
			}
			return tx.Referrals().Update(stale)
		})
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != fault.PreconditionFailed || fe.CurrentVersion != 3 {
			t.Errorf("a stale correction: %v, want 412 naming version 3", err)
		}
		if got := readOne(t, st, rf.ID); got.Summary != "corrected" {
			t.Errorf("a stale correction wrote summary %q", got.Summary)
		}
	})
}

// TestAuditedReferralReadIsOneStatement: a referral read with its audit event is one statement on
// PostgreSQL (the read, its external ids and the audit row together) for a caller who sees every
// record; for one whose scope narrows the read the audit row is still written with it; and the
// audit row names the child read.
func TestAuditedReferralReadIsOneStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		yp := mkPerson(t, st, o.ID, nil)
		rf := mkReferral(t, st, yp, mkPractitioner(t, st, o.ID, nil), nil)
		held := externalid.ID{System: "ems", Value: "R-2"}
		write(t, st, func(tx *store.Tx) error {
			return tx.ExternalIDs().Add(externalid.Referral, rf.ID, []externalid.ID{held}, now())
		})
		for _, scope := range []access.Scope{{}, {Only: []string{yp.ID}}} {
			sent := store.RecordSQL(st)
			eventID := newID(t)
			var got referral.Referral
			var inStatement bool
			err := st.Read(ctx, func(tx *store.Tx) error {
				written := tx.AuditReading(audit.Event{ID: eventID, OccurredAt: now(), Action: audit.Read, RecordType: audit.Referral,
					RecordID: rf.ID, ActorRole: "send_officer"})
				r, err := tx.Referrals().Get(rf.ID, scope)
				got, inStatement = r, written()
				if err == nil {
					held, err := tx.ExternalIDs().Of(externalid.Referral, rf.ID)
					got.ExternalIDs = held[rf.ID]
					return err
				}
				return err
			})
			statements := sent()
			if err != nil || got.ID != rf.ID {
				t.Fatalf("read %+v: %v", got, err)
			}
			wantEqual(t, "external ids read with the referral", got.ExternalIDs, []externalid.ID{held})
			if st.Dialect() != store.Postgres {
				continue
			}
			// A read for a narrower scope is built through GORM, which the recorder also hears once
			// rendered without being sent: only the read for every record is counted.
			if !inStatement || (scope.Only == nil && len(statements) != 1) {
				t.Errorf("scope %+v: audit written with the read %v, %d statements, want one:\n%s", scope, inStatement, len(statements),
					strings.Join(statements, "\n"))
			}
			if yp2, err := store.RawString(st, "SELECT young_person_id FROM audit_events WHERE id = ?", eventID); err != nil || yp2 != yp.ID {
				t.Errorf("the read's audit row names young person %q, %v; want %s", yp2, err, yp.ID)
			}
		}
	})
}

func readOne(t *testing.T, st *store.Store, id string) referral.Referral {
	t.Helper()
	return read(t, st, func(tx *store.Tx) (referral.Referral, error) { return tx.Referrals().Get(id, access.Scope{}) })
}

// TestAuditedReferralPageIsOneStatement: on PostgreSQL a page of referrals, its external ids and
// its audit event are one statement (sent straight on pgx, which a test's recorder still hears),
// the page shows each referral's ids, and the event names the page's referrals and children.
func TestAuditedReferralPageIsOneStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		yp := mkPerson(t, st, o.ID, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		first, second := mkReferral(t, st, yp, pr, nil), mkReferral(t, st, yp, pr, nil)
		held := externalid.ID{System: "ems", Value: "R-3"}
		write(t, st, func(tx *store.Tx) error {
			return tx.ExternalIDs().Add(externalid.Referral, first.ID, []externalid.ID{held}, now())
		})
		sent := store.RecordSQL(st)
		eventID := newID(t)
		var (
			page        []referral.Referral
			inStatement bool
		)
		err := st.Read(ctx, func(tx *store.Tx) error {
			written := tx.AuditListing(audit.Event{ID: eventID, OccurredAt: now(), Action: audit.List, RecordType: audit.Referral,
				ActorRole: "send_officer"})
			rs, _, err := tx.Referrals().List(referral.Filter{}, access.Scope{}, paging.Page{Limit: 50})
			page, inStatement = rs, written()
			if err != nil {
				return err
			}
			ids, err := tx.ExternalIDs().Of(externalid.Referral, rs[0].ID, rs[1].ID)
			for i := range page {
				page[i].ExternalIDs = ids[page[i].ID]
			}
			return err
		})
		statements := sent()
		if err != nil || len(page) != 2 || page[0].ID != second.ID || page[1].ID != first.ID {
			t.Fatalf("page %+v: %v", page, err)
		}
		wantEqual(t, "external ids of the older referral", page[1].ExternalIDs, []externalid.ID{held})
		wantEqual(t, "external ids of the newer referral", page[0].ExternalIDs, []externalid.ID(nil))
		if st.Dialect() != store.Postgres {
			return
		}
		var withAudit int
		for _, s := range statements {
			if strings.Contains(s, "INSERT INTO audit_events") && strings.Contains(s, "external_ids") {
				withAudit++
			}
		}
		if !inStatement || withAudit != 1 {
			t.Errorf("audit written with the page %v, %d statements holding the page and its audit row, want one:\n%s", inStatement, withAudit,
				strings.Join(statements, "\n"))
		}
		if got, err := store.RawString(st, "SELECT record_id_list FROM audit_events WHERE id = ?", eventID); err != nil ||
			got != `{`+second.ID+`,`+first.ID+`}` {
			t.Errorf("the page's audit row names %s, %v", got, err)
		}
	})
}
