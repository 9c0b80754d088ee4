package store_test

import (
	"context"
	"testing"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// TestListPagesPlannedForTheirValues: a list page whose filter binds a value is never a named
// prepared statement, so PostgreSQL cannot give it the generic plan it may keep for one from its
// sixth run (made without the values, that plan took a deep page from 7 ms to 1.3 s at a million
// referrals, and it is not the plan TestListPlans checks). A page that binds none but its cursor
// (no filter, or a status, written in) is prepared: planning it every time cost the list a third
// of its rate. The session's other statements stay prepared.
func TestListPagesPlannedForTheirValues(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue
		}
		st, err := store.Open(context.Background(), b.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = st.Close() }()
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.SetMaxConns(1) // one session: the one asked about its prepared statements below
		org := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, org.ID, nil)
		yp := mkPerson(t, st, org.ID, nil)
		mkReferral(t, st, yp, pr, nil)
		list := func(f referral.Filter) {
			for range 8 {
				err := st.Read(context.Background(), func(tx *store.Tx) error {
					_, _, err := tx.Referrals().List(f, access.Scope{}, paging.Page{Limit: 50})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		// The patterns are built so that this statement's own text does not match them.
		pages := func(like string) []string {
			t.Helper()
			named, err := store.RawStrings(st, `SELECT statement FROM pg_prepared_statements
				WHERE statement LIKE '%' || 'ORDER' || ' BY%' AND statement LIKE '%' || 'refer' || 'rals%' AND statement LIKE '%' || ? || '%'`, like)
			if err != nil {
				t.Fatal(err)
			}
			return named
		}
		list(referral.Filter{OrganisationID: org.ID})
		if named := pages("referrer_" + "organisation_id"); len(named) > 0 {
			t.Errorf("the referral list page by organisation is a named prepared statement (a generic plan may be kept for it):\n%s", named[0])
		}
		list(referral.Filter{Status: "received"})
		if named := pages("'" + "received'"); len(named) == 0 {
			t.Error("the referral list page by status (a code written in, no value bound) is not a prepared statement")
		}
		// An organisation's report totals likewise: the generic plan for the council's own service
		// (every child's team) read 120-680 ms where its custom plan reads 12 ms.
		for range 8 {
			err := st.Read(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Reports().Activity(testkit.Day(2024, 9, 1), testkit.Day(2025, 8, 31), report.Filter{OrganisationID: org.ID})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		orgTotals, err := store.RawStrings(st, `SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%' || 'report_org' || '_counts%'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(orgTotals) > 0 {
			t.Errorf("an organisation's report totals are a named prepared statement (a generic plan may be kept for it):\n%s", orgTotals[0])
		}
		all, err := store.RawStrings(st, "SELECT statement FROM pg_prepared_statements")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) == 0 {
			t.Error("no statement of the session is prepared: the test does not look at the session the pages ran on")
		}
		return
	}
	t.Fatal("the test needs PostgreSQL")
}
