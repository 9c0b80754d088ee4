package store

import (
	"cmp"
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/idempotency"
)

// IdempotencyKeys keeps the claims on Idempotency-Keys and the answers to replay.
// Its writes are statements of their own, each in this process's turn to write on SQLite.
type IdempotencyKeys struct {
	db      *gorm.DB
	writers *writers
}

// IdempotencyKeys is the store of idempotency claims.
func (s *Store) IdempotencyKeys() IdempotencyKeys {
	return IdempotencyKeys{db: s.db, writers: s.writers}
}

// write runs one statement that writes, as alone does.
func (k IdempotencyKeys) write(ctx context.Context, build func(db *gorm.DB) *gorm.DB) (rows int64, err error) {
	err = k.writers.alone(ctx, func() error {
		res := build(k.db.WithContext(ctx))
		rows = res.RowsAffected
		return res.Error
	})
	return rows, translate(err)
}

type idempotencyRow struct {
	APIKeyID    string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Method      string
	Path        string
	RequestHash string
	State       string
	StatusCode  *int
	ContentType *string
	Location    *string
	ETag        *string `gorm:"column:etag"`
	Body        *string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// Claim reserves (keyID, key) for a request. It returns claimed=true when this request should
// run: the key is new, or it holds a Pending claim of the same request whose lease has run out (that
// request can no longer commit: the transaction that carries a request out marks its claim
// Committed in the same commit). Otherwise it returns the earlier request's record.
func (k IdempotencyKeys) Claim(ctx context.Context, keyID, key string, r idempotency.Response) (claimed bool, prev idempotency.Response, err error) {
	now := time.Now().UTC()
	row := idempotencyRow{APIKeyID: keyID, IdemKey: key, Method: r.Method, Path: r.Path, RequestHash: r.RequestHash,
		State: string(idempotency.Pending), CreatedAt: now}
	n, err := k.write(ctx, func(db *gorm.DB) *gorm.DB { return db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row) })
	if err != nil {
		return false, prev, err
	}
	if n == 1 {
		return true, prev, nil
	}
	n, err = k.write(ctx, func(db *gorm.DB) *gorm.DB {
		return db.Model(&idempotencyRow{}).
			Where("api_key_id = ? AND idem_key = ? AND state = ? AND request_hash = ? AND created_at < ?",
				keyID, key, idempotency.Pending, r.RequestHash, now.Add(-idempotency.Lease)).
			Update("created_at", now)
	})
	if err != nil {
		return false, prev, err
	}
	if n == 1 {
		return true, prev, nil
	}
	prev, found, err := k.Peek(ctx, keyID, key)
	if err == nil && !found {
		// Released between our insert and read: the caller may simply retry.
		return false, prev, &fault.Error{Kind: fault.Conflict, Detail: "A request with this Idempotency-Key was just released; retry now.", RetryAfter: time.Second}
	}
	return false, prev, err
}

// Peek reads the record of (keyID, key), claiming nothing.
func (k IdempotencyKeys) Peek(ctx context.Context, keyID, key string) (prev idempotency.Response, found bool, err error) {
	var got idempotencyRow
	err = k.db.WithContext(ctx).Where("api_key_id = ? AND idem_key = ?", keyID, key).Take(&got).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return prev, false, nil
	}
	if err != nil {
		return prev, false, translate(err)
	}
	prev = idempotency.Response{RequestHash: got.RequestHash, Method: got.Method, Path: got.Path, State: idempotency.State(got.State),
		ClaimedAt: got.CreatedAt, ContentType: deref(got.ContentType), Location: deref(got.Location), ETag: deref(got.ETag)}
	if got.StatusCode != nil {
		prev.StatusCode = *got.StatusCode
	}
	if got.Body != nil {
		prev.Body = []byte(*got.Body)
	}
	return prev, true, nil
}

// Complete stores the answer to replay.
func (k IdempotencyKeys) Complete(ctx context.Context, keyID, key string, r idempotency.Response) error {
	body := string(r.Body)
	_, err := k.write(ctx, func(db *gorm.DB) *gorm.DB {
		return db.Model(&idempotencyRow{}).Where("api_key_id = ? AND idem_key = ?", keyID, key).
			Updates(map[string]any{"state": cmp.Or(r.State, idempotency.Done), "status_code": r.StatusCode, "content_type": r.ContentType,
				"location": r.Location, "etag": r.ETag, "body": body})
	})
	return err
}

// Release forgets a claim whose request did not succeed.
func (k IdempotencyKeys) Release(ctx context.Context, keyID, key string) error {
	_, err := k.write(ctx, func(db *gorm.DB) *gorm.DB {
		return db.Where("api_key_id = ? AND idem_key = ? AND state = ?", keyID, key, idempotency.Pending).Delete(&idempotencyRow{})
	})
	return err
}

// Purge drops records older than the retention window.
func (k IdempotencyKeys) Purge(ctx context.Context, olderThan time.Time) (int64, error) {
	return k.write(ctx, func(db *gorm.DB) *gorm.DB {
		return db.Where("created_at < ?", olderThan.UTC()).Delete(&idempotencyRow{})
	})
}
