package store

import (
	"context"
	"fmt"

	"github.com/oneplan-send/oneplan/internal/store/migrations"
)

// Migrate brings the schema up to date, recording each migration applied. The migrations
// themselves, and how to add one, are in package migrations.
func (s *Store) Migrate(ctx context.Context) error {
	if err := migrations.Migrate(s.db.WithContext(ctx)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// AppliedMigrations lists the migrations recorded in the database, oldest first.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	return migrations.Applied(s.db.WithContext(ctx))
}
