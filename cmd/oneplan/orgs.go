package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/store"
)

// orgs lists the directory's organisations, for an operator who needs an id (for `apikey create
// --org`) on the server itself, without a key.
func orgs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(stderr, "Usage: oneplan orgs list [--type TYPE] [--q TEXT]")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errors.New("orgs needs a subcommand: list")
	}
	fs := flags("orgs list [--type TYPE] [--q TEXT]", "List organisations (id, type, name, locality), oldest first.", stderr)
	typ := fs.String("type", "", "only organisations of this type, e.g. local_authority_send")
	q := fs.String("q", "", "only organisations whose name contains this text")
	if ok, err := parse(fs, args[1:]); !ok {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	all, err := listOrganisations(ctx, a.store, directory.OrganisationFilter{Type: *typ, Query: *q})
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTYPE\tNAME\tLOCALITY")
	for _, o := range all {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", o.ID, o.Type, o.Name, o.Locality)
	}
	return w.Flush()
}

// listOrganisations reads every page of the directory's organisations, oldest first.
func listOrganisations(ctx context.Context, st *store.Store, f directory.OrganisationFilter) ([]directory.Organisation, error) {
	var all []directory.Organisation
	page := paging.Page{Limit: paging.Max}
	for {
		var got []directory.Organisation
		var next string
		err := st.Read(ctx, func(tx *store.Tx) error {
			var err error
			got, next, err = tx.Directory().Organisations(f, page)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	// Pages come newest first; an operator reads the council (made first) at the top.
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all, nil
}

// theCouncil is the one council SEND organisation (local_authority_send), the default for
// `apikey create`; with none or several the operator must name one.
func theCouncil(ctx context.Context, a *deployment) (directory.Organisation, error) {
	councils, err := listOrganisations(ctx, a.store, directory.OrganisationFilter{Type: "local_authority_send"})
	if err != nil {
		return directory.Organisation{}, err
	}
	switch len(councils) {
	case 0:
		return directory.Organisation{}, errors.New("no local_authority_send organisation: run `oneplan serve` once to create it, or pass --org")
	case 1:
		return councils[0], nil
	}
	ids := make([]string, len(councils))
	for i, c := range councils {
		ids[i] = c.ID + " (" + c.Name + ")"
	}
	return directory.Organisation{}, fmt.Errorf("%d local_authority_send organisations, pass --org with one of: %s", len(councils), strings.Join(ids, ", "))
}
