// Package api holds the server code generated from openapi.yaml: models, the Echo strict server
// interface and the embedded contract. Regenerate with `make generate`; never edit by hand.
package api

import _ "embed" // for SpecYAML

//go:generate go tool -modfile=../tools/go.mod oapi-codegen -config cfg.yaml ../openapi.yaml
//go:generate cp ../openapi.yaml openapi.yaml

// SpecYAML is openapi.yaml byte for byte (a copy made by go generate), served at /openapi.yaml.
//
//go:embed openapi.yaml
var SpecYAML []byte
