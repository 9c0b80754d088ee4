package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0119 forgets the answers kept under Idempotency-Keys that hold a secret shown once (an API
// key, a link token, a webhook signing secret): they were kept in the clear for a day, to be
// replayed. From now on such an answer is never kept (its record is "withheld": a retry is a 409
// naming the record); this clears the ones kept before, the same way.
var m0119 = &gormigrate.Migration{ID: "0119_idempotency_secrets", Migrate: ddl(schema0119, nil)}

// schema0119: the paths of the operations marked x-answer-holds-secret in openapi.yaml.
const schema0119 = `
UPDATE idempotency_keys SET state = 'withheld', body = NULL, content_type = NULL
WHERE state = 'done' AND method = 'POST' AND (
  path IN ('/v1/api-keys', '/v1/survey-invitations', '/v1/family-invitations', '/v1/webhook-subscriptions')
  OR (path LIKE '/v1/api-keys/%/rotate')
  OR (path LIKE '/v1/advice-requests/%/invitations')
  OR (path LIKE '/v1/webhook-subscriptions/%/rotate-secret'))
`
