package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/csvsafe"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/importjob"
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
		w := csvsafe.NewWriter(stdout)
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
	enums, err := importjob.ContractEnums()
	if err != nil {
		return err
	}
	job := casework.NewID()
	kind := importKinds(a, enums)[layout.Type]
	// The import acts as the council's SEND service (its administrator for organisations); every
	// audit event names the import job.
	ctx = auth.WithPrincipal(ctx, auth.Principal{Role: kind.Role, OrganisationID: councilID, Subject: "oneplan-import"})
	ctx = casework.WithMeta(ctx, casework.Meta{RequestID: "import-" + job, Purpose: "import"})
	var pb *progressbar.ProgressBar
	run := &importjob.Runner{Kind: kind, Layout: layout, Name: file, DryRun: *dryRun, ContinueOnError: *keepGoing,
		Open:     func() (io.ReadCloser, error) { return os.Open(file) },            //nolint:gosec // the operator names the file
		Rejects:  func() (io.WriteCloser, error) { return os.Create(*rejectsPath) }, //nolint:gosec // the operator names the file
		Problem:  func(p importfile.Problem) { fmt.Fprintln(stderr, p) },
		Start:    func(total int) { pb = bar(total, layout.Type, stderr, *quiet) },
		Progress: func(importjob.Counts) { _ = pb.Add(1) },
	}
	// The run's summary (a finished job naming its counts): in the rows' own transaction when
	// they are written all or nothing, else in one of its own once the run ends.
	summary := func(c importjob.Counts, runErr error) importjobs.CommandRun {
		// The file's name (imports.BaseName: never its path) is kept on the job, read only with it.
		out := importjobs.CommandRun{ID: job, Kind: layout.Type, FileName: file, DryRun: *dryRun, ContinueOnError: *keepGoing, Counts: c}
		if fi, err := os.Stat(file); err == nil {
			out.FileSize = fi.Size()
		}
		if runErr != nil {
			// The operator's path may name a child: the job keeps what went wrong, not where.
			out.Failure = strings.ReplaceAll(runErr.Error(), file, "the file")
		}
		return out
	}
	summarised := false
	run.Final = func(tx casework.Recorder, c importjob.Counts) error {
		summarised = true
		return a.app.Imports.RecordRun(ctx, tx, summary(c, nil))
	}
	c, err := run.Run(ctx)
	if pb != nil {
		_ = pb.Finish()
	}
	if err != nil || !summarised {
		if serr := a.app.Imports.RecordRun(ctx, nil, summary(c, err)); serr != nil && err == nil {
			err = serr
		}
	}
	// A run that failed says so before its counts, which are then what it had got to.
	verb := "imported"
	switch {
	case *dryRun:
		verb = "dry run (nothing written)"
	case err != nil && *keepGoing:
		verb = "stopped part way (the rows counted created are kept)"
	case err != nil:
		verb = "not imported (nothing written)"
	}
	fmt.Fprintf(stdout, "%s %s: %d rows, %d created, %d already present (unchanged), %d refused; import %s\n",
		verb, layout.Type, c.Rows, c.Created, c.Unchanged, c.Refused, job)
	if c.Refused > 0 && *keepGoing && !*dryRun {
		fmt.Fprintf(stdout, "refused rows written to %s\n", *rejectsPath)
	}
	return err
}

// importKinds are the layouts' kinds, over this deployment's services.
func importKinds(a *deployment, enums importfile.Enums) map[string]importjob.Kind {
	return importjob.Kinds(importjob.Services{People: a.app.People, Organisations: a.app.Organisations, Referrals: a.app.Referrals, PlanImports: a.app.PlanImports,
		Rules: person.Rules{AllowTestNHSNumbers: a.cfg.AllowTestNHSNumbers, ExternalIDSystems: a.cfg.ExternalIDSystems},
		Today: a.app.Clock.Today}, enums)
}

// bar is the progress bar of n rows on stderr (a silent one with quiet).
func bar(n int, layout string, stderr io.Writer, quiet bool) *progressbar.ProgressBar {
	if quiet {
		return progressbar.DefaultSilent(int64(n))
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("importing "+layout),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(100_000_000),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
}
