package people

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/person"
)

// ImportRow is one young person read from an import file. Key is the other system's id that
// matches the row to a record on a re-run; it is among Person.ExternalIDs.
type ImportRow struct {
	Row    int
	Key    externalid.ID
	Person person.YoungPerson
}

// ImportResult is what became of one row: created, or left as it was (a record already holds
// its key), or refused.
type ImportResult struct {
	Row     int
	ID      string
	Created bool
	Err     error
}

// RowError is the error that stopped an import: the row and what was wrong with it.
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

var errDryRun = errors.New("dry run: rolled back")

// ImportYoungPeople records rows in one transaction, each exactly as CreateYoungPerson would
// (validation, the team around the child, external ids, audit and outbox events, possible
// duplicates), except that a row whose key a record already holds is left as it is, so running
// the same file again changes nothing. The first refused row stops the import and nothing is
// written (a *RowError). With dryRun, everything is checked against the database and then rolled
// back. done hears of each row as it goes.
func (s *Service) ImportYoungPeople(ctx context.Context, rows iter.Seq[ImportRow], dryRun bool, done func(ImportResult)) (err error) {
	defer casework.Wrap(&err, "import young people")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		for r := range rows {
			res := ImportResult{Row: r.Row}
			res.ID, res.Created, res.Err = s.importOne(ctx, tx, p, r)
			if res.Err != nil {
				return &RowError{Row: r.Row, Err: res.Err}
			}
			done(res)
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

func (s *Service) importOne(ctx context.Context, tx Tx, p auth.Principal, r ImportRow) (string, bool, error) {
	id, err := tx.ExternalIDs().Find(externalid.YoungPerson, r.Key)
	switch {
	case err == nil:
		return id, false, nil
	case fault.KindOf(err) != fault.NotFound:
		return "", false, err
	}
	if err := r.Person.Validate(s.Today(), s.rules); err != nil {
		return "", false, err
	}
	// The key was found free above; any other id the row gives is checked as the API would.
	var others []externalid.ID
	for _, id := range r.Person.ExternalIDs {
		if id != r.Key {
			others = append(others, id)
		}
	}
	if err := s.checkExternalIDs(tx, p, others, ""); err != nil {
		return "", false, err
	}
	yp, err := s.create(ctx, tx, p, r.Person)
	return yp.ID, err == nil, err
}
