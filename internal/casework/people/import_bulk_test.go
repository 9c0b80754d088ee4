package people_test

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/person"
)

// An imported chunk (its inserts sent together, a multi-row statement per table) leaves exactly
// the rows that recording the same children one at a time through CreateYoungPerson leaves:
// young people, external ids, the team, audit and outbox events, compared table by table once
// each set's own ids, NHS numbers and keys are replaced by the row's place in the file. The file
// mixes rows written with no further reads (a fresh child) with rows done one by one inside the
// batch (a child with a setting), and more rows than one statement takes on SQLite.
func TestImportWritesWhatOneAtATimeWrites(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		n := casework.ImportChunk + 300
		child := func(set string, i int) (person.YoungPerson, externalid.ID) {
			key := externalid.ID{System: "bridge", Value: fmt.Sprintf("%s-%d", set, i)}
			yp := person.YoungPerson{GivenName: "Child", FamilyName: "Imported", DateOfBirth: cwt.Today.AddDate(-9, 0, 0),
				Locality: "South", PrimarySENNeed: "ASD", NHSNumber: nhsNumber(set, i), ExternalIDs: []externalid.ID{key}}
			if i >= casework.ImportChunk && i%7 == 3 {
				yp.EducationSettingID = e.School.ID
			}
			return yp, key
		}
		ctx := cwt.As(e.Officer())
		var imported []string
		err := e.App.People.ImportYoungPeople(ctx, func(yield func(people.ImportRow) bool) {
			for i := range n {
				yp, key := child("A", i)
				if !yield(people.ImportRow{Row: i + 2, Key: key, Person: yp}) {
					return
				}
			}
		}, false, func(r people.ImportResult) {
			if !r.Created {
				t.Errorf("row %d not created", r.Row)
			}
			imported = append(imported, r.ID)
		})
		if err != nil || len(imported) != n {
			t.Fatalf("import: %v, %d rows", err, len(imported))
		}
		var one []string
		for i := range n {
			yp, _ := child("B", i)
			one = append(one, cwt.Must(e.App.People.CreateYoungPerson(ctx, yp))(t).ID)
		}
		db := e.SQL()
		for _, table := range []struct{ name, ypCol string }{
			{"young_people", "id"}, {"external_ids", "record_id"}, {"involvements", "young_person_id"},
			{"audit_events", "young_person_id"}, {"outbox_events", "young_person_id"}, {"possible_duplicates", "young_person_id"},
		} {
			a := normalisedRows(t, db, table.name, table.ypCol, imported, "A")
			b := normalisedRows(t, db, table.name, table.ypCol, one, "B")
			if len(a) == 0 && table.name != "possible_duplicates" {
				t.Errorf("%s: no rows", table.name)
			}
			if !slices.Equal(a, b) {
				for i := range min(len(a), len(b)) {
					if a[i] != b[i] {
						t.Errorf("%s differs:\nimport:     %s\none by one: %s", table.name, a[i], b[i])
						break
					}
				}
				t.Errorf("%s: %d rows imported, %d one by one", table.name, len(a), len(b))
			}
		}
		// Each child's stored deadlines are marked stale for the worklist's refresh, once, either
		// way (the import writes its marks as multi-row INSERTs at its end).
		for name, ids := range map[string][]string{"import": imported, "one by one": one} {
			marks := normalisedRows(t, db, "deadline_worklist_stale", "young_person_id", ids, "")
			children := map[string]bool{}
			for _, m := range marks {
				children[strings.Fields(m)[1]] = true
			}
			if len(marks) != n || len(children) != n {
				t.Errorf("%s: %d worklist marks for %d children, want one for each of %d", name, len(marks), len(children), n)
			}
		}
	}, func(o *app.Options) {
		o.PersonRules.AllowTestNHSNumbers = true
		o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"}
	})
}

var (
	uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	nhsSeq      = map[string]int{"A": 100000, "B": 300000, "C": 500000}
)

// TestImportManyIdentifiers: an import of more young people with NHS numbers than PostgreSQL's
// lock table holds locks (max_locks_per_transaction × connections, 6,400 by default) commits in
// one transaction, as the import holds one lock for every identifier rather than one per value.
func TestImportManyIdentifiers(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		const n = 15000
		created := 0
		err := e.App.People.ImportYoungPeople(cwt.As(e.Officer()), func(yield func(people.ImportRow) bool) {
			for i := range n {
				key := externalid.ID{System: "bridge", Value: fmt.Sprintf("C-%d", i)}
				yp := person.YoungPerson{GivenName: "Child", FamilyName: "Imported", DateOfBirth: cwt.Today.AddDate(-9, 0, 0),
					NHSNumber: nhsNumber("C", i), ExternalIDs: []externalid.ID{key}}
				if !yield(people.ImportRow{Row: i + 2, Key: key, Person: yp}) {
					return
				}
			}
		}, false, func(r people.ImportResult) {
			if r.Created {
				created++
			}
		})
		if err != nil || created != n {
			t.Fatalf("import: %v, %d of %d created", err, created, n)
		}
		var held int
		if err := e.SQL().QueryRow("SELECT COUNT(*) FROM young_people WHERE nhs_number IS NOT NULL").Scan(&held); err != nil || held != n {
			t.Fatalf("%d young people hold an NHS number (%v), want %d", held, err, n)
		}
	}, func(o *app.Options) {
		o.PersonRules.AllowTestNHSNumbers = true
		o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"}
	})
}

// nhsNumber is a valid test NHS number (999...) for row i of set.
func nhsNumber(set string, i int) string {
	for k := nhsSeq[set] + 2*i; ; k++ {
		base := fmt.Sprintf("999%06d", k)
		sum := 0
		for j, c := range base {
			sum += int(c-'0') * (10 - j)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return base + strconv.Itoa(check)
		}
	}
}

// normalisedRows is table's rows about the young people ids (in file order), each as text with
// their ids, NHS numbers and keys replaced by their place, every other id by "ID" and the outbox
// sequence dropped, sorted.
func normalisedRows(t *testing.T, db *sql.DB, table, ypCol string, ids []string, set string) []string {
	t.Helper()
	place := map[string]string{}
	for i, id := range ids {
		place[id] = "YP" + strconv.Itoa(i)
		place[nhsNumber(set, i)] = "NHS" + strconv.Itoa(i)
		place[fmt.Sprintf("%s-%d", set, i)] = "KEY" + strconv.Itoa(i)
	}
	var out []string
	for part := range slices.Chunk(ids, 500) {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := "SELECT * FROM " + table + " WHERE " + ypCol + " IN (" + marks + ")"
		if storetestIsPostgres(db) {
			q = "SELECT * FROM " + table + " WHERE CAST(" + ypCol + " AS TEXT) IN (" + dollar(len(part)) + ")"
		}
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, c := range cols {
				if c == "seq" {
					continue
				}
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				s := fmt.Sprint(v)
				if p, ok := place[s]; ok {
					s = p
				} else {
					s = uuidPattern.ReplaceAllStringFunc(s, func(u string) string {
						if p, ok := place[u]; ok {
							return p
						}
						return "ID"
					})
				}
				fmt.Fprintf(&b, "%s=%s ", c, s)
			}
			out = append(out, b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

func storetestIsPostgres(db *sql.DB) bool {
	var v string
	return db.QueryRow("SELECT version()").Scan(&v) == nil && strings.Contains(v, "PostgreSQL")
}

func dollar(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = "$" + strconv.Itoa(i+1)
	}
	return strings.Join(s, ",")
}

// A young person whose NHS number a row of an earlier chunk of the same file gave (written by
// then, in the import's transaction) is refused, naming the row, and nothing of the file is kept.
func TestImportIdentifierGivenInAnEarlierChunk(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		again, set := casework.ImportChunk+100, "A" // a row of the next chunk
		err := e.App.People.ImportYoungPeople(cwt.As(e.Officer()), func(yield func(people.ImportRow) bool) {
			for i := range casework.ImportChunk + 200 {
				key := externalid.ID{System: "bridge", Value: fmt.Sprintf("%s-again-%d", set, i)}
				yp := person.YoungPerson{GivenName: "Child", FamilyName: "Imported", DateOfBirth: cwt.Today.AddDate(-9, 0, 0),
					NHSNumber: nhsNumber(set, i), ExternalIDs: []externalid.ID{key}}
				if i == again {
					yp.NHSNumber = nhsNumber(set, 5)
				}
				if !yield(people.ImportRow{Row: i + 2, Key: key, Person: yp}) {
					return
				}
			}
		}, false, func(people.ImportResult) {})
		var re *people.RowError
		if !errors.As(err, &re) || re.Row != again+2 || !strings.Contains(re.Error(), "NHS") {
			t.Errorf("row %d gives row 7's NHS number again: %v, want that row refused for its NHS number", again+2, err)
		}
		var kept int
		if err := e.SQL().QueryRow("SELECT COUNT(*) FROM external_ids WHERE value LIKE '" + set + "-again-%'").Scan(&kept); err != nil || kept != 0 {
			t.Errorf("a refused file left %d young people (%v)", kept, err)
		}
	}, func(o *app.Options) {
		o.PersonRules.AllowTestNHSNumbers = true
		o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"}
	})
}

// A key a row of the previous chunk gave (a caller that did not check its file's keys) finds the
// young person that row made, written by then in the import's transaction: unchanged, not a
// conflict, though the chunk's reads otherwise go ahead of the last chunk's rows.
func TestImportKeyGivenInThePreviousChunk(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		again, set := casework.ImportChunk+50, "K"
		key := func(i int) externalid.ID {
			return externalid.ID{System: "bridge", Value: fmt.Sprintf("%s-key-%d", set, i)}
		}
		results := map[int]people.ImportResult{}
		err := e.App.People.ImportYoungPeople(cwt.As(e.Officer()), func(yield func(people.ImportRow) bool) {
			for i := range casework.ImportChunk + 100 {
				k := key(i)
				if i == again {
					k = key(5)
				}
				yp := person.YoungPerson{GivenName: "Child", FamilyName: "Imported", DateOfBirth: cwt.Today.AddDate(-9, 0, 0),
					ExternalIDs: []externalid.ID{k}}
				if !yield(people.ImportRow{Row: i + 2, Key: k, Person: yp}) {
					return
				}
			}
		}, false, func(res people.ImportResult) { results[res.Row] = res })
		if err != nil {
			t.Fatal(err)
		}
		first, second := results[7], results[again+2]
		if !first.Created || second.Created || second.ID != first.ID {
			t.Errorf("row %d gives row 7's key again: %+v, row 7 %+v; want row 7's young person, unchanged", again+2, second, first)
		}
	}, func(o *app.Options) { o.PersonRules.ExternalIDSystems = externalid.Systems{"bridge"} })
}
