package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/person"
)

const importUsage = `Usage:
  oneplan import template TYPE                     print TYPE's header row (the template to fill in)
  oneplan import TYPE [flags] FILE.csv             load FILE into the database

Types: organisations, practitioners, young-people, referrals, ehc-plans, transition-plans (load them in that order). The column layouts are in docs/import.md.

By default a file loads entirely or not at all: every row is checked first (each problem printed
with its row and column) and nothing is written if any row is refused. A row whose
external_system/external_id a record already holds is left as it is, so loading the same file
again changes nothing.
`

// importBatch is how many rows --continue-on-error writes per transaction.
const importBatch = 500

// importCmd is `oneplan import`.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, importUsage)
		if len(args) == 0 {
			return errors.New("import: say what to import")
		}
		return nil
	}
	if args[0] == "template" {
		if len(args) != 2 {
			return errors.New("usage: oneplan import template TYPE")
		}
		layout, ok := importfile.Layouts[args[1]]
		if !ok {
			return fmt.Errorf("no import layout %q (there is: %s)", args[1], strings.Join(importfile.Types, ", "))
		}
		w := csv.NewWriter(stdout)
		_ = w.Write(layout.Header())
		w.Flush()
		return w.Error()
	}
	layout, ok := importfile.Layouts[args[0]]
	if !ok {
		fmt.Fprint(stderr, importUsage)
		return fmt.Errorf("no import layout %q (there is: %s)", args[0], strings.Join(importfile.Types, ", "))
	}
	fs := flag.NewFlagSet("import "+layout.Type, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "check every row, against the database too, and write nothing")
	keepGoing := fs.Bool("continue-on-error", false, "load the good rows and write the refused ones to --rejects")
	rejectsPath := fs.String("rejects", "", "where --continue-on-error writes refused rows (default FILE.rejects.csv)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	fs.Usage = func() { fmt.Fprint(stderr, importUsage); fs.PrintDefaults() }
	// Flags may come before or after the file.
	var file string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			if file != "" {
				return fmt.Errorf("unexpected argument %q", rest[0])
			}
			file, rest = rest[0], rest[1:]
		}
	}
	if file == "" {
		fs.Usage()
		return errors.New("import: name the CSV file")
	}
	if *rejectsPath == "" {
		*rejectsPath = strings.TrimSuffix(file, ".csv") + ".rejects.csv"
	}

	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	key, _, err := a.app.Keys.EnsureAdminKey(ctx, a.cfg.CouncilName, a.cfg.AdminAPIKey)
	if err != nil {
		return err
	}
	if key != "" && a.cfg.AdminAPIKey == "" {
		fmt.Fprintf(stdout, "admin API key (shown once, keep it safe): %s\n", key)
	}
	councilID, err := councilOrganisation(ctx, a)
	if err != nil {
		return err
	}
	enums, err := contractEnums()
	if err != nil {
		return err
	}
	job := casework.NewID()
	kind := importKinds(a, enums)[layout.Type]
	// The import acts as the council's SEND service (its administrator for organisations); every
	// audit event names the import job.
	ctx = auth.WithPrincipal(ctx, auth.Principal{Role: kind.role, OrganisationID: councilID, Subject: "oneplan-import"})
	ctx = casework.WithMeta(ctx, casework.Meta{RequestID: "import-" + job, Purpose: "import"})
	im := &importer{kind: kind, file: file, layout: layout, stderr: stderr, quiet: *quiet}
	res, err := im.run(ctx, *dryRun, *keepGoing, *rejectsPath)
	verb := "imported"
	if *dryRun {
		verb = "dry run (nothing written)"
	}
	fmt.Fprintf(stdout, "%s %s: %d rows, %d created, %d already present (unchanged), %d refused; import %s\n",
		verb, layout.Type, res.rows, res.created, res.unchanged, res.refused, job)
	if res.refused > 0 && *keepGoing && !*dryRun {
		fmt.Fprintf(stdout, "refused rows written to %s\n", *rejectsPath)
	}
	return err
}

// contractEnums reads each enumerated column's values from the API contract, so a file is held
// to exactly the values the API takes.
func contractEnums() (importfile.Enums, error) {
	spec, err := api.GetSpec()
	if err != nil {
		return nil, err
	}
	out := importfile.Enums{}
	for _, l := range importfile.Layouts {
		for _, c := range l.Columns {
			if c.Enum == "" {
				continue
			}
			s := spec.Components.Schemas[c.Enum]
			if s == nil || s.Value == nil {
				return nil, fmt.Errorf("the contract has no schema %s", c.Enum)
			}
			for _, v := range s.Value.Enum {
				out[c.Enum] = append(out[c.Enum], fmt.Sprint(v))
			}
		}
	}
	return out, nil
}

// importKind is how one layout's rows are read and written.
type importKind struct {
	role auth.Role
	// keyColumn names the column whose value a row is matched on (a value given twice is refused).
	keyColumn string
	// parse turns a record into the row the service takes, its key and its problems.
	parse func(importfile.Record) (row any, key string, problems []importfile.Problem)
	// write records rows in one transaction (rolled back with dryRun); a refused row stops it
	// with a *casework.RowError.
	write func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error
}

// rowsOf hands the service its own row type.
func rowsOf[T any](rows iter.Seq[any]) iter.Seq[T] {
	return func(yield func(T) bool) {
		for r := range rows {
			if !yield(r.(T)) {
				return
			}
		}
	}
}

func importKinds(a *deployment, enums importfile.Enums) map[string]importKind {
	rules := person.Rules{AllowTestNHSNumbers: a.cfg.AllowTestNHSNumbers, ExternalIDSystems: a.cfg.ExternalIDSystems}
	systems := a.app.Organisations.Systems
	today := a.app.Clock.Today()
	kinds := map[string]importKind{
		importfile.YoungPeople.Type: {role: auth.RoleSENDOfficer, keyColumn: "external_id",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				yp, key, problems := importfile.YoungPerson(rec, enums, rules, today)
				return people.ImportRow{Row: rec.Row, Key: key, Person: yp}, keyText(key), problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.People.ImportYoungPeople(ctx, rowsOf[people.ImportRow](rows), dryRun, done)
			}},
		importfile.Organisations.Type: {role: auth.RoleAdmin, keyColumn: "external_id",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				o, key, problems := importfile.Organisation(rec, enums, systems)
				return organisations.ImportOrganisation{Row: rec.Row, Key: key, Organisation: o}, keyText(key), problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.Organisations.ImportOrganisations(ctx, rowsOf[organisations.ImportOrganisation](rows), dryRun, done)
			}},
		importfile.Practitioners.Type: {role: auth.RoleSENDOfficer, keyColumn: "email",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				pr, org, problems := importfile.Practitioner(rec, enums, systems)
				return organisations.ImportPractitioner{Row: rec.Row, OrganisationKey: org, Practitioner: pr}, pr.Email, problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.Organisations.ImportPractitioners(ctx, rowsOf[organisations.ImportPractitioner](rows), dryRun, done)
			}},
		importfile.Referrals.Type: {role: auth.RoleSENDOfficer, keyColumn: "external_id",
			parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				r, key, yp, problems := importfile.Referral(rec, enums, systems, today)
				return referrals.ImportReferral{Row: rec.Row, Key: key, YoungPersonKey: yp, NHSNumber: importfile.NHSNumber(rec),
					ReferrerEmail: strings.ToLower(rec.Get("referrer_email")), Referral: r}, keyText(key), problems
			},
			write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return a.app.Referrals.ImportReferrals(ctx, rowsOf[referrals.ImportReferral](rows), dryRun, done)
			}},
	}
	maps.Copy(kinds, planImportKinds(a, enums)) // importplans.go
	return kinds
}

func keyText(k externalid.ID) string {
	if k.Value == "" {
		return ""
	}
	return k.System + "|" + k.Value
}

type importer struct {
	kind   importKind
	file   string
	header []string // the file's header row, as read
	layout importfile.Layout
	stderr io.Writer
	quiet  bool
}

type importCounts struct{ rows, created, unchanged, refused int }

// run checks the whole file (pass one), then writes it (pass two), reading it again: one row in
// memory at a time however large the file.
func (im *importer) run(ctx context.Context, dryRun, keepGoing bool, rejectsPath string) (importCounts, error) {
	var c importCounts
	bad := map[int][]importfile.Problem{} // refused rows by row number (only the refused are kept)
	seen := map[string]int{}              // each key's first row, to refuse a key given twice
	err := im.scan(func(rec importfile.Record, _ any, key string, problems []importfile.Problem) error {
		c.rows++
		if first, twice := seen[key]; twice && key != "" {
			problems = append(problems, importfile.Problem{Row: rec.Row, Column: im.kind.keyColumn, Message: fmt.Sprintf("is given again (first on row %d)", first)})
		} else {
			seen[key] = rec.Row
		}
		if len(problems) > 0 {
			bad[rec.Row] = problems
			for _, p := range problems {
				fmt.Fprintln(im.stderr, p)
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	seen = nil
	c.refused = len(bad)
	if len(bad) > 0 && !keepGoing {
		return c, fmt.Errorf("%d of %d rows refused: nothing imported (put them right, or use --continue-on-error)", len(bad), c.rows)
	}
	var rejects *importfile.Rejects
	if keepGoing && !dryRun {
		f, err := os.Create(rejectsPath) //nolint:gosec // the operator names the file
		if err != nil {
			return c, err
		}
		defer func() { _ = f.Close() }()
		if rejects, err = importfile.NewRejects(f, im.header); err != nil {
			return c, err
		}
		defer func() { _ = rejects.Close() }()
	}
	bar := im.bar(c.rows - len(bad))
	defer func() { _ = bar.Finish() }()
	count := func(r casework.ImportResult) {
		_ = bar.Add(1)
		if r.Created {
			c.created++
		} else {
			c.unchanged++
		}
	}
	good := func(yield func(any) bool) error {
		return im.scan(func(rec importfile.Record, row any, _ string, _ []importfile.Problem) error {
			if problems, refused := bad[rec.Row]; refused {
				if rejects != nil {
					return rejects.Add(rec, problems)
				}
				return nil
			}
			if !yield(row) {
				return errStop
			}
			return nil
		})
	}
	if !keepGoing || dryRun {
		// One transaction: the whole file or nothing.
		var scanErr error
		err := im.kind.write(ctx, func(yield func(any) bool) {
			if scanErr = good(yield); errors.Is(scanErr, errStop) {
				scanErr = nil
			}
		}, dryRun, count)
		if err != nil {
			c.created, c.unchanged = 0, 0
			var re *casework.RowError
			if errors.As(err, &re) {
				c.refused++
				fmt.Fprintln(im.stderr, importfile.Problem{Row: re.Row, Message: problemText(re.Err)})
				return c, fmt.Errorf("row %d refused: nothing imported", re.Row)
			}
			return c, err
		}
		return c, scanErr
	}
	// --continue-on-error: batches, each its own transaction; a batch with a refused row is
	// written again row by row, so only that row is refused.
	var batch []any
	var recs []importfile.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var done []casework.ImportResult
		err := im.kind.write(ctx, slices.Values(batch), false, func(r casework.ImportResult) { done = append(done, r) })
		if err == nil {
			for _, r := range done {
				count(r)
			}
		} else {
			var re *casework.RowError
			if !errors.As(err, &re) {
				return err
			}
			for i, row := range batch {
				err := im.kind.write(ctx, slices.Values([]any{row}), false, count)
				if errors.As(err, &re) {
					c.refused++
					_ = bar.Add(1)
					p := importfile.Problem{Row: re.Row, Message: problemText(re.Err)}
					fmt.Fprintln(im.stderr, p)
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
	err = im.scan(func(rec importfile.Record, row any, _ string, _ []importfile.Problem) error {
		if problems, refused := bad[rec.Row]; refused {
			return rejects.Add(rec, problems)
		}
		batch, recs = append(batch, row), append(recs, rec)
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return c, flush()
}

var errStop = errors.New("stop")

// problemText is what a refused row's error says, field by field.
func problemText(err error) string {
	msg := err.Error()
	for _, p := range []string{"import young people: ", "import organisations: ", "import practitioners: ", "import referrals: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// scan reads the file once, handing each row to fn with its problems.
func (im *importer) scan(fn func(rec importfile.Record, row any, key string, problems []importfile.Problem) error) error {
	f, err := os.Open(im.file)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	rd, problems, err := importfile.NewReader(f, im.layout)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(im.stderr, p)
		}
		return errors.New("the header is not the " + im.layout.Type + " layout (see oneplan import template " + im.layout.Type + "): nothing imported")
	}
	im.header = rd.Header
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", im.file, err)
		}
		row, key, problems := im.kind.parse(rec)
		if err := fn(rec, row, key, problems); err != nil {
			return err
		}
	}
}

func (im *importer) bar(n int) *progressbar.ProgressBar {
	if im.quiet {
		return progressbar.DefaultSilent(int64(n))
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(im.stderr), progressbar.OptionSetDescription("importing "+im.layout.Type),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(100_000_000),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(im.stderr) }))
}
