package advice

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

// TestSubmit: advice by section, once, flagged late after the due date, informing the sections
// its headings feed unless the adviser says which.
func TestSubmit(t *testing.T) {
	due := day("2026-04-27")
	full := Sections{Needs: "n", Outcomes: "o", Provision: "p"}
	cases := []struct {
		name        string
		status      Status
		in          Submission
		today       time.Time
		wantErr     fault.Kind
		wantPointer string
		late        bool
		informs     []string
	}{
		{"on the due date", Requested, Submission{Sections: full}, due, 0, "", false, []string{"b", "c", "d", "e", "f", "g", "h1", "h2"}},
		{"a day late is taken and flagged", Requested, Submission{Sections: full}, due.AddDate(0, 0, 1), 0, "", true, nil},
		{"needs only informs B to D", Requested, Submission{Sections: Sections{Needs: "n"}}, due, 0, "", false, []string{"b", "c", "d"}},
		{"the adviser's own sections", Requested, Submission{Sections: full, Informs: []string{"k", "f"}}, due, 0, "", false, []string{"k", "f"}},
		{"nothing written", Requested, Submission{Sections: Sections{Summary: "s"}}, due, fault.Invalid, "/sections", false, nil},
		{"not a section", Requested, Submission{Sections: full, Informs: []string{"z"}}, due, fault.Invalid, "/informs_sections/0", false, nil},
		{"a section twice", Requested, Submission{Sections: full, Informs: []string{"b", "b"}}, due, fault.Invalid, "/informs_sections/1", false, nil},
		{"a document twice", Requested, Submission{Sections: full, DocumentIDs: []string{"x", "x"}}, due, fault.Invalid, "/document_ids", false, nil},
		{"too long", Requested, Submission{Sections: Sections{Needs: string(make([]rune, MaxSectionChars+1))}}, due, fault.Invalid, "/sections/needs", false, nil},
		{"given once", Submitted, Submission{Sections: full}, due, fault.Conflict, "", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Request{Status: c.status, DueOn: due}
			err := r.Submit(c.in, due, c.today)
			if c.wantErr != 0 {
				var f *fault.Error
				if !errors.As(err, &f) || f.Kind != c.wantErr {
					t.Fatalf("err = %v, want %d", err, c.wantErr)
				}
				if c.wantPointer != "" && (len(f.Fields) == 0 || f.Fields[0].Pointer != c.wantPointer) {
					t.Fatalf("fields = %+v, want %s", f.Fields, c.wantPointer)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != Submitted || r.SubmittedOn == nil || !r.SubmittedOn.Equal(c.today) || r.Late != c.late {
				t.Fatalf("got %+v", r)
			}
			if c.informs != nil && !slices.Equal(r.Informs, c.informs) {
				t.Fatalf("informs = %v, want %v", r.Informs, c.informs)
			}
		})
	}
}

// TestReach: the SEND team sees every request; an adviser only those naming them.
func TestReach(t *testing.T) {
	r := Request{PractitionerID: "p1"}
	for _, c := range []struct {
		v    Reach
		want bool
	}{{Reach{All: true}, true}, {Reach{PractitionerID: "p1"}, true}, {Reach{PractitionerID: "p2"}, false}, {Reach{}, false}} {
		if got := c.v.Visible(r); got != c.want {
			t.Errorf("%+v: %v, want %v", c.v, got, c.want)
		}
	}
}
