package document

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/fault"
)

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	pngBytes  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	jpegBytes = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
)

// zipOf builds a zip with the named parts, each of size bytes of one letter (which compresses
// to almost nothing: a bomb when size is large).
func zipOf(t *testing.T, size int, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.Repeat([]byte("a"), size)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestInspect(t *testing.T) {
	docx := zipOf(t, 100, "[Content_Types].xml", "word/document.xml")
	bomb := zipOf(t, 50<<20, "[Content_Types].xml", "word/document.xml")
	for _, c := range []struct {
		name     string
		content  []byte
		declared string
		want     string
		kind     fault.Kind
	}{
		{"a PDF sent as a PDF", pdfBytes, PDF, PDF, 0},
		{"a PDF sent as octets", pdfBytes, Octet, PDF, 0},
		{"a PNG", pngBytes, "", PNG, 0},
		{"a JPEG", jpegBytes, JPEG, JPEG, 0},
		{"a Word document", docx, DOCX, DOCX, 0},
		{"HTML called a PDF", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), PDF, "", fault.UnsupportedMedia},
		{"an SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), Octet, "", fault.UnsupportedMedia},
		{"a PNG called a PDF", pngBytes, PDF, "", fault.UnsupportedMedia},
		{"a zip that is not a Word document", zipOf(t, 10, "a.txt"), DOCX, "", fault.UnsupportedMedia},
		{"plain text", []byte("hello"), Octet, "", fault.UnsupportedMedia},
		{"an empty file", nil, PDF, "", fault.Invalid},
		{"a zip bomb called a Word document", bomb, DOCX, "", fault.Unprocessable},
		{"an oversized file", append(append([]byte{}, pdfBytes...), make([]byte, 2<<20)...), PDF, "", fault.TooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Inspect(c.content, c.declared, Limits{MaxBytes: 1 << 20, MaxUnpackedBytes: 10 << 20, MaxRatio: 100})
			if c.kind != 0 {
				if fault.KindOf(err) != c.kind {
					t.Fatalf("err = %v (kind %v), want kind %v", err, fault.KindOf(err), c.kind)
				}
				return
			}
			if err != nil || got.MediaType != c.want || got.SizeBytes != int64(len(c.content)) || len(got.SHA256) != 64 {
				t.Fatalf("got %+v, %v; want %s", got, err, c.want)
			}
		})
	}
}

// A zip whose declared sizes lie (1 byte each) but whose data unpacks large is still refused,
// without unpacking it all: Go's reader stops at the declared size, and the counter would too.
func TestInspectUnpacksWithACounter(t *testing.T) {
	bomb := zipOf(t, 5<<20, "[Content_Types].xml", "word/document.xml")
	for i := 0; i+28 <= len(bomb); i++ {
		if bytes.Equal(bomb[i:i+4], []byte("PK\x01\x02")) { // a central directory entry
			binary.LittleEndian.PutUint32(bomb[i+24:], 1) // its uncompressed size
		}
	}
	z, err := zip.NewReader(bytes.NewReader(bomb), int64(len(bomb)))
	if err != nil || z.File[0].UncompressedSize64 != 1 {
		t.Fatalf("the test's zip does not lie: %v", err)
	}
	err = checkDOCX(bomb, Limits{MaxBytes: 1 << 20, MaxUnpackedBytes: 1 << 20, MaxRatio: 1000})
	if k := fault.KindOf(err); k != fault.Unprocessable && k != fault.UnsupportedMedia {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestMetaCheck(t *testing.T) {
	ok := Meta{RecordType: OnEHCPlan, RecordID: "x", Kind: "advice", Title: "Educational psychologist's advice", FileName: "ep-advice.pdf"}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Meta{
		"unknown record type": {RecordType: "young_person", Kind: "advice", Title: "t"},
		"unknown kind":        {RecordType: OnEHCPlan, Kind: "x", Title: "t"},
		"blank title":         {RecordType: OnEHCPlan, Kind: "advice", Title: "  "},
		"path in the name":    {RecordType: OnEHCPlan, Kind: "advice", Title: "t", FileName: "../../etc/passwd"},
		"quote in the name":   {RecordType: OnEHCPlan, Kind: "advice", Title: "t", FileName: `a".pdf`},
	} {
		var fe *fault.Error
		if err := m.Check(); !errors.As(err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) == 0 || !strings.HasPrefix(fe.Fields[0].Pointer, "/query/") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestMayAttach: an adviser attaches advice and reports only; decision letters and plans are the
// council's; the refusals name /query/kind.
func TestMayAttach(t *testing.T) {
	for _, c := range []struct {
		kind string
		by   Uploader
		want fault.Kind
	}{
		{"decision_letter", ByCouncil, 0}, {"plan", ByCouncil, 0}, {"advice", ByCouncil, 0},
		{"decision_letter", ByProfessional, fault.Forbidden}, {"plan", ByProfessional, fault.Forbidden},
		{"report", ByProfessional, 0}, {"evidence", ByProfessional, 0},
		{"advice", ByAdviser, 0}, {"report", ByAdviser, 0},
		{"decision_letter", ByAdviser, fault.Invalid}, {"plan", ByAdviser, fault.Invalid}, {"minutes", ByAdviser, fault.Invalid},
	} {
		err := MayAttach(c.kind, c.by)
		if c.want == 0 {
			if err != nil {
				t.Errorf("%s by %d: %v", c.kind, c.by, err)
			}
			continue
		}
		var fe *fault.Error
		if !errors.As(err, &fe) || fe.Kind != c.want || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/query/kind" {
			t.Errorf("%s by %d: %v", c.kind, c.by, err)
		}
	}
}
