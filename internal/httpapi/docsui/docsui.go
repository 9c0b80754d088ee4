// Package docsui holds the interactive API reference served at /docs: a pinned Swagger UI build
// (dist/, copied from the npm package swagger-ui-dist by `make docs-ui`, see tools/docsui) and the
// page that starts it on /openapi.yaml. Everything is embedded, so /docs works with no network.
package docsui

import (
	"embed"
	"io/fs"
	"path"
)

//go:embed index.html init.js oneplan.css dist
var files embed.FS

// Index is the /docs page.
func Index() []byte {
	b, _ := files.ReadFile("index.html")
	return b
}

// Asset is the file /docs/{name} serves and its media type; ok is false for anything else.
func Asset(name string) (body []byte, mediaType string, ok bool) {
	if name == "" || path.Base(name) != name || name == "index.html" || name == "docsui.go" {
		return nil, "", false
	}
	b, err := files.ReadFile(name)
	if err != nil {
		if b, err = fs.ReadFile(files, "dist/"+name); err != nil {
			return nil, "", false
		}
	}
	switch path.Ext(name) {
	case ".js":
		return b, "text/javascript", true
	case ".css":
		return b, "text/css", true
	case ".png":
		return b, "image/png", true
	case "":
		return b, "text/plain", true // LICENSE, NOTICE
	}
	return nil, "", false
}
