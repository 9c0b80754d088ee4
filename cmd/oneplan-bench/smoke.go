package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/oneplan-send/oneplan/internal/benchload"
)

// smoke sends each operation once, as the wrk script will, and checks the answers say the work
// was done: so the load runs measure the operations, not a stream of refusals.
func smoke(ctx context.Context, baseURL, key string, referrals int) error {
	client := &http.Client{Timeout: time.Minute}
	do := func(method, path, contentType, body string, want int) (map[string]any, error) {
		req, err := http.NewRequestWithContext(ctx, method, baseURL+path, bytes.NewBufferString(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, truncate(string(b), 400))
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		return v, nil
	}

	created, err := do(http.MethodPost, "/v1/referrals", "application/json",
		`{"young_person_id":"`+benchload.YoungPersonID(referrals)+`","referrer_practitioner_id":"`+benchload.PractitionerID(benchload.Settings)+
			`","reasons":["sen"],"services_involved":["school","camhs"],"summary":"Benchmark referral"}`, http.StatusCreated)
	if err != nil {
		return err
	}
	if created["status"] != "received" || created["young_person_id"] != benchload.YoungPersonID(referrals) {
		return fmt.Errorf("POST /v1/referrals made %v for %v, want a received referral for %s", created["status"], created["young_person_id"],
			benchload.YoungPersonID(referrals))
	}

	read, err := do(http.MethodGet, "/v1/referrals/"+benchload.ReferralID(referrals), "", "", http.StatusOK)
	if err != nil {
		return err
	}
	if read["id"] != benchload.ReferralID(referrals) {
		return fmt.Errorf("GET /v1/referrals/%s answered referral %v", benchload.ReferralID(referrals), read["id"])
	}

	for path, status := range map[string]string{"/v1/referrals?limit=50": "", "/v1/referrals?status=assessing&limit=50": "assessing"} {
		list, err := do(http.MethodGet, path, "", "", http.StatusOK)
		if err != nil {
			return err
		}
		items, _ := list["items"].([]any)
		if len(items) != 50 {
			return fmt.Errorf("GET %s listed %d referrals, want 50", path, len(items))
		}
		for _, it := range items {
			if m, _ := it.(map[string]any); status != "" && m["status"] != status {
				return fmt.Errorf("GET %s listed a referral that is %v", path, m["status"])
			}
		}
	}

	id := benchload.ReferralID(7) // received, so still correctable
	patched, err := do(http.MethodPatch, "/v1/referrals/"+id, "application/merge-patch+json", `{"summary":"Benchmark smoke check"}`, http.StatusOK)
	if err != nil {
		return err
	}
	if patched["summary"] != "Benchmark smoke check" {
		return fmt.Errorf("PATCH /v1/referrals/%s left the summary %v", id, patched["summary"])
	}
	return nil
}
