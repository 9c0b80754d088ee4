package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

var testPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// upload sends content as a document of record (type, id).
func (e *env) upload(key, recordType, recordID string, content []byte, contentType string) reply {
	e.t.Helper()
	return e.do(http.MethodPost, "/v1/documents?record_type="+recordType+"&record_id="+recordID+"&kind=advice&title=EP+advice&file_name=ep-advice.pdf",
		key, content, "Content-Type", contentType)
}

// docStore is a document store in a folder the test can look into.
func docStore(dir string) envOption {
	return func(_ *httpapi.Options, c *app.Options) {
		if c.Blobs != nil {
			return // newEnv calls each option twice
		}
		s, err := blobstore.Open(context.Background(), "file://"+filepath.ToSlash(dir)+"?create_dir=true")
		if err != nil {
			panic(err)
		}
		c.Blobs = s
		c.DocumentLimits = document.Limits{MaxBytes: 256 << 10, MaxUnpackedBytes: 4 << 20, MaxRatio: 100}
	}
}

// files lists the document files kept under dir (not the store's own attribute files).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".attrs") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestDocuments: a document is checked from its bytes, kept, read back byte for byte as an
// attachment, listed and removed under the need-to-know and audit of the record it belongs to.
func TestDocuments(t *testing.T) {
	base, n, dir := t.TempDir(), 0, ""
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		up := e.upload(e.officer, "referral", f.referral, testPDF, "application/octet-stream")
		if up.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", up.status, up.body)
		}
		doc := up.json(t)
		id := doc["id"].(string)
		sum := sha256.Sum256(testPDF)
		if doc["media_type"] != "application/pdf" || doc["sha256"] != hex.EncodeToString(sum[:]) || doc["young_person_id"] != f.child ||
			doc["size_bytes"].(float64) != float64(len(testPDF)) || up.header.Get("Location") != "/v1/documents/"+id {
			t.Fatalf("the document's record: %s %v", up.body, up.header)
		}
		if len(files(t, dir)) != 1 {
			t.Fatalf("kept files: %v", files(t, dir))
		}

		got := e.do(http.MethodGet, "/v1/documents/"+id+"/content", e.officer, nil)
		if got.status != http.StatusOK || !bytes.Equal(got.body, testPDF) {
			t.Fatalf("content: %d %q", got.status, got.body)
		}
		for h, want := range map[string]string{"Content-Type": "application/pdf", "X-Content-Type-Options": "nosniff",
			"Content-Disposition": `attachment; filename=ep-advice.pdf`, "X-Content-SHA256": hex.EncodeToString(sum[:])} {
			if got.header.Get(h) != want {
				t.Errorf("%s = %q, want %q", h, got.header.Get(h), want)
			}
		}
		if csp := got.header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP %q", csp)
		}
		// Reading the bytes is a read of the child's record.
		reads := items(t, e.do(http.MethodGet, "/v1/audit-events?record_type=document&action=read&record_id="+id, e.admin, nil))
		if len(reads) != 1 || reads[0].(map[string]any)["young_person_id"] != f.child {
			t.Fatalf("audited reads: %v", reads)
		}

		// The child's team sees it; an outsider sees nothing, and cannot attach to the record.
		if n := len(items(t, e.do(http.MethodGet, "/v1/documents?record_type=referral&record_id="+f.referral, e.leadKey, nil))); n != 1 {
			t.Errorf("the engagement lead lists %d documents", n)
		}
		e.do(http.MethodGet, "/v1/documents/"+id, e.outsider, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/documents/"+id+"/content", e.outsider, nil).problem(t, http.StatusNotFound)
		if n := len(items(t, e.do(http.MethodGet, "/v1/documents?record_type=referral&record_id="+f.referral, e.outsider, nil))); n != 0 {
			t.Errorf("the outsider lists %d documents", n)
		}
		p := e.upload(e.outsider, "referral", f.referral, testPDF, "application/octet-stream").problem(t, http.StatusUnprocessableEntity)
		if p.Errors == nil || len(*p.Errors) != 1 || (*p.Errors)[0].Pointer != "/query/record_id" {
			t.Errorf("outsider's upload: %+v", p)
		}

		// Removal: the record and its bytes go; the audit trail keeps that it existed.
		e.do(http.MethodDelete, "/v1/documents/"+id, e.practitioner, nil).problem(t, http.StatusForbidden)
		if r := e.do(http.MethodDelete, "/v1/documents/"+id, e.officer, nil); r.status != http.StatusNoContent {
			t.Fatalf("remove: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/documents/"+id, e.officer, nil).problem(t, http.StatusNotFound)
		if len(files(t, dir)) != 0 {
			t.Errorf("files left after removal: %v", files(t, dir))
		}
	}, func(o *httpapi.Options, c *app.Options) {
		// A folder of its own for each database's server (newEnv calls options twice).
		if c.Blobs != nil {
			return
		}
		n++
		dir = filepath.Join(base, strconv.Itoa(n))
		docStore(dir)(o, c)
	})
}

// TestDocumentsRefused: what is not a PDF, Word document or image is refused whatever it is
// called, and so are oversized files and zip bombs; nothing refused is kept.
func TestDocumentsRefused(t *testing.T) {
	base, n, dir := t.TempDir(), 0, ""
	zipOf := func(size int, names ...string) []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for _, n := range names {
			w, _ := z.Create(n)
			_, _ = w.Write(bytes.Repeat([]byte("a"), size))
		}
		_ = z.Close()
		return b.Bytes()
	}
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		for _, c := range []struct {
			name        string
			content     []byte
			contentType string
			status      int
		}{
			{"HTML named ep-advice.pdf", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), "application/octet-stream", http.StatusUnsupportedMediaType},
			{"an SVG with a script", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "application/octet-stream", http.StatusUnsupportedMediaType},
			{"a PDF labelled application/pdf (send octets)", testPDF, "application/pdf", http.StatusUnsupportedMediaType},
			{"a zip that is no Word document", zipOf(10, "evil.exe"), "application/octet-stream", http.StatusUnsupportedMediaType},
			{"a zip bomb dressed as a Word document", zipOf(8<<20, "[Content_Types].xml", "word/document.xml"), "application/octet-stream", http.StatusUnprocessableEntity},
			{"an oversized PDF", append(append([]byte{}, testPDF...), make([]byte, 300<<10)...), "application/octet-stream", http.StatusRequestEntityTooLarge},
			{"an empty body", nil, "application/octet-stream", http.StatusBadRequest},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := c.content
				if body == nil {
					body = []byte{}
				}
				e.upload(e.officer, "referral", f.referral, body, c.contentType).problem(t, c.status)
			})
		}
		if n := len(items(t, e.do(http.MethodGet, "/v1/documents?record_type=referral&record_id="+f.referral, e.officer, nil))); n != 0 {
			t.Errorf("%d refused documents were kept", n)
		}
		if fs := files(t, dir); len(fs) != 0 {
			t.Errorf("refused files kept: %v", fs)
		}
		// A Word document within the limits is taken.
		if r := e.upload(e.officer, "referral", f.referral, zipOf(1000, "[Content_Types].xml", "word/document.xml"), "application/octet-stream"); r.status != http.StatusCreated ||
			r.json(t)["media_type"] != document.DOCX {
			t.Errorf("a Word document: %d %s", r.status, r.body)
		}
	}, func(o *httpapi.Options, c *app.Options) {
		if c.Blobs != nil {
			return
		}
		n++
		dir = filepath.Join(base, strconv.Itoa(n))
		docStore(dir)(o, c)
	})
}
