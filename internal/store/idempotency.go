package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// IdempotentResponse is the first answer to a POST carrying an Idempotency-Key, replayed to
// retries. Only successful answers are kept, so a corrected retry of a refused request can run.
type IdempotentResponse struct {
	RequestHash string
	Method      string
	Path        string
	Done        bool
	StatusCode  int
	ContentType string
	Location    string
	ETag        string
	Body        []byte
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

// ClaimIdempotencyKey reserves (keyID, key) for a request. It returns claimed=true when this
// request should run; otherwise the earlier request's record (pending or done).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, keyID, key string, r IdempotentResponse) (claimed bool, prev IdempotentResponse, err error) {
	row := idempotencyRow{APIKeyID: keyID, IdemKey: key, Method: r.Method, Path: r.Path, RequestHash: r.RequestHash, State: "pending", CreatedAt: time.Now().UTC()}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return false, prev, translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return true, prev, nil
	}
	var got idempotencyRow
	err = s.db.WithContext(ctx).Where("api_key_id = ? AND idem_key = ?", keyID, key).Take(&got).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Released between our insert and read: the caller may simply retry.
		return false, prev, fault.New(fault.Conflict, "A request with this Idempotency-Key is being processed; retry shortly.")
	}
	if err != nil {
		return false, prev, translate(err)
	}
	prev = IdempotentResponse{RequestHash: got.RequestHash, Method: got.Method, Path: got.Path, Done: got.State == "done",
		ContentType: deref(got.ContentType), Location: deref(got.Location), ETag: deref(got.ETag)}
	if got.StatusCode != nil {
		prev.StatusCode = *got.StatusCode
	}
	if got.Body != nil {
		prev.Body = []byte(*got.Body)
	}
	return false, prev, nil
}

// CompleteIdempotencyKey stores the answer to replay.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, keyID, key string, r IdempotentResponse) error {
	body := string(r.Body)
	return translate(s.db.WithContext(ctx).Model(&idempotencyRow{}).Where("api_key_id = ? AND idem_key = ?", keyID, key).
		Updates(map[string]any{"state": "done", "status_code": r.StatusCode, "content_type": r.ContentType,
			"location": r.Location, "etag": r.ETag, "body": body}).Error)
}

// ReleaseIdempotencyKey forgets a claim whose request did not succeed.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, keyID, key string) error {
	return translate(s.db.WithContext(ctx).Where("api_key_id = ? AND idem_key = ?", keyID, key).Delete(&idempotencyRow{}).Error)
}

// PurgeIdempotencyKeys drops records older than the retention window.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, olderThan time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", olderThan.UTC()).Delete(&idempotencyRow{})
	return res.RowsAffected, translate(res.Error)
}
