package httpapi

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/document"
)

// Converters and handlers for documents attached to a child's records.

// declaredLengthKey holds a streamed request's Content-Length (see validateRequests).
type declaredLengthKey struct{}

// readFile reads an uploaded file whole, up to one byte past limit (enough to know it is over):
// its content is checked as a whole (its type, a Word document's parts, the scanner). It is read
// into one buffer of the length the request declared, not grown by doubling (io.ReadAll's way,
// which allocates two to three times a large file).
func readFile(ctx context.Context, body io.Reader, limit int64) ([]byte, error) {
	hint, _ := ctx.Value(declaredLengthKey{}).(int64)
	if hint <= 0 || hint > limit {
		hint = 512
	}
	// Room for bytes.Buffer's last read past the end, so a file of the declared length never
	// makes it grow.
	buf := bytes.NewBuffer(make([]byte, 0, hint+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(body, limit+1)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func toDocument(d document.Document) api.Document {
	out := api.Document{ID: mustUUID(d.ID), RecordType: api.DocumentRecordType(d.RecordType), RecordID: mustUUID(d.RecordID),
		YoungPersonID: mustUUID(d.YoungPersonID), Kind: api.DocumentKind(d.Kind), Title: d.Title, FileName: d.FileName,
		MediaType: api.DocumentMediaType(d.MediaType), SizeBytes: d.SizeBytes, Sha256: d.SHA256, FamilyVisible: d.FamilyVisible,
		ContentPath: ptr("/v1/documents/" + d.ID + "/content"), CreatedAt: d.CreatedAt, Version: d.Version}
	if d.UploadedByOrg != "" {
		id := mustUUID(d.UploadedByOrg)
		out.UploadedByOrganisationID = &id
	}
	return out
}

func (h *documentHandlers) UploadDocument(ctx context.Context, req api.UploadDocumentRequestObject) (api.UploadDocumentResponseObject, error) {
	content, err := readFile(ctx, req.Body, h.svc.Limits().MaxBytes)
	if err != nil {
		return nil, err
	}
	q := req.Params
	d, err := h.svc.Upload(ctx, document.Meta{RecordType: string(q.RecordType), RecordID: q.RecordID.String(), Kind: string(q.Kind),
		Title: q.Title, FileName: str(q.FileName), Declared: document.Octet}, content)
	if err != nil {
		return nil, err
	}
	return api.UploadDocument201JSONResponse{Body: toDocument(d), Headers: api.UploadDocument201ResponseHeaders{
		Location: location("/v1/documents", d.ID), ETag: etag(d.Version)}}, nil
}

func (h *documentHandlers) ListDocuments(ctx context.Context, req api.ListDocumentsRequestObject) (api.ListDocumentsResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.Documents(ctx, string(q.RecordType), q.RecordID.String(), page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListDocuments200JSONResponse{Items: make([]api.Document, len(items)), NextCursor: nextCursor(next)}
	for i, d := range items {
		out.Items[i] = toDocument(d)
	}
	return out, nil
}

func (h *documentHandlers) GetDocument(ctx context.Context, req api.GetDocumentRequestObject) (api.GetDocumentResponseObject, error) {
	d, err := h.svc.Document(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetDocument200JSONResponse{Body: toDocument(d), Headers: api.GetDocument200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (h *documentHandlers) UpdateDocument(ctx context.Context, req api.UpdateDocumentRequestObject) (api.UpdateDocumentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.SetFamilyVisible(ctx, req.ID.String(), ifMatch, func(cur bool) (bool, []string, error) {
		var in api.DocumentPatch
		changed, err := h.s.mergePatch(ctx, api.DocumentPatch{FamilyVisible: cur}, "DocumentPatch", &in)
		return in.FamilyVisible, changed, err
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateDocument200JSONResponse{Body: toDocument(d), Headers: api.UpdateDocument200ResponseHeaders{ETag: etag(d.Version)}}, nil
}

func (h *documentHandlers) RemoveDocument(ctx context.Context, req api.RemoveDocumentRequestObject) (api.RemoveDocumentResponseObject, error) {
	if err := h.svc.Remove(ctx, req.ID.String()); err != nil {
		return nil, err
	}
	return api.RemoveDocument204Response{}, nil
}

func (h *documentHandlers) GetDocumentContent(ctx context.Context, req api.GetDocumentContentRequestObject) (api.GetDocumentContentResponseObject, error) {
	d, r, err := h.svc.Content(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return documentContent{d: d, body: r}, nil
}

// documentContent streams a document's bytes as an attachment a browser will neither sniff nor
// run (the security headers already say nosniff and a CSP of default-src 'none'; sandbox is added).
type documentContent struct {
	d    document.Document
	body io.ReadCloser
}

func (c documentContent) VisitGetDocumentContentResponse(w http.ResponseWriter) error {
	defer func() { _ = c.body.Close() }()
	h := w.Header()
	h.Set("Content-Type", c.d.MediaType)
	h.Set("Content-Length", strconv.FormatInt(c.d.SizeBytes, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": c.d.FileName}))
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	h.Set("X-Content-SHA256", c.d.SHA256)
	w.WriteHeader(http.StatusOK)
	_, err := io.Copy(w, c.body)
	return err
}
