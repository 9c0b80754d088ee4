package httpapi

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/getkin/kin-openapi/openapi3"
	fastjson "github.com/segmentio/encoding/json"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// mergePatch applies the request's JSON merge patch (RFC 7396) to current, the record in its
// create-input shape; checks the result against the input schema, so a patch can never leave a
// record the create call would refuse; decodes it into out and names the fields that changed.
func (s *Server) mergePatch(ctx context.Context, current any, schema string, out any) ([]string, error) {
	patch := patchBody(ctx)
	// The record's own document and the generic decodings go through fastJSON's encoder (same
	// bytes, same values, several times faster); the decoding into out, whose errors a caller may
	// read, through encoding/json.
	doc, err := fastjson.Marshal(current)
	if err != nil {
		return nil, err
	}
	merged, err := jsonpatch.MergePatch(doc, patch)
	if err != nil {
		return nil, fault.Field(fault.Invalid, "", "the body is not a JSON merge patch object")
	}
	var before, after map[string]any
	if err := fastjson.Unmarshal(doc, &before); err != nil {
		return nil, err
	}
	var afterDoc any
	if err := fastjson.Unmarshal(merged, &afterDoc); err != nil {
		return nil, fault.Field(fault.Invalid, "", "the body is not a JSON merge patch object")
	}
	sref := s.spec.Components.Schemas[schema]
	if err := sref.Value.VisitJSON(afterDoc, openapi3.MultiErrors()); err != nil {
		return nil, fault.Fields(fault.Invalid, schemaFieldErrors(err))
	}
	after, _ = afterDoc.(map[string]any)
	if err := json.Unmarshal(merged, out); err != nil {
		return nil, fault.Field(fault.Invalid, "", "the patched record could not be read: "+err.Error())
	}
	var changed []string
	for k := range union(before, after) {
		if !reflect.DeepEqual(before[k], after[k]) {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	return changed, nil
}

func union(a, b map[string]any) map[string]struct{} {
	out := make(map[string]struct{}, len(a)+len(b))
	for k := range a {
		out[k] = struct{}{}
	}
	for k := range b {
		out[k] = struct{}{}
	}
	return out
}
