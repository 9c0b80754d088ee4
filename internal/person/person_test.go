package person

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var today = testkit.Day(2026, time.March, 15)

// valid returns a record that passes validation on today.
func valid() YoungPerson {
	return YoungPerson{
		ID:          "yp-1",
		GivenName:   "Sam",
		FamilyName:  "Taylor",
		DateOfBirth: testkit.Day(2015, time.June, 1),
		NHSNumber:   "9434765919",
		UPN:         "B801200005001",
		Contacts: []Contact{
			{Name: "Alex Taylor", Relationship: "mother", ParentalResponsibility: true, MainContact: true},
			{Name: "Jo Taylor", Relationship: "father", ParentalResponsibility: true},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(p *YoungPerson)
		rules    Rules
		pointers []string // nil means valid
	}{
		{"valid record", func(p *YoungPerson) {}, Rules{}, nil},
		{"no identifiers or contacts", func(p *YoungPerson) { p.NHSNumber, p.UPN, p.Contacts = "", "", nil }, Rules{}, nil},
		{"born today", func(p *YoungPerson) { p.DateOfBirth = today }, Rules{}, nil},
		{"25 years 364 days", func(p *YoungPerson) { p.DateOfBirth = testkit.Day(2000, time.March, 16) }, Rules{}, nil},
		{"born tomorrow", func(p *YoungPerson) { p.DateOfBirth = testkit.Day(2026, time.March, 16) }, Rules{}, []string{"/date_of_birth"}},
		{"born next year", func(p *YoungPerson) { p.DateOfBirth = testkit.Day(2027, time.January, 1) }, Rules{}, []string{"/date_of_birth"}},
		{"26th birthday", func(p *YoungPerson) { p.DateOfBirth = testkit.Day(2000, time.March, 15) }, Rules{}, []string{"/date_of_birth"}},
		{"aged 30", func(p *YoungPerson) { p.DateOfBirth = testkit.Day(1996, time.January, 1) }, Rules{}, []string{"/date_of_birth"}},
		{"valid NHS number", func(p *YoungPerson) { p.NHSNumber = "4010232137" }, Rules{}, nil},
		{"wrong NHS check digit", func(p *YoungPerson) { p.NHSNumber = "9434765918" }, Rules{}, []string{"/nhs_number"}},
		{"NHS number with spaces", func(p *YoungPerson) { p.NHSNumber = "943 476 5919" }, Rules{}, []string{"/nhs_number"}},
		{"NHS number check would be 10", func(p *YoungPerson) { p.NHSNumber = "1234567890" }, Rules{}, []string{"/nhs_number"}},
		{"NHS number repeated digit", func(p *YoungPerson) { p.NHSNumber = "0000000000" }, Rules{}, []string{"/nhs_number"}},
		{"test NHS number refused", func(p *YoungPerson) { p.NHSNumber = "9990000018" }, Rules{}, []string{"/nhs_number"}},
		{"test NHS number allowed", func(p *YoungPerson) { p.NHSNumber = "9990000018" }, Rules{AllowTestNHSNumbers: true}, nil},
		{"invalid test-range NHS number still refused", func(p *YoungPerson) { p.NHSNumber = "9990000019" }, Rules{AllowTestNHSNumbers: true}, []string{"/nhs_number"}},
		{"temporary UPN", func(p *YoungPerson) { p.UPN = "K80120001501A" }, Rules{}, nil},
		{"wrong UPN check letter", func(p *YoungPerson) { p.UPN = "A801200005001" }, Rules{}, []string{"/upn"}},
		{"lower-case UPN", func(p *YoungPerson) { p.UPN = "b801200005001" }, Rules{}, []string{"/upn"}},
		{"one main contact", func(p *YoungPerson) { p.Contacts[0].MainContact = true }, Rules{}, nil},
		{"no main contact", func(p *YoungPerson) { p.Contacts[0].MainContact = false }, Rules{}, nil},
		{"two main contacts", func(p *YoungPerson) { p.Contacts[1].MainContact = true }, Rules{}, []string{"/contacts"}},
		{"everything wrong", func(p *YoungPerson) {
			p.DateOfBirth = testkit.Day(2030, time.January, 1)
			p.NHSNumber = "9434765918"
			p.UPN = "A801200005001"
			p.Contacts[1].MainContact = true
		}, Rules{}, []string{"/date_of_birth", "/nhs_number", "/upn", "/contacts"}},
		{"too old and test NHS number", func(p *YoungPerson) {
			p.DateOfBirth = testkit.Day(1990, time.May, 5)
			p.NHSNumber = "9990000026"
		}, Rules{}, []string{"/date_of_birth", "/nhs_number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.edit(&p)
			err := p.Validate(today, tt.rules)
			if tt.pointers == nil {
				if err != nil {
					t.Fatalf("Validate error %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *fault.Error", err, err)
			}
			if fe.Kind != fault.Invalid {
				t.Errorf("Kind = %v, want Invalid", fe.Kind)
			}
			var got []string
			for _, f := range fe.Fields {
				got = append(got, f.Pointer)
				if f.Detail == "" {
					t.Errorf("field %s has no detail", f.Pointer)
				}
			}
			if !slices.Equal(got, tt.pointers) {
				t.Errorf("pointers = %v, want %v (error %v)", got, tt.pointers, err)
			}
			// Identifiers are personal data: the message must not repeat them.
			for _, id := range []string{p.NHSNumber, p.UPN, strings.ReplaceAll(p.NHSNumber, " ", "")} {
				if id == "" {
					continue
				}
				if strings.Contains(err.Error(), id) {
					t.Errorf("error %q contains the identifier %q", err, id)
				}
				for _, f := range fe.Fields {
					if strings.Contains(f.Detail, id) {
						t.Errorf("field %s detail %q contains the identifier %q", f.Pointer, f.Detail, id)
					}
				}
			}
		})
	}
}

func TestAgeOn(t *testing.T) {
	p := YoungPerson{DateOfBirth: testkit.Day(2008, time.February, 29)}
	tests := []struct {
		on   time.Time
		want int
	}{
		{testkit.Day(2008, time.February, 29), 0},
		{testkit.Day(2026, time.February, 28), 17},
		{testkit.Day(2026, time.March, 1), 18},
		{testkit.Day(2008, time.February, 28), -1},
	}
	for _, tt := range tests {
		if got := p.AgeOn(tt.on); got != tt.want {
			t.Errorf("AgeOn(%s) = %d, want %d", tt.on.Format(time.DateOnly), got, tt.want)
		}
	}
}
