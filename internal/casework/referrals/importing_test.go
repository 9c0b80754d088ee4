package referrals_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// An import of more referrals than one chunk (read for together, written together) leaves for
// each the rows a referral received one at a time leaves: its reasons, its first stage, the
// timeline line, the referrer on the team, its external id, its audit event and outbox events,
// and the same eligibility and locality; a second run of the same file creates nothing.
func TestImportedReferralsMatchCreated(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		n := casework.ImportChunk + 100
		ctx := cwt.As(e.Officer())
		children := importChildren(t, e, "C", n+1, "South")
		r := referral.Referral{Reasons: []string{"sen", "health"}, ServicesInvolved: []string{"school"}, ReceivedOn: cwt.Today.AddDate(0, 0, -3)}
		rows := func(yield func(referrals.ImportReferral) bool) {
			for i := range n {
				yp := key("C", i)
				if !yield(referrals.ImportReferral{Row: i + 2, Key: key("R", i), YoungPersonKey: &yp, ReferrerEmail: strings.ToLower(e.SENCO.Email), Referral: r}) {
					return
				}
			}
		}
		var ids []string
		created := 0
		if err := e.App.Referrals.ImportReferrals(ctx, rows, false, func(res casework.ImportResult) {
			ids = append(ids, res.ID)
			if res.Created {
				created++
			}
		}); err != nil || created != n {
			t.Fatalf("import: %v, %d of %d created", err, created, n)
		}
		// The same referral, received one at a time, for the last child.
		one := r
		one.YoungPersonID = children[n]
		one.ReferrerPractitionerID = e.SENCO.ID
		want, _, err := e.App.Referrals.CreateReferralIfNoneExist(ctx, one, key("R", n))
		if err != nil {
			t.Fatal(err)
		}
		shape := func(id string) string {
			var out string
			for _, q := range []string{
				"SELECT COUNT(*) FROM referral_reasons WHERE referral_id = $1",
				"SELECT COUNT(*) FROM referral_stages WHERE referral_id = $1",
				"SELECT COUNT(*) FROM timeline_events WHERE referral_id = $1 AND kind = 'referral.received'",
				"SELECT COUNT(*) FROM external_ids WHERE record_type = 'referral' AND record_id = $1",
				"SELECT COUNT(*) FROM audit_events WHERE record_id = $1 AND action = 'create'",
				"SELECT COUNT(*) FROM outbox_events WHERE record_id = $1",
				"SELECT COUNT(*) FROM involvements i JOIN referrals r ON r.young_person_id = i.young_person_id WHERE r.id = $1 AND i.role = 'referrer'",
				"SELECT COUNT(*) FROM outbox_events o JOIN involvements i ON o.record_id = i.id JOIN referrals r ON r.young_person_id = i.young_person_id WHERE r.id = $1",
				"SELECT eligibility || '/' || COALESCE(locality, '') || '/' || status || '/' || referrer_organisation_id FROM referrals WHERE id = $1",
			} {
				var v string
				if err := e.SQL().QueryRow(q, id).Scan(&v); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				out += v + " "
			}
			return out
		}
		w := shape(want.ID)
		for _, i := range []int{0, casework.ImportChunk - 1, casework.ImportChunk, n - 1} {
			if got := shape(ids[i]); got != w {
				t.Errorf("row %d: imported %q, one at a time %q", i+2, got, w)
			}
		}
		created = 0
		if err := e.App.Referrals.ImportReferrals(ctx, rows, false, func(res casework.ImportResult) {
			if res.Created {
				created++
			}
		}); err != nil || created != 0 {
			t.Fatalf("second run: %v, %d created", err, created)
		}
	}, func(o *app.Options) { o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"} })
}

// A referral key given again in the next chunk (a caller that did not check the file's keys)
// finds the referral the earlier row made, written by then in the import's transaction: unchanged,
// not a conflict.
func TestImportKeyGivenInThePreviousChunk(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		n, again := casework.ImportChunk+60, casework.ImportChunk+50
		ctx := cwt.As(e.Officer())
		importChildren(t, e, "K", n, "")
		r := referral.Referral{Reasons: []string{"sen"}, ServicesInvolved: []string{"school"}, ReceivedOn: cwt.Today.AddDate(0, 0, -3)}
		results := map[int]casework.ImportResult{}
		err := e.App.Referrals.ImportReferrals(ctx, func(yield func(referrals.ImportReferral) bool) {
			for i := range n {
				yp, k := key("K", i), key("RK", i)
				if i == again {
					k = key("RK", 5)
				}
				if !yield(referrals.ImportReferral{Row: i + 2, Key: k, YoungPersonKey: &yp, ReferrerEmail: strings.ToLower(e.SENCO.Email), Referral: r}) {
					return
				}
			}
		}, false, func(res casework.ImportResult) { results[res.Row] = res })
		if err != nil {
			t.Fatal(err)
		}
		first, second := results[7], results[again+2]
		if !first.Created || second.Created || second.ID != first.ID {
			t.Errorf("row %d gives row 7's key again: %+v, row 7 %+v; want it to find row 7's referral, unchanged", again+2, second, first)
		}
		created := 0
		for _, res := range results {
			if res.Created {
				created++
			}
		}
		if created != n-1 {
			t.Errorf("%d referrals created, want %d", created, n-1)
		}
	}, func(o *app.Options) { o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"} })
}

// key is the external id set-i in the system "bridge".
func key(set string, i int) externalid.ID {
	return externalid.ID{System: "bridge", Value: fmt.Sprintf("%s-%d", set, i)}
}

// importChildren imports n young people keyed set-0, set-1, ... (in locality, if given) and
// returns their ids in that order.
func importChildren(t *testing.T, e *cwt.Env, set string, n int, locality string) []string {
	t.Helper()
	var ids []string
	err := e.App.People.ImportYoungPeople(cwt.As(e.Officer()), func(yield func(people.ImportRow) bool) {
		for i := range n {
			yp := person.YoungPerson{GivenName: "Child", FamilyName: "Imported", DateOfBirth: cwt.Today.AddDate(-9, 0, 0), Locality: locality,
				ExternalIDs: []externalid.ID{key(set, i)}}
			if !yield(people.ImportRow{Row: i + 2, Key: key(set, i), Person: yp}) {
				return
			}
		}
	}, false, func(res casework.ImportResult) { ids = append(ids, res.ID) })
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
