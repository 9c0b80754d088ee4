package keys

import (
	"context"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// system is the actor recorded for operator commands run on the server itself (the CLI).
var system = auth.Principal{Role: "system"}

// IssueAPIKey creates a key for an organisation and role, as the operator. The key is returned
// once; only its hash is stored. If key is non-empty it is installed instead of a fresh one.
func (s *Service) IssueAPIKey(ctx context.Context, orgID string, role auth.Role, name, key string) (_ string, _ auth.APIKey, err error) {
	defer casework.Wrap(&err, "issue API key")
	var k auth.APIKey
	err = s.db.InTx(ctx, func(tx Tx) error {
		var err error
		key, k, err = s.issueKey(ctx, tx, system, auth.APIKey{Name: name, OrganisationID: orgID, Role: role}, key)
		return err
	})
	return key, k, err
}

// EnsureAdminKey installs the first admin key when no active one exists, creating the council's
// own organisation if the directory is empty. It returns the key when it made or installed one.
func (s *Service) EnsureAdminKey(ctx context.Context, councilName, key string) (_ string, _ bool, err error) {
	defer casework.Wrap(&err, "ensure admin key")
	var n int64
	var orgID string
	err = s.db.Read(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.Keys().ActiveWithRole(auth.RoleAdmin); err != nil || n > 0 {
			return err
		}
		orgs, _, err := tx.Directory().Organisations(directory.OrganisationFilter{Type: "local_authority_send"}, paging.Page{Limit: 200})
		if err != nil {
			return err
		}
		if len(orgs) > 0 {
			orgID = orgs[len(orgs)-1].ID // the oldest
		}
		return nil
	})
	if err != nil || n > 0 {
		return "", false, err
	}
	if orgID == "" {
		o, err := s.organisations.CreateOrganisation(auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin}),
			directory.Organisation{Name: councilName, Type: "local_authority_send"})
		if err != nil {
			return "", false, err
		}
		orgID = o.ID
	}
	key, _, err = s.IssueAPIKey(ctx, orgID, auth.RoleAdmin, "first admin key", key)
	return key, err == nil, err
}
