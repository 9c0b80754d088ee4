package store

import (
	"reflect"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// TestListQueryBinds: a list's SQL, written directly, numbers its placeholders in the order its
// arguments appear (joins before conditions, a subquery's in place), spells a list out and an
// empty one as matching nothing, and leaves ? for SQLite.
func TestListQueryBinds(t *testing.T) {
	q := listQuery{table: "referrals"}
	q.where("referrals.status = ?", "received")
	q.join("JOIN referral_reasons rr ON rr.referral_id = referrals.id AND rr.reason = ?", "asd")
	q.where("referrals.young_person_id IN ?", []string{"a", "b"})
	q.where("referrals.status IN ?", []referral.Status{})
	sub := listQuery{table: "referrals"}
	sub.where("referrals.status = ?", "triaged")
	q.where("referrals.id IN (SELECT id FROM (?) s)", sub.part("referrals.id", 3))
	q.where("referrals.locality_key = ? OR referrals.locality_key = ?", "x", "y")
	q.lead = []string{"rr.reason"}
	if err := q.page(paging.Page{Cursor: EncodeCursor("00000000-0000-4000-8000-000000000009")}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var vars []any
	q.write(&b, &vars, Postgres, "referrals.id", 51)
	want := `SELECT referrals.id FROM "referrals" JOIN referral_reasons rr ON rr.referral_id = referrals.id AND rr.reason = $1 ` +
		`WHERE referrals.status = $2 AND referrals.young_person_id IN ($3,$4) AND referrals.status IN (NULL) ` +
		`AND referrals.id IN (SELECT id FROM (SELECT referrals.id FROM "referrals" WHERE referrals.status = $5 ORDER BY referrals.id DESC LIMIT 3) s) ` +
		`AND (referrals.locality_key = $6 OR referrals.locality_key = $7) AND referrals.id < $8 ORDER BY rr.reason DESC, referrals.id DESC LIMIT 51`
	if b.String() != want {
		t.Errorf("SQL:\n%s\nwant:\n%s", b.String(), want)
	}
	if wantVars := []any{"asd", "received", "a", "b", "triaged", "x", "y", "00000000-0000-4000-8000-000000000009"}; !reflect.DeepEqual(vars, wantVars) {
		t.Errorf("arguments %v, want %v", vars, wantVars)
	}
	b.Reset()
	vars = nil
	q.write(&b, &vars, SQLite, "referrals.id", 51)
	if strings.Contains(b.String(), "$") || strings.Count(b.String(), "?") != len(vars) || len(vars) != 8 {
		t.Errorf("SQLite: %d arguments for %s", len(vars), b.String())
	}
	if err := (&listQuery{table: "referrals"}).page(paging.Page{Cursor: "nonsense"}); err == nil {
		t.Error("a cursor this API did not issue was taken")
	}
}

// TestListQueryVisible: a list's scope restricts it as visibleYoungPeople restricts a record's read.
func TestListQueryVisible(t *testing.T) {
	for _, tc := range []struct {
		s    access.Scope
		want string
	}{
		{access.Scope{}, ""},
		{access.Scope{Only: []string{}}, "1 = 0"},
		{access.Scope{Only: []string{"a"}}, "young_people.id IN ?"},
		{access.Scope{Restricted: true, YoungPersonIDs: []string{"a"}}, "(young_people.id IN ?)"},
	} {
		q := listQuery{table: "young_people"}
		q.visible("young_people.id", tc.s, Postgres)
		if got := strings.Join(q.conds, " AND "); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.s, got, tc.want)
		}
	}
}
