package casework

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/store"
)

// readAudited loads one record the caller may read and audits the read, in one transaction:
// every read of a person's record leaves a trace. youngPersonOf names whose record it is.
func readAudited[T any](ctx context.Context, s *Service, recordType, id string, load func(tx *store.Tx, sc access.Scope) (T, error),
	youngPersonOf func(T) string) (out T, err error) {
	p, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return out, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if out, err = load(tx, s.scope(p)); err != nil {
			return err
		}
		return tx.Audit(s.event(ctx, p, audit.Read, recordType, id, youngPersonOf(out), nil))
	})
	return out, err
}

// listAudited lists one page the caller may read and audits each record on it.
func listAudited[T any](ctx context.Context, s *Service, recordType string, list func(tx *store.Tx, sc access.Scope) ([]T, string, error),
	idsOf func(T) (id, youngPersonID string)) (out []T, next string, err error) {
	p, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if out, next, err = list(tx, s.scope(p)); err != nil {
			return err
		}
		events := make([]audit.Event, len(out))
		for i, r := range out {
			id, yp := idsOf(r)
			events[i] = s.event(ctx, p, audit.List, recordType, id, yp, nil)
		}
		return tx.Audit(events...)
	})
	return out, next, err
}
