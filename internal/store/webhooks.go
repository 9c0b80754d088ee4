package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// Delivering the outbox: subscriptions, the sequencer that puts committed events in order and
// queues their deliveries, the deliveries themselves and the pull feed.

type webhookRepo struct{ conn }

// Webhooks is the repository that keeps webhook subscriptions and their attempts.
func (tx *Tx) Webhooks() webhook.Repository { return webhookRepo{tx.conn} }

// WebhookQueue is the delivery machinery.
func (tx *Tx) WebhookQueue() webhook.Queue { return webhookRepo{tx.conn} }

// Feed reads committed events in commit order.
func (tx *Tx) Feed() outbox.Feed { return outboxRepo{tx.conn} }

// sequencerLock is the advisory lock one PostgreSQL sequencer holds for its transaction.
const sequencerLock = 0x6f6e65706c616e // "oneplan"

type webhookSubscriptionRow struct {
	ID                string
	OrganisationID    string
	View              string
	URL               string `gorm:"column:url"`
	EventTypes        string
	Active            bool
	Status            string
	Secret            string
	PreviousSecret    *string
	PreviousExpiresAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

func (webhookSubscriptionRow) TableName() string { return "webhook_subscriptions" }

// toSubscriptionRow is s as stored, its secrets sealed when a key is configured.
func (tx webhookRepo) toSubscriptionRow(s webhook.Subscription) (webhookSubscriptionRow, error) {
	var err error
	if s.Secret, err = tx.sealer.Seal(s.Secret); err != nil {
		return webhookSubscriptionRow{}, err
	}
	if s.PreviousSecret, err = tx.sealer.Seal(s.PreviousSecret); err != nil {
		return webhookSubscriptionRow{}, err
	}
	types := s.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookSubscriptionRow{ID: s.ID, OrganisationID: s.OrganisationID, View: string(s.View), URL: s.URL, EventTypes: toJSON(types),
		Active: s.Active, Status: string(s.Status), Secret: s.Secret, PreviousSecret: nullable(s.PreviousSecret),
		PreviousExpiresAt: utcPtr(s.PreviousExpiresAt), CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), Version: s.Version}, nil
}

func (r webhookSubscriptionRow) toDomain() webhook.Subscription {
	return webhook.Subscription{ID: r.ID, OrganisationID: r.OrganisationID, View: webhook.View(r.View), URL: r.URL,
		EventTypes: fromJSON[[]string](&r.EventTypes), Active: r.Active, Status: webhook.Status(r.Status), Secret: r.Secret,
		PreviousSecret: deref(r.PreviousSecret), PreviousExpiresAt: utcPtr(r.PreviousExpiresAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// subscription is r with its secrets opened. A secret that will not open (sealed, and the key
// missing or changed) is an error rather than a delivery signed with the wrong key.
func (tx webhookRepo) subscription(r webhookSubscriptionRow) (webhook.Subscription, error) {
	s := r.toDomain()
	var err error
	if s.Secret, err = tx.sealer.Open(s.Secret); err != nil {
		return webhook.Subscription{}, unopenable(s.ID, err)
	}
	if s.PreviousSecret, err = tx.sealer.Open(s.PreviousSecret); err != nil {
		return webhook.Subscription{}, unopenable(s.ID, err)
	}
	return s, nil
}

// unopenable is a secret the configured key cannot open: the server's configuration is at fault,
// not the caller or the record, so callers get 503 (retry once the operator restores
// ONEPLAN_SECRETS_KEY) rather than a 500; the cause stays for the log and errors.Is.
func unopenable(id string, err error) error {
	return &fault.Error{Kind: fault.Unavailable,
		Detail: "The webhook subscription's signing secret cannot be read with the server's configured secrets key.",
		Cause:  fmt.Errorf("webhook subscription %s: %w", id, err)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type webhookAttemptRow struct {
	ID             string
	SubscriptionID string
	EventID        string
	EventType      string
	Attempt        int
	AttemptedAt    time.Time
	ResponseCode   *int
	LatencyMs      int64
	Error          *string
	NextRetryAt    *time.Time
}

func (webhookAttemptRow) TableName() string { return "webhook_attempts" }

func (r webhookAttemptRow) toDomain() webhook.Attempt {
	a := webhook.Attempt{ID: r.ID, SubscriptionID: r.SubscriptionID, EventID: r.EventID, EventType: r.EventType, Attempt: r.Attempt,
		AttemptedAt: r.AttemptedAt.UTC(), Latency: time.Duration(r.LatencyMs) * time.Millisecond, Error: deref(r.Error), NextRetryAt: utcPtr(r.NextRetryAt)}
	if r.ResponseCode != nil {
		a.ResponseCode = *r.ResponseCode
	}
	return a
}

// CreateSubscription inserts s.
func (tx webhookRepo) CreateSubscription(s webhook.Subscription) error {
	row, err := tx.toSubscriptionRow(s)
	if err != nil {
		return err
	}
	return translate(tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }))
}

// Subscription loads one subscription.
func (tx webhookRepo) Subscription(id string) (webhook.Subscription, error) {
	row, err := get[webhookSubscriptionRow](tx.conn, "webhook subscription", id)
	if err != nil {
		return webhook.Subscription{}, err
	}
	return tx.subscription(row)
}

// UpdateSubscription writes s if s.Version-1 is still current.
func (tx webhookRepo) UpdateSubscription(s webhook.Subscription) error {
	row, err := tx.toSubscriptionRow(s)
	if err != nil {
		return err
	}
	return updateVersioned(tx.conn, &row, "webhook_subscriptions", s.ID, s.Version-1)
}

// Subscriptions lists one page of subscriptions, newest first.
func (tx webhookRepo) Subscriptions(f webhook.Filter, p paging.Page) ([]webhook.Subscription, string, error) {
	q := tx.q().Model(&webhookSubscriptionRow{})
	if f.OrganisationID != "" {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.UpdatedSince != nil {
		p.UpdatedSince = *f.UpdatedSince // filtered and ordered by it, as every page of changes since is
	}
	return listPage(q, "webhook_subscriptions", p, func(r webhookSubscriptionRow) string { return r.ID }, webhookSubscriptionRow.toDomain)
}

// Attempts lists one page of a subscription's attempts, newest first.
func (tx webhookRepo) Attempts(subscriptionID string, p paging.Page) ([]webhook.Attempt, string, error) {
	q := tx.q().Model(&webhookAttemptRow{}).Where("subscription_id = ?", subscriptionID)
	return listPage(q, "webhook_attempts", p, func(r webhookAttemptRow) string { return r.ID }, webhookAttemptRow.toDomain)
}

// eventDay is the civil (UTC) day an outbox event occurred, as dates are stored ('YYYY-MM-DD').
func (tx webhookRepo) eventDay(col string) string {
	if tx.dialect == Postgres {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "substr(" + col + ", 1, 10)"
}

// receives is the condition that subscription s may receive event e: it wants e's type, and its
// view sees e as on the day e occurred (council: everything; an organisation: the directory, and
// children whose team it was part of that day).
func (tx webhookRepo) receives() string {
	day := tx.eventDay("e.occurred_at")
	return `s.active AND (s.event_types = '[]' OR s.event_types LIKE '%"' || e.event_type || '"%')
	AND (s.view = 'council'
		OR (e.young_person_id IS NULL AND e.record_type IN ('` + strings.Join(webhook.DirectoryRecordTypes, "', '") + `'))
		OR EXISTS (SELECT 1 FROM involvements i WHERE i.young_person_id = e.young_person_id AND i.organisation_id = s.organisation_id
			AND i.started_on <= ` + day + ` AND (i.ended_on IS NULL OR i.ended_on > ` + day + `)))`
}

// Sequence numbers committed events in order and queues their deliveries. One sequencer at a
// time: on PostgreSQL the one holding the advisory lock (the others report false and skip); on
// SQLite the single writer. An event whose transaction has not committed is not seen here, so it
// is numbered when it commits, after everything numbered before: the feed's order is the order
// in which events became visible.
func (tx webhookRepo) Sequence(now time.Time, max int) (int, bool, error) {
	if tx.dialect == Postgres {
		var got bool
		if err := tx.w().Raw("SELECT pg_try_advisory_xact_lock(?)", sequencerLock).Scan(&got).Error; err != nil || !got {
			return 0, false, translate(err)
		}
	}
	var ids []string
	if err := tx.w().Model(&outboxRow{}).Where("seq IS NULL").Order("id").Limit(max).Pluck("id", &ids).Error; err != nil {
		return 0, true, translate(err)
	}
	if len(ids) == 0 {
		return 0, true, nil
	}
	var last int64
	if err := tx.w().Raw("UPDATE event_sequence SET last = last + ? WHERE name = 'outbox' RETURNING last", len(ids)).Scan(&last).Error; err != nil {
		return 0, true, translate(err)
	}
	from := last - int64(len(ids))
	now = now.UTC()
	if err := tx.w().Exec(`UPDATE outbox_events SET seq = v.n + ?, published_at = ?
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM outbox_events WHERE id IN ?) v
		WHERE outbox_events.id = v.id`, from, now, ids).Error; err != nil {
		return 0, true, translate(err)
	}
	err := tx.w().Exec(`INSERT INTO webhook_deliveries (subscription_id, event_id, seq, status, attempts, next_attempt_at, created_at)
		SELECT s.id, e.id, e.seq, 'pending', 0, ?, ?
		FROM outbox_events e JOIN webhook_subscriptions s ON s.created_at <= e.occurred_at
		WHERE e.seq > ? AND e.seq <= ? AND `+tx.receives()+`
		ON CONFLICT DO NOTHING`, now, now, from, last).Error
	return len(ids), true, translate(err)
}

// deliveryKey names one delivery.
type deliveryKey struct {
	SubscriptionID string
	EventID        string
	Attempts       int
	FirstAttemptAt *time.Time
}

// Claim leases up to max due deliveries of active subscriptions to this process (a disabled
// subscription's deliveries are kept, unsent, until it is enabled again). FOR UPDATE SKIP LOCKED on PostgreSQL
// lets several processes claim at once without waiting on or taking each other's; the lease
// (locked_until) keeps a claimed delivery from the others until it is settled or, if this process
// dies, until the lease runs out and another takes it over.
func (tx webhookRepo) Claim(now time.Time, lease time.Duration, max int, skip []string) ([]webhook.Job, error) {
	now = now.UTC()
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{now.Add(lease), now, now}
	without := ""
	if len(skip) > 0 {
		without, args = " AND subscription_id NOT IN ?", append(args, skip)
	}
	var keys []deliveryKey
	err := tx.w().Raw(`UPDATE webhook_deliveries SET locked_until = ?
		FROM (SELECT subscription_id AS sid, event_id AS eid FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
				AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE active)`+without+`
			ORDER BY next_attempt_at LIMIT ?`+lock+`) c
		WHERE webhook_deliveries.subscription_id = c.sid AND webhook_deliveries.event_id = c.eid
		RETURNING webhook_deliveries.subscription_id, webhook_deliveries.event_id, webhook_deliveries.attempts, webhook_deliveries.first_attempt_at`,
		append(args, max)...).Scan(&keys).Error
	if err != nil || len(keys) == 0 {
		return nil, translate(err)
	}
	subIDs, eventIDs := map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		subIDs[k.SubscriptionID], eventIDs[k.EventID] = true, true
	}
	var subs []webhookSubscriptionRow
	if err := tx.w().Where("id IN ?", setKeys(subIDs)).Find(&subs).Error; err != nil {
		return nil, translate(err)
	}
	var events []outboxRow
	if err := tx.w().Where("id IN ?", setKeys(eventIDs)).Find(&events).Error; err != nil {
		return nil, translate(err)
	}
	byID, unsigned := map[string]webhook.Subscription{}, map[string]error{}
	for _, s := range subs {
		// One subscription whose secret will not open must not hold up everyone else's.
		if byID[s.ID], err = tx.subscription(s); err != nil {
			byID[s.ID], unsigned[s.ID] = webhook.Subscription{ID: s.ID, OrganisationID: s.OrganisationID}, err
		}
	}
	evByID := map[string]outbox.Published{}
	for _, e := range events {
		evByID[e.ID] = e.toPublished()
	}
	jobs := make([]webhook.Job, 0, len(keys))
	for _, k := range keys {
		s, ok1 := byID[k.SubscriptionID]
		e, ok2 := evByID[k.EventID]
		if !ok1 || !ok2 {
			continue // pruned under it: nothing left to send
		}
		jobs = append(jobs, webhook.Job{Subscription: s, Event: e, Attempts: k.Attempts, FirstAttempt: utcPtr(k.FirstAttemptAt),
			Unsigned: unsigned[k.SubscriptionID]})
	}
	return jobs, nil
}

func setKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (r outboxRow) toPublished() outbox.Published {
	t, _ := outbox.Lookup(r.EventType)
	p := outbox.Published{Event: outbox.Event{ID: r.ID, OccurredAt: r.OccurredAt.UTC(), Type: r.EventType, RecordType: r.RecordType,
		RecordID: r.RecordID, YoungPersonID: deref(r.YoungPersonID), Payload: fromJSON[map[string]any](&r.Payload)}, Version: t.Version}
	if r.Seq != nil {
		p.Seq = *r.Seq
	}
	return p
}

// Settle records the attempts rs and settles their deliveries: one multi-row insert of the
// attempts, then one update per outcome (delivered, to retry, given up) joining the deliveries to
// the attempts just inserted, and one update of the subscriptions that succeeded, so the cost of a
// batch does not grow by a statement per event. Each delivery is this process's by its lease, so
// the batch touches no row another process is settling.
//
// A subscription whose status changes (failing, or healthy again) gets its next version and
// updated_at now, in the same statement: its representation changed, so its ETag must too, and
// a PATCH that read the old version is then refused (412) rather than writing the old status back.
// The statement does not ask for the version it read (the dispatcher never read one): it bumps
// whatever version is current, so a user's PATCH committed meanwhile is never undone, and only a
// subscription whose status actually changes is written at all.
func (tx webhookRepo) Settle(now time.Time, rs []webhook.Result) ([]string, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	rows := make([]webhookAttemptRow, len(rs))
	var delivered, retry, failed []string
	healthy, gaveUp := map[string]bool{}, map[string]bool{}
	for i, r := range rs {
		a := r.Attempt
		rows[i] = webhookAttemptRow{ID: a.ID, SubscriptionID: a.SubscriptionID, EventID: a.EventID, EventType: a.EventType, Attempt: a.Attempt,
			AttemptedAt: a.AttemptedAt.UTC(), LatencyMs: a.Latency.Milliseconds(), Error: nullable(a.Error), NextRetryAt: utcPtr(a.NextRetryAt)}
		if a.ResponseCode != 0 {
			code := a.ResponseCode
			rows[i].ResponseCode = &code
		}
		switch {
		case a.Succeeded():
			delivered, healthy[a.SubscriptionID] = append(delivered, a.ID), true
		case r.GaveUp:
			failed, gaveUp[a.SubscriptionID] = append(failed, a.ID), true
		default:
			retry = append(retry, a.ID)
		}
	}
	if err := tx.w().CreateInBatches(&rows, 500).Error; err != nil {
		return nil, translate(err)
	}
	settle := func(ids []string, set string) error {
		for start := 0; start < len(ids); start += 500 {
			err := tx.w().Exec(`UPDATE webhook_deliveries SET attempts = a.attempt, locked_until = NULL,
				first_attempt_at = COALESCE(first_attempt_at, a.attempted_at), `+set+`
				FROM webhook_attempts a WHERE a.id IN ?
				AND webhook_deliveries.subscription_id = a.subscription_id AND webhook_deliveries.event_id = a.event_id`,
				ids[start:min(start+500, len(ids))]).Error
			if err != nil {
				return translate(err)
			}
		}
		return nil
	}
	if err := settle(delivered, "status = 'delivered', delivered_at = a.attempted_at"); err != nil {
		return nil, err
	}
	if err := settle(retry, "next_attempt_at = a.next_retry_at"); err != nil {
		return nil, err
	}
	if err := settle(failed, "status = 'failed'"); err != nil {
		return nil, err
	}
	now = now.UTC()
	turn := func(to webhook.Status) map[string]any {
		return map[string]any{"status": string(to), "version": gorm.Expr("version + 1"), "updated_at": now}
	}
	if len(healthy) > 0 {
		if err := tx.w().Table("webhook_subscriptions").Where("id IN ? AND status = ?", setKeys(healthy), string(webhook.Failing)).
			UpdateColumns(turn(webhook.Healthy)).Error; err != nil {
			return nil, translate(err)
		}
	}
	var failing []string
	for _, id := range sortedKeys(gaveUp) {
		if healthy[id] {
			continue // a later attempt to it succeeded in the same batch
		}
		res := tx.w().Table("webhook_subscriptions").Where("id = ? AND status = ?", id, string(webhook.Healthy)).
			UpdateColumns(turn(webhook.Failing))
		if res.Error != nil {
			return nil, translate(res.Error)
		}
		if res.RowsAffected == 1 {
			failing = append(failing, id)
		}
	}
	return failing, nil
}

func sortedKeys(m map[string]bool) []string {
	out := setKeys(m)
	sort.Strings(out)
	return out
}

// Prune deletes up to max events published before cutoff that no delivery waits for, then the
// settled deliveries and attempts older than cutoff.
func (tx webhookRepo) Prune(cutoff time.Time, max int) (int64, error) {
	cutoff = cutoff.UTC()
	res := tx.w().Exec(`DELETE FROM outbox_events WHERE id IN (SELECT o.id FROM outbox_events o
		WHERE o.published_at < ? AND o.seq IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = o.id AND d.status = 'pending')
		ORDER BY o.published_at LIMIT ?)`, cutoff, max)
	if res.Error != nil {
		return 0, translate(res.Error)
	}
	if err := tx.w().Exec(`DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?`, cutoff).Error; err != nil {
		return 0, translate(err)
	}
	if err := tx.w().Exec(`DELETE FROM webhook_attempts WHERE attempted_at < ?`, cutoff).Error; err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected, nil
}

// Replay queues again the events r names for s, as Sequence would have (its types and view as at
// each event), resetting deliveries already made.
func (tx webhookRepo) Replay(s webhook.Subscription, r webhook.Replay, now time.Time) (int, error) {
	var cond string
	var arg any
	switch {
	case r.AfterEventID != "":
		var seq []int64
		if err := tx.q().Model(&outboxRow{}).Where("id = ? AND seq IS NOT NULL", r.AfterEventID).Pluck("seq", &seq).Error; err != nil {
			return 0, translate(err)
		}
		if len(seq) == 0 {
			return 0, fault.Field(fault.Unprocessable, "/after_event_id", "No such event (it may have been pruned, or not yet published).")
		}
		cond, arg = "e.seq > ?", seq[0]
	case r.Since != nil:
		cond, arg = "e.occurred_at >= ?", r.Since.UTC()
	default:
		return 0, errors.New("replay: nothing named")
	}
	now = now.UTC()
	res := tx.w().Exec(`INSERT INTO webhook_deliveries (subscription_id, event_id, seq, status, attempts, next_attempt_at, created_at)
		SELECT s.id, e.id, e.seq, 'pending', 0, ?, ?
		FROM outbox_events e JOIN webhook_subscriptions s ON s.id = ?
		WHERE e.seq IS NOT NULL AND `+cond+` AND `+tx.receives()+`
		ON CONFLICT (subscription_id, event_id) DO UPDATE SET status = 'pending', attempts = 0, first_attempt_at = NULL,
			next_attempt_at = excluded.next_attempt_at, locked_until = NULL, delivered_at = NULL`, now, now, s.ID, arg)
	return int(res.RowsAffected), translate(res.Error)
}

// After lists committed events after seq that sc may see, about none of the record types omit.
// The last number given is read first: every event numbered up to it was committed with it, so
// the page holds no gap, and when fewer than limit events are visible the cursor moves on to it.
func (tx outboxRepo) After(seq int64, types, omit []string, since time.Time, sc access.Scope, limit int) ([]outbox.Published, int64, error) {
	var last []int64
	if err := tx.q().Table("event_sequence").Where("name = 'outbox'").Pluck("last", &last).Error; err != nil || len(last) == 0 {
		if err == nil {
			err = errors.New("event_sequence has no outbox row")
		}
		return nil, seq, translate(err)
	}
	if seq > last[0] {
		// Not a cursor this feed gave out (or one from before the database was restored): the
		// reader would otherwise wait, answered empty, until the numbering caught up, and then
		// have missed everything in between.
		return nil, seq, fault.Field(fault.Invalid, "/query/after", fmt.Sprintf(
			"is past the newest event (%d): not a cursor this feed gave out; continue from %d, or from the start without after", last[0], last[0]))
	}
	q := tx.q().Model(&outboxRow{}).Where("seq > ? AND seq <= ?", seq, last[0])
	if len(types) > 0 {
		q = q.Where("event_type IN ?", types)
	}
	if len(omit) > 0 {
		q = q.Where("record_type NOT IN ?", omit)
	}
	if !since.IsZero() {
		q = q.Where("occurred_at >= ?", since.UTC())
	}
	if sc.Restricted {
		cond, args := visibleCondition("young_person_id", sc)
		q = q.Where("((young_person_id IS NULL AND record_type IN ?) OR "+cond+")", append([]any{webhook.DirectoryRecordTypes}, args...)...)
	}
	var rows []outboxRow
	if err := q.Order(clause.OrderByColumn{Column: clause.Column{Name: "seq"}}).Limit(limit).Find(&rows).Error; err != nil {
		return nil, seq, translate(err)
	}
	out := make([]outbox.Published, len(rows))
	for i, r := range rows {
		out[i] = r.toPublished()
	}
	next := last[0]
	if len(rows) == limit {
		next = out[len(out)-1].Seq
	}
	if next < seq {
		next = seq
	}
	return out, next, nil
}
