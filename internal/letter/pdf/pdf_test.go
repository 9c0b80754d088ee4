package pdf

import (
	"bytes"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/letter"
)

// TestReproducible: the same letter renders to the same bytes, whenever it is rendered; a later
// version of the record (a new creation date) renders differently.
func TestReproducible(t *testing.T) {
	l := letter.Letter{Kind: "decision_to_assess", Title: "Decision to carry out an EHC needs assessment",
		Council: letter.Council{Name: "Example Council", Address: "1 Town Hall Square", Phone: "0161 000 0000"},
		Dated:   time.Date(2026, 2, 13, 0, 0, 0, 0, time.UTC), Created: time.Date(2026, 2, 13, 10, 30, 0, 0, time.UTC), RecordID: "r1", Version: 2,
		Child: letter.Child{Name: "Zoë O'Brien", DateOfBirth: time.Date(2017, 5, 14, 0, 0, 0, 0, time.UTC)}, Paragraphs: []string{"Budget £1,200 – agreed."},
		Dates: []letter.Date{{Label: "Final plan due by", On: time.Date(2026, 5, 25, 0, 0, 0, 0, time.UTC)}}}
	a, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
		t.Fatalf("not reproducible (%d and %d bytes)", len(a), len(b))
	}
	if !bytes.Contains(a, []byte("D:20260213103000")) {
		t.Fatal("the creation date is not the record's")
	}
	l.Created = l.Created.Add(time.Hour)
	c, _ := Render(l)
	if bytes.Equal(a, c) {
		t.Fatal("a later version rendered the same bytes")
	}
}
