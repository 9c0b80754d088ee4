// Package client is a typed Go client for the OnePlan API, generated from openapi.yaml.
//
// Create one with NewClientWithResponses(baseURL, WithRequestEditorFn(...)) and send the API key as
// "Authorization: Bearer <key>".
package client

//go:generate go tool -modfile=../../tools/go.mod oapi-codegen -config cfg.yaml ../../openapi.yaml
