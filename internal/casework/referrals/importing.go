package referrals

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// ImportReferral is one referral read from an import file. Key is the other system's id for the
// referral, which a re-run matches on. The young person is named by YoungPersonKey (another
// system's id for them) or, without one, by NHSNumber; the referrer by their email.
type ImportReferral struct {
	Row            int
	Key            externalid.ID
	YoungPersonKey *externalid.ID
	NHSNumber      string
	ReferrerEmail  string
	Referral       referral.Referral
}

var errDryRun = errors.New("dry run: rolled back")

// countChunk is how many rows' keys the first pass looks up at once.
const countChunk = 500

// ImportReferrals records rows in one transaction, each exactly as CreateReferral would (the
// referrer's organisation, eligibility on the day received, the team, the stage reached, the
// timeline, audit and outbox events), keeping each row's key as the referral's external id; a
// row whose key a referral already holds is left as it is, so running the same file again
// changes nothing. The first refused row stops the import and nothing is written (a
// *casework.RowError). With dryRun, everything is checked against the database and then rolled
// back. done hears of each row, in order.
//
// rows is read twice: first to count the new referrals of each year, whose reference numbers are
// taken before the transaction (as CreateReferral takes its number), then to write them. A dry run
// or a refused file leaves those numbers unused, as a refused referral does.
func (s *Service) ImportReferrals(ctx context.Context, rows iter.Seq[ImportReferral], dryRun bool, done func(casework.ImportResult)) (err error) {
	defer casework.Wrap(&err, "import referrals")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return err
	}
	perYear := map[int]int{}
	err = s.db.Read(ctx, func(tx Tx) error {
		// The keys already held, a chunk at a time (one query each, not one a row).
		chunk := make([]ImportReferral, 0, countChunk)
		count := func() error {
			keys := make([]externalid.ID, len(chunk))
			for i, r := range chunk {
				keys[i] = r.Key
			}
			held, err := tx.ExternalIDs().FindAll(externalid.Referral, keys)
			if err != nil {
				return err
			}
			for _, r := range chunk {
				if _, ok := held[r.Key]; !ok {
					perYear[r.Referral.ReceivedOn.Year()]++
				}
			}
			chunk = chunk[:0]
			return nil
		}
		for r := range rows {
			if chunk = append(chunk, r); len(chunk) == countChunk {
				if err := count(); err != nil {
					return err
				}
			}
		}
		return count()
	})
	if err != nil {
		return err
	}
	numbers := map[int][]int64{}
	for year, n := range perYear {
		for range n {
			next, err := s.refs.Next(ctx, fmt.Sprintf("referral:%d", year))
			if err != nil {
				return err
			}
			numbers[year] = append(numbers[year], next)
		}
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		for row := range rows {
			res := casework.ImportResult{Row: row.Row}
			id, err := tx.ExternalIDs().Find(externalid.Referral, row.Key)
			switch {
			case err == nil:
				res.ID = id
			case fault.KindOf(err) != fault.NotFound:
				return err
			default:
				r, err := s.importOne(ctx, tx, p, row, numbers)
				if err != nil {
					return &casework.RowError{Row: row.Row, Err: err}
				}
				res.ID, res.Created = r.ID, true
			}
			done(res)
		}
		if err := casework.BeforeCommit(ctx, tx); err != nil {
			return err
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

func (s *Service) importOne(ctx context.Context, tx Tx, p auth.Principal, row ImportReferral, numbers map[int][]int64) (referral.Referral, error) {
	r := row.Referral
	if row.YoungPersonKey != nil {
		id, err := tx.ExternalIDs().Find(externalid.YoungPerson, *row.YoungPersonKey)
		if fault.KindOf(err) == fault.NotFound {
			return r, fault.Field(fault.Unprocessable, "/young_person_external_id", "no young person holds this external id")
		}
		if err != nil {
			return r, err
		}
		r.YoungPersonID = id
	} else {
		found, _, err := tx.People().List(person.Filter{NHSNumber: row.NHSNumber}, s.Scope(p), paging.Page{Limit: 2})
		if err != nil {
			return r, err
		}
		if len(found) != 1 {
			return r, fault.Field(fault.Unprocessable, "/nhs_number", "no young person has this NHS number")
		}
		r.YoungPersonID = found[0].ID
	}
	pr, err := tx.Directory().PractitionerByEmail(row.ReferrerEmail)
	if fault.KindOf(err) == fault.NotFound {
		return r, fault.Field(fault.Unprocessable, "/referrer_email", "no practitioner has this email")
	}
	if err != nil {
		return r, err
	}
	r.ReferrerPractitionerID = pr.ID
	if err := r.Normalise(s.Today()); err != nil {
		return r, err
	}
	year := r.ReceivedOn.Year()
	if len(numbers[year]) == 0 {
		return r, errors.New("more new referrals than when the file was first read: run the import again")
	}
	r.Reference = referral.FormatReference(year, numbers[year][0])
	numbers[year] = numbers[year][1:]
	r.ID, r.Status, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), referral.Received, s.Now(), s.Now(), 1
	var existing *referral.Referral
	err = s.createIn(ctx, tx, p, &r, &row.Key, &existing)
	return r, err
}
