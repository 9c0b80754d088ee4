// Package keys issues, lists, rotates and revokes API keys, and turns a presented key into the
// caller it stands for. Only a key's hash is stored; the key itself is shown once.
package keys

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Tx is what the key use cases need of a transaction.
type Tx interface {
	casework.Recorder
	Directory() directory.Repository
	Keys() auth.KeyRepository
}

// Service runs the key use cases.
type Service struct {
	casework.Core
	db            casework.DB[Tx]
	organisations *organisations.Service
	cache         *cache
	signIns       signIns
}

// New returns the key service; organisations creates the council's own organisation on first start.
func New(core casework.Core, db casework.DB[Tx], organisations *organisations.Service) *Service {
	s := &Service{Core: core, db: db, organisations: organisations, cache: newCache(), signIns: signIns{seen: map[[2]string]time.Time{}}}
	if organisations != nil {
		organisations.OnPractitionerChange(s.signIns.forget) // at once here; other replicas hear it from the store
	}
	return s
}

// APIKeys lists keys (never the keys themselves).
func (s *Service) APIKeys(ctx context.Context, f auth.KeyFilter, pg paging.Page) (out []auth.APIKey, next string, err error) {
	defer casework.Wrap(&err, "list API keys")
	if _, err := casework.Allow(ctx, auth.ManageKeys); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.Keys().List(f, pg)
		return err
	})
	return out, next, err
}

// APIKey reads one key's details.
func (s *Service) APIKey(ctx context.Context, id string) (k auth.APIKey, err error) {
	defer casework.Wrap(&err, "read API key %s", id)
	if _, err := casework.Allow(ctx, auth.ManageKeys); err != nil {
		return k, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		k, err = tx.Keys().Get(id)
		return err
	})
	return k, err
}

// CreateAPIKey issues a key through the API; the key is returned once.
func (s *Service) CreateAPIKey(ctx context.Context, k auth.APIKey) (_ string, _ auth.APIKey, err error) {
	defer casework.Wrap(&err, "create API key")
	p, err := casework.Allow(ctx, auth.ManageKeys)
	if err != nil {
		return "", k, err
	}
	var key string
	err = s.db.InTx(ctx, func(tx Tx) error {
		key, k, err = s.issueKey(ctx, tx, p, k, "")
		return err
	})
	return key, k, err
}

// issueKey stores a new key (or the given one) inside a transaction.
func (s *Service) issueKey(ctx context.Context, tx Tx, p auth.Principal, k auth.APIKey, key string) (string, auth.APIKey, error) {
	if !slices.Contains(auth.Roles, k.Role) {
		return "", k, fault.Field(fault.Invalid, "/role", "is not a role")
	}
	// The contract's bounds on a name, for the command line's keys too (the API's are checked
	// against the contract before they get here).
	if !utf8.ValidString(k.Name) || strings.ContainsRune(k.Name, 0) || utf8.RuneCountInString(k.Name) > 200 {
		return "", k, fault.Field(fault.Invalid, "/name", "must be text of at most 200 characters, without NUL")
	}
	if err := organisations.Exists(tx, k.OrganisationID, "/organisation_id"); err != nil {
		return "", k, err
	}
	if k.PractitionerID != "" {
		pr, err := tx.Directory().Practitioner(k.PractitionerID)
		if err != nil || pr.OrganisationID != k.OrganisationID {
			return "", k, fault.Field(fault.Unprocessable, "/practitioner_id", "no such practitioner in that organisation")
		}
	}
	k.ID, k.CreatedAt, k.RevokedAt = casework.NewID(), s.Now(), nil
	var err error
	if key == "" {
		if key, k.Prefix, k.Hash, err = auth.NewKey(); err != nil {
			return "", k, err
		}
	} else {
		if k.Prefix, err = auth.ParseKey(key); err != nil {
			return "", k, fault.New(fault.Invalid, "the key must look like op_<8 characters>_<32 characters>; generate one with `oneplan apikey generate`")
		}
		k.Hash = auth.HashKey(key)
	}
	if err := tx.Keys().Create(k); err != nil {
		return "", k, err
	}
	return key, k, casework.Record(tx, s.Event(ctx, p, audit.Create, audit.APIKey, k.ID, "", nil),
		s.Notice(outbox.APIKeyCreated, k.ID, map[string]any{"role": string(k.Role), "organisation_id": k.OrganisationID}))
}

// RevokeAPIKey revokes a key; requests with it fail from the next one on.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) (k auth.APIKey, err error) {
	defer casework.Wrap(&err, "revoke API key %s", id)
	p, err := casework.Allow(ctx, auth.ManageKeys)
	if err != nil {
		return k, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := tx.Keys().Revoke(id, s.Now()); err != nil {
			return err
		}
		if k, err = tx.Keys().Get(id); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Revoke, audit.APIKey, id, "", nil), s.Notice(outbox.APIKeyRevoked, id, nil))
	})
	if err == nil {
		s.Forget(id) // at once here; other replicas hear it from the store
	}
	return k, err
}

// RotateAPIKey replaces a key with a new one for the same organisation, role and practitioner,
// revoking the old one in the same transaction.
func (s *Service) RotateAPIKey(ctx context.Context, id string) (key string, k auth.APIKey, err error) {
	defer casework.Wrap(&err, "rotate API key %s", id)
	p, err := casework.Allow(ctx, auth.ManageKeys)
	if err != nil {
		return "", k, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		old, err := tx.Keys().Get(id)
		if err != nil {
			return err
		}
		if err := tx.Keys().Revoke(id, s.Now()); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, p, audit.Revoke, audit.APIKey, id, "", nil), s.Notice(outbox.APIKeyRevoked, id, nil)); err != nil {
			return err
		}
		key, k, err = s.issueKey(ctx, tx, p, auth.APIKey{Name: old.Name, OrganisationID: old.OrganisationID, Role: old.Role, PractitionerID: old.PractitionerID}, "")
		return err
	})
	if err == nil {
		s.Forget(id) // at once here; other replicas hear it from the store
	}
	return key, k, err
}
