package store_test

import (
	"context"
	"testing"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestListPagesPlannedForTheirValues: a list page is never a named prepared statement, so
// PostgreSQL cannot give it the generic plan it may keep for one from its sixth run (made without
// the values, that plan took a deep page from 7 ms to 1.3 s at a million referrals, and it is not
// the plan TestListPlans checks). The session's other statements stay prepared: planning every
// statement afresh cost reads and updates a quarter of their rate.
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
		for range 8 {
			err := st.Read(context.Background(), func(tx *store.Tx) error {
				_, _, err := tx.Referrals().List(referral.Filter{OrganisationID: org.ID}, access.Scope{}, paging.Page{Limit: 50})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// The pattern is built so that this statement's own text does not match it.
		named, err := store.RawStrings(st, `SELECT statement FROM pg_prepared_statements
			WHERE statement LIKE '%' || 'ORDER' || ' BY%' AND statement LIKE '%' || 'refer' || 'rals%'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(named) > 0 {
			t.Errorf("the referral list page is a named prepared statement (a generic plan may be kept for it):\n%s", named[0])
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
