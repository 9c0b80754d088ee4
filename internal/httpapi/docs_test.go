package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
)

var serversBlock = regexp.MustCompile(`(?m)^servers:\n(?:[ \t-].*\n)+`)

// /docs is public, embedded, and allowed to run only its own scripts; the served contract names
// the configured server and is otherwise the contract as written.
func TestDocsPageAndServedServers(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		page := e.do(http.MethodGet, "/docs", "", nil)
		if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(page.body), `src="/docs/swagger-ui-bundle.js"`) {
			t.Fatalf("/docs: %d %s %.200s", page.status, page.header.Get("Content-Type"), page.body)
		}
		csp := page.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';",
			"connect-src 'self' https://oneplan.council.example;", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("/docs CSP %q lacks %q", csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("/docs CSP allows unsafe sources: %q", csp)
		}
		for asset, mediaType := range map[string]string{"swagger-ui-bundle.js": "text/javascript", "init.js": "text/javascript",
			"swagger-ui.css": "text/css", "favicon-32x32.png": "image/png", "LICENSE": "text/plain"} {
			r := e.do(http.MethodGet, "/docs/"+asset, "", nil)
			if r.status != http.StatusOK || r.header.Get("Content-Type") != mediaType || len(r.body) == 0 {
				t.Errorf("/docs/%s: %d %q %d bytes", asset, r.status, r.header.Get("Content-Type"), len(r.body))
			}
		}
		if r := e.do(http.MethodGet, "/docs/swagger-ui-bundle.js", "", nil); !strings.Contains(string(r.body), "SwaggerUIBundle") {
			t.Error("the embedded bundle is not Swagger UI")
		}
		// Only the reference's own files; nothing else embedded beside them, nothing outside.
		for _, path := range []string{"/docs/docsui.go", "/docs/index.html", "/docs/nothing.js"} {
			if r := e.do(http.MethodGet, path, "", nil); r.status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, r.status)
			}
		}
		if r := e.do(http.MethodGet, "/docs/..%2Fopenapi.yaml", "", nil); r.status != http.StatusBadRequest {
			t.Errorf("an escaping asset name: %d, want 400", r.status)
		}
		// Other answers keep the API's own policy.
		if r := e.do(http.MethodGet, "/healthz", "", nil); r.header.Get("Content-Security-Policy") != "default-src 'none'; frame-ancestors 'none'" {
			t.Errorf("healthz CSP: %q", r.header.Get("Content-Security-Policy"))
		}

		spec := e.do(http.MethodGet, "/openapi.yaml", "", nil)
		served := serversBlock.FindString(string(spec.body))
		if served != "servers:\n  - url: \"https://oneplan.council.example\"\n    description: This server.\n" {
			t.Errorf("served servers block: %q", served)
		}
		if serversBlock.ReplaceAllString(string(spec.body), "") != serversBlock.ReplaceAllString(string(api.SpecYAML), "") {
			t.Error("the served contract differs from the contract as written beyond its servers")
		}
	}, func(o *httpapi.Options, _ *app.Options) { o.ServerURL = "https://oneplan.council.example" })
}
