// Package document holds the rules for files attached to a child's records: which kinds of file
// are taken (decided from the bytes, never from the name or the caller's word), how large, which
// records they may belong to, and what a document's record says about it.
package document

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// RecordType is what the store and the audit trail call a document.
const RecordType = "document"

// The media types a document may have. Anything a browser could run (HTML, SVG, scripts) is
// refused whatever it is called.
const (
	PDF  = "application/pdf"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	PNG  = "image/png"
	JPEG = "image/jpeg"
)

// Octet is the media type of a body whose sender does not say what it is.
const Octet = "application/octet-stream"

// The records a document can belong to.
const (
	OnEHCRequest   = "ehc_request"
	OnEHCPlan      = "ehc_plan"
	OnAnnualReview = "annual_review"
	OnMeeting      = "meeting"
	OnDispute      = "dispute"
	OnReferral     = "referral"
)

// Parents lists the record types a document can belong to.
var Parents = []string{OnReferral, OnEHCRequest, OnEHCPlan, OnAnnualReview, OnMeeting, OnDispute}

// Kinds says what a document is, for the reader and for the letters that cite it.
var Kinds = []string{"advice", "report", "decision_letter", "plan", "minutes", "evidence", "correspondence", "other"}

// Document is a file attached to one record of one child. The bytes live in blob storage under
// StorageKey; this is what the database keeps.
type Document struct {
	ID            string
	RecordType    string // one of Parents
	RecordID      string
	YoungPersonID string // the child whose record it belongs to, for need-to-know and erasure
	Kind          string
	Title         string
	FileName      string
	MediaType     string
	SizeBytes     int64
	SHA256        string // hex of the content, so a reader can check what they received
	StorageKey    string
	UploadedByOrg string
	// AdviceRequestID is the advice request an adviser attached it for: until that advice is
	// submitted it is their draft, which the family may not read. "" for any other document.
	AdviceRequestID string
	// FamilyVisible: the child's family may see it. Professionals' uploads are hidden until the
	// council shows them; letters and plans sent to the family are shown (FamilyVisibleByDefault).
	FamilyVisible bool
	CreatedAt     time.Time
	Version       int
}

// FamilyVisibleByDefault reports whether a document of kind is shown to the family when it is
// added: letters and plans, which are sent to them anyway.
func FamilyVisibleByDefault(kind string) bool { return kind == "decision_letter" || kind == "plan" }

// Uploader says who attaches a document, for the kinds each may attach.
type Uploader int

const (
	// ByCouncil is the SEND team or an engagement lead: those who decide, and write the letters
	// and plans that say so.
	ByCouncil Uploader = iota
	// ByProfessional is any other professional of the child's team.
	ByProfessional
	// ByAdviser is an adviser named on an advice request, attaching to that assessment though
	// not otherwise in the child's team (signed in, or through an invitation link).
	ByAdviser
)

// CouncilKinds are the kinds only the council attaches: the family is shown a decision letter or
// a plan the moment it is added (FamilyVisibleByDefault) and takes it as the council's word.
var CouncilKinds = []string{"decision_letter", "plan"}

// AdviserKinds are the kinds an adviser attaches: their advice and reports.
var AdviserKinds = []string{"advice", "report"}

// MayAttach refuses a kind the uploader may not attach, naming /query/kind: an adviser attaches
// advice or reports only (400, as an invalid kind for them); a professional other than the
// council no decision letter or plan (403).
func MayAttach(kind string, by Uploader) error {
	switch {
	case by == ByAdviser && !contains(AdviserKinds, kind):
		return fault.Field(fault.Invalid, "/query/kind", "must be advice or report")
	case by == ByProfessional && contains(CouncilKinds, kind):
		return &fault.Error{Kind: fault.Forbidden, Detail: "Only the council (the SEND team or an engagement lead) attaches decision letters and plans.",
			Fields: []fault.FieldError{{Pointer: "/query/kind", Detail: "decision_letter and plan are the council's to attach"}}}
	}
	return nil
}

// Limits are the deployment's upload limits.
type Limits struct {
	// MaxBytes is the largest file taken.
	MaxBytes int64
	// MaxUnpackedBytes caps what a DOCX (a zip) may expand to, and MaxRatio how much larger than
	// itself: a zip bomb is refused before anything reads it.
	MaxUnpackedBytes int64
	MaxRatio         int64
}

// DefaultLimits: 20 MB files; a DOCX at most 100 MB and 100 times its size when unpacked.
var DefaultLimits = Limits{MaxBytes: 20 << 20, MaxUnpackedBytes: 100 << 20, MaxRatio: 100}

// Meta is what the caller says about a file.
type Meta struct {
	RecordType, RecordID, Kind, Title, FileName string
	// Declared is the Content-Type the caller sent (Octet when they did not know).
	Declared string
}

// Check refuses metadata the API cannot keep, naming the query parameter.
func (m Meta) Check() error {
	var fields []fault.FieldError
	if !contains(Parents, m.RecordType) {
		fields = append(fields, fault.FieldError{Pointer: "/query/record_type", Detail: "must be one of " + strings.Join(Parents, ", ")})
	}
	if !contains(Kinds, m.Kind) {
		fields = append(fields, fault.FieldError{Pointer: "/query/kind", Detail: "must be one of " + strings.Join(Kinds, ", ")})
	}
	if t := strings.TrimSpace(m.Title); t == "" || utf8.RuneCountInString(t) > 200 {
		fields = append(fields, fault.FieldError{Pointer: "/query/title", Detail: "must be 1 to 200 characters"})
	}
	if m.FileName != "" && (utf8.RuneCountInString(m.FileName) > 200 || path.Base(m.FileName) != m.FileName || strings.ContainsAny(m.FileName, "\\\"\r\n")) {
		fields = append(fields, fault.FieldError{Pointer: "/query/file_name", Detail: "must be a bare file name of at most 200 characters, without quotes or path separators"})
	}
	if len(fields) > 0 {
		return &fault.Error{Kind: fault.Invalid, Detail: "The document's description is not valid; see errors.", Fields: fields}
	}
	return nil
}

// Inspected is what the bytes of an upload turned out to be.
type Inspected struct {
	MediaType string
	SizeBytes int64
	SHA256    string
}

// Inspect decides what content is from its bytes and refuses what the service does not take: a
// type other than PDF, DOCX, PNG or JPEG whatever it was called; a declared type the bytes
// contradict; an empty or oversized file; a DOCX that is not a Word document or that would unpack
// to more than the limits allow. content must already be cut at lim.MaxBytes+1 bytes.
func Inspect(content []byte, declared string, lim Limits) (Inspected, error) {
	if int64(len(content)) > lim.MaxBytes {
		return Inspected{}, &fault.Error{Kind: fault.TooLarge, Detail: fmt.Sprintf("A document may be at most %d bytes.", lim.MaxBytes)}
	}
	if len(content) == 0 {
		return Inspected{}, fault.Field(fault.Invalid, "/body", "is empty")
	}
	mt := sniff(content)
	if mt == "" {
		return Inspected{}, &fault.Error{Kind: fault.UnsupportedMedia,
			Detail: "The file is not a PDF, Word (DOCX), PNG or JPEG document (judged from its content, not its name)."}
	}
	if declared != "" && declared != Octet && declared != mt {
		return Inspected{}, &fault.Error{Kind: fault.UnsupportedMedia,
			Detail: fmt.Sprintf("The file was sent as %s but its content is %s.", declared, mt)}
	}
	if mt == DOCX {
		if err := checkDOCX(content, lim); err != nil {
			return Inspected{}, err
		}
	}
	sum := sha256.Sum256(content)
	return Inspected{MediaType: mt, SizeBytes: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// sniff names the accepted media type content has, or "". net/http's sniffer knows PDF, PNG and
// JPEG by their signatures; a DOCX is a zip, told apart from other zips by its parts.
func sniff(content []byte) string {
	switch ct := http.DetectContentType(content); {
	case ct == PDF, ct == PNG, ct == JPEG:
		return ct
	case ct == "application/zip" && isDOCX(content):
		return DOCX
	}
	return ""
}

func isDOCX(content []byte) bool {
	z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return false
	}
	var types, body bool
	for _, f := range z.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			body = true
		}
	}
	return types && body
}

// checkDOCX refuses a Word document whose parts would unpack past the limits, judged first from
// the sizes the zip declares and then by unpacking with a counter, as declared sizes can lie.
func checkDOCX(content []byte, lim Limits) error {
	bomb := &fault.Error{Kind: fault.Unprocessable, Detail: fmt.Sprintf(
		"The Word document would unpack to more than %d bytes or %d times its size; it is refused as a possible zip bomb.", lim.MaxUnpackedBytes, lim.MaxRatio)}
	z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return &fault.Error{Kind: fault.UnsupportedMedia, Detail: "The Word document cannot be read: " + err.Error()}
	}
	budget := min(lim.MaxUnpackedBytes, lim.MaxRatio*int64(len(content)))
	var declared uint64
	for _, f := range z.File {
		declared += f.UncompressedSize64
		if declared > uint64(budget) {
			return bomb
		}
	}
	var read int64
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return &fault.Error{Kind: fault.UnsupportedMedia, Detail: "The Word document cannot be read: " + err.Error()}
		}
		n, err := io.Copy(io.Discard, io.LimitReader(rc, budget-read+1))
		_ = rc.Close()
		read += n
		if read > budget {
			return bomb
		}
		if err != nil {
			return &fault.Error{Kind: fault.UnsupportedMedia, Detail: "The Word document cannot be read: " + err.Error()}
		}
	}
	return nil
}

// New makes the record of an inspected upload.
func New(m Meta, in Inspected, youngPersonID, org string, now time.Time) Document {
	name := m.FileName
	if name == "" {
		name = "document" + extension[in.MediaType]
	}
	return Document{RecordType: m.RecordType, RecordID: m.RecordID, YoungPersonID: youngPersonID, Kind: m.Kind,
		Title: strings.TrimSpace(m.Title), FileName: name, MediaType: in.MediaType, SizeBytes: in.SizeBytes, SHA256: in.SHA256,
		UploadedByOrg: org, FamilyVisible: FamilyVisibleByDefault(m.Kind), CreatedAt: now, Version: 1}
}

var extension = map[string]string{PDF: ".pdf", DOCX: ".docx", PNG: ".png", JPEG: ".jpg"}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
