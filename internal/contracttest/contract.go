// Package contracttest holds the checks that keep openapi.yaml useful to integrators: every
// operation says who may call it and what it changes, every request body and success answer
// carries an example, and every example is valid against its own schema, so examples cannot rot.
// The test in this package runs them on the repository's openapi.yaml (make contract-check).
package contracttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/oneplan-send/oneplan/internal/httpapi"
)

// Load reads a contract and resolves its references, with the string formats (date, date-time,
// uuid, email) checked as strictly as the server checks them.
func Load(path string) (*openapi3.T, error) {
	httpapi.DefineFormats()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", path, err)
	}
	return doc, nil
}

// Problem is one thing the contract lacks or gets wrong, with what to do about it.
type Problem struct {
	Where string // e.g. "POST /v1/referrals (createReferral) request body application/json"
	What  string
}

func (p Problem) String() string {
	if strings.HasPrefix(p.Where, "#/components/examples/") {
		return p.Where + "): " + p.What
	}
	return p.Where + ": " + p.What
}

// jsonMedia reports whether a media type carries JSON, and so should carry examples.
func jsonMedia(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// Check returns every problem found in doc, sorted: operations without a description, request
// bodies, 2xx JSON answers and problem answers without an example, and examples (on operations, shared responses
// and under components/examples) that are not valid against their schema.
func Check(doc *openapi3.T) []Problem {
	var out []Problem
	add := func(where, format string, args ...any) {
		out = append(out, Problem{Where: where, What: fmt.Sprintf(format, args...)})
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			where := fmt.Sprintf("%s %s (%s)", method, path, op.OperationID)
			if strings.TrimSpace(op.Description) == "" {
				add(where, "no description: add `description:` saying who may call it (the roles and permission, "+
					"from internal/auth and the README permission table) and what it changes (or that it changes nothing)")
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mt, media := range op.RequestBody.Value.Content {
					w := where + " request body " + mt
					if jsonMedia(mt) && !hasExample(media) {
						add(w, "no example: add `examples: { <name>: { $ref: \"#/components/examples/<Name>\" } }` "+
							"beside `schema:`, and the example's value under components/examples")
					}
					out = append(out, validate(w, media, true)...)
				}
			}
			if op.Responses == nil {
				continue
			}
			for status, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for mt, media := range resp.Value.Content {
					w := fmt.Sprintf("%s answer %s %s", where, status, mt)
					if (strings.HasPrefix(status, "2") || mt == "application/problem+json") && jsonMedia(mt) && !hasExample(media) {
						add(w, "no example: add `examples: { <name>: { $ref: \"#/components/examples/<Name>\" } }` "+
							"beside `schema:`, and the example's value under components/examples")
					}
					if resp.Ref == "" { // a shared response is checked once, below
						out = append(out, validate(w, media, false)...)
					}
				}
			}
		}
	}
	if doc.Components != nil {
		for name, resp := range doc.Components.Responses {
			for mt, media := range resp.Value.Content {
				w := "components/responses/" + name + " " + mt
				if jsonMedia(mt) && !hasExample(media) {
					add(w, "no example: add its value under components/examples and reference it from `examples:` beside `schema:`")
				}
				out = append(out, validate(w, media, false)...)
			}
		}
		used := usedExamples(doc)
		for name := range doc.Components.Examples {
			if !used[name] {
				add("components/examples/"+name, "not referenced by any operation or response: reference it or remove it")
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return collapse(out)
}

// collapse reports a shared example that fails the same way in several places once, naming the
// places, so one broken value does not bury the rest of the list.
func collapse(in []Problem) []Problem {
	type key struct{ ref, what string }
	var out []Problem
	seen := map[key]int{}
	for _, p := range in {
		ref, at := "", ""
		if i := strings.Index(p.Where, " (#/components/examples/"); i >= 0 {
			ref = p.Where[i+2 : len(p.Where)-1]
			at = p.Where[:strings.LastIndex(p.Where[:i], " example ")]
		}
		k := key{ref, p.What}
		if j, ok := seen[k]; ok && ref != "" {
			out[j].Where += "; " + at
			continue
		}
		seen[k] = len(out)
		if ref != "" {
			p.Where = ref + " (used by " + at
		}
		out = append(out, p)
	}
	return out
}

func hasExample(media *openapi3.MediaType) bool {
	return media != nil && (media.Example != nil || len(media.Examples) > 0)
}

// validate checks the media type's examples against its schema, as a request or as an answer
// (readOnly and writeOnly properties are treated accordingly).
func validate(where string, media *openapi3.MediaType, request bool) []Problem {
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors()}
	if request {
		opts = append(opts, openapi3.VisitAsRequest())
	} else {
		opts = append(opts, openapi3.VisitAsResponse())
	}
	var out []Problem
	check := func(name string, value any) {
		if err := media.Schema.Value.VisitJSON(value, opts...); err != nil {
			out = append(out, Problem{Where: where + " example " + name, What: "does not match the schema: " + describe(err)})
		}
	}
	if media.Example != nil {
		check("(example:)", media.Example)
	}
	names := make([]string, 0, len(media.Examples))
	for name := range media.Examples {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ex := media.Examples[name]
		label := name
		if ex.Ref != "" {
			label += " (" + ex.Ref + ")"
		}
		if ex.Value == nil {
			out = append(out, Problem{Where: where + " example " + label, What: "reference does not resolve"})
			continue
		}
		if ex.Value.ExternalValue != "" && ex.Value.Value == nil {
			continue
		}
		check(label, ex.Value.Value)
	}
	return out
}

// describe flattens kin-openapi's errors into one line per failing field.
func describe(err error) string {
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		parts := make([]string, 0, len(multi))
		for _, e := range multi {
			parts = append(parts, describe(e))
		}
		return strings.Join(parts, "; ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		at := "/" + strings.Join(se.JSONPointer(), "/")
		return at + ": " + se.Reason
	}
	return err.Error()
}

// usedExamples lists the components/examples names some media type references.
func usedExamples(doc *openapi3.T) map[string]bool {
	used := map[string]bool{}
	mark := func(content openapi3.Content) {
		for _, media := range content {
			for _, ex := range media.Examples {
				if name, ok := strings.CutPrefix(ex.Ref, "#/components/examples/"); ok {
					used[name] = true
				}
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				mark(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, resp := range op.Responses.Map() {
					if resp.Value != nil {
						mark(resp.Value.Content)
					}
				}
			}
		}
	}
	for _, resp := range doc.Components.Responses {
		mark(resp.Value.Content)
	}
	return used
}
