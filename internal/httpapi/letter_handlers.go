package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"strconv"
	"strings"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/letters"
	"github.com/oneplan-send/oneplan/internal/letter"
	"github.com/oneplan-send/oneplan/internal/letter/pdf"
)

type letterHandlers struct {
	s   *Server
	svc *letters.Service
}

// wantsHTML reports whether the caller's Accept header prefers text/html to application/pdf
// (PDF when neither is named, or on a tie where PDF is listed first).
func wantsHTML(ctx context.Context) bool {
	accept, _ := ctx.Value(acceptKey{}).(string)
	htmlQ, pdfQ := -1.0, -1.0
	htmlFirst := false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "text/html":
			if htmlQ < 0 && pdfQ < 0 {
				htmlFirst = true
			}
			htmlQ = max(htmlQ, q)
		case "application/pdf":
			pdfQ = max(pdfQ, q)
		}
	}
	return htmlQ > 0 && (htmlQ > pdfQ || (htmlQ == pdfQ && htmlFirst))
}

// render returns the letter as HTML or PDF, as the caller asked.
func render(ctx context.Context, l letter.Letter) (body []byte, html bool, err error) {
	if wantsHTML(ctx) {
		body, err = letter.HTML(l)
		return body, true, err
	}
	body, err = pdf.Render(l)
	return body, false, err
}

func (h *letterHandlers) GetEHCLetter(ctx context.Context, req api.GetEHCLetterRequestObject) (api.GetEHCLetterResponseObject, error) {
	l, err := h.svc.EHCLetter(ctx, req.ID.String(), letter.Kind(req.Kind))
	if err != nil {
		return nil, err
	}
	body, html, err := render(ctx, l)
	if err != nil {
		return nil, err
	}
	headers := api.GetEHCLetter200ResponseHeaders{ETag: digestETag(body)}
	if html {
		return api.GetEHCLetter200TextHTMLResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body)), Headers: headers}, nil
	}
	return api.GetEHCLetter200ApplicationPdfResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body)), Headers: headers}, nil
}

func (h *letterHandlers) GetEHCPlanDocument(ctx context.Context, req api.GetEHCPlanDocumentRequestObject) (api.GetEHCPlanDocumentResponseObject, error) {
	l, err := h.svc.PlanDocument(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	body, html, err := render(ctx, l)
	if err != nil {
		return nil, err
	}
	headers := api.GetEHCPlanDocument200ResponseHeaders{ETag: digestETag(body)}
	if html {
		return api.GetEHCPlanDocument200TextHTMLResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body)), Headers: headers}, nil
	}
	return api.GetEHCPlanDocument200ApplicationPdfResponse{Body: bytes.NewReader(body), ContentLength: int64(len(body)), Headers: headers}, nil
}

// digestETag tags a rendered document by its bytes, not its record's version: a document also
// shows what other records say (section J comes from the linked personal budget), so a change
// there must change the tag even though the plan's version stays.
func digestETag(body []byte) *string {
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return &tag
}
