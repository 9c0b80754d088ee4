package store_test

import (
	"context"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// involve puts org in the team around yp from today.
func involve(t testing.TB, st *store.Store, yp, org string) {
	t.Helper()
	write(t, st, func(tx *store.Tx) error {
		return tx.Sharing().CreateInvolvement(sharing.Involvement{ID: newID(t), YoungPersonID: yp, OrganisationID: org, Role: sharing.RoleRecordedBy,
			StartedOn: testkit.Day(2026, 1, 1), CreatedAt: now(), UpdatedAt: now(), Version: 1})
	})
}

func TestIdentifierHolders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o1, o2 := mkOrg(t, st, nil), mkOrg(t, st, nil)
		a := mkPerson(t, st, o1.ID, func(p *person.YoungPerson) { p.NHSNumber, p.UPN = "9434765919", "B801200005001" })
		b := mkPerson(t, st, o1.ID, func(p *person.YoungPerson) { p.NHSNumber = "9434765919" })
		c := mkPerson(t, st, o2.ID, func(p *person.YoungPerson) { p.UPN = "B801200005001" })
		mkPerson(t, st, o2.ID, func(p *person.YoungPerson) { p.NHSNumber = "4010232137" })
		involve(t, st, a.ID, o1.ID)
		involve(t, st, b.ID, o1.ID)
		involve(t, st, c.ID, o2.ID)

		holders := func(claims []person.Claim, except string, s access.Scope) []person.Holder {
			return read(t, st, func(tx *store.Tx) ([]person.Holder, error) { return tx.People().Holders(claims, except, s) })
		}
		wantEqual(t, "everyone's holders of a's identifiers, but a", holders(a.Claims(), a.ID, access.All),
			[]person.Holder{{YoungPersonID: b.ID, On: person.ByNHSNumber}, {YoungPersonID: c.ID, On: person.ByUPN}})
		wantEqual(t, "holders including a", holders(a.Claims(), "", access.All),
			[]person.Holder{{YoungPersonID: a.ID, On: person.ByNHSNumber}, {YoungPersonID: a.ID, On: person.ByUPN},
				{YoungPersonID: b.ID, On: person.ByNHSNumber}, {YoungPersonID: c.ID, On: person.ByUPN}})
		o2Scope := access.Scope{Restricted: true, OrganisationID: o2.ID, On: testkit.Day(2026, 3, 1)}
		wantEqual(t, "only what o2 may see", holders(a.Claims(), a.ID, o2Scope), []person.Holder{{YoungPersonID: c.ID, On: person.ByUPN}})
		nobody := access.Scope{Restricted: true, OrganisationID: newID(t), On: testkit.Day(2026, 3, 1)}
		if got := holders(a.Claims(), a.ID, nobody); len(got) != 0 {
			t.Fatalf("an uninvolved organisation sees holders %v", got)
		}
		if got := holders(nil, "", access.All); len(got) != 0 {
			t.Fatalf("no claims, holders %v", got)
		}
	})
}

// TestLockIdentifiersSerialisesWriters: a transaction that locks an identifier another has
// locked waits for it to commit, and then sees its record. Without the lock both would find no
// other holder and neither record would be found a duplicate.
func TestLockIdentifiersSerialisesWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		claims := []person.Claim{{On: person.ByNHSNumber, Value: "9434765919"}}
		first := person.YoungPerson{ID: newID(t), GivenName: "A", FamilyName: "B", DateOfBirth: testkit.Day(2015, 1, 1), NHSNumber: "9434765919",
			RecordedByOrgID: o.ID, CreatedAt: now(), UpdatedAt: now(), Version: 1}
		locked := make(chan struct{})
		var wg sync.WaitGroup
		var firstErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			firstErr = st.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.People().LockIdentifiers(claims); err != nil {
					return err
				}
				close(locked)
				time.Sleep(300 * time.Millisecond) // the second writer is waiting now
				return tx.People().Create(first)
			})
		}()
		<-locked
		var seen []person.Holder
		err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.People().LockIdentifiers(claims); err != nil {
				return err
			}
			var err error
			seen, err = tx.People().Holders(claims, "", access.All)
			return err
		})
		wg.Wait()
		if firstErr != nil || err != nil {
			t.Fatalf("transactions: %v, %v", firstErr, err)
		}
		wantEqual(t, "holders seen by the second writer", seen, []person.Holder{{YoungPersonID: first.ID, On: person.ByNHSNumber}})
	})
}

// linked is one row of each table that holds a young person's id.
func seedLinked(t *testing.T, st *store.Store, yp person.YoungPerson, pr directory.Practitioner) {
	t.Helper()
	r := mkReferral(t, st, yp, pr, nil) // with its referral_reasons
	ts := now()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := store.RawExec(st, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const template = "0190a5e0-0000-7000-8000-000000000001" // a built-in survey
	exec(`INSERT INTO referral_stages (referral_id, stage, reached_on, young_person_id, received_on, days_from_received)
		VALUES (?, 'accepted', '2026-03-03', ?, '2026-03-02', 1)`, r.ID, yp.ID)
	exec(`INSERT INTO family_assessments (id, referral_id, young_person_id, kind, status, assessment_number, sections, created_at, updated_at, version)
		VALUES (?, ?, ?, 'family', 'draft', 1, '{}', ?, ?, 1)`, newID(t), r.ID, yp.ID, ts, ts)
	meeting := newID(t)
	exec(`INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
		VALUES (?, ?, ?, 'taf', '2026-03-10', '[]', '[]', ?, ?, 1)`, meeting, r.ID, yp.ID, ts, ts)
	exec(`INSERT INTO meeting_actions (id, meeting_id, referral_id, young_person_id, what, due_on, status)
		VALUES (?, ?, ?, ?, 'Book SALT', '2026-04-01', 'open')`, newID(t), meeting, r.ID, yp.ID)
	exec(`INSERT INTO pathway_feedback (id, referral_id, young_person_id, source, outcome_ratings, created_at, version)
		VALUES (?, ?, ?, 'family', '[]', ?, 1)`, newID(t), r.ID, yp.ID, ts)
	request := newID(t)
	exec(`INSERT INTO ehc_requests (id, young_person_id, received_on, requested_by, status, request_outcome, exceptions,
		decision_due_on, no_plan_notice_due_on, final_plan_due_on, created_at, updated_at, version)
		VALUES (?, ?, '2026-01-05', 'parent', 'received', 'pending', '[]', '2026-02-16', '2026-02-16', '2026-05-25', ?, ?, 1)`, request, yp.ID, ts, ts)
	plan := newID(t)
	exec(`INSERT INTO ehc_plans (id, young_person_id, status, created_at, updated_at, version) VALUES (?, ?, 'ceased', ?, ?, 1)`, plan, yp.ID, ts, ts)
	exec(`INSERT INTO annual_reviews (id, plan_id, young_person_id, sequence, status, due_on, created_at, updated_at, version)
		VALUES (?, ?, ?, 1, 'scheduled', '2027-01-04', ?, ?, 1)`, newID(t), plan, yp.ID, ts, ts)
	exec(`INSERT INTO ehc_plan_family_views (id, plan_id, young_person_id, draft_version, views, wants_meeting, given_by, given_on,
		comments_due_on, created_at) VALUES (?, ?, ?, 1, 'Agreed.', false, 'family', '2026-03-02', '2026-03-16', ?)`, newID(t), plan, yp.ID, ts)
	exec(`INSERT INTO family_invitations (id, young_person_id, purpose, token_hash, expires_at, created_at, version)
		VALUES (?, ?, 'request_assessment', ?, ?, ?, 1)`, newID(t), yp.ID, newID(t), ts.Add(24*time.Hour), ts)
	exec(`INSERT INTO disputes (id, young_person_id, kind, subject_type, subject_id, about, sections, brought_by, received_on, created_at, updated_at, version)
		VALUES (?, ?, 'complaint', 'referral', ?, 'delay', '[]', 'parent', '2026-03-01', ?, ?, 1)`, newID(t), yp.ID, r.ID, ts, ts)
	exec(`INSERT INTO documents (id, record_type, record_id, young_person_id, kind, title, file_name, media_type, size_bytes, sha256,
		storage_key, created_at, version) VALUES (?, 'referral', ?, ?, 'advice', 'Advice', 'a.pdf', 'application/pdf', 10, 'ab', ?, ?, 1)`,
		newID(t), r.ID, yp.ID, newID(t), ts)
	advice := newID(t)
	exec(`INSERT INTO ehc_advice (id, ehc_request_id, young_person_id, practitioner_id, adviser, requested_on, due_on, status, sections,
		document_ids, informs, late, created_at, updated_at, version) VALUES (?, ?, ?, ?, 'medical', '2026-01-12', '2026-02-23', 'requested',
		'{}', '[]', '[]', false, ?, ?, 1)`, advice, request, yp.ID, pr.ID, ts, ts)
	exec(`INSERT INTO adviser_invitations (id, advice_request_id, young_person_id, token_hash, expires_at, document_ids, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, '[]', ?, ?, 1)`, newID(t), advice, yp.ID, newID(t), ts.Add(24*time.Hour), ts, ts)
	exec(`INSERT INTO setting_consultations (id, plan_id, young_person_id, organisation_id, requested_by, sent_on, due_on, status, late,
		created_at, updated_at, version) VALUES (?, ?, ?, ?, 'family', '2026-03-02', '2026-03-16', 'sent', false, ?, ?, 1)`,
		newID(t), plan, yp.ID, pr.OrganisationID, ts, ts)
	exec(`INSERT INTO reassessments (id, plan_id, young_person_id, route, requested_by, received_on, status, exceptions, created_at, updated_at, version)
		VALUES (?, ?, ?, 'request', 'parent', '2026-03-02', 'requested', '[]', ?, ?, 1)`, newID(t), plan, yp.ID, ts, ts)
	exec(`INSERT INTO transition_plans (id, young_person_id, started_on, pfa, adult_services_contacts, care_act_status, ended_on, created_at, updated_at, version)
		VALUES (?, ?, '2026-01-01', '{}', '[]', 'not_needed', '2026-02-01', ?, ?, 1)`, newID(t), yp.ID, ts, ts)
	response := newID(t)
	exec(`INSERT INTO survey_responses (id, template_id, template_version, audience, point, young_person_id, submitted_on, via, answers, created_at, version)
		VALUES (?, ?, 1, 'parent_carer', 'closure', ?, '2026-03-01', 'practitioner', '[]', ?, 1)`, response, template, yp.ID, ts)
	exec(`INSERT INTO survey_answers (response_id, question_id, template_id, audience, point, submitted_on, young_person_id, question_type, score)
		VALUES (?, 'listened_to', ?, 'parent_carer', 'closure', '2026-03-01', ?, 'likert_5', 4)`, response, template, yp.ID)
	exec(`INSERT INTO survey_invitations (id, token_hash, template_id, template_version, audience, point, young_person_id, expires_at, created_at, version)
		VALUES (?, ?, ?, 1, 'parent_carer', 'closure', ?, ?, ?, 1)`, newID(t), newID(t), template, yp.ID, ts.Add(24*time.Hour), ts)
	involve(t, st, yp.ID, pr.OrganisationID)
	exec(`INSERT INTO consents (id, young_person_id, given_by, relationship, scope, organisation_ids, organisation_types, given_on, created_at, updated_at, version)
		VALUES (?, ?, 'Parent', 'parent', 'all_involved', '[]', '[]', '2026-01-01', ?, ?, 1)`, newID(t), yp.ID, ts, ts)
	exec(`INSERT INTO timeline_events (id, young_person_id, referral_id, occurred_on, recorded_at, kind, record_type, record_id, summary)
		VALUES (?, ?, ?, '2026-03-02', ?, 'referral.received', 'referral', ?, 'REF received')`, newID(t), yp.ID, r.ID, ts, r.ID)
}

// youngPersonTables lists every table with a young_person_id column, from the schema itself.
func youngPersonTables(t *testing.T, st *store.Store) []string {
	t.Helper()
	q := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'young_person_id'`
	if st.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'young_person_id'`
	}
	var out []string
	for i := 0; ; i++ {
		name, err := store.RawString(st, q+" ORDER BY 1 LIMIT 1 OFFSET ?", i)
		if err != nil {
			break
		}
		out = append(out, name)
	}
	if len(out) < 10 {
		t.Fatalf("found only %v holding young_person_id", out)
	}
	return out
}

// TestMergeCoversEveryLinkedTable: every table holding a young person's id is moved by a merge,
// except the audit trail (never rewritten; read with the kept record's), the possible
// duplicates (which keep naming the merged-away record; the people service settles them) and the
// transitions report's derived runs of days (the merge's own updates mark both young people, and
// the next fold works both out again: TestMerge).
func TestMergeCoversEveryLinkedTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var want []string
		for _, table := range youngPersonTables(t, st) {
			if table != "audit_events" && table != "possible_duplicates" && !derivedByFold[table] {
				want = append(want, table)
			}
		}
		got := store.LinkedTables()
		sort.Strings(got)
		sort.Strings(want)
		wantEqual(t, "tables a merge moves", got, want)
	})
}

// derivedByFold are tables the fold works out again from the records (the transitions report's),
// not moved by a merge.
var derivedByFold = map[string]bool{"transition_dirty": true, "transition_spans": true, "transition_orgs": true,
	"report_org_children": true, "report_org_dirty": true, "report_org_moves": true}

func TestMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		kept := mkPerson(t, st, o.ID, func(p *person.YoungPerson) { p.NHSNumber = "9434765919" })
		from := mkPerson(t, st, o.ID, func(p *person.YoungPerson) {
			p.GivenName, p.NHSNumber, p.UPN, p.Locality = "Alexandra", "9434765919", "B801200005001", "North"
			p.Contacts = []person.Contact{{Name: "Jo Doe", Relationship: "mother", ParentalResponsibility: true, MainContact: true}}
			p.Communication = &person.Communication{Language: "pol", InterpreterNeeded: true}
		})
		earlier := mkPerson(t, st, o.ID, nil) // merged into from before from is merged into kept
		seedLinked(t, st, kept, pr)
		seedLinked(t, st, from, pr)
		fromAudit := audit.Event{ID: newID(t), OccurredAt: now(), Action: audit.Read, RecordType: audit.YoungPerson, RecordID: from.ID,
			YoungPersonID: from.ID, ActorRole: "send_officer"}
		earlierAudit := audit.Event{ID: newID(t), OccurredAt: now(), Action: audit.Create, RecordType: audit.YoungPerson, RecordID: earlier.ID,
			YoungPersonID: earlier.ID, ActorRole: "practitioner"}
		write(t, st, func(tx *store.Tx) error { return tx.Audit(fromAudit, earlierAudit) })
		at1 := now()
		write(t, st, func(tx *store.Tx) error { _, err := tx.People().Merge(earlier.ID, from.ID, at1); return err })

		at := now()
		var moved person.Moved
		write(t, st, func(tx *store.Tx) error {
			var err error
			moved, err = tx.People().Merge(from.ID, kept.ID, at)
			return err
		})
		wantEqual(t, "records moved", moved, person.Moved{"referral": 1, "family_assessment": 1, "meeting": 1, "action": 1,
			"pathway_feedback": 1, "ehc_request": 1, "ehc_plan": 1, "annual_review": 1, "dispute": 1, "document": 1, "ehc_advice": 1, "setting_consultation": 1, "reassessment": 1, "transition_plan": 1,
			"survey_response": 1, "survey_invitation": 1, "involvement": 1, "consent": 1, "timeline_event": 1,
			// Transforming Care records are not seeded here: TestMergeCoversEveryLinkedTable holds that they move.
			"support_register_entry": 0, "care_treatment_review": 0, "placement": 0, "personal_budget": 0})

		// Nothing names the merged-away record but its audit trail, which is never rewritten, once the
		// transitions report's runs of days and the organisations' children are worked out again.
		if _, err := st.FoldReportDeltas(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, table := range youngPersonTables(t, st) {
			n, err := store.RawCount(st, "SELECT COUNT(*) FROM "+table+" WHERE young_person_id = ?", from.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int64{"audit_events": 1}[table]; n != want {
				t.Errorf("%s: %d rows still name the merged-away record, want %d", table, n, want)
			}
			// The fixture writes records through the repositories, not the services that announce them;
			// the runs of days are derived, their count is TestTransitionSpansEqualRows' business.
			if derivedByFold[table] || table == "audit_events" || table == "young_people" || table == "possible_duplicates" || table == "outbox_events" {
				continue
			}
			// Not seeded here (TestMergeCoversEveryLinkedTable holds that they move): Transforming Care records and
			// deadline notices and the stored worklist (the sweep's).
			switch table {
			case "support_register_entries", "care_treatment_reviews", "placements", "personal_budgets", "personal_budget_payments", "deadline_notices",
				"deadline_worklist", "deadline_worklist_stale":
				continue
			}
			if n, err := store.RawCount(st, "SELECT COUNT(*) FROM "+table+" WHERE young_person_id = ?", kept.ID); err != nil || n != 2 {
				t.Errorf("%s: %d rows on the kept record, %v; want its own and the moved one", table, n, err)
			}
		}
		// A moved record shows a new version, so an ETag read before the merge is stale.
		if n, err := store.RawCount(st, "SELECT COUNT(*) FROM referrals WHERE young_person_id = ? AND version = 2", kept.ID); err != nil || n != 1 {
			t.Errorf("moved referrals at version 2 = %d, %v; want 1", n, err)
		}

		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.People().Get(from.ID, access.All); return err }))
		for _, id := range []string{from.ID, earlier.ID} {
			into := read(t, st, func(tx *store.Tx) (string, error) { return tx.People().MergedInto(id) })
			if into != kept.ID {
				t.Errorf("MergedInto(%s) = %s, want the kept record", id, into)
			}
		}
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.People().MergedInto(kept.ID); return err }))

		merged := read(t, st, func(tx *store.Tx) ([]person.Merged, error) { return tx.People().MergedFrom(kept.ID) })
		if len(merged) != 2 || merged[0].ID != from.ID || merged[1].ID != earlier.ID {
			t.Fatalf("merged into the kept record: %+v", merged)
		}
		wantEqual(t, "the merged record as it was", merged[0].YoungPerson, from)
		if merged[0].MergedInto != kept.ID || !merged[0].MergedAt.Equal(at) {
			t.Errorf("merged %s into %s at %v, want %s at %v", merged[0].ID, merged[0].MergedInto, merged[0].MergedAt, kept.ID, at)
		}

		// The kept child's trail includes the merged records' own.
		trail := auditEvents(t, st, audit.Filter{YoungPersonID: kept.ID})
		got := ids(trail, func(e audit.Event) string { return e.ID })
		if !slices.Contains(got, fromAudit.ID) || !slices.Contains(got, earlierAudit.ID) {
			t.Errorf("kept record's trail %v lacks the merged records' events", got)
		}

		// Refusals.
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.People().Merge(kept.ID, kept.ID, at); return err }), fault.Unprocessable)
		wantNotFound(t, st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.People().Merge(from.ID, kept.ID, at); return err }))
		wantNotFound(t, st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.People().Merge(kept.ID, newID(t), at); return err }))

		// Erasing the kept record erases what was merged into it, and the pairs naming any of them.
		write(t, st, func(tx *store.Tx) error {
			_, err := tx.Duplicates().Record(person.NewDuplicate(newID(t), kept.ID, from.ID, person.ByNHSNumber, at))
			return err
		})
		write(t, st, func(tx *store.Tx) error { return tx.People().Erase(kept.ID) })
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.People().MergedInto(from.ID); return err }))
		if n, err := store.RawCount(st, "SELECT COUNT(*) FROM possible_duplicates"); err != nil || n != 0 {
			t.Errorf("pairs after erasure = %d, %v; want 0", n, err)
		}
	})
}

// TestMergeConcurrent: two merges of the same pair, each way round, at once: one wins, the other
// finds its record gone; never a deadlock or a half-moved record.
func TestMergeConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		a, b := mkPerson(t, st, o.ID, nil), mkPerson(t, st, o.ID, nil)
		seedLinked(t, st, a, pr)
		seedLinked(t, st, b, pr)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, pair := range [][2]string{{a.ID, b.ID}, {b.ID, a.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.People().Merge(pair[0], pair[1], now()); return err })
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case fault.KindOf(err) != fault.NotFound:
				t.Errorf("losing merge: %v, want NotFound", err)
			}
		}
		if ok != 1 {
			t.Fatalf("merges that won: %d (%v), want 1", ok, errs)
		}
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM referrals WHERE young_person_id IN (?, ?)", a.ID, b.ID)
		if err != nil || n != 2 {
			t.Fatalf("referrals of the pair = %d, %v; want 2", n, err)
		}
		if n, err := store.RawCount(st, "SELECT COUNT(DISTINCT young_person_id) FROM referrals WHERE young_person_id IN (?, ?)", a.ID, b.ID); err != nil || n != 1 {
			t.Fatalf("referrals on %d records, %v; want all on the kept one", n, err)
		}
	})
}

func TestDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		a, b, c := newID(t), newID(t), newID(t)
		t0 := now()
		d1 := person.NewDuplicate(newID(t), b, a, person.ByNHSNumber, t0)
		d2 := person.NewDuplicate(newID(t), a, b, person.ByUPN, t0)
		d3 := person.NewDuplicate(newID(t), c, a, person.ByNHSNumber, t0)
		var added []person.Duplicate
		write(t, st, func(tx *store.Tx) error {
			var err error
			added, err = tx.Duplicates().Record(d1, d2, d3)
			return err
		})
		wantEqual(t, "added", added, []person.Duplicate{d1, d2, d3})
		// The same pair on the same identifier, found again (either way round), is left alone.
		again := person.NewDuplicate(newID(t), a, b, person.ByNHSNumber, t0.Add(time.Hour))
		write(t, st, func(tx *store.Tx) error {
			var err error
			added, err = tx.Duplicates().Record(again)
			return err
		})
		if len(added) != 0 {
			t.Fatalf("a pair recorded twice: %+v", added)
		}

		got := read(t, st, func(tx *store.Tx) (person.Duplicate, error) { return tx.Duplicates().Get(d1.ID) })
		wantEqual(t, "round trip", got, d1)
		if got.YoungPersonIDs != [2]string{a, b} {
			t.Fatalf("pair %v, want the older record first", got.YoungPersonIDs)
		}
		wantNotFound(t, readErr(st, func(tx *store.Tx) error { _, err := tx.Duplicates().Get(newID(t)); return err }))

		if err := got.Dismiss("Twins.", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got.UpdatedAt, got.Version = t0.Add(time.Minute), 2
		write(t, st, func(tx *store.Tx) error { return tx.Duplicates().Update(got) })
		wantEqual(t, "dismissed", read(t, st, func(tx *store.Tx) (person.Duplicate, error) { return tx.Duplicates().Get(d1.ID) }), got)
		stale := got
		stale.Reason = "Overwritten?"
		testkit.AsFault(t, st.InTx(ctx, func(tx *store.Tx) error { return tx.Duplicates().Update(stale) }), fault.PreconditionFailed)

		list := func(f person.DuplicateFilter, p paging.Page) ([]string, string) {
			var next string
			items := read(t, st, func(tx *store.Tx) ([]person.Duplicate, error) {
				var (
					out []person.Duplicate
					err error
				)
				out, next, err = tx.Duplicates().List(f, p)
				return out, err
			})
			return ids(items, func(d person.Duplicate) string { return d.ID }), next
		}
		for _, tc := range []struct {
			name string
			f    person.DuplicateFilter
			want []string
		}{
			{"all, newest first", person.DuplicateFilter{}, []string{d3.ID, d2.ID, d1.ID}},
			{"open", person.DuplicateFilter{Status: person.DuplicateOpen}, []string{d3.ID, d2.ID}},
			{"dismissed", person.DuplicateFilter{Status: person.DuplicateDismissed}, []string{d1.ID}},
			{"naming b", person.DuplicateFilter{YoungPersonID: b}, []string{d2.ID, d1.ID}},
			{"naming c", person.DuplicateFilter{YoungPersonID: c}, []string{d3.ID}},
			{"open naming b", person.DuplicateFilter{YoungPersonID: b, Status: person.DuplicateOpen}, []string{d2.ID}},
		} {
			got, _ := list(tc.f, paging.Page{})
			wantEqual(t, tc.name, got, tc.want)
		}
		page1, next := list(person.DuplicateFilter{}, paging.Page{Limit: 2})
		page2, last := list(person.DuplicateFilter{}, paging.Page{Limit: 2, Cursor: next})
		if !slices.Equal(append(page1, page2...), []string{d3.ID, d2.ID, d1.ID}) || next == "" || last != "" {
			t.Fatalf("pages %v %v (next %q, last %q)", page1, page2, next, last)
		}
	})
}
