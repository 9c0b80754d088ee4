package store_test

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// The caller's updated_at is what is stored, so an injected clock and the PATCH answer agree
// with the next read.
func TestUpdateKeepsCallersUpdatedAt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, nil)
		o.Name, o.Version = "Renamed", o.Version+1
		o.UpdatedAt = time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
		write(t, st, func(tx *store.Tx) error { return tx.Directory().UpdateOrganisation(o) })
		var got directory.Organisation
		write(t, st, func(tx *store.Tx) (err error) { got, err = tx.Directory().Organisation(o.ID); return err })
		if !got.UpdatedAt.Equal(o.UpdatedAt) {
			t.Fatalf("updated_at = %v, want %v", got.UpdatedAt, o.UpdatedAt)
		}
	})
}

// Case-insensitive filters fold every letter, not only ASCII, on both databases.
func TestFiltersFoldNonASCIILetters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		o := mkOrg(t, st, func(o *directory.Organisation) { o.Name = "École Saint-Étienne"; o.Locality = "Île Nord" })
		items, _, err := listOrgs(st, directory.OrganisationFilter{Query: "étienne", Locality: "île nord"}, paging.Page{Limit: 10})
		if err != nil || len(items) != 1 || items[0].ID != o.ID {
			t.Fatalf("organisations: %v %v", err, orgIDs(items))
		}
		p := mkPerson(t, st, o.ID, func(p *person.YoungPerson) { p.Locality = "ÉAST" })
		people, _, err := listPeople(st, person.Filter{Locality: "éast"}, access.Scope{}, paging.Page{Limit: 10})
		if err != nil || len(people) != 1 || people[0].ID != p.ID {
			t.Fatalf("young people: %v %v", err, personIDs(people))
		}
	})
}
