package store_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// TestListPagesAsPlainFilter: the pages TestListPlans made fast read other indexes in other ways
// (several statuses as a merge of one page per status; a time range through its (time, id) index
// when it holds few rows, else the walk down the ids), and every way must give the plain filter's
// answer: the same rows, in the same order, cut into the same pages with the same cursors. The
// times are drawn at random, out of step with the ids (as when a test's clock or an import sets
// them): a way that took ids to follow time would fail here.
func TestListPagesAsPlainFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rng := rand.New(rand.NewPCG(13, 1))
		org := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, org.ID, nil)
		yp := mkPerson(t, st, org.ID, nil)
		day := func() time.Time { return testkit.Day(2016, 1, 1).AddDate(0, 0, rng.IntN(3650)) }
		var created time.Time
		for i := range 150 {
			if i%4 != 1 { // every fourth created at the same instant as the one before
				created = day().Add(time.Duration(rng.IntN(86400)) * time.Second)
			}
			mkReferral(t, st, yp, pr, func(r *referral.Referral) {
				r.Status = referral.Statuses[rng.IntN(len(referral.Statuses))]
				r.CreatedAt = created
				r.UpdatedAt = created.AddDate(0, 0, rng.IntN(400))                    // some changed, out of step with both
				r.ReceivedOn = testkit.Day(2016, 1, 1).AddDate(0, 0, 91*rng.IntN(40)) // 40 days, about 4 referrals each
			})
		}
		var events []audit.Event
		for range 90 {
			events = append(events, audit.Event{ID: newID(t), OccurredAt: day().Add(time.Duration(rng.IntN(86400)) * time.Second),
				Action: "read", RecordType: "referral", ActorRole: "send_officer"})
		}
		write(t, st, func(tx *store.Tx) error { return tx.Audit(events...) })

		cut, cutDay := time.Date(2019, 7, 1, 12, 0, 0, 0, time.UTC), "2019-07-01"
		from, fromDay := time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), "2017-03-01"
		none := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
		// A list filtered by a time is ordered by it (newest first, then newest id): order. Some
		// referrals share a day received and a few an instant created, so the ties' ids order them.
		refs := []struct {
			name  string
			f     referral.Filter
			where string
			args  []any
			order string
		}{
			{"created before", referral.Filter{CreatedBefore: &cut}, "created_at < ?", []any{cut}, "created_at"},
			{"created between", referral.Filter{CreatedAfter: &from, CreatedBefore: &cut}, "created_at >= ? AND created_at < ?", []any{from, cut}, "created_at"},
			{"created before anything", referral.Filter{CreatedBefore: &none}, "created_at < ?", []any{none}, "created_at"},
			{"received by", referral.Filter{ReceivedTo: &cut}, "received_on <= ?", []any{cutDay}, "received_on"},
			{"received between", referral.Filter{ReceivedFrom: &from, ReceivedTo: &cut}, "received_on >= ? AND received_on <= ?", []any{fromDay, cutDay}, "received_on"},
			{"received and created", referral.Filter{ReceivedFrom: &from, CreatedBefore: &cut}, "received_on >= ? AND created_at < ?", []any{fromDay, cut}, "received_on"},
			{"any status", referral.Filter{AnyStatus: []referral.Status{referral.Accepted, referral.Assessing, referral.Allocated, referral.Accepted}},
				"status IN ?", []any{[]string{"accepted", "assessing", "allocated"}}, ""},
			{"any status, one", referral.Filter{AnyStatus: []referral.Status{referral.Closed, referral.Closed}}, "status = ?", []any{"closed"}, ""},
			{"any status, created before", referral.Filter{AnyStatus: []referral.Status{referral.Received, referral.Closed, referral.Accepted}, CreatedBefore: &cut},
				"status IN ? AND created_at < ?", []any{[]string{"received", "closed", "accepted"}, cut}, "created_at"},
			{"one status, received since", referral.Filter{Status: string(referral.Closed), ReceivedFrom: &from},
				"status = ? AND received_on >= ?", []any{"closed", fromDay}, "received_on"},
			{"changed since", referral.Filter{}, "updated_at >= ?", []any{from}, "updated_at"},
			{"changed since, one status", referral.Filter{Status: string(referral.Closed)}, "updated_at >= ? AND status = 'closed'", []any{from}, "updated_at"},
			{"changed since, created before", referral.Filter{CreatedBefore: &cut}, "updated_at >= ? AND created_at < ?", []any{from, cut}, "created_at"},
		}
		for _, c := range refs {
			order := "id DESC"
			if c.order != "" {
				order = c.order + " DESC, id DESC"
			}
			want, err := store.RawStrings(st, "SELECT id FROM referrals WHERE "+c.where+" ORDER BY "+order, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			name := "referrals " + c.name
			if c.order != "" {
				name += " (ordered)"
			}
			samePages(t, name, want, func(p paging.Page) ([]string, string, error) {
				var got []string
				var next string
				if strings.HasPrefix(c.name, "changed since") {
					p.UpdatedSince = from
				}
				err := st.Read(ctx, func(tx *store.Tx) error {
					rs, n, err := tx.Referrals().List(c.f, access.Scope{}, p)
					got, next = ids(rs, func(r referral.Referral) string { return r.ID }), n
					return err
				})
				return got, next, err
			})
		}
		// A time-ordered cursor past the range's end (a referral received or created after it)
		// holds nothing back: the page is the range's first.
		for _, c := range []struct{ order, where, outside string }{
			{"received_on", "received_on <= '" + cutDay + "'", "received_on > '" + cutDay + "'"},
			{"created_at", "created_at < ?", "created_at >= ?"},
		} {
			f := referral.Filter{ReceivedTo: &cut}
			if c.order == "created_at" {
				f = referral.Filter{CreatedBefore: &cut}
			}
			args := []any{}
			if strings.Contains(c.where, "?") {
				args = append(args, cut)
			}
			want, err := store.RawStrings(st, "SELECT id FROM referrals WHERE "+c.where+" ORDER BY "+c.order+" DESC, id DESC LIMIT 7", args...)
			if err != nil {
				t.Fatal(err)
			}
			past, err := store.RawString(st, "SELECT id FROM referrals WHERE "+c.outside+" ORDER BY id LIMIT 1", args...)
			if err != nil {
				t.Fatal(err)
			}
			ordered, err := store.ReferralCursorAt(st, c.order, past)
			if err != nil {
				t.Fatal(err)
			}
			// In the id order's form, a cursor naming a row outside the list is refused.
			if err := st.Read(ctx, func(tx *store.Tx) error {
				_, _, err := tx.Referrals().List(f, access.Scope{}, paging.Page{Limit: 7, Cursor: store.EncodeCursor(past)})
				return err
			}); fault.KindOf(err) != fault.Invalid {
				t.Fatalf("%s: a cursor of the id order naming a row outside the range: %v, want it refused", c.order, err)
			}
			var got []string
			if err := st.Read(ctx, func(tx *store.Tx) error {
				rs, _, err := tx.Referrals().List(f, access.Scope{}, paging.Page{Limit: 7, Cursor: ordered})
				got = ids(rs, func(r referral.Referral) string { return r.ID })
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: a cursor past the range's end gives %v, want the first page %v", c.order, got, want)
			}
		}
		// A list read through the ORM (organisations here) orders changes since an instant by
		// the change too, its cursor's time read back for the page's last row.
		for i := range 40 {
			changed := day().Add(time.Duration(rng.IntN(86400)) * time.Second)
			if i%5 == 1 {
				changed, _ = time.Parse(time.RFC3339, "2020-02-02T10:00:00Z") // ties
			}
			mkOrg(t, st, func(o *directory.Organisation) { o.UpdatedAt = changed })
		}
		want, err := store.RawStrings(st, "SELECT id FROM organisations WHERE updated_at >= ? ORDER BY updated_at DESC, id DESC", from)
		if err != nil {
			t.Fatal(err)
		}
		samePages(t, "organisations changed since (ordered)", want, func(p paging.Page) ([]string, string, error) {
			var got []string
			var next string
			p.UpdatedSince = from
			err := st.Read(ctx, func(tx *store.Tx) error {
				os, n, err := tx.Directory().Organisations(directory.OrganisationFilter{}, p)
				got, next = ids(os, func(o directory.Organisation) string { return o.ID }), n
				return err
			})
			return got, next, err
		})
		trail := []struct {
			name  string
			f     audit.Filter
			where string
			args  []any
		}{
			{"occurred before", audit.Filter{OccurredBefore: &cut}, "occurred_at < ?", []any{cut}},
			{"occurred between", audit.Filter{OccurredAfter: &from, OccurredBefore: &cut}, "occurred_at >= ? AND occurred_at < ?", []any{from, cut}},
		}
		for _, c := range trail {
			want, err := store.RawStrings(st, "SELECT id FROM audit_events WHERE "+c.where+" ORDER BY id DESC", c.args...)
			if err != nil {
				t.Fatal(err)
			}
			samePages(t, "audit "+c.name, want, func(p paging.Page) ([]string, string, error) {
				var got []string
				var next string
				err := st.Read(ctx, func(tx *store.Tx) error {
					es, n, err := tx.AuditTrail().Events(c.f, p)
					got, next = ids(es, func(e audit.Event) string { return e.ID }), n
					return err
				})
				return got, next, err
			})
		}
	})
}

// samePages pages through list, 7 rows at a time, each way the store may read a time range, and
// wants want's rows cut into pages with the cursor of each page's last row (none after the last).
func samePages(t *testing.T, name string, want []string, list func(paging.Page) ([]string, string, error)) {
	t.Helper()
	if len(want) <= 7 && !strings.Contains(name, "anything") {
		t.Fatalf("%s: %d rows, too few to page", name, len(want))
	}
	for _, index := range []bool{true, false} {
		restore := store.ForceTimePaging(index)
		var got []string
		cursor := ""
		for page := 0; ; page++ {
			rows, next, err := list(paging.Page{Limit: 7, Cursor: cursor})
			if err != nil {
				restore()
				t.Fatalf("%s: page %d: %v", name, page, err)
			}
			start := min(page*7, len(want))
			end := min(start+7, len(want))
			wantNext := ""
			if end < len(want) {
				wantNext = store.EncodeCursor(want[end-1])
			}
			if strings.HasSuffix(name, "(ordered)") && next != "" && wantNext != "" {
				// Its cursor carries the time as well (the next page's rows show it is the right one).
				wantNext = next
			}
			if !slices.Equal(rows, want[start:end]) || next != wantNext {
				restore()
				t.Fatalf("%s (index %v): page %d is %v next %q, want %v next %q", name, index, page, rows, next, want[start:end], wantNext)
			}
			got = append(got, rows...)
			if cursor = next; cursor == "" {
				break
			}
		}
		restore()
		if !slices.Equal(got, want) {
			t.Fatalf("%s (index %v): %d rows, want %d", name, index, len(got), len(want))
		}
	}
}
