// Package pdf renders a composed letter as PDF with codeberg.org/go-pdf/fpdf. The document's
// creation and modification dates are the record version's last change and the catalogue is
// sorted, so the same letter renders to the same bytes every time.
package pdf

import (
	"bytes"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"github.com/oneplan-send/oneplan/internal/letter"
)

// Render returns l as PDF.
func Render(l letter.Letter) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(l.Created)
	f.SetModificationDate(l.Created)
	f.SetTitle(l.Title, true)
	f.SetAuthor(l.Council.Name, true)
	f.SetSubject(l.Title+": "+l.Child.Name, true)
	f.SetCreator("OnePlan", false)
	f.SetProducer("OnePlan", false)
	f.SetLang("en-GB")
	f.SetMargins(20, 20, 20)
	f.SetAutoPageBreak(true, 20)
	tr := f.UnicodeTranslatorFromDescriptor("") // UTF-8 to the core fonts' cp1252
	f.AddPage()
	f.SetFont("Helvetica", "B", 12)
	f.MultiCell(0, 6, tr(l.Council.Name), "", "L", false)
	f.SetFont("Helvetica", "", 11)
	for _, line := range []string{l.Council.Address, phone(l.Council.Phone), email(l.Council.Email)} {
		if line != "" {
			f.MultiCell(0, 5.5, tr(line), "", "L", false)
		}
	}
	f.Ln(4)
	f.MultiCell(0, 5.5, tr("Date: "+l.Dated.Format(letter.DateFormat)), "", "L", false)
	f.Ln(4)
	f.SetFont("Helvetica", "B", 16)
	f.MultiCell(0, 8, tr(l.Title), "", "L", false)
	f.Ln(2)
	f.SetFont("Helvetica", "", 11)
	f.MultiCell(0, 5.5, tr("About: "+l.Child.Name+", born "+l.Child.DateOfBirth.Format(letter.DateFormat)), "", "L", false)
	for _, p := range l.Paragraphs {
		f.Ln(3)
		f.MultiCell(0, 5.5, tr(p), "", "L", false)
	}
	if len(l.Dates) > 0 {
		f.Ln(4)
		f.SetFont("Helvetica", "B", 13)
		f.MultiCell(0, 7, "Key dates", "", "L", false)
		f.SetFont("Helvetica", "", 11)
		for _, d := range l.Dates {
			f.MultiCell(0, 5.5, tr(d.Label+": "+d.On.Format(letter.DateFormat)), "", "L", false)
		}
	}
	for _, s := range l.Sections {
		f.Ln(4)
		f.SetFont("Helvetica", "B", 13)
		f.MultiCell(0, 7, tr(s.Heading), "", "L", false)
		f.SetFont("Helvetica", "", 11)
		if len(s.Lines) == 0 {
			f.MultiCell(0, 5.5, "Nothing recorded.", "", "L", false)
		}
		for _, line := range s.Lines {
			f.MultiCell(0, 5.5, tr("- "+line), "", "L", false)
		}
	}
	f.Ln(6)
	f.SetFont("Helvetica", "", 8)
	f.MultiCell(0, 4, tr(l.Council.Name+". Record "+l.RecordType+" "+l.RecordID+", version "+strconv.Itoa(l.Version)+"."), "", "L", false)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func phone(s string) string {
	if s == "" {
		return ""
	}
	return "Telephone: " + s
}

func email(s string) string {
	if s == "" {
		return ""
	}
	return "Email: " + s
}
