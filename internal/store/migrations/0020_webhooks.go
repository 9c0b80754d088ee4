package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0020 is plain DDL: delivering the outbox. Events gain the child they are about (who may
// receive them) and a sequence number given once they are committed (the feed's order); webhook
// subscriptions, one delivery per event and subscription, and every attempt at it.
var m0020 = &gormigrate.Migration{ID: "0020_webhooks", Migrate: ddl(schema0020, nil)}

// schema0020. The sequence is given by one dispatcher at a time after the event's transaction
// has committed, so it is commit order as readers see it: an event whose transaction commits
// late gets a later number, and a cursor taken before never skips it. event_sequence holds the
// last number given (a counter that pruning cannot lower, unlike MAX(seq)).
const schema0020 = `
ALTER TABLE outbox_events ADD COLUMN young_person_id {uuid};
ALTER TABLE outbox_events ADD COLUMN seq {int};
CREATE UNIQUE INDEX outbox_events_seq ON outbox_events (seq);
CREATE INDEX outbox_events_unsequenced ON outbox_events (id) WHERE seq IS NULL;

CREATE TABLE event_sequence (
  name {text} PRIMARY KEY,
  last {int} NOT NULL
);
INSERT INTO event_sequence (name, last) VALUES ('outbox', 0);

CREATE TABLE webhook_subscriptions (
  id {uuid} PRIMARY KEY,
  organisation_id {uuid} NOT NULL REFERENCES organisations (id),
  view {text} NOT NULL,
  url {text} NOT NULL,
  event_types {text} NOT NULL,
  active {bool} NOT NULL,
  status {text} NOT NULL,
  secret {text} NOT NULL,
  previous_secret {text},
  previous_expires_at {ts},
  created_at {ts} NOT NULL,
  updated_at {ts} NOT NULL,
  version {int} NOT NULL
);
CREATE INDEX webhook_subscriptions_organisation ON webhook_subscriptions (organisation_id, id);
CREATE INDEX webhook_subscriptions_updated ON webhook_subscriptions (updated_at, id);

CREATE TABLE webhook_deliveries (
  subscription_id {uuid} NOT NULL REFERENCES webhook_subscriptions (id),
  event_id {uuid} NOT NULL,
  seq {int} NOT NULL,
  status {text} NOT NULL,
  attempts {int} NOT NULL,
  first_attempt_at {ts},
  next_attempt_at {ts} NOT NULL,
  locked_until {ts},
  delivered_at {ts},
  created_at {ts} NOT NULL,
  PRIMARY KEY (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
  id {uuid} PRIMARY KEY,
  subscription_id {uuid} NOT NULL REFERENCES webhook_subscriptions (id),
  event_id {uuid} NOT NULL,
  event_type {text} NOT NULL,
  attempt {int} NOT NULL,
  attempted_at {ts} NOT NULL,
  response_code {int},
  latency_ms {int} NOT NULL,
  error {text},
  next_retry_at {ts}
);
CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
CREATE INDEX webhook_attempts_attempted ON webhook_attempts (attempted_at)
`
