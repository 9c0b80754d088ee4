package age

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/testkit"
)

// d builds a civil date at midnight UTC, the documented input form.
var d = testkit.Day

const (
	jan = time.January
	feb = time.February
	mar = time.March
	jun = time.June
	aug = time.August
	sep = time.September
	dec = time.December
)

func TestYearsOn(t *testing.T) {
	tests := []struct {
		name    string
		dob, on time.Time
		want    int
	}{
		{"day before birthday", d(2010, jun, 15), d(2020, jun, 14), 9},
		{"on birthday", d(2010, jun, 15), d(2020, jun, 15), 10},
		{"day after birthday", d(2010, jun, 15), d(2020, jun, 16), 10},
		{"born today", d(2024, mar, 1), d(2024, mar, 1), 0},
		{"day after birth", d(2024, mar, 1), d(2024, mar, 2), 0},
		{"day before first birthday", d(2024, mar, 1), d(2025, feb, 28), 0},
		{"first birthday", d(2024, mar, 1), d(2025, mar, 1), 1},
		{"year end boundary before", d(2000, dec, 31), d(2001, dec, 30), 0},
		{"year end boundary on", d(2000, dec, 31), d(2001, dec, 31), 1},
		{"new year birthday", d(2000, jan, 1), d(2018, jan, 1), 18},
		{"new year eve before", d(2000, jan, 1), d(2017, dec, 31), 17},

		// 29 February births: birthday is 1 March in non-leap years.
		{"leap dob, 28 Feb non-leap", d(2008, feb, 29), d(2009, feb, 28), 0},
		{"leap dob, 1 Mar non-leap", d(2008, feb, 29), d(2009, mar, 1), 1},
		{"leap dob, 28 Feb leap", d(2008, feb, 29), d(2012, feb, 28), 3},
		{"leap dob, 29 Feb leap", d(2008, feb, 29), d(2012, feb, 29), 4},
		{"leap dob, 1 Mar leap", d(2008, feb, 29), d(2012, mar, 1), 4},
		{"leap dob turning 18 on 1 Mar", d(2008, feb, 29), d(2026, feb, 28), 17},
		{"leap dob is 18 on 1 Mar", d(2008, feb, 29), d(2026, mar, 1), 18},
		{"leap dob turning 26", d(2000, feb, 29), d(2026, mar, 1), 26},
		{"1 Mar dob on 29 Feb", d(2007, mar, 1), d(2008, feb, 29), 0},
		{"28 Feb dob on 28 Feb leap", d(2007, feb, 28), d(2008, feb, 28), 1},
		{"28 Feb dob day before", d(2007, feb, 28), d(2008, feb, 27), 0},
		{"century non-leap 2100", d(2096, feb, 29), d(2100, feb, 28), 3},
		{"century non-leap 2100, 1 Mar", d(2096, feb, 29), d(2100, mar, 1), 4},

		// Not yet born.
		{"day before birth", d(2024, mar, 1), d(2024, feb, 29), -1},
		{"years before birth", d(2030, jun, 1), d(2024, jan, 1), -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := YearsOn(tt.dob, tt.on); got != tt.want {
				t.Errorf("YearsOn(%s, %s) = %d, want %d",
					tt.dob.Format(time.DateOnly), tt.on.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}

func TestYearsOnIgnoresTimeAndZone(t *testing.T) {
	// Only the calendar date as written counts. 00:30 on 15 June at +01:00
	// is 14 June in UTC, but it is still the 15 June birthday.
	bst := time.FixedZone("BST", 60*60)
	dob := time.Date(2010, jun, 15, 23, 59, 0, 0, bst)
	on := time.Date(2020, jun, 15, 0, 30, 0, 0, bst)
	if got := YearsOn(dob, on); got != 10 {
		t.Errorf("YearsOn = %d, want 10", got)
	}
	late := time.Date(2020, jun, 14, 23, 59, 59, 0, time.UTC)
	if got := YearsOn(d(2010, jun, 15), late); got != 9 {
		t.Errorf("YearsOn late on day before = %d, want 9", got)
	}
}

func TestYearsOnMonotonic(t *testing.T) {
	// Across several leap cycles, age never decreases and rises by exactly
	// one, once a year, on the birthday (1 March for 29 February births in
	// non-leap years).
	for _, dob := range []time.Time{d(2000, feb, 29), d(2001, mar, 1), d(2003, aug, 31), d(2003, sep, 1), d(2004, dec, 31)} {
		prev := YearsOn(dob, dob)
		if prev != 0 {
			t.Fatalf("%s: age at birth = %d", dob.Format(time.DateOnly), prev)
		}
		for on := dob.AddDate(0, 0, 1); on.Year() < 2030; on = on.AddDate(0, 0, 1) {
			got := YearsOn(dob, on)
			if got != prev && got != prev+1 {
				t.Fatalf("%s on %s: age jumped from %d to %d", dob.Format(time.DateOnly), on.Format(time.DateOnly), prev, got)
			}
			if got == prev+1 {
				wantM, wantD := dob.Month(), dob.Day()
				if wantM == feb && wantD == 29 && on.Month() == mar && on.Day() == 1 && !isLeap(on.Year()) {
					wantM, wantD = mar, 1
				}
				if on.Month() != wantM || on.Day() != wantD {
					t.Fatalf("%s: birthday counted on %s", dob.Format(time.DateOnly), on.Format(time.DateOnly))
				}
			}
			prev = got
		}
	}
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func TestSchoolYearStart(t *testing.T) {
	tests := []struct {
		on, want time.Time
	}{
		{d(2024, sep, 1), d(2024, sep, 1)},
		{d(2024, aug, 31), d(2023, sep, 1)},
		{d(2024, dec, 31), d(2024, sep, 1)},
		{d(2025, jan, 1), d(2024, sep, 1)},
		{d(2024, feb, 29), d(2023, sep, 1)},
		{d(2025, jun, 15), d(2024, sep, 1)},
		{d(2000, sep, 30), d(2000, sep, 1)},
	}
	for _, tt := range tests {
		got := SchoolYearStart(tt.on)
		if !got.Equal(tt.want) {
			t.Errorf("SchoolYearStart(%s) = %s, want %s", tt.on.Format(time.DateOnly), got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
}

func TestReturnsUTCMidnight(t *testing.T) {
	zone := time.FixedZone("X", -5*60*60)
	in := time.Date(2024, aug, 31, 22, 15, 0, 0, zone) // 1 September in UTC
	for name, got := range map[string]time.Time{
		"SchoolYearStart":          SchoolYearStart(in),
		"EndOfAcademicYearTurning": EndOfAcademicYearTurning(in, 25),
	} {
		if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
			t.Errorf("%s returned %v, want midnight UTC", name, got)
		}
	}
	// The date is read as written (31 August), not converted to UTC.
	if got := SchoolYearStart(in); !got.Equal(d(2023, sep, 1)) {
		t.Errorf("SchoolYearStart = %s, want 2023-09-01", got.Format(time.DateOnly))
	}
}

func TestNationalCurriculumYear(t *testing.T) {
	tests := []struct {
		name    string
		dob, on time.Time
		want    int
	}{
		{"1 Sep birth starts Reception", d(2019, sep, 1), d(2024, sep, 1), 0},
		{"1 Sep birth, day before Reception", d(2019, sep, 1), d(2024, aug, 31), -1},
		{"1 Sep birth, last day of Reception", d(2019, sep, 1), d(2025, aug, 31), 0},
		{"1 Sep birth, Year 1", d(2019, sep, 1), d(2025, sep, 1), 1},
		{"31 Aug birth, youngest in Reception", d(2020, aug, 31), d(2024, sep, 1), 0},
		{"31 Aug birth, still 4 in Reception", d(2020, aug, 31), d(2025, aug, 30), 0},
		{"1 Sep 2020 birth, one cohort later", d(2020, sep, 1), d(2024, sep, 1), -1},
		{"Jan birth turns 5 in Reception", d(2020, jan, 15), d(2025, jan, 15), 0},
		{"Year 6", d(2013, time.October, 1), d(2025, jun, 1), 6},
		{"Year 9 turns 14", d(2011, mar, 10), d(2025, mar, 10), 9},
		{"Year 9 before turning 14", d(2011, mar, 10), d(2024, sep, 2), 9},
		{"Year 11 summer-born", d(2008, aug, 31), d(2024, jun, 1), 11},
		{"Year 13 turns 18", d(2006, sep, 1), d(2024, sep, 1), 13},
		{"beyond Year 13", d(2000, sep, 1), d(2024, sep, 1), 19},
		{"leap-day birth", d(2016, feb, 29), d(2020, sep, 1), 0},
		{"leap-day birth, Year 1", d(2016, feb, 29), d(2021, sep, 1), 1},
		{"born today", d(2024, jun, 1), d(2024, jun, 1), -5},
		{"not yet born", d(2025, jan, 1), d(2024, sep, 1), -5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NationalCurriculumYear(tt.dob, tt.on); got != tt.want {
				t.Errorf("NationalCurriculumYear(%s, %s) = %d, want %d",
					tt.dob.Format(time.DateOnly), tt.on.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}

func TestNationalCurriculumYearMeansTurningNPlus5(t *testing.T) {
	// Independent check of the definition: in Year N the child is N+4 on
	// the day before the academic year starts and N+5 on its last day.
	on := d(2024, time.November, 5)
	start := SchoolYearStart(on)
	end := start.AddDate(1, 0, -1)
	if !end.Equal(d(2025, aug, 31)) {
		t.Fatalf("end = %s", end.Format(time.DateOnly))
	}
	for dob := d(2004, jan, 1); dob.Before(d(2021, jan, 1)); dob = dob.AddDate(0, 0, 1) {
		n := NationalCurriculumYear(dob, on)
		if got := YearsOn(dob, end); got != n+5 {
			t.Fatalf("dob %s: Year %d but age %d at end of year", dob.Format(time.DateOnly), n, got)
		}
		if got := YearsOn(dob, start.AddDate(0, 0, -1)); got != n+4 {
			t.Fatalf("dob %s: Year %d but age %d before year", dob.Format(time.DateOnly), n, got)
		}
	}
}

func TestInRange0to25(t *testing.T) {
	tests := []struct {
		name    string
		dob, on time.Time
		want    bool
	}{
		{"born today", d(2024, jun, 1), d(2024, jun, 1), true},
		{"born tomorrow", d(2024, jun, 2), d(2024, jun, 1), false},
		{"far future birth", d(2030, jan, 1), d(2024, jun, 1), false},
		{"aged 10", d(2014, jun, 1), d(2024, jun, 1), true},
		{"day before 26th birthday", d(2000, jun, 15), d(2026, jun, 14), true},
		{"26th birthday", d(2000, jun, 15), d(2026, jun, 15), false},
		{"day after 26th birthday", d(2000, jun, 15), d(2026, jun, 16), false},
		{"leap dob, 28 Feb of 26th year", d(2000, feb, 29), d(2026, feb, 28), true},
		{"leap dob, 1 Mar of 26th year", d(2000, feb, 29), d(2026, mar, 1), false},
		{"aged 40", d(1984, jun, 1), d(2024, jun, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InRange0to25(tt.dob, tt.on); got != tt.want {
				t.Errorf("InRange0to25(%s, %s) = %v, want %v",
					tt.dob.Format(time.DateOnly), tt.on.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}

func TestEndOfAcademicYearTurning(t *testing.T) {
	tests := []struct {
		name  string
		dob   time.Time
		years int
		want  time.Time
	}{
		{"31 Aug birth turns 25 on last day", d(2000, aug, 31), 25, d(2025, aug, 31)},
		{"1 Sep birth turns 25 on first day", d(2000, sep, 1), 25, d(2026, aug, 31)},
		{"December birth", d(2000, dec, 25), 25, d(2026, aug, 31)},
		{"January birth", d(2001, jan, 1), 25, d(2026, aug, 31)},
		{"leap-day birth, birthday 1 Mar", d(2000, feb, 29), 25, d(2025, aug, 31)},
		{"leap-day birth turning 4", d(2004, feb, 29), 4, d(2008, aug, 31)},
		{"turning 0 is the birth year", d(2000, aug, 31), 0, d(2000, aug, 31)},
		{"turning 5 (Reception)", d(2019, sep, 1), 5, d(2025, aug, 31)},
		{"turning 16", d(2008, aug, 31), 16, d(2024, aug, 31)},
		{"turning 18", d(2006, sep, 1), 18, d(2025, aug, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EndOfAcademicYearTurning(tt.dob, tt.years)
			if !got.Equal(tt.want) {
				t.Errorf("EndOfAcademicYearTurning(%s, %d) = %s, want %s",
					tt.dob.Format(time.DateOnly), tt.years, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
			}
		})
	}
}

func TestEndOfAcademicYearTurningDefinition(t *testing.T) {
	// For every birth date over a leap cycle: the person has turned 25 by
	// the returned 31 August, had not turned 25 a year earlier, and the date
	// is the last day of an academic year.
	for dob := d(1999, jan, 1); dob.Before(d(2004, jan, 1)); dob = dob.AddDate(0, 0, 1) {
		end := EndOfAcademicYearTurning(dob, 25)
		if end.Month() != aug || end.Day() != 31 {
			t.Fatalf("dob %s: %s is not 31 August", dob.Format(time.DateOnly), end.Format(time.DateOnly))
		}
		if YearsOn(dob, end) != 25 {
			t.Fatalf("dob %s: aged %d on %s", dob.Format(time.DateOnly), YearsOn(dob, end), end.Format(time.DateOnly))
		}
		if prev := end.AddDate(-1, 0, 0); YearsOn(dob, prev) != 24 {
			t.Fatalf("dob %s: already %d on %s", dob.Format(time.DateOnly), YearsOn(dob, prev), prev.Format(time.DateOnly))
		}
		if NationalCurriculumYear(dob, end) != 20 {
			t.Fatalf("dob %s: NC year %d at %s, want 20", dob.Format(time.DateOnly), NationalCurriculumYear(dob, end), end.Format(time.DateOnly))
		}
	}
}
