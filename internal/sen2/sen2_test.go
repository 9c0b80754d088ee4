package sen2_test

import (
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/sen2"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

// The 2026 return: reference date 15 January 2026, activity in calendar 2025.
var (
	ref       = d(2026, 1, 15)
	generated = time.Date(2026, 1, 20, 9, 30, 5, 0, time.UTC)
)

var d = testkit.Day

func pd(y int, m time.Month, day int) *time.Time {
	t := d(y, m, day)
	return &t
}
func ptr[T any](v T) *T { return &v }

// person is a young person with every mandatory item recorded.
func person(id, surname string) sen2.Person {
	return sen2.Person{ID: id, Surname: surname, Forename: "Sam", BirthDate: d(2014, 5, 2), Sex: "female",
		Ethnicity: "WBRI", Postcode: "M5 4WT", UPN: "B801200005001"}
}

// school is a complete placement.
func school() *sen2.Placement {
	return &sen2.Placement{SettingType: "mainstream_school", URN: "105432", Residential: ptr(false), WorkBased: ptr(false), From: d(2023, 9, 1)}
}

func snapshot(persons []sen2.Person, requests []sen2.Request, plans []sen2.Plan) sen2.Snapshot {
	return sen2.Snapshot{LA: "355", ReferenceDate: ref, GeneratedAt: generated, Software: "OnePlan", Release: "1.2.3",
		Persons: persons, Requests: requests, Plans: plans}
}

// rows returns a module's rows as column -> value maps.
func rows(t *testing.T, r sen2.Return, name string) []map[string]string {
	t.Helper()
	for _, m := range r.Modules {
		if m.Name != name {
			continue
		}
		out := make([]map[string]string, len(m.Rows))
		for i, row := range m.Rows {
			if len(row) != len(m.Columns) {
				t.Fatalf("%s row %d has %d cells for %d columns", name, i+1, len(row), len(m.Columns))
			}
			out[i] = map[string]string{}
			for j, c := range m.Columns {
				out[i][c] = row[j]
			}
		}
		return out
	}
	t.Fatalf("no module %s", name)
	return nil
}

// only returns the single row of a module.
func only(t *testing.T, r sen2.Return, name string) map[string]string {
	t.Helper()
	rs := rows(t, r, name)
	if len(rs) != 1 {
		t.Fatalf("%s: %d rows, want 1: %v", name, len(rs), rs)
	}
	return rs[0]
}

// check compares selected cells of a row.
func check(t *testing.T, what string, row map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := row[k]
		if !ok {
			t.Errorf("%s: no column %s", what, k)
		} else if got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestCollectionPeriod(t *testing.T) {
	cases := []struct {
		ref      time.Time
		from, to time.Time
	}{
		{d(2026, 1, 15), d(2025, 1, 1), d(2025, 12, 31)},
		{d(2025, 1, 16), d(2024, 1, 1), d(2024, 12, 31)},
		{d(2024, 1, 1), d(2023, 1, 1), d(2023, 12, 31)},
		{d(2024, 12, 31), d(2023, 1, 1), d(2023, 12, 31)},
		// The year is read in the reference date's own zone.
		{time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("+02", 2*3600)), d(2025, 1, 1), d(2025, 12, 31)},
	}
	for _, c := range cases {
		from, to := sen2.CollectionPeriod(c.ref)
		if !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("CollectionPeriod(%v) = %v..%v, want %v..%v", c.ref, from, to, c.from, c.to)
		}
	}
}

// TestColumns is the field-list contract with COLLECT: every module's columns, in order.
func TestColumns(t *testing.T) {
	want := []struct {
		name    string
		columns []string
	}{
		{"sen2", []string{"sen2tableid", "collection", "year", "referencedate", "sourcelevel", "lea", "softwarecode", "release", "serialno", "datetime"}},
		{"person", []string{"persontableid", "sen2tableid", "surname", "forename", "personbirthdate", "sex", "ethnicity", "postcode", "upn", "uniquelearnernumber", "upnunknown"}},
		{"requests", []string{"requeststableid", "persontableid", "receiveddate", "rya", "requestoutcomedate", "requestoutcome", "requestmediation", "requesttribunal", "exported"}},
		{"assessment", []string{"assessmenttableid", "requeststableid", "assessmentoutcome", "assessmentoutcomedate", "assessmentmediation", "assessmenttribunal", "othermediation", "othertribunal", "week20"}},
		{"namedplan", []string{"namedplantableid", "assessmenttableid", "startdate", "planres", "planwbp", "pb", "oa", "dp", "ceasedate", "ceasereason"}},
		{"plandetail", []string{"plandetailtableid", "namedplantableid", "urn", "ukprn", "sensetting", "sensettingother", "placementrank", "senunitindicator", "resourcedprovisionindicator"}},
		{"activeplans", []string{"activeplanstableid", "requeststableid", "transferla", "reviewmeeting", "reviewoutcome", "lastreview", "phasetransferduedate"}},
		{"placementdetail", []string{"placementdetailtableid", "activeplanstableid", "urn", "ukprn", "sensetting", "sensettingother", "placementrank", "entrydate", "leavingdate", "res", "wbp", "senunitindicator", "resourcedprovisionindicator"}},
		{"senneed", []string{"senneedtableid", "activeplanstableid", "sentype", "sentyperank"}},
	}
	for _, r := range []sen2.Return{sen2.Build(sen2.Snapshot{ReferenceDate: ref}), sen2.Build(fixture())} {
		if len(r.Modules) != len(want) {
			t.Fatalf("%d modules, want %d", len(r.Modules), len(want))
		}
		for i, w := range want {
			m := r.Modules[i]
			if m.Name != w.name || m.File != w.name+".csv" {
				t.Errorf("module %d = %s (%s), want %s (%s.csv)", i, m.Name, m.File, w.name, w.name)
			}
			if !slices.Equal(m.Columns, w.columns) {
				t.Errorf("%s columns =\n%v\nwant\n%v", w.name, m.Columns, w.columns)
			}
		}
	}
}

func TestHeader(t *testing.T) {
	s := snapshot(nil, nil, nil)
	s.GeneratedAt = time.Date(2026, 1, 20, 10, 30, 5, 0, time.FixedZone("+01", 3600))
	check(t, "sen2", only(t, sen2.Build(s), "sen2"), map[string]string{
		"sen2tableid": "1", "collection": "SEN2", "year": "2026", "referencedate": "2026-01-15", "sourcelevel": "L",
		"lea": "355", "softwarecode": "OnePlan", "release": "1.2.3", "serialno": "1", "datetime": "2026-01-20T09:30:05",
	})
	// An empty return is still a valid header with empty modules.
	r := sen2.Build(s)
	for _, m := range r.Modules[1:] {
		if len(m.Rows) != 0 {
			t.Errorf("%s has %d rows with no data", m.Name, len(m.Rows))
		}
	}
	if len(r.Issues) != 0 {
		t.Errorf("issues for a configured empty return: %v", r.Issues)
	}
}

// TestPersons: every referenced person once, ordered by name, with the sex and value mapping.
func TestPersons(t *testing.T) {
	zed := person("yp-z", "Zed")
	zed.Sex = "male"
	zed.UPN, zed.ULN = "", "1000000043"
	amy := person("yp-a", "abbot") // sorts before Zed case-insensitively
	amy.Postcode, amy.Ethnicity = " m5 4wt ", "wbri"
	unused := person("yp-u", "Unused") // no request or plan in scope: not in the return
	requests := []sen2.Request{
		{ID: "r1", PersonID: "yp-z", ReceivedOn: d(2025, 3, 1)},
		{ID: "r2", PersonID: "yp-z", ReceivedOn: d(2025, 6, 1)},
		{ID: "r3", PersonID: "yp-a", ReceivedOn: d(2025, 4, 1)},
		{ID: "r4", PersonID: "yp-u", ReceivedOn: d(2026, 2, 1)},
	}
	r := sen2.Build(snapshot([]sen2.Person{zed, unused, amy}, requests, nil))
	ps := rows(t, r, "person")
	if len(ps) != 2 {
		t.Fatalf("%d persons, want 2: %v", len(ps), ps)
	}
	check(t, "first person", ps[0], map[string]string{"persontableid": "1", "sen2tableid": "1", "surname": "abbot",
		"forename": "Sam", "personbirthdate": "2014-05-02", "sex": "F", "ethnicity": "WBRI", "postcode": "M5 4WT",
		"upn": "B801200005001", "uniquelearnernumber": "", "upnunknown": ""})
	check(t, "second person", ps[1], map[string]string{"persontableid": "2", "surname": "Zed", "sex": "M",
		"upn": "", "uniquelearnernumber": "1000000043"})
	// Requests follow their person, then received date.
	var got []string
	for _, q := range rows(t, r, "requests") {
		got = append(got, q["persontableid"]+":"+q["receiveddate"])
	}
	if want := []string{"1:2025-04-01", "2:2025-03-01", "2:2025-06-01"}; !slices.Equal(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
	if len(r.Issues) != 0 {
		t.Errorf("unexpected issues: %v", r.Issues)
	}
}

// TestSameNamePersons: ties on name fall to birth date, then id.
func TestSameNamePersons(t *testing.T) {
	a, b, c := person("yp-2", "Smith"), person("yp-1", "Smith"), person("yp-3", "Smith")
	c.BirthDate = d(2010, 1, 1)
	b.Postcode = "" // its issue shows which table id yp-1 got
	requests := []sen2.Request{
		{ID: "ra", PersonID: "yp-2", ReceivedOn: d(2025, 3, 1)},
		{ID: "rb", PersonID: "yp-1", ReceivedOn: d(2025, 3, 1)},
		{ID: "rc", PersonID: "yp-3", ReceivedOn: d(2025, 3, 1)},
	}
	r := sen2.Build(snapshot([]sen2.Person{a, b, c}, requests, nil))
	var got []string
	for _, is := range rows(t, r, "person") {
		got = append(got, is["persontableid"]+":"+is["personbirthdate"])
	}
	// yp-3 (born 2010) first, then yp-1 before yp-2.
	if want := []string{"1:2010-01-01", "2:2014-05-02", "3:2014-05-02"}; !slices.Equal(got, want) {
		t.Errorf("persons = %v, want %v", got, want)
	}
	if len(r.Issues) != 1 || r.Issues[0].YoungPersonID != "yp-1" || r.Issues[0].PersonTableID != "2" {
		t.Errorf("issues = %v, want yp-1's postcode as person 2", r.Issues)
	}
}
