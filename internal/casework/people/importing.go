package people

import (
	"context"
	"iter"
	"slices"

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
type ImportResult = casework.ImportResult

// RowError is the error that stopped an import: the row and what was wrong with it.
type RowError = casework.RowError

// slowChunk is the part of a chunk checked together when the chunk cannot be written whole with
// no further reads: a row in it that must be done row by row then costs the rows near it only.
const slowChunk = 25

// ImportYoungPeople records rows in one transaction, each exactly as CreateYoungPerson would
// (validation, identifiers already held, the team around the child, external ids, audit and
// outbox events, possible duplicates), except that a row whose key a record already holds is left
// as it is, so running the same file again changes nothing. The first refused row stops the
// import and nothing is written (a *RowError). With dryRun, everything is checked against the
// database and then rolled back. done hears of each row as it goes, in order.
//
// Rows are checked a chunk at a time: one query for the chunk's keys, one query per identifier for
// its NHS numbers and UPNs (the import holds every identifier's lock: LockAllIdentifiers); when
// none is held (a fresh caseload) the chunk's records are written with no further reads, each
// table's rows in one multi-row INSERT. A chunk where one is held, or two rows share one, is done
// row by row, so each row gets the answer the API would give it.
func (s *Service) ImportYoungPeople(ctx context.Context, rows iter.Seq[ImportRow], dryRun bool, done func(ImportResult)) (err error) {
	defer casework.Wrap(&err, "import young people")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return err
	}
	return casework.ImportTx(ctx, s.db, dryRun, func(tx Tx) error {
		// One lock for every NHS number and UPN, not one per value (PostgreSQL's lock table holds
		// some thousands): writes of identifiers elsewhere wait for the import.
		if err := tx.People().LockAllIdentifiers(); err != nil {
			return err
		}
		// A chunk's reads go ahead of the last chunk's rows (tx.ReadAhead) unless it gives a key
		// or an identifier the last chunk gave: only those rows could read differently.
		var lastKeys map[externalid.ID]bool
		var lastClaims map[person.Claim]bool
		return casework.InChunks(rows, casework.ImportChunk, func(chunk []ImportRow) error {
			keys, claims := make(map[externalid.ID]bool, len(chunk)), make(map[person.Claim]bool, len(chunk))
			ahead := true
			for _, r := range chunk {
				keys[r.Key] = true
				ahead = ahead && !lastKeys[r.Key]
				for _, c := range r.Person.Claims() {
					claims[c] = true
					ahead = ahead && !lastClaims[c]
				}
			}
			lastKeys, lastClaims = keys, claims
			return s.importChunk(ctx, tx, p, chunk, ahead, done)
		}, tx.ExternalIDs().AnalysePeople)
	})
}

// With ahead, its reads need not see the last chunk's rows (see Tx.ReadAhead). A chunk written
// whole is held for the next chunk's reads to go first (Tx.BatchAhead).
func (s *Service) importChunk(ctx context.Context, tx Tx, p auth.Principal, chunk []ImportRow, ahead bool, done func(ImportResult)) error {
	if len(chunk) == 0 {
		return nil
	}
	keys := make([]externalid.ID, len(chunk))
	for i, r := range chunk {
		if err := r.Person.Validate(s.Today(), s.rules); err != nil {
			return &RowError{Row: r.Row, Err: err}
		}
		keys[i] = r.Key
	}
	var held map[externalid.ID]string
	sc := s.Scope(p)
	fast := !sc.Restricted
	reads := func() (err error) {
		if held, err = tx.ExternalIDs().FindAll(externalid.YoungPerson, keys); err != nil {
			return err
		}
		// Fast only when every new row's key, NHS number and UPN is new to the chunk and the
		// database, and the caller sees every record (so no possible duplicate is to be recorded).
		var claims []person.Claim
		seenKeys, seenClaims := map[externalid.ID]bool{}, map[person.Claim]bool{}
		for _, r := range chunk {
			if _, ok := held[r.Key]; ok {
				continue
			}
			if seenKeys[r.Key] || len(r.Person.ExternalIDs) != 1 || r.Person.EducationSettingID != "" {
				fast = false
			}
			seenKeys[r.Key] = true
			for _, c := range r.Person.Claims() {
				if seenClaims[c] {
					fast = false
				}
				seenClaims[c] = true
				claims = append(claims, c)
			}
		}
		if fast && len(claims) > 0 {
			holders, err := tx.People().Holders(claims, "", sc)
			if err != nil {
				return err
			}
			fast = len(holders) == 0
		}
		return nil
	}
	if err := casework.ReadsAhead(tx, ahead, reads); err != nil {
		return err
	}
	if !fast && len(chunk) > slowChunk {
		for part := range slices.Chunk(chunk, slowChunk) {
			if err := s.importChunk(ctx, tx, p, part, false, done); err != nil {
				return err
			}
		}
		return nil
	}
	// The chunk's inserts go together, a statement per table (tx.Batch); a row done row by row
	// reads first, which sends what was gathered before it.
	write := tx.Batch
	if fast {
		write = tx.BatchAhead
	}
	return write(func() error { return s.writeChunk(ctx, tx, p, chunk, held, fast, done) })
}

func (s *Service) writeChunk(ctx context.Context, tx Tx, p auth.Principal, chunk []ImportRow, held map[externalid.ID]string, fast bool, done func(ImportResult)) error {
	for _, r := range chunk {
		res := ImportResult{Row: r.Row}
		if id, ok := held[r.Key]; ok {
			res.ID = id
		} else if fast {
			yp, err := s.createChecked(ctx, tx, p, r.Person, nil)
			if err != nil {
				return &RowError{Row: r.Row, Err: err}
			}
			res.ID, res.Created = yp.ID, true
		} else {
			if res.ID, res.Created, res.Err = s.importOne(ctx, tx, p, r); res.Err != nil {
				return &RowError{Row: r.Row, Err: res.Err}
			}
		}
		done(res)
	}
	return nil
}

func (s *Service) importOne(ctx context.Context, tx Tx, p auth.Principal, r ImportRow) (string, bool, error) {
	id, err := tx.ExternalIDs().Find(externalid.YoungPerson, r.Key)
	switch {
	case err == nil:
		return id, false, nil
	case fault.KindOf(err) != fault.NotFound:
		return "", false, err
	}
	// The key was found free above; any other id the row gives is checked as the API would.
	var others []externalid.ID
	for _, id := range r.Person.ExternalIDs {
		if id != r.Key {
			others = append(others, id)
		}
	}
	if err := s.checkExternalIDs(tx, p, others, "", nil); err != nil {
		return "", false, err
	}
	yp, err := s.create(ctx, tx, p, r.Person)
	return yp.ID, err == nil, err
}
