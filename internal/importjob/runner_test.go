package importjob

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/person"
)

// youngPeopleKind parses rows as the young-people import does and, in place of the database,
// hands the rows it is given to wrote: the runner's part (which rows are written, which set aside
// with which problems, and what it holds meanwhile) is what these tests look at; the writing
// itself is tested against both databases in cmd/oneplan and internal/httpapi.
func youngPeopleKind(t *testing.T, wrote func(people int)) Kind {
	t.Helper()
	enums, err := ContractEnums()
	if err != nil {
		t.Fatal(err)
	}
	rules := person.Rules{ExternalIDSystems: externalid.Systems{"bridge"}}
	today := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	return Kind{Role: auth.RoleSENDOfficer, KeyColumn: "external_id",
		Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
			_, key, problems := importfile.YoungPerson(rec, enums, rules, today)
			return rec.Row, keyText(key), problems
		},
		Write: func(_ context.Context, rows iter.Seq[any], _ bool, done func(casework.ImportResult)) error {
			n := 0
			for r := range rows {
				n++
				done(casework.ImportResult{Row: r.(int), Created: true})
			}
			wrote(n)
			return nil
		}}
}

// TestRefusedRowsSetAside: continuing on error, the rejects file holds each refused row with the
// problems the check found (its columns' and its key given before, found again when it is
// written, not kept), and only the good rows are written.
func TestRefusedRowsSetAside(t *testing.T) {
	file := "external_system,external_id,given_name,family_name,date_of_birth\n" +
		"bridge,A1,Ada,Lovelace,2015-03-01\n" + // row 2: good
		"bridge,A2,Bob,,03/01/2015\n" + // row 3: no family name, a date in the wrong form
		"bridge,A1,Cy,Twice,2016-04-02\n" + // row 4: the key of row 2
		"bridge,A4,Di,Good,2017-05-03\n" + // row 5: good
		"bridge,A1,Ed,Thrice,1990-01-01\n" // row 6: row 2's key again, and aged over 25
	var written int
	var rejects bytes.Buffer
	var heard []string
	r := &Runner{Kind: youngPeopleKind(t, func(n int) { written += n }), Layout: importfile.YoungPeople, Name: "test",
		Open:            func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(file)), nil },
		ContinueOnError: true,
		Rejects:         func() (io.WriteCloser, error) { return nopWriteCloser{&rejects}, nil },
		Problem:         func(p importfile.Problem) { heard = append(heard, p.String()) }}
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != 5 || c.Refused != 3 || c.Created != 2 || written != 2 {
		t.Fatalf("counts %+v, written %d; want 5 rows, 3 refused, 2 created and written", c, written)
	}
	recs, err := csv.NewReader(&rejects).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][len(recs[0])-1] != "problems" {
		t.Fatalf("rejects file (%v): %q", err, recs)
	}
	var said []string
	for i, want := range []struct {
		id       string
		problems []string
	}{
		{"A2", []string{"row 3, column family_name: is required", "row 3, column date_of_birth: must be a date YYYY-MM-DD, from 1900-01-01"}},
		{"A1", []string{"row 4, column external_id: is given again (first on row 2)"}},
		{"A1", []string{"row 6, column date_of_birth: the pathway is for children and young people aged 0 to 25",
			"row 6, column external_id: is given again (first on row 2)"}},
	} {
		rec := recs[i+1]
		got := strings.Split(rec[len(rec)-1], "; ")
		if rec[1] != want.id || strings.Join(got, "\n") != strings.Join(want.problems, "\n") {
			t.Errorf("rejects row %d: %q; want %s with %q", i+1, rec, want.id, want.problems)
		}
		said = append(said, got...)
	}
	// What the rejects file says of each row is what the check said of it, in the same order.
	if strings.Join(said, "\n") != strings.Join(heard, "\n") {
		t.Errorf("rejects file's problems:\n%s\nthe check's:\n%s", strings.Join(said, "\n"), strings.Join(heard, "\n"))
	}
}

// TestRefusedRowsHoldNoProblems: a file whose every row is refused (here a date column in the
// wrong form, as a spreadsheet exported with the wrong settings gives) is set aside holding a bit
// per row between the check and the write, not each row's problems: what the heap holds once the
// file is checked does not grow with the file. (Holding the problems took about 100 bytes a row:
// 19 MB for these 200,000 rows, a gigabyte for a file of ten million.)
func TestRefusedRowsHoldNoProblems(t *testing.T) {
	const n = 200_000
	file := func() io.ReadCloser {
		var b strings.Builder
		b.WriteString("external_system,external_id,given_name,family_name,date_of_birth\n")
		for i := range n {
			fmt.Fprintf(&b, "bridge,K%d,Child,Refused,%02d/03/2015\n", i, 1+i%28)
		}
		return io.NopCloser(strings.NewReader(b.String()))
	}
	var held uint64
	var base runtime.MemStats
	var rejected countingWriter
	r := &Runner{Kind: youngPeopleKind(t, func(int) {}), Layout: importfile.YoungPeople, Name: "test",
		Open:            func() (io.ReadCloser, error) { return file(), nil },
		ContinueOnError: true,
		Rejects:         func() (io.WriteCloser, error) { return &rejected, nil },
		Start: func(int) {
			// The file is checked and the write not begun: what the run holds now is what it
			// keeps of the refused rows.
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			held = m.HeapAlloc - min(m.HeapAlloc, base.HeapAlloc)
		}}
	runtime.GC()
	runtime.ReadMemStats(&base)
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != n || c.Refused != n || c.Created != 0 {
		t.Fatalf("counts %+v; want all %d rows refused", c, n)
	}
	if rejected.lines != n+1 {
		t.Fatalf("rejects file has %d lines; want the header and %d rows", rejected.lines, n)
	}
	t.Logf("held between check and write for %d refused rows: %d bytes", n, held)
	if held > 2<<20 {
		t.Fatalf("the run held %.1f MB for %d refused rows between its check and its write; want a bit a row", float64(held)/(1<<20), n)
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// countingWriter counts the lines written to it, keeping none.
type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

func (w *countingWriter) Close() error { return nil }

// TestRefusedRowsGivenAgainPastTheFilter: past exactKeys the keys given again are found by the
// read that confirms the filter's alarms, after the check pass; the rejects file still gives each
// such row its problems in order, its own columns' first.
func TestRefusedRowsGivenAgainPastTheFilter(t *testing.T) {
	const n = exactKeys + 2000
	var b strings.Builder
	b.WriteString("external_system,external_id,given_name,family_name,date_of_birth\n")
	for i := range n {
		key, dob := fmt.Sprintf("K%d", i), "2015-03-01"
		switch i {
		case n - 2: // row n: the key of row 12, found only by the confirming read
			key = "K10"
		case n - 1: // row n+1: the key of a row past the change, with a date in the wrong form
			key, dob = fmt.Sprintf("K%d", exactKeys+5), "01/03/2015"
		}
		fmt.Fprintf(&b, "bridge,%s,Child,Row%d,%s\n", key, i, dob)
	}
	var rejects bytes.Buffer
	r := &Runner{Kind: youngPeopleKind(t, func(int) {}), Layout: importfile.YoungPeople, Name: "test",
		Open:            func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(b.String())), nil },
		ContinueOnError: true,
		Rejects:         func() (io.WriteCloser, error) { return nopWriteCloser{&rejects}, nil }}
	c, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Refused != 2 || c.Created != n-2 {
		t.Fatalf("counts %+v; want 2 refused, %d created", c, n-2)
	}
	recs, err := csv.NewReader(&rejects).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("rejects file (%v): %q", err, recs)
	}
	want := []string{
		fmt.Sprintf("row %d, column external_id: is given again (first on row 12)", n),
		fmt.Sprintf("row %d, column date_of_birth: must be a date YYYY-MM-DD, from 1900-01-01; row %d, column external_id: is given again (first on row %d)",
			n+1, n+1, exactKeys+7),
	}
	for i, w := range want {
		if got := recs[i+1][len(recs[i+1])-1]; got != w {
			t.Errorf("rejects row %d: %q\nwant %q", i+1, got, w)
		}
	}
}
