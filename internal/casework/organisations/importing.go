package organisations

import (
	"context"
	"iter"
	"strings"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// ImportOrganisation is one organisation read from an import file. Key is the other system's id
// that matches the row to an organisation on a re-run; it is among Organisation.ExternalIDs.
type ImportOrganisation struct {
	Row          int
	Key          externalid.ID
	Organisation directory.Organisation
}

// ImportPractitioner is one practitioner read from an import file. The organisation is named by
// OrganisationKey (another system's id for it) or, without one, by Practitioner.OrganisationID.
type ImportPractitioner struct {
	Row             int
	OrganisationKey *externalid.ID
	Practitioner    directory.Practitioner
}

// ImportOrganisations records rows in one transaction, each exactly as CreateOrganisation would
// (external ids, audit and outbox events), except that a row whose key an organisation already
// holds is left as it is, so running the same file again changes nothing. The first refused row
// stops the import and nothing is written (a *casework.RowError). With dryRun, everything is
// checked against the database and then rolled back. done hears of each row, in order.
func (s *Service) ImportOrganisations(ctx context.Context, rows iter.Seq[ImportOrganisation], dryRun bool, done func(casework.ImportResult)) (err error) {
	defer casework.Wrap(&err, "import organisations")
	p, err := casework.Allow(ctx, auth.ManageOrganisations)
	if err != nil {
		return err
	}
	return casework.ImportTx(ctx, s.db, dryRun, func(tx Tx) error {
		for r := range rows {
			res := casework.ImportResult{Row: r.Row}
			id, err := tx.ExternalIDs().Find(externalid.Organisation, r.Key)
			switch {
			case err == nil:
				res.ID = id
			case fault.KindOf(err) != fault.NotFound:
				return err
			default:
				if err := fault.Fields(fault.Invalid, s.Systems.Validate("/external_ids", r.Organisation.ExternalIDs)); err != nil {
					return &casework.RowError{Row: r.Row, Err: err}
				}
				o, err := s.create(ctx, tx, p, r.Organisation, nil)
				if err != nil {
					return &casework.RowError{Row: r.Row, Err: err}
				}
				res.ID, res.Created = o.ID, true
			}
			done(res)
		}
		return nil
	})
}

// ImportPractitioners records rows in one transaction, each exactly as CreatePractitioner would,
// except that a row whose email a practitioner of the same organisation already has is left as
// it is (a re-run changes nothing). An email registered to a practitioner of another
// organisation, or an organisation no record holds, refuses the row. Otherwise as
// ImportOrganisations.
func (s *Service) ImportPractitioners(ctx context.Context, rows iter.Seq[ImportPractitioner], dryRun bool, done func(casework.ImportResult)) (err error) {
	defer casework.Wrap(&err, "import practitioners")
	p, err := casework.Allow(ctx, auth.ManagePractitioners)
	if err != nil {
		return err
	}
	return casework.ImportTx(ctx, s.db, dryRun, func(tx Tx) error {
		for r := range rows {
			res := casework.ImportResult{Row: r.Row}
			pr := r.Practitioner
			if r.OrganisationKey != nil {
				id, err := tx.ExternalIDs().Find(externalid.Organisation, *r.OrganisationKey)
				if fault.KindOf(err) == fault.NotFound {
					return &casework.RowError{Row: r.Row, Err: fault.Field(fault.Unprocessable, "/organisation_external_id", "no organisation holds this external id")}
				}
				if err != nil {
					return err
				}
				pr.OrganisationID = id
			} else if err := Exists(tx, pr.OrganisationID, "/organisation_id"); err != nil {
				return &casework.RowError{Row: r.Row, Err: err}
			}
			cur, err := tx.Directory().PractitionerByEmail(pr.Email)
			switch {
			case err == nil && cur.OrganisationID == pr.OrganisationID:
				res.ID = cur.ID
			case err == nil:
				return &casework.RowError{Row: r.Row, Err: fault.Field(fault.Conflict, "/email", "is registered to a practitioner of another organisation")}
			case fault.KindOf(err) != fault.NotFound:
				return err
			default:
				pr.ID, pr.CreatedAt, pr.UpdatedAt, pr.Version = casework.NewID(), s.Now(), s.Now(), 1
				pr.Email = strings.ToLower(pr.Email)
				if err := tx.Directory().CreatePractitioner(pr); err != nil {
					return &casework.RowError{Row: r.Row, Err: emailConflict(err)}
				}
				if err := casework.Record(tx, s.Event(ctx, p, audit.Create, audit.Practitioner, pr.ID, "", nil),
					s.Notice(outbox.PractitionerCreated, pr.ID, map[string]any{"organisation_id": pr.OrganisationID})); err != nil {
					return err
				}
				res.ID, res.Created = pr.ID, true
			}
			done(res)
		}
		return nil
	})
}
