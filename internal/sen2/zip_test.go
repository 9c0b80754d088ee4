package sen2_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/sen2"
)

// TestWriteZip reads the zip back: the nine module files, validation.csv and README.txt, each CSV
// with its header row exactly as specified and its rows as built.
func TestWriteZip(t *testing.T) {
	s := fixture()
	s.LA = ""
	r := sen2.Build(s)
	var buf bytes.Buffer
	if err := r.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		files[f.Name] = f
		if !f.Modified.Equal(generated) {
			t.Errorf("%s modified %v, want the generation time", f.Name, f.Modified)
		}
	}
	wantNames := []string{"sen2.csv", "person.csv", "requests.csv", "assessment.csv", "namedplan.csv", "plandetail.csv",
		"activeplans.csv", "placementdetail.csv", "senneed.csv", "validation.csv", "README.txt"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("files = %v, want %v", names, wantNames)
	}

	headers := map[string]string{
		"sen2.csv":            "sen2tableid,collection,year,referencedate,sourcelevel,lea,softwarecode,release,serialno,datetime",
		"person.csv":          "persontableid,sen2tableid,surname,forename,personbirthdate,sex,ethnicity,postcode,upn,uniquelearnernumber,upnunknown",
		"requests.csv":        "requeststableid,persontableid,receiveddate,rya,requestoutcomedate,requestoutcome,requestmediation,requesttribunal,exported",
		"assessment.csv":      "assessmenttableid,requeststableid,assessmentoutcome,assessmentoutcomedate,assessmentmediation,assessmenttribunal,othermediation,othertribunal,week20",
		"namedplan.csv":       "namedplantableid,assessmenttableid,startdate,planres,planwbp,pb,oa,dp,ceasedate,ceasereason",
		"plandetail.csv":      "plandetailtableid,namedplantableid,urn,ukprn,sensetting,sensettingother,placementrank,senunitindicator,resourcedprovisionindicator",
		"activeplans.csv":     "activeplanstableid,requeststableid,transferla,reviewmeeting,reviewoutcome,lastreview,phasetransferduedate",
		"placementdetail.csv": "placementdetailtableid,activeplanstableid,urn,ukprn,sensetting,sensettingother,placementrank,entrydate,leavingdate,res,wbp,senunitindicator,resourcedprovisionindicator",
		"senneed.csv":         "senneedtableid,activeplanstableid,sentype,sentyperank",
		"validation.csv":      "module,table_id,person_table_id,young_person_id,field,problem",
	}
	for i, m := range r.Modules {
		recs := readCSV(t, files[wantNames[i]])
		if got := strings.Join(recs[0], ","); got != headers[m.File] {
			t.Errorf("%s header = %s, want %s", m.File, got, headers[m.File])
		}
		if !reflect.DeepEqual(recs[1:], m.Rows) && (len(recs) != 1 || len(m.Rows) != 0) {
			t.Errorf("%s rows = %v, want %v", m.File, recs[1:], m.Rows)
		}
	}
	v := readCSV(t, files["validation.csv"])
	if got := strings.Join(v[0], ","); got != headers["validation.csv"] {
		t.Errorf("validation header = %s", got)
	}
	if len(v)-1 != len(r.Issues) || len(r.Issues) == 0 {
		t.Fatalf("validation has %d lines for %d issues", len(v)-1, len(r.Issues))
	}
	for i, is := range r.Issues {
		if want := []string{is.Module, is.TableID, is.PersonTableID, is.YoungPersonID, is.Field, is.Problem}; !slices.Equal(v[i+1], want) {
			t.Errorf("validation line %d = %v, want %v", i+1, v[i+1], want)
		}
	}

	// RFC 4180 line ends.
	if raw := read(t, files["senneed.csv"]); !strings.HasPrefix(raw, headers["senneed.csv"]+"\r\n") {
		t.Errorf("senneed.csv does not start with its header and CRLF: %q", raw)
	}

	readme := read(t, files["README.txt"])
	for _, want := range []string{"2026-01-15", "2025-01-01 to 2025-12-31", "YYYY-MM-DD", "1 (yes) and 0 (no)",
		"validation.csv", "sen2.csv", "senneed.csv", "person.csv: module 1"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}
}

// TestWriteZipQuoting: values with commas, quotes and line breaks survive the round trip.
func TestWriteZipQuoting(t *testing.T) {
	p := person("yp-1", `O'Brien, "Jr"`)
	p.Forename = "Ann\nMarie"
	r := sen2.Build(snapshot([]sen2.Person{p}, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1)}}, nil))
	var buf bytes.Buffer
	if err := r.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "person.csv" {
			recs := readCSV(t, f)
			if recs[1][2] != `O'Brien, "Jr"` || recs[1][3] != "Ann\nMarie" {
				t.Errorf("names = %q %q", recs[1][2], recs[1][3])
			}
			return
		}
	}
	t.Fatal("no person.csv")
}

// TestWriteZipFormulas: a surname typed as a spreadsheet formula is written as text (a single
// quote first) so that opening person.csv runs nothing; the table ids stay numbers.
func TestWriteZipFormulas(t *testing.T) {
	p := person("yp-1", `=cmd|'/C calc'!A0`)
	p.Forename = "@SUM(1+1)"
	r := sen2.Build(snapshot([]sen2.Person{p}, []sen2.Request{{ID: "r1", PersonID: "yp-1", ReceivedOn: d(2025, 2, 1)}}, nil))
	var buf bytes.Buffer
	if err := r.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "person.csv" {
			recs := readCSV(t, f)
			if recs[1][0] != "1" || recs[1][2] != `'=cmd|'/C calc'!A0` || recs[1][3] != "'@SUM(1+1)" {
				t.Errorf("person row = %q", recs[1])
			}
			return
		}
	}
	t.Fatal("no person.csv")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteZipError(t *testing.T) {
	if err := sen2.Build(fixture()).WriteZip(failWriter{}); err == nil {
		t.Fatal("no error from a failing writer")
	}
}

func read(t *testing.T, f *zip.File) string {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readCSV(t *testing.T, f *zip.File) [][]string {
	t.Helper()
	if f == nil {
		t.Fatal("missing file")
	}
	recs, err := csv.NewReader(strings.NewReader(read(t, f))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s is empty", f.Name)
	}
	return recs
}
