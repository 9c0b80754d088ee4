package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/demo"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/store"
)

// demoServer starts what `make run` starts, in this process: a fresh SQLite database with the
// fictional demo data, the real HTTP stack on a loopback port, and a SEND officer's API key. The
// examples call it where an integrator would use their council's URL and key.
func demoServer() (baseURL, apiKey string, stop func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "oneplan-client-example-")
	must(err)
	st, err := store.Open(ctx, filepath.Join(dir, "oneplan.db"))
	must(err)
	must(st.Migrate(ctx))
	a := app.New(st, app.Options{PersonRules: person.Rules{AllowTestNHSNumbers: true}})
	_, _, err = a.Keys.EnsureAdminKey(ctx, "Council SEND service", "")
	must(err)
	var councilID string
	must(st.Read(ctx, func(tx *store.Tx) error {
		orgs, _, err := tx.Directory().Organisations(directory.OrganisationFilter{Type: "local_authority_send"}, paging.Page{Limit: 1})
		if err == nil && len(orgs) == 1 {
			councilID = orgs[0].ID
		}
		return err
	}))
	_, err = demo.Seed(ctx, a, councilID, true)
	must(err)
	key, _, err := a.Keys.IssueAPIKey(ctx, councilID, auth.RoleSENDOfficer, "client examples", "")
	must(err)
	e, err := httpapi.New(a, httpapi.Options{})
	must(err)
	srv := httptest.NewServer(e)
	return srv.URL, key, func() {
		srv.Close()
		_ = st.Close()
		_ = os.RemoveAll(dir)
	}
}

func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("example server: %v", err))
	}
}
