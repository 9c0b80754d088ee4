package httpapi_test

import (
	"net/http"
	"testing"
)

// TestForbiddenNamesThePermission: a 403 refused by role names the permission the role lacks in
// missing_permission, so an integrator knows what to ask the council for.
func TestForbiddenNamesThePermission(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cases := []struct {
			name, method, path, key string
			body                    any
			want                    string
		}{
			{"officer registers an organisation", http.MethodPost, "/v1/organisations", e.officer,
				map[string]any{"name": "Elm Academy", "type": "school_secondary"}, "organisations:manage"},
			{"analyst lists referrals", http.MethodGet, "/v1/referrals", e.analyst, nil, "casework:read"},
			{"analyst asks for exact figures", http.MethodGet, "/v1/reports/activity?from=2025-09-01&to=2026-08-31&disclosure=exact", e.analyst, nil, "reports:exact"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := e.do(c.method, c.path, c.key, c.body).problem(t, http.StatusForbidden)
				if p.MissingPermission == nil || *p.MissingPermission != c.want {
					t.Errorf("missing_permission = %v, want %q (detail %q)", p.MissingPermission, c.want, *p.Detail)
				}
			})
		}
		// A 404 for a record out of scope says nothing about permissions.
		p := e.do(http.MethodGet, "/v1/referrals/0190c0de-0000-7000-8000-000000000001", e.officer, nil).problem(t, http.StatusNotFound)
		if p.MissingPermission != nil {
			t.Errorf("a 404 names a permission: %q", *p.MissingPermission)
		}
	})
}
