package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/oneplan-send/oneplan/api"
)

// contractOperation is one operation of the contract, with a path it can be called on.
type contractOperation struct {
	method, path string // path with each parameter filled in
	template     string
	public       bool
}

// contractOperations lists every operation of the contract, its path parameters filled with a
// value of the right shape (an id that names nothing, an enum's first value).
func contractOperations(t *testing.T) []contractOperation {
	t.Helper()
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	var ops []contractOperation
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			filled := path
			for _, ref := range append(slices.Clone(item.Parameters), op.Parameters...) {
				p := ref.Value
				if p.In != openapi3.ParameterInPath {
					continue
				}
				filled = strings.ReplaceAll(filled, "{"+p.Name+"}", samplePathValue(p.Schema))
			}
			ops = append(ops, contractOperation{method: method, path: filled, template: path,
				public: op.Security != nil && len(*op.Security) == 0})
		}
	}
	slices.SortFunc(ops, func(a, b contractOperation) int { return strings.Compare(a.template+a.method, b.template+b.method) })
	if len(ops) < 100 {
		t.Fatalf("only %d operations in the contract", len(ops))
	}
	return ops
}

func samplePathValue(ref *openapi3.SchemaRef) string {
	if ref == nil || ref.Value == nil {
		return "x"
	}
	s := ref.Value
	switch {
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Format == "uuid":
		return "0190c0de-0000-7000-8000-000000000001"
	case s.Type.Is(openapi3.TypeInteger):
		return "1"
	}
	return "x"
}

// TestHeadOnEveryGet: every GET of the contract answers HEAD with the same status as the GET and
// no body, for a caller who may read the directory (admin) and one who may read casework.
func TestHeadOnEveryGet(t *testing.T) {
	ops := contractOperations(t)
	each(t, func(t *testing.T, e *env) {
		send := func(method, path, key string) (int, []byte) {
			req, err := http.NewRequest(method, e.srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, body
		}
		n := 0
		for _, op := range ops {
			if op.method != http.MethodGet {
				continue
			}
			n++
			for _, key := range []string{e.admin, e.officer} {
				if op.public {
					key = ""
				}
				get, _ := send(http.MethodGet, op.path, key)
				head, body := send(http.MethodHead, op.path, key)
				if head != get || len(body) > 0 {
					t.Errorf("HEAD %s: %d with %d bytes; GET answered %d", op.path, head, len(body), get)
				}
			}
		}
		if n < 50 {
			t.Fatalf("only %d GET operations swept", n)
		}
	})
}

// TestUnknownQueryOnEveryOperation: a query parameter an operation does not take is refused on
// every operation of the contract with a 400 problem naming it, before anything else is done
// (today's `?statuss=received` must not silently return everything).
func TestUnknownQueryOnEveryOperation(t *testing.T) {
	ops := contractOperations(t)
	each(t, func(t *testing.T, e *env) {
		for _, op := range ops {
			key := e.admin
			if op.public {
				key = ""
			}
			r := e.do(op.method, op.path+"?statuss=received", key, nil)
			var p struct {
				Status int
				Errors []struct{ Pointer, Detail string }
			}
			if r.status != http.StatusBadRequest || r.header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(r.body, &p) != nil {
				t.Errorf("%s %s?statuss=received: %d %s", op.method, op.template, r.status, r.body)
				continue
			}
			if len(p.Errors) != 1 || p.Errors[0].Pointer != "/query/statuss" || !strings.Contains(p.Errors[0].Detail, "is not a parameter") {
				t.Errorf("%s %s?statuss=received: errors %+v, want one naming /query/statuss", op.method, op.template, p.Errors)
			}
		}
	})
}
