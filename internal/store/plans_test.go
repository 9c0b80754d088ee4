package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestListPlans holds the query plans of the referral lists on a realistically sized, analysed
// PostgreSQL database: a planner regression (a page read by walking the primary key and
// filtering, which grows with every new referral) fails here rather than in a council's
// production. Plans are judged by what they read, not by how long they took: each page of 50 may
// discard at most a few hundred rows and never scan the table.
//
// The data: benchload's referrals, then as many again newer ones all still received (what a busy
// front door looks like, and what made the status page slow: the newest rows are unlike the rest).
func TestListPlans(t *testing.T) {
	var pg *storetest.Backend
	for _, b := range storetest.Backends(t) {
		if b.Name == store.Postgres {
			pg = &b
		}
	}
	if pg == nil {
		t.Fatal("the plan test needs PostgreSQL")
	}
	ctx := context.Background()
	dsn := pg.DSN(t)
	const n = 40_000
	if err := benchload.Load(ctx, dsn, n); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	for _, q := range []string{
		// The newest referrals: received, later ids than any loaded (benchload's ids are small).
		`INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons,
			main_reason, services_involved, services_count, safeguarding_concern, received_on, eligible, eligibility, created_at, updated_at,
			version, locality, locality_key)
		SELECT ('ffff0000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'REF-NEW-' || i, 'received', r.young_person_id,
			r.referrer_practitioner_id, r.referrer_organisation_id, r.reasons, r.main_reason, r.services_involved, r.services_count, false,
			'2026-11-30', true, r.eligibility, now(), now(), 1, r.locality, r.locality_key
		FROM generate_series(1, 40000) i JOIN referrals r ON r.id = ('00000004-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid`,
		`ANALYSE`,
	} {
		if _, err := store.RawExec(st, q); err != nil {
			t.Fatal(err)
		}
	}
	sent := store.RecordSQL(st)
	school := benchload.SettingID(7)
	created := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		f     referral.Filter
		scope access.Scope
	}{
		{"newest first", referral.Filter{}, access.Scope{}},
		{"by status, the matches all older than the newest", referral.Filter{Status: string(referral.Assessing)}, access.Scope{}},
		{"by young person", referral.Filter{YoungPersonID: benchload.YoungPersonID(123)}, access.Scope{}},
		{"by referring organisation", referral.Filter{OrganisationID: school}, access.Scope{}},
		{"by status and organisation", referral.Filter{Status: string(referral.Closed), OrganisationID: school}, access.Scope{}},
		{"by reason", referral.Filter{Reason: "social_care"}, access.Scope{}},
		{"by reason and status", referral.Filter{Reason: "social_care", Status: string(referral.Closed)}, access.Scope{}},
		{"created since", referral.Filter{CreatedAfter: &created}, access.Scope{}},
		{"a school's practitioner: children in its team", referral.Filter{}, access.Scope{Restricted: true, OrganisationID: school,
			On: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sent()
			err := st.Read(ctx, func(tx *store.Tx) error {
				_, _, err := tx.Referrals().List(c.f, c.scope, paging.Page{Limit: 50})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var list string
			for _, q := range sent() {
				if strings.Contains(q, `FROM "referrals"`) {
					list = q
				}
			}
			if list == "" {
				t.Fatal("no list query sent")
			}
			raw, err := store.RawString(st, "EXPLAIN (ANALYSE, FORMAT JSON) "+list)
			if err != nil {
				t.Fatal(err)
			}
			var plans []struct{ Plan planNode }
			if err := json.Unmarshal([]byte(raw), &plans); err != nil || len(plans) != 1 {
				t.Fatalf("plan: %v %s", err, raw)
			}
			var discarded float64
			plans[0].Plan.walk(func(p planNode) {
				discarded += (p.RemovedByFilter + p.RemovedByJoinFilter + p.RemovedByIndexRecheck) * max(p.Loops, 1)
				if p.NodeType == "Seq Scan" && p.Relation == "referrals" {
					t.Errorf("the page scans the whole referrals table:\n%s", raw)
				}
			})
			if discarded > 2000 {
				t.Errorf("the page discards %.0f rows to find 50:\n%s\nquery: %s", discarded, raw, list)
			}
		})
	}
}

type planNode struct {
	NodeType              string     `json:"Node Type"`
	Relation              string     `json:"Relation Name"`
	RemovedByFilter       float64    `json:"Rows Removed by Filter"`
	RemovedByJoinFilter   float64    `json:"Rows Removed by Join Filter"`
	RemovedByIndexRecheck float64    `json:"Rows Removed by Index Recheck"`
	Loops                 float64    `json:"Actual Loops"`
	Plans                 []planNode `json:"Plans"`
}

func (p planNode) walk(fn func(planNode)) {
	fn(p)
	for _, c := range p.Plans {
		c.walk(fn)
	}
}
