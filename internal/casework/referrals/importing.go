package referrals

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
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

// countChunk is how many rows' keys the first pass looks up at once: one round trip each (a
// query of one array parameter on PostgreSQL), and only the keys and years are held, so a large
// chunk costs little memory; each round trip costs a scheduling wait on a loaded machine.
const countChunk = 5000

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
		keys := make([]externalid.ID, 0, countChunk)
		years := make([]int, 0, countChunk)
		count := func() error {
			held, err := tx.ExternalIDs().FindAll(externalid.Referral, keys)
			if err != nil {
				return err
			}
			for i, k := range keys {
				if _, ok := held[k]; !ok {
					perYear[years[i]]++
				}
			}
			keys, years = keys[:0], years[:0]
			return nil
		}
		for r := range rows {
			keys, years = append(keys, r.Key), append(years, r.Referral.ReceivedOn.Year())
			if len(keys) == countChunk {
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
	numbers := map[int]*numberRange{}
	for year, n := range perYear {
		first, err := s.refs.Reserve(ctx, fmt.Sprintf("referral:%d", year), int64(n))
		if err != nil {
			return err
		}
		numbers[year] = &numberRange{next: first, last: first + int64(n) - 1}
	}
	return casework.ImportTx(ctx, s.db, dryRun, func(tx Tx) error {
		c := &importCache{practitioners: map[string]practitionerFound{}, localities: map[string]string{}}
		// A chunk's reads go ahead of the last chunk's rows (tx.ReadAhead) unless it gives a
		// referral key the last chunk gave (a caller that did not check its file's keys): the
		// rest of what they read (young people, practitioners, organisations) no chunk writes.
		var last map[externalid.ID]bool
		return casework.InChunks(rows, casework.ImportChunk, func(chunk []ImportReferral) error {
			keys := make(map[externalid.ID]bool, len(chunk))
			ahead := true
			for _, r := range chunk {
				keys[r.Key] = true
				ahead = ahead && !last[r.Key]
			}
			last = keys
			return s.importChunk(ctx, tx, p, chunk, numbers, c, ahead, done)
		}, tx.ExternalIDs().AnalyseReferrals)
	})
}

// importCache holds what an import reads once however many rows name it: the referrers by email
// and the education settings' localities (a council has few of either).
type importCache struct {
	practitioners map[string]practitionerFound
	localities    map[string]string
}

type practitionerFound struct {
	pr  directory.Practitioner
	err error
}

// importChunk writes a chunk of rows: their keys, young people and referrers are read for the
// whole chunk first, then every new referral's rows are written together. A row naming its young
// person by NHS number, or giving more than its key, is done as before, row by row.
// With ahead, its reads need not see the last chunk's rows (see Tx.ReadAhead); its own rows are
// held for the next chunk's reads to go first (Tx.BatchAhead).
func (s *Service) importChunk(ctx context.Context, tx Tx, p auth.Principal, chunk []ImportReferral, numbers map[int]*numberRange, c *importCache, ahead bool, done func(casework.ImportResult)) error {
	if len(chunk) == 0 {
		return nil
	}
	keys := make([]externalid.ID, len(chunk))
	var ypKeys []externalid.ID
	for i, row := range chunk {
		keys[i] = row.Key
		if row.YoungPersonKey != nil {
			ypKeys = append(ypKeys, *row.YoungPersonKey)
		}
	}
	var (
		held, children map[externalid.ID]string
		records        map[string]person.YoungPerson
	)
	reads := func() (err error) {
		if held, err = tx.ExternalIDs().FindAll(externalid.Referral, keys); err != nil {
			return err
		}
		if children, err = tx.ExternalIDs().FindAll(externalid.YoungPerson, ypKeys); err != nil {
			return err
		}
		var ids []string
		for _, id := range children {
			ids = append(ids, id)
		}
		if records, err = tx.People().GetAll(ids, s.Scope(p)); err != nil {
			return err
		}
		for _, row := range chunk {
			if _, ok := c.practitioners[row.ReferrerEmail]; !ok {
				pr, err := tx.Directory().PractitionerByEmail(row.ReferrerEmail)
				if err != nil && fault.KindOf(err) != fault.NotFound {
					return err
				}
				c.practitioners[row.ReferrerEmail] = practitionerFound{pr, err}
			}
		}
		for _, yp := range records {
			if _, ok := c.localities[yp.EducationSettingID]; !ok && yp.EducationSettingID != "" {
				o, err := tx.Directory().Organisation(yp.EducationSettingID)
				if err != nil && fault.KindOf(err) != fault.NotFound {
					return err
				}
				c.localities[yp.EducationSettingID] = o.Locality
			}
		}
		return nil
	}
	if err := casework.ReadsAhead(tx, ahead, reads); err != nil {
		return err
	}
	seen := make(map[externalid.ID]bool, len(chunk))
	return tx.BatchAhead(func() error {
		for _, row := range chunk {
			res := casework.ImportResult{Row: row.Row}
			if id, ok := held[row.Key]; ok {
				res.ID = id
				done(res)
				continue
			}
			if seen[row.Key] {
				return &casework.RowError{Row: row.Row, Err: fault.Field(fault.Unprocessable, "/external_id", "is given again in the file")}
			}
			seen[row.Key] = true
			var (
				r   referral.Referral
				err error
			)
			if row.YoungPersonKey == nil || len(row.Referral.ExternalIDs) > 0 || row.Referral.Consent != nil {
				r, err = s.importOne(ctx, tx, p, row, numbers)
			} else {
				r, err = s.importNew(ctx, tx, p, row, numbers, children, records, c)
			}
			if err != nil {
				return &casework.RowError{Row: row.Row, Err: err}
			}
			res.ID, res.Created = r.ID, true
			done(res)
		}
		return nil
	})
}

// importNew records a new referral whose young person and referrer were read for its chunk, as
// importOne would, with no further reads.
func (s *Service) importNew(ctx context.Context, tx Tx, p auth.Principal, row ImportReferral, numbers map[int]*numberRange,
	children map[externalid.ID]string, records map[string]person.YoungPerson, c *importCache) (referral.Referral, error) {
	r := row.Referral
	id, ok := children[*row.YoungPersonKey]
	if !ok {
		return r, fault.Field(fault.Unprocessable, "/young_person_external_id", "no young person holds this external id")
	}
	yp, ok := records[id]
	if !ok {
		return r, fault.Field(fault.Unprocessable, "/young_person_id", "no such young person")
	}
	r.YoungPersonID = yp.ID
	found := c.practitioners[row.ReferrerEmail]
	if found.err != nil {
		return r, fault.Field(fault.Unprocessable, "/referrer_email", "no practitioner has this email")
	}
	r.ReferrerPractitionerID = found.pr.ID
	if err := r.Normalise(s.Today()); err != nil {
		return r, err
	}
	if err := s.number(&r, numbers); err != nil {
		return r, err
	}
	if err := s.checkReferrer(p, true, found.pr.Active, found.pr.OrganisationID); err != nil {
		return r, err
	}
	r.ReferrerOrganisationID = found.pr.OrganisationID
	if err := s.judge(&r, yp.DateOfBirth, yp.Locality, c.localities[yp.EducationSettingID]); err != nil {
		return r, err
	}
	r.ExternalIDs = []externalid.ID{row.Key}
	return r, s.record(ctx, tx, p, &r)
}

// numberRange is the reference numbers taken for a year's new referrals, next to last.
type numberRange struct{ next, last int64 }

// number gives r the next of the reference numbers taken for its year.
func (s *Service) number(r *referral.Referral, numbers map[int]*numberRange) error {
	year := r.ReceivedOn.Year()
	n := numbers[year]
	if n == nil || n.next > n.last {
		return errors.New("more new referrals than when the file was first read: run the import again")
	}
	r.Reference = referral.FormatReference(year, n.next)
	n.next++
	r.ID, r.Status, r.CreatedAt, r.UpdatedAt, r.Version = casework.NewID(), referral.Received, s.Now(), s.Now(), 1
	return nil
}

func (s *Service) importOne(ctx context.Context, tx Tx, p auth.Principal, row ImportReferral, numbers map[int]*numberRange) (referral.Referral, error) {
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
	if err := s.number(&r, numbers); err != nil {
		return r, err
	}
	var existing *referral.Referral
	err = s.createIn(ctx, tx, p, &r, &row.Key, &existing)
	return r, err
}
