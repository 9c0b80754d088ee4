package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/httpapi/docsui"
)

// The interactive reference at /docs: Swagger UI embedded in the binary (package docsui), reading
// /openapi.yaml. It is public, like the contract itself.

func isDocs(path string) bool { return path == "/docs" || strings.HasPrefix(path, "/docs/") }

// docsCSP lets the page load only this server's scripts, styles and images (Swagger UI draws some
// icons as data: URLs) and send requests only to this server (and to the configured public URL,
// which may be another origin than the one the page was opened on). No inline script, no eval.
func (s *Server) docsCSP() string {
	connect := "'self'"
	if u, err := url.Parse(s.opts.ServerURL); err == nil && u.Scheme != "" && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src " + connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func (h *systemHandlers) Docs(context.Context, api.DocsRequestObject) (api.DocsResponseObject, error) {
	page := docsui.Index()
	return api.Docs200TextHTMLResponse{Body: bytes.NewReader(page), ContentLength: int64(len(page))}, nil
}

func (h *systemHandlers) DocsAsset(_ context.Context, req api.DocsAssetRequestObject) (api.DocsAssetResponseObject, error) {
	b, mediaType, ok := docsui.Asset(req.Asset)
	if !ok {
		return nil, fault.New(fault.NotFound, "No such file of the API reference: open /docs.")
	}
	body, n := bytes.NewReader(b), int64(len(b))
	switch mediaType {
	case "text/javascript":
		return api.DocsAsset200TextJavascriptResponse{Body: body, ContentLength: n}, nil
	case "text/css":
		return api.DocsAsset200TextCSSResponse{Body: body, ContentLength: n}, nil
	case "image/png":
		return api.DocsAsset200ImagePngResponse{Body: body, ContentLength: n}, nil
	}
	return api.DocsAsset200TextResponse(b), nil
}

// serversBlock is the top-level servers list of openapi.yaml: the key and its indented lines.
var serversBlock = regexp.MustCompile(`(?m)^servers:\n(?:[ \t-].*\n)+`)

// servedSpec is the contract as written, with its servers naming serverURL when one is given;
// the rest of the document is left byte for byte as written.
func servedSpec(raw []byte, serverURL string) ([]byte, error) {
	if serverURL == "" {
		return raw, nil
	}
	if !serversBlock.Match(raw) {
		return nil, fmt.Errorf("openapi.yaml has no top-level servers list to fill in")
	}
	block := fmt.Sprintf("servers:\n  - url: %q\n    description: This server.\n", serverURL)
	return serversBlock.ReplaceAllLiteral(raw, []byte(block)), nil
}
