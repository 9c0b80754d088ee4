// Package importjob runs an import file through its layout and its area's writer: the whole
// file checked first, then written all or nothing (or, continuing on error, in batches with the
// refused rows set aside). The `oneplan import` command and the import jobs of the API
// (POST /v1/imports) share it; each hears of problems and progress through its own hooks.
package importjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/importfile"
)

// Batch is how many rows a run continuing on error writes per transaction.
const Batch = 500

// Kind is how one layout's rows are read and written.
type Kind struct {
	// Role is who the import acts as (the council's SEND service, or its administrator).
	Role auth.Role
	// KeyColumn names the column whose value a row is matched on (a value given twice is refused).
	KeyColumn string
	// Parse turns a record into the row the service takes, its key and its problems.
	Parse func(importfile.Record) (row any, key string, problems []importfile.Problem)
	// Write records rows in one transaction (rolled back with dryRun); a refused row stops it
	// with a *casework.RowError.
	Write func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error
}

// RowsOf hands the service its own row type.
func RowsOf[T any](rows iter.Seq[any]) iter.Seq[T] {
	return func(yield func(T) bool) {
		for r := range rows {
			if !yield(r.(T)) {
				return
			}
		}
	}
}

// Counts are a run's numbers so far.
type Counts struct{ Rows, Created, Unchanged, Refused int }

// Runner runs one file.
type Runner struct {
	Kind   Kind
	Layout importfile.Layout
	// Name names the file in errors reading it.
	Name string
	// Open opens the file from its start; it is read twice.
	Open func() (io.ReadCloser, error)
	// DryRun checks every row, against the database too, and writes nothing.
	DryRun bool
	// ContinueOnError loads the good rows and hands the refused ones to Rejects.
	ContinueOnError bool
	// Rejects opens where refused rows are written (only when continuing on error, not on a dry
	// run); it is called once, after the file is checked.
	Rejects func() (io.WriteCloser, error)
	// Problem hears of each problem as it is found (may be nil).
	Problem func(importfile.Problem)
	// Start hears how many rows are to be written, once the file is checked (may be nil).
	Start func(total int)
	// Progress hears of each row written or refused while writing, with the counts so far (may
	// be nil).
	Progress func(Counts)
	// Checked hears of each row read while checking, with the counts so far (may be nil).
	Checked func(Counts)
	// Final, when set, is called in the transaction of an all-or-nothing run that is not a dry
	// run, after its last row and before it commits, with the final counts: what it writes (the
	// run's summary, its job's outcome) commits with the rows or not at all; an error from it
	// rolls them back. A run that is refused, a dry run or one continuing on error never calls it.
	Final func(tx casework.Recorder, c Counts) error
	// Stop, when set, is asked between batches of rows (every Batch rows read or written) whether
	// the run is to stop (its job was cancelled); its error ends the run, rolling back what an
	// all-or-nothing run wrote.
	Stop func() error

	header []string // the file's header row, as read
}

var errStop = errors.New("stop")

func (r *Runner) problem(p importfile.Problem) {
	if r.Problem != nil {
		r.Problem(p)
	}
}

// Run checks the whole file (pass one), then writes it (pass two), reading it again: one row in
// memory at a time however large the file, the keys seen in bounded memory (a file of more
// than exactKeys rows whose keys may repeat is read a third time to find the rows that repeat
// them: see keySet), and a bit for each refused row, whose problems pass two finds again (see
// refusedRows). The counts are returned even with an error.
func (r *Runner) Run(ctx context.Context) (Counts, error) {
	var c Counts
	var bad refusedRows // the rows refused (a bit each; their problems are found again when written)
	seen := newKeySet() // the keys given, to refuse a key given twice (bounded)
	givenAgain := func(row, first int) importfile.Problem {
		return importfile.Problem{Row: row, Column: r.Kind.KeyColumn, Message: fmt.Sprintf("is given again (first on row %d)", first)}
	}
	err := r.scan(func(rec importfile.Record, _ any, key string, problems []importfile.Problem) error {
		c.Rows++
		if key != "" {
			if first := seen.add(key, rec.Row); first != 0 {
				problems = append(problems, givenAgain(rec.Row, first))
				bad.givenAgain(rec.Row, first)
			}
		}
		if len(problems) > 0 {
			bad.add(rec.Row)
			for _, p := range problems {
				r.problem(p)
			}
		}
		if r.Checked != nil {
			r.Checked(Counts{Rows: c.Rows, Refused: bad.n})
		}
		return nil
	})
	if err == nil && seen.unsure() {
		// A large file: the rows whose keys may have been given before are checked by reading
		// the file once more, remembering only their keys.
		err = seen.confirm(func(fn func(row int, key string)) error {
			return r.scan(func(rec importfile.Record, _ any, key string, _ []importfile.Problem) error {
				if key != "" {
					fn(rec.Row, key)
				}
				return nil
			})
		}, func(row, first int) {
			bad.givenAgain(row, first)
			r.problem(givenAgain(row, first))
		})
	}
	if err != nil {
		return c, err
	}
	seen = nil
	bad.settle()
	c.Refused = bad.n
	if bad.n > 0 && !r.ContinueOnError {
		return c, fmt.Errorf("%d of %d rows refused: nothing imported (put them right, or use --continue-on-error)", bad.n, c.Rows)
	}
	var rejects *importfile.Rejects
	if r.ContinueOnError && !r.DryRun {
		f, err := r.Rejects()
		if err != nil {
			return c, err
		}
		defer func() { _ = f.Close() }()
		if rejects, err = importfile.NewRejects(f, r.header); err != nil {
			return c, err
		}
		defer func() { _ = rejects.Close() }()
	}
	if r.Start != nil {
		r.Start(c.Rows - bad.n)
	}
	progress := func() {
		if r.Progress != nil {
			r.Progress(c)
		}
	}
	count := func(res casework.ImportResult) {
		if res.Created {
			c.Created++
		} else {
			c.Unchanged++
		}
		progress()
	}
	good := func(yield func(any) bool) error {
		return r.scan(func(rec importfile.Record, row any, _ string, problems []importfile.Problem) error {
			if bad.has(rec.Row) {
				if rejects != nil {
					return rejects.Add(rec, bad.problems(rec.Row, problems, givenAgain))
				}
				return nil
			}
			if !yield(row) {
				return errStop
			}
			return nil
		})
	}
	if !r.ContinueOnError || r.DryRun {
		// One transaction: the whole file or nothing.
		var scanErr error
		wctx := casework.WithBeforeCommit(ctx, func(tx casework.Recorder) error {
			if scanErr != nil {
				return scanErr // the file stopped being read part way (or the job was cancelled): nothing is kept
			}
			if r.Final != nil && !r.DryRun {
				return r.Final(tx, c)
			}
			return nil
		})
		err := r.Kind.Write(wctx, func(yield func(any) bool) {
			if scanErr = good(yield); errors.Is(scanErr, errStop) {
				scanErr = nil
			}
		}, r.DryRun, count)
		if err != nil {
			c.Created, c.Unchanged = 0, 0
			var re *casework.RowError
			if errors.As(err, &re) {
				c.Refused++
				r.problem(importfile.Problem{Row: re.Row, Message: ProblemText(re.Err)})
				return c, fmt.Errorf("row %d refused: nothing imported", re.Row)
			}
			return c, err
		}
		return c, scanErr
	}
	// Continuing on error: batches, each its own transaction; a batch with a refused row is
	// written again row by row, so only that row is refused.
	var batch []any
	var recs []importfile.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var done []casework.ImportResult
		err := r.Kind.Write(ctx, slices.Values(batch), false, func(res casework.ImportResult) { done = append(done, res) })
		if err == nil {
			for _, res := range done {
				count(res)
			}
		} else {
			var re *casework.RowError
			if !errors.As(err, &re) {
				return err
			}
			for i, row := range batch {
				err := r.Kind.Write(ctx, slices.Values([]any{row}), false, count)
				if errors.As(err, &re) {
					c.Refused++
					progress()
					p := importfile.Problem{Row: re.Row, Message: ProblemText(re.Err)}
					r.problem(p)
					if err := rejects.Add(recs[i], []importfile.Problem{p}); err != nil {
						return err
					}
				} else if err != nil {
					return err
				}
			}
		}
		batch, recs = batch[:0], recs[:0]
		return nil
	}
	err = r.scan(func(rec importfile.Record, row any, _ string, problems []importfile.Problem) error {
		if bad.has(rec.Row) {
			return rejects.Add(rec, bad.problems(rec.Row, problems, givenAgain))
		}
		batch, recs = append(batch, row), append(recs, rec)
		if len(batch) == Batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return c, flush()
}

// ProblemText is what a refused row's error says, field by field.
func ProblemText(err error) string {
	msg := err.Error()
	for _, p := range []string{"import young people: ", "import organisations: ", "import practitioners: ", "import referrals: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// scan reads the file once, handing each row to fn with its problems.
func (r *Runner) scan(fn func(rec importfile.Record, row any, key string, problems []importfile.Problem) error) error {
	f, err := r.Open()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	rd, problems, err := importfile.NewReader(f, r.Layout)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			r.problem(p)
		}
		return errors.New("the header is not the " + r.Layout.Type + " layout (see oneplan import template " + r.Layout.Type + "): nothing imported")
	}
	r.header = rd.Header
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", r.Name, err)
		}
		if r.Stop != nil && rec.Row%Batch == 0 {
			if err := r.Stop(); err != nil {
				return err
			}
		}
		row, key, problems := r.Kind.Parse(rec)
		if err := fn(rec, row, key, problems); err != nil {
			return err
		}
	}
}
