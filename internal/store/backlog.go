package store

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/outbox"
)

// OutboxBacklog reads the backlog: two counts and two single-row reads on partial indexes
// (outbox_events_unsequenced, webhook_deliveries_due), cheap enough for every scrape.
func (s *Store) OutboxBacklog(ctx context.Context) (outbox.Backlog, error) {
	var b outbox.Backlog
	db := s.db.WithContext(ctx)
	if err := db.Model(&outboxRow{}).Where("seq IS NULL").Count(&b.Unpublished).Error; err != nil {
		return b, translate(err)
	}
	if b.Unpublished > 0 {
		var oldest []outboxRow
		if err := db.Select("id", "occurred_at").Where("seq IS NULL").Order("id").Limit(1).Find(&oldest).Error; err != nil {
			return b, translate(err)
		}
		if len(oldest) == 1 {
			b.OldestUnpublished = oldest[0].OccurredAt.UTC()
		}
	}
	if err := db.Table("webhook_deliveries").Where("status = ?", "pending").Count(&b.PendingDeliveries).Error; err != nil {
		return b, translate(err)
	}
	if b.PendingDeliveries > 0 {
		var rows []struct {
			CreatedAt  time.Time
			OccurredAt *time.Time
		}
		if err := db.Table("webhook_deliveries d").Select("d.created_at, e.occurred_at").
			Joins("LEFT JOIN outbox_events e ON e.id = d.event_id").Where("d.status = ?", "pending").
			Order("d.seq").Limit(1).Scan(&rows).Error; err != nil {
			return b, translate(err)
		}
		if len(rows) == 1 {
			b.OldestPending = rows[0].CreatedAt.UTC()
			if rows[0].OccurredAt != nil {
				b.OldestPending = rows[0].OccurredAt.UTC()
			}
		}
	}
	return b, nil
}
