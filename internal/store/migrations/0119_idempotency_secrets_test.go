package migrations_test

import (
	"testing"

	"gorm.io/gorm"
)

// TestMigration0119IdempotencySecrets: the answers kept for the operations whose answer holds a
// secret are forgotten (withheld, as the server now keeps them); others' are kept to be replayed.
func TestMigration0119IdempotencySecrets(t *testing.T) {
	paths := map[string]string{
		"/v1/api-keys":                                            "withheld",
		"/v1/api-keys/" + uuid(1) + "/rotate":                     "withheld",
		"/v1/advice-requests/" + uuid(2) + "/invitations":         "withheld",
		"/v1/survey-invitations":                                  "withheld",
		"/v1/family-invitations":                                  "withheld",
		"/v1/webhook-subscriptions":                               "withheld",
		"/v1/webhook-subscriptions/" + uuid(3) + "/rotate-secret": "withheld",
		"/v1/referrals":                                           "done",
		"/v1/api-keys/" + uuid(1) + "/revoke":                     "done",
	}
	checkMigration(t, "0119_idempotency_secrets", func(t *testing.T, db *gorm.DB) {
		i := 0
		for path := range paths {
			i++
			exec(t, db, `INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash, state, status_code, content_type, body, created_at)
				VALUES (?, ?, 'POST', ?, 'h', 'done', 201, 'application/json', '{"key":"op_secret"}', '2026-12-07 04:00:00')`, uuid(9), "k-"+string(rune('a'+i)), path)
		}
	}, func(t *testing.T, db *gorm.DB) {
		for path, state := range paths {
			wantValue(t, db, state, `SELECT state FROM idempotency_keys WHERE path = ?`, path)
			body := `{"key":"op_secret"}`
			if state == "withheld" {
				body = ""
			}
			wantValue(t, db, body, `SELECT COALESCE(body, '') FROM idempotency_keys WHERE path = ?`, path)
		}
	})
}
