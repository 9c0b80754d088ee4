package importfile

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/person"
)

var (
	today = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	enums = Enums{"Gender": {"female", "male"}, "Sex": {"female", "male"}, "SenNeed": {"ASD", "SLCN"}, "Ethnicity": {"WBRI"}, "UpnUnknown": {"UN1"}}
	rules = person.Rules{ExternalIDSystems: externalid.Systems{"bridge"}}
)

const header = "external_system,external_id,given_name,family_name,date_of_birth,nhs_number,upn,gender,primary_sen_need,upn_unknown\n"

func rows(t *testing.T, body string) []Record {
	t.Helper()
	_, out := readAll(t, header+body, YoungPeople)
	return out
}

// readAll reads a whole file of layout, whose header must be good.
func readAll(t *testing.T, file string, layout Layout) (*Reader, []Record) {
	t.Helper()
	rd, problems, err := NewReader(strings.NewReader(file), layout)
	if err != nil || len(problems) > 0 {
		t.Fatalf("header: %v %v", problems, err)
	}
	var out []Record
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd, out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

// TestYoungPersonRows: each bad row is refused naming its row and column; a good row becomes the
// record with its external id as key.
func TestYoungPersonRows(t *testing.T) {
	for _, tc := range []struct {
		name, row string
		want      []string // "row/column"
	}{
		{"good", "bridge,B1,Ada,Lovelace,2015-03-01,9434765919,,female,ASD,", nil},
		{"missing given name", "bridge,B1,,Lovelace,2015-03-01,,,,,", []string{"2/given_name"}},
		{"missing key", ",,Ada,Lovelace,2015-03-01,,,,,", []string{"2/external_system", "2/external_id"}},
		{"bad date", "bridge,B1,Ada,Lovelace,01/03/2015,,,,,", []string{"2/date_of_birth"}},
		{"too old", "bridge,B1,Ada,Lovelace,1990-03-01,,,,,", []string{"2/date_of_birth"}},
		{"future birth", "bridge,B1,Ada,Lovelace,2027-03-01,,,,,", []string{"2/date_of_birth"}},
		{"bad NHS number", "bridge,B1,Ada,Lovelace,2015-03-01,9434765918,,,,", []string{"2/nhs_number"}},
		{"bad UPN", "bridge,B1,Ada,Lovelace,2015-03-01,,C801200005001,,,", []string{"2/upn"}},
		{"bad enum", "bridge,B1,Ada,Lovelace,2015-03-01,,,dunno,AUTISM,", []string{"2/gender", "2/primary_sen_need"}},
		{"unknown system", "crm,B1,Ada,Lovelace,2015-03-01,,,,,", []string{"2/external_system"}},
		{"reason with a UPN", "bridge,B1,Ada,Lovelace,2015-03-01,,B801200005001,,,UN1", []string{"2/upn_unknown"}},
		// An unquoted comma in the last column: one field more than the header, never dropped.
		{"a field more than the header", "bridge,B1,Ada,Lovelace,2015-03-01,,,,ASD,Salford, East", []string{"2/", "2/upn_unknown"}},
		{"a trailing comma", "bridge,B1,Ada,Lovelace,2015-03-01,,,,ASD,,", []string{"2/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := rows(t, tc.row+"\n")
			yp, key, problems := YoungPerson(recs[0], enums, rules, today)
			var got []string
			for _, p := range problems {
				got = append(got, strings.Join([]string{strconv.Itoa(p.Row), p.Column}, "/"))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("problems %v, want %v (%v)", got, tc.want, problems)
			}
			if tc.want == nil && (key != (externalid.ID{System: "bridge", Value: "B1"}) || yp.GivenName != "Ada" || len(yp.ExternalIDs) != 1) {
				t.Fatalf("record %+v key %v", yp, key)
			}
		})
	}
}

// TestHeader: an unknown column, a column twice and a missing required column are named.
func TestHeader(t *testing.T) {
	_, problems, err := NewReader(strings.NewReader("external_system,given_name,given_name,shoe_size\n"), YoungPeople)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Column)
	}
	want := "given_name,shoe_size,external_id,family_name,date_of_birth"
	if strings.Join(got, ",") != want {
		t.Fatalf("header problems %v, want %s", got, want)
	}
	if h := strings.Join(YoungPeople.Header(), ","); !strings.HasPrefix(h, "external_system,external_id,given_name") {
		t.Fatalf("template %s", h)
	}
}

// TestRowNumbers: blank lines are skipped but counted, as a spreadsheet numbers rows.
func TestRowNumbers(t *testing.T) {
	recs := rows(t, "bridge,B1,Ada,L,2015-03-01,,,,,\n\nbridge,B2,Bo,L,2015-03-01,,,,,\n")
	if len(recs) != 2 || recs[0].Row != 2 || recs[1].Row != 4 || recs[1].Get("external_id") != "B2" {
		t.Fatalf("rows %+v", recs)
	}
}

// A file is no way round the API's refusal of NUL and of bytes that are not UTF-8 (issue 12):
// each such cell is a problem naming its row and column, and nothing is taken from it.
func TestCheckRefusesHostileBytes(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"NUL", "Na\x00me", "NUL"},
		{"invalid UTF-8", "\xff\xfe", "UTF-8"},
	} {
		rec := Record{Row: 7, Values: []string{"bridge", "B1", c.value, "X", "2015-03-01"},
			get: map[string]int{"external_system": 0, "external_id": 1, "given_name": 2, "family_name": 3, "date_of_birth": 4}}
		problems := Check(rec, YoungPeople, Enums{})
		if len(problems) != 1 || problems[0].Row != 7 || problems[0].Column != "given_name" || !strings.Contains(problems[0].Message, c.want) {
			t.Errorf("%s: problems %+v", c.name, problems)
		}
	}
}

// TestRejectsLoadAgain: a rejects file, put right, loads as it is. Before, its problems column was
// refused as not a column of the layout, and a cell written with csvsafe's quote (a phone number
// beginning +44, a name beginning =) was read with the quote, so the phone then failed its
// pattern: the council had to drop the column and find and remove every quote by hand.
func TestRejectsLoadAgain(t *testing.T) {
	roles := Enums{"PractitionerRole": {"send_officer"}}
	read := func(file string) (*Reader, []Record) { t.Helper(); return readAll(t, file, Practitioners) }
	rejects := func(rd *Reader, recs []Record) string {
		t.Helper()
		var b strings.Builder
		rj, err := NewRejects(&b, rd.Header)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if err := rj.Add(rec, []Problem{{Row: rec.Row, Column: "email", Message: "is required"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := rj.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	rd, recs := read("name,email,role,phone\n=Dr Who,,send_officer,+44 7700 900123\n")
	first := rejects(rd, recs)
	if !strings.Contains(first, "'+44 7700 900123") || !strings.Contains(first, "'=Dr Who") {
		t.Fatalf("the rejects file does not quote the formula-like cells:\n%s", first)
	}
	rd, recs = read(first)
	if got := strings.Join(rd.Header, ","); got != "name,email,role,phone" {
		t.Fatalf("header read back %q, want the problems column left out", got)
	}
	if len(recs) != 1 || recs[0].Get("phone") != "+44 7700 900123" || recs[0].Get("name") != "=Dr Who" {
		t.Fatalf("read back phone %q, name %q: want them without the rejects file's quote", recs[0].Get("phone"), recs[0].Get("name"))
	}
	if got := Check(recs[0], Practitioners, roles); len(got) != 1 || got[0].Column != "email" {
		t.Fatalf("problems of the row read back: %v, want only the email still missing", got)
	}
	// Refused again, it is written as the first time: one problems column, the same quotes.
	if again := rejects(rd, recs); again != first {
		t.Fatalf("the rejects of a rejects file:\n%s\nwant\n%s", again, first)
	}
}
