package store_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// TestSafeguardingRaisedRoundTrip: a concern raised after receipt is kept with its day, reason and
// the route it replaced, and read back as written; a referral without one stores NULL.
func TestSafeguardingRaisedRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		pr := mkPractitioner(t, st, o.ID, nil)
		yp := mkPerson(t, st, o.ID, nil)
		raised := mkReferral(t, st, yp, pr, func(r *referral.Referral) {
			r.Status, r.Route, r.SafeguardingConcern = referral.Assessing, referral.RouteSafeguardingAssessment, true
			r.SafeguardingRaised = &referral.SafeguardingRaised{Reason: "Disclosure during the family assessment.", RaisedOn: testkit.Day(2026, 3, 10),
				RouteBefore: referral.RouteFamilyAssessment}
		})
		got := read(t, st, func(tx *store.Tx) (referral.Referral, error) { return tx.Referrals().Get(raised.ID, access.Scope{}) })
		wantEqual(t, "referral with a concern raised", got, raised)
		if got.SafeguardingRaised == nil || !got.SafeguardingRaised.RaisedOn.Equal(testkit.Day(2026, 3, 10)) {
			t.Fatalf("raised = %+v", got.SafeguardingRaised)
		}
		// Raised before triage: no route replaced.
		early := mkReferral(t, st, yp, pr, func(r *referral.Referral) {
			r.SafeguardingConcern = true
			r.SafeguardingRaised = &referral.SafeguardingRaised{Reason: "Concern on the phone.", RaisedOn: testkit.Day(2026, 3, 3)}
		})
		wantEqual(t, "concern raised before triage", read(t, st, func(tx *store.Tx) (referral.Referral, error) {
			return tx.Referrals().Get(early.ID, access.Scope{})
		}), early)
		bare := mkReferral(t, st, yp, pr, nil)
		if got := read(t, st, func(tx *store.Tx) (referral.Referral, error) { return tx.Referrals().Get(bare.ID, access.Scope{}) }); got.SafeguardingRaised != nil {
			t.Fatalf("bare referral raised = %+v, want nil", got.SafeguardingRaised)
		}
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM referrals WHERE id = ? AND safeguarding_raised IS NULL", bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("no concern raised stored as NULL: count %d, %v", n, err)
		}
	})
}

// TestInvolvementLawfulBasisRoundTrip: the lawful basis, the duty named and a review waiting are
// stored and read back; an involvement without them stores NULLs; clearing the review writes NULL.
func TestInvolvementLawfulBasisRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		yp := mkPerson(t, st, o.ID, nil)
		at := now()
		withBasis := sharing.Involvement{ID: newID(t), YoungPersonID: yp.ID, OrganisationID: o.ID, Role: sharing.RoleTeamMember,
			StartedOn: testkit.Day(2026, 3, 2), ConsentID: newID(t), LawfulBasis: sharing.LegalObligation,
			StatutoryDuty: "CFA 2014 s.43: admit the child named in the EHC plan", CreatedAt: at, UpdatedAt: at, Version: 1}
		flagged := sharing.Involvement{ID: newID(t), YoungPersonID: yp.ID, OrganisationID: o.ID, Role: sharing.RoleLeadProfessional,
			StartedOn: testkit.Day(2026, 3, 2), ConsentID: newID(t), ReviewNeeded: "another consent in force covers this organisation",
			CreatedAt: at, UpdatedAt: at, Version: 1}
		bare := sharing.Involvement{ID: newID(t), YoungPersonID: yp.ID, OrganisationID: o.ID, Role: sharing.RoleTeamMember,
			StartedOn: testkit.Day(2026, 3, 2), CreatedAt: at, UpdatedAt: at, Version: 1}
		write(t, st, func(tx *store.Tx) error {
			for _, i := range []sharing.Involvement{withBasis, flagged, bare} {
				if err := tx.Sharing().CreateInvolvement(i); err != nil {
					return err
				}
			}
			return nil
		})
		for _, want := range []sharing.Involvement{withBasis, flagged, bare} {
			got := read(t, st, func(tx *store.Tx) (sharing.Involvement, error) { return tx.Sharing().Involvement(yp.ID, want.ID) })
			wantEqual(t, "involvement "+want.Role, got, want)
		}
		listed := read(t, st, func(tx *store.Tx) ([]sharing.Involvement, error) {
			items, _, err := tx.Sharing().Involvements(yp.ID, nil, paging.Page{Limit: 10})
			return items, err
		})
		if len(listed) != 3 {
			t.Fatalf("listed %d involvements, want 3", len(listed))
		}
		n, err := store.RawCount(st, "SELECT COUNT(*) FROM involvements WHERE id = ? AND lawful_basis IS NULL AND statutory_duty IS NULL AND review_needed IS NULL", bare.ID)
		if err != nil || n != 1 {
			t.Fatalf("no basis, duty or review stored as NULL: count %d, %v", n, err)
		}
		// The review settled: the field is cleared.
		settled := flagged
		settled.ReviewNeeded, settled.LawfulBasis, settled.StatutoryDuty = "", sharing.PublicTask, "CFA 2014 Part 3"
		settled.Version++
		write(t, st, func(tx *store.Tx) error { return tx.Sharing().UpdateInvolvement(settled) })
		n, err = store.RawCount(st, "SELECT COUNT(*) FROM involvements WHERE id = ? AND review_needed IS NULL AND lawful_basis = 'public_task'", flagged.ID)
		if err != nil || n != 1 {
			t.Fatalf("settled review: count %d, %v", n, err)
		}
	})
}
