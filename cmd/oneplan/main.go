// Command oneplan runs the OnePlan API and its operator tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/auth/jwtauth"
	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/config"
	"github.com/oneplan-send/oneplan/internal/demo"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/letter"
	"github.com/oneplan-send/oneplan/internal/metrics"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/redact"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/secretseal"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

const usage = `oneplan: the 0-25 SEND pathway API

Usage:
  oneplan serve [--demo]                                   migrate, then serve the API
  oneplan migrate                                          apply database migrations
  oneplan apikey create --role ROLE [--org ID] [--name N]  make an API key (printed once); --org defaults to the council
  oneplan apikey generate                                  print a fresh key to use as ONEPLAN_ADMIN_API_KEY
  oneplan orgs list [--type TYPE] [--q TEXT]               list organisations and their ids
  oneplan seed --demo                                      load the fictional demo data set
  oneplan sweep [--as-of YYYY-MM-DD]                       send the statutory clock's due and missed notices once
  oneplan events tail [--from-start] [--types a,b] [--admin]  print events as they commit (a developer's terminal)
  oneplan healthcheck [--ready]                            ask the running server's /healthz (or /readyz); exit 1 unless 200
  oneplan reports-rebuild                                  recompute the report counts from the records
  oneplan import template TYPE                             print an import layout's header row (docs/import.md)
  oneplan import TYPE [--dry-run] [--continue-on-error] FILE.csv   load an existing caseload from CSV

Run "oneplan COMMAND --help" for a command's flags. Configuration comes from the environment:
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		// Standard error is usually the log: what a database or parser quoted (a migration's
		// refused value) is replaced by its class; the explanation around it stays.
		fmt.Fprintln(os.Stderr, "oneplan:", redact.Text(err))
		os.Exit(1)
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	for _, v := range config.Vars {
		def := v[1]
		if def == "" {
			def = "(unset)"
		}
		fmt.Fprintf(w, "  %-32s default %-24s %s\n", v[0], def, v[2])
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "apikey":
		return apikey(ctx, rest, stdout, stderr)
	case "seed":
		return seed(ctx, rest, stdout, stderr)
	case "sweep":
		return sweep(ctx, rest, stdout, stderr)
	case "events":
		return events(ctx, rest, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, rest, stdout, stderr)
	case "orgs":
		return orgs(ctx, rest, stdout, stderr)
	case "reports-rebuild":
		return reportsRebuild(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	}
	printUsage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func flags(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: oneplan %s\n\n%s\n", name, summary)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nEnvironment:")
		for _, v := range config.Vars {
			fmt.Fprintf(stderr, "  %s (default %q): %s\n", v[0], v[1], v[2])
		}
	}
	return fs
}

// parse handles --help as success.
func parse(fs *flag.FlagSet, args []string) (bool, error) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return false, nil
	}
	if err == nil && fs.NArg() > 0 {
		return false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return err == nil, err
}

// documentStore is the configured document store, or a folder beside the SQLite database (or in
// the working directory with PostgreSQL), created if missing.
func documentStore(cfg config.Config) string {
	if cfg.DocumentStore != "" {
		return cfg.DocumentStore
	}
	dir := "oneplan-documents"
	if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		dir = cfg.DatabaseURL + ".documents"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return "file://" + filepath.ToSlash(abs) + "?create_dir=true"
}

type deployment struct {
	cfg     config.Config
	store   *store.Store
	app     *app.App
	metrics *metrics.Registry
}

func open(ctx context.Context) (*deployment, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	st.SetMaxConns(cfg.DatabaseMaxConns)
	if cfg.SecretsKey != nil {
		sealer, err := secretseal.New(cfg.SecretsKey)
		if err != nil {
			_ = st.Close()
			return nil, err
		}
		st.SealSecrets(sealer)
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	policy, err := webhook.ParsePolicy(cfg.WebhookAllowed)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	blobs, err := blobstore.Open(ctx, documentStore(cfg))
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	reg := metrics.New()
	a := app.New(st, app.Options{Blobs: blobs, Council: letter.Council{Name: cfg.CouncilName, Address: cfg.CouncilAddress, Email: cfg.CouncilEmail,
		Phone: cfg.CouncilPhone}, DocumentLimits: document.Limits{MaxBytes: cfg.MaxDocumentBytes,
		MaxUnpackedBytes: document.DefaultLimits.MaxUnpackedBytes, MaxRatio: document.DefaultLimits.MaxRatio}, Area: cfg.AreaLocalities, Published: cfg.PublishedLocalities, PersonRules: person.Rules{AllowTestNHSNumbers: cfg.AllowTestNHSNumbers, ExternalIDSystems: cfg.ExternalIDSystems},
		Imports:        importjobs.Options{MaxBytes: cfg.MaxImportBytes, FilesRetention: cfg.ImportRetention},
		RetentionYears: cfg.RetentionYears, TransitionGapMinAge: cfg.TransitionGapMinAge, DeadlineLeads: cfg.DeadlineLeads, OpenData: cfg.OpenData, LACode: cfg.LACode,
		Release: release(), Disclosure: report.Policy{Threshold: cfg.DisclosureThreshold, Rounding: cfg.DisclosureRounding, ShowZeros: cfg.DisclosureShowZeros},
		WebhookPolicy: policy, Dispatch: webhooks.Options{Interval: cfg.DispatchInterval, Retention: cfg.EventsRetention, Observer: reg.Deliveries, Timeout: cfg.WebhookTimeout,
			Retry: webhook.Retry{Base: cfg.WebhookRetryBase, Cap: 6 * time.Hour, GiveUpAfter: cfg.WebhookRetryFor}}})
	return &deployment{cfg: cfg, store: st, app: a, metrics: reg}, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("serve [--demo]", "Apply migrations, then serve the API until SIGINT or SIGTERM.", stderr)
	withDemo := fs.Bool("demo", false, "load the demo data set if the database is empty, and print a demo SEND officer key")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// The server's heap is small (tens of MB) and mostly short-lived request garbage: collecting
		// a quarter as often cost a tenth of the CPU a busy list spent in the collector.
		debug.SetGCPercent(400)
	}
	// Take the port before anything else: a second server started by mistake on a busy address
	// must fail before it migrates, mints a key or prints one (a key printed by a process that
	// then dies is easily lost).
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (ONEPLAN_ADDR): %w; is another server running there? Nothing was changed and no key was made", cfg.Addr, err)
	}
	defer func() { _ = ln.Close() }()
	addr := ln.Addr().String()
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level(a.cfg.LogLevel)}))
	setMemoryLimit(logger, memlimit.FromCgroup)

	key, made, officerKey, err := setUp(ctx, a, *withDemo, stdout)
	if err != nil {
		return err
	}
	opts := httpapi.Options{MaxBodyBytes: a.cfg.MaxBodyBytes, MaxActiveRequests: a.cfg.MaxActiveRequests, CORSOrigins: a.cfg.CORSOrigins, Logger: logger,
		RateLimit: a.cfg.RateLimit, RateBurst: a.cfg.RateBurst, Profiling: a.cfg.Profiling,
		Metrics: promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}), Requests: a.metrics.Requests, Waiting: a.metrics.Requests.Waiting}
	if sqlDB, err := a.store.SQL(); err == nil {
		a.metrics.WatchDB(sqlDB)
	}
	a.metrics.WatchOutbox(a.store.OutboxBacklog)
	// Marked as the server's own: on SQLite its transactions give way to requests waiting to write.
	runCtx, stopBackground := context.WithCancel(store.Background(ctx))
	// The background work (sweeps, folds, the import worker, dispatch) is stopped and waited for
	// before serve returns and the store closes: one still writing then left a transaction cut
	// off (and, on SQLite, files written after the caller thought the server gone).
	var background sync.WaitGroup
	goBackground := func(f func()) {
		background.Add(1)
		go func() {
			defer background.Done()
			f()
		}()
	}
	defer func() {
		stopBackground()
		waited := make(chan struct{})
		go func() {
			background.Wait()
			close(waited)
		}()
		select {
		case <-waited:
		case <-time.After(15 * time.Second): // each honours its context; this only bounds a stuck one
			logger.Warn("background work still running at shutdown")
		}
	}()
	if a.cfg.OIDCIssuer != "" {
		v, err := jwtauth.New(runCtx, jwtauth.Config{Issuer: a.cfg.OIDCIssuer, Audience: a.cfg.OIDCAudience, JWKSURL: a.cfg.OIDCJWKSURL, Logger: logger})
		if err != nil {
			return fmt.Errorf("sign-in tokens: %w", err)
		}
		opts.Tokens = func(token string) (auth.Principal, error) {
			id, err := v.Verify(token)
			return id.Principal(), err
		}
	}
	// The served contract names the address actually bound (ONEPLAN_ADDR may say port 0), unless
	// a public URL is configured.
	opts.ServerURL = a.cfg.PublicURL
	if opts.ServerURL == "" {
		opts.ServerURL = "http://" + reachable(ln.Addr())
	}
	e, err := httpapi.New(a.app, opts)
	if err != nil {
		return err
	}
	goBackground(a.app.Start(runCtx, logger))
	goBackground(func() { purge(runCtx, a.store, logger) })
	goBackground(func() { foldReportCounts(runCtx, a.store, logger) })
	goBackground(func() { refreshWorklist(runCtx, a.app.Deadlines, logger) })
	// Every replica sweeps expired import files hourly; they share the work through the database
	// (see importjobs.SweepFiles). The log says how many jobs, never which files.
	goBackground(func() {
		a.app.Imports.RunFileSweeper(runCtx, time.Hour, func(n int, err error) {
			if err != nil {
				redact.Warn(logger, "delete expired import files", err)
			} else if n > 0 {
				logger.Info("deleted expired import files", "jobs", n)
			}
		})
	})
	if a.cfg.SweepInterval > 0 {
		goBackground(func() { a.app.Deadlines.RunSweeper(runCtx, a.cfg.SweepInterval, sweepReport(logger)) })
	}
	if a.cfg.DispatchInterval > 0 {
		// Every process dispatches; they share the work through the database (see webhooks.Run).
		goBackground(func() { a.app.Webhooks.Run(runCtx, redact.Reporter(logger, "event dispatch")) })
	}
	srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		// net/http's own complaints (a panic outside the handlers' recover, a bad TLS handshake)
		// quote the panic's value and the client's address: only their fixed words are logged.
		ErrorLog: redact.ServerLog(logger)}
	// Bounded: a database that takes the connections but stalls must not hold the start up; what
	// is not open by then opens on demand.
	start := time.Now()
	poolCtx, cancelPool := context.WithTimeout(ctx, 10*time.Second)
	n, err := a.store.OpenPool(poolCtx)
	cancelPool()
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelWarn, "open the database pool", slog.Int("opened", n),
			slog.Int("connections", a.cfg.DatabaseMaxConns), redact.Err(err))
	} else if n > 0 {
		logger.Debug("database pool open", "connections", n, "ms", time.Since(start).Milliseconds())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "OnePlan is serving on http://%s (database: %s)\n", addr, a.store.Dialect())
	fmt.Fprintf(stdout, "  contract: http://%s/openapi.yaml\n", addr)
	fmt.Fprintf(stdout, "  reference: %s/docs\n", opts.ServerURL)
	if made && a.cfg.AdminAPIKey == "" {
		fmt.Fprintf(stdout, "  admin API key (shown once, keep it safe): %s\n", key)
	}
	if officerKey != "" {
		fmt.Fprintf(stdout, "  demo SEND officer API key: %s\n", officerKey)
		fmt.Fprintf(stdout, "  try: curl -H 'Authorization: Bearer %s' http://%s/v1/referrals?limit=2\n", officerKey, addr)
	}

	stop, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	select {
	case err := <-errc:
		return err
	case <-stop.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelShutdown()
	return srv.Shutdown(shutdown)
}

// sweepReport logs each statutory clock sweep: its counts, or its failure by class.
func sweepReport(logger *slog.Logger) func(deadlines.SweepResult, error) {
	return func(res deadlines.SweepResult, err error) {
		if err != nil {
			redact.Warn(logger, "statutory clock sweep", err)
			return
		}
		if res.Skipped {
			logger.Info("statutory clock sweep done by another process")
			return
		}
		logger.Info("statutory clock sweep", "slot", res.Slot, "decisions_due", res.DecisionsDue, "deadlines_missed", res.DeadlinesMissed,
			"deadlines_due_soon", res.DeadlinesDueSoon, "reviews_due", res.ReviewsDue, "reviews_overdue", res.ReviewsOverdue, "plans_ceased", res.PlansCeased, "gaps_opened", res.GapsOpened,
			"deadline_warnings", res.Warned, "deadline_missed_events", res.Missed)
	}
}

// reachable is a listening address as a caller on this machine can dial it: a wildcard address
// (0.0.0.0, ::) becomes localhost with the same port.
func reachable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// setUp makes the first admin key (and the council's organisation) if there is none and, with
// demo, loads the demo data and issues a demo key, one process at a time: replicas started
// together on an empty database make one council. made says the admin key was made here.
func setUp(ctx context.Context, a *deployment, demo bool, stdout io.Writer) (adminKey string, made bool, officerKey string, err error) {
	err = a.store.Alone(ctx, func() (err error) {
		if adminKey, made, err = a.app.Keys.EnsureAdminKey(ctx, a.cfg.CouncilName, a.cfg.AdminAPIKey); err != nil {
			return fmt.Errorf("first admin key: %w", err)
		}
		if demo {
			officerKey, err = loadDemo(ctx, a, stdout)
		}
		return err
	})
	return adminKey, made, officerKey, err
}

// loadDemo seeds the demo data when the database is empty and issues a fresh demo key.
func loadDemo(ctx context.Context, a *deployment, stdout io.Writer) (string, error) {
	councilID, err := councilOrganisation(ctx, a)
	if err != nil {
		return "", err
	}
	res, err := demo.Seed(ctx, a.app, councilID, a.cfg.AllowTestNHSNumbers)
	if err != nil {
		return "", fmt.Errorf("demo data: %w", err)
	}
	if !res.AlreadyPresent {
		fmt.Fprintf(stdout, "Loaded demo data: %d organisations, %d practitioners, %d young people, %d referrals, "+
			"%d EHC needs assessment requests, %d EHC plans (%d issued), %d annual review(s), %d tribunal appeal(s), %d transition plan(s) (all fictional)\n",
			res.Organisations+1, res.Practitioners, res.YoungPeople, res.Referrals, res.EHCRequests, res.EHCPlans, res.EHCPlansIssued,
			res.AnnualReviews, res.Disputes, res.TransitionPlans)
	}
	key, _, err := a.app.Keys.IssueAPIKey(ctx, councilID, auth.RoleSENDOfficer, "demo SEND officer", "")
	return key, err
}

// councilOrganisation is the organisation owning the oldest admin key's: the council itself.
func councilOrganisation(ctx context.Context, a *deployment) (string, error) {
	var id string
	err := a.store.Read(ctx, func(tx *store.Tx) error {
		orgs, _, err := tx.Directory().Organisations(directory.OrganisationFilter{Type: "local_authority_send"}, paging.Page{Limit: 200})
		if err == nil && len(orgs) > 0 {
			id = orgs[len(orgs)-1].ID
		}
		return err
	})
	if err == nil && id == "" {
		err = errors.New("no local_authority_send organisation: run `oneplan serve` once to create it")
	}
	return id, err
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("migrate", "Apply any pending database migrations and list those applied.", stderr)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	ids, err := a.store.AppliedMigrations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s database is at migration %s (%d applied: %s)\n", a.store.Dialect(), ids[len(ids)-1], len(ids), strings.Join(ids, ", "))
	return nil
}

func apikey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "generate") {
		fmt.Fprintln(stderr, "Usage: oneplan apikey create --role ROLE [--org ID] [--name N] | oneplan apikey generate")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errors.New("apikey needs a subcommand: create or generate")
	}
	sub, rest := args[0], args[1:]
	if sub == "generate" {
		fs := flags("apikey generate", "Print a fresh key in OnePlan's format, without storing it (for ONEPLAN_ADMIN_API_KEY).", stderr)
		if ok, err := parse(fs, rest); !ok {
			return err
		}
		key, _, _, err := auth.NewKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, key)
		return nil
	}
	roles := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		roles[i] = string(r)
	}
	fs := flags("apikey create --role ROLE [--org ID] [--name N]", "Create an API key bound to an organisation and a role. The key is printed once; only its hash is kept.", stderr)
	org := fs.String("org", "", "organisation id the key acts for (default: the council's SEND service, when there is one; see `oneplan orgs list`)")
	roleName := fs.String("role", "", "role: "+strings.Join(roles, ", ")+" (required)")
	name := fs.String("name", "", "a label to recognise the key by")
	if ok, err := parse(fs, rest); !ok {
		return err
	}
	if *roleName == "" {
		fs.Usage()
		return errors.New("--role is required")
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	if *org == "" {
		council, err := theCouncil(ctx, a)
		if err != nil {
			return err
		}
		*org = council.ID
		fmt.Fprintf(stderr, "no --org given: using the council's organisation, %s (%s)\n", council.Name, council.ID)
	}
	if *name == "" {
		*name = string(role) + " key"
	}
	key, k, err := a.app.Keys.IssueAPIKey(ctx, *org, role, *name, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created key %s (%s for organisation %s); it is shown once:\n", k.ID, role, k.OrganisationID)
	fmt.Fprintln(stdout, key)
	return nil
}

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("seed --demo", "Load the fictional demo data set into an empty database.", stderr)
	withDemo := fs.Bool("demo", false, "load the demo data set (required)")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if !*withDemo {
		fs.Usage()
		return errors.New("only --demo data can be seeded")
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	key, _, officer, err := setUp(ctx, a, true, stdout)
	if err != nil {
		return err
	}
	if key != "" && a.cfg.AdminAPIKey == "" {
		fmt.Fprintf(stdout, "admin API key (shown once, keep it safe): %s\n", key)
	}
	fmt.Fprintf(stdout, "demo SEND officer API key: %s\n", officer)
	return nil
}

// sweep runs the statutory clock once, as of today or a given day.
func sweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("sweep [--as-of YYYY-MM-DD]", "Send the statutory clock's notices (decision due, deadline missed, review due, transition gap) to the outbox, each once.", stderr)
	asOf := fs.String("as-of", "", "the day to judge the clock on (default today)")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	var day time.Time
	if *asOf != "" {
		d, err := statutory.ParseDate(*asOf)
		if err != nil {
			return fmt.Errorf("--as-of must be a date YYYY-MM-DD, from 1900-01-01")
		}
		day = d
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	if day.IsZero() {
		day = a.app.Clock.Today()
	}
	if day.After(a.app.Clock.Today()) {
		// Each notice is sent once: sent now for a day to come, it would never be sent on that day.
		return fmt.Errorf("--as-of must not be after today (%s): each notice is sent once, so a sweep of a day to come would send its notices early and never on the day", a.app.Clock.Today().Format("2006-01-02"))
	}
	res, err := a.app.Deadlines.Sweep(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "swept %s: %d decisions due, %d deadlines missed, %d reviews due, %d reviews overdue, %d plans ceased, %d transition gaps opened, %d deadline warnings, %d deadline.missed\n",
		day.Format("2006-01-02"), res.DecisionsDue, res.DeadlinesMissed, res.ReviewsDue, res.ReviewsOverdue, res.PlansCeased, res.GapsOpened, res.Warned, res.Missed)
	return nil
}

// purge drops kept idempotent answers after a day (they may hold personal data, and a retry a day
// later is a new request) and the rate buckets of callers gone quiet.
func purge(ctx context.Context, st *store.Store, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.IdempotencyKeys().Purge(ctx, time.Now().Add(-24*time.Hour)); err != nil {
			redact.Warn(logger, "purge idempotency keys", err)
		} else if n > 0 {
			logger.Info("purged idempotency keys", "count", n)
		}
		// A bucket quiet for an hour is full again: dropping it changes nothing.
		if _, err := st.RateBank().Purge(ctx, time.Now().Add(-time.Hour)); err != nil {
			redact.Warn(logger, "purge rate buckets", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// foldReportCounts folds the report deltas the triggers append into report_counts every minute,
// and, looking every few seconds, folds sooner what piles up: the deltas' counts (a report reads
// the deltas not yet folded whole: a burst of 15,000 creates left 1.5 million, reports of
// 0.1-12 s), the transition spans (the transitions report works out each young person marked
// since the last fold) and the organisations' marked children (their reports correct for each,
// and scan the records above 5,000). Reports are exact either way. The first fold runs at once:
// after an upgrade it works out, in batches, the transition spans start-up left marked (store
// Migrate folds a bounded number), which may take minutes at a large council.
//
// The counts and the transition spans are looked at on loops of their own (serverFolders): in a
// burst of writes the whole fold (every marked child) took tens of seconds, and the deltas every
// report reads whole piled up behind it (sampled at 200,000 referrals: no count folded for 50 s,
// 324,772 deltas when the writes stopped), as did the marks. Folding either makes no writer wait,
// and two folds of the same take turns by their lock.
func foldReportCounts(ctx context.Context, st *store.Store, logger *slog.Logger) {
	var wg sync.WaitGroup
	for _, f := range serverFolders(st, logger) {
		wg.Go(func() {
			t := time.NewTicker(foldCheck)
			defer t.Stop()
			for {
				f.step(ctx, time.Now())
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
}

// serverFolders are the server's folders, each looked at on a loop of its own: the whole fold
// every minute with the marked children between; the counts; the transition spans. The spans
// have their own loop for the reason the counts do: behind the rest's whole fold and its second
// of marked children they piled up in a burst of writes (12,263 young people marked when 3
// minutes of creates stopped, at 1,000,000 referrals), and the transitions report corrects for
// each one marked (about 47 microseconds each there) or, with more marked, scans the records
// (1.9 s there).
func serverFolders(st *store.Store, logger *slog.Logger) []*folder {
	return []*folder{
		{st: st, logger: logger, every: time.Minute, at: foldMarks{children: foldAt.children}},
		{st: st, logger: logger, at: foldMarks{deltas: foldAt.deltas}},
		{st: st, logger: logger, at: foldMarks{marks: foldAt.marks}},
	}
}

// foldCheck is how often the server looks at what waits to be folded, and foldChildrenFor the
// longest it folds marked children in one look.
const (
	foldCheck       = 2 * time.Second
	foldChildrenFor = time.Second
)

// foldAt is how much of each makes the server fold it before the minute is up: a report reads
// 20,000 deltas in a few milliseconds; 100 transition marks cost the transitions report about 25
// ms, and 100 marked children an organisation's reports a few.
var foldAt = foldMarks{deltas: 20000, marks: 100, children: 100}

// foldMarks are the amounts that make each early fold due; zero: never early.
type foldMarks struct{ deltas, marks, children int }

// folder decides, each time it is asked, which folds are due.
type folder struct {
	st     *store.Store
	logger *slog.Logger
	every  time.Duration // between whole folds; zero: none
	at     foldMarks
	last   time.Time // the last whole fold, zero before the first
}

// What step ran: nothing, the whole fold, or some of the early ones, joined by "+".
const (
	foldNone     = ""
	foldWhole    = "whole"    // store FoldReportDeltas
	foldChildren = "children" // store FoldMarkedChildren
	foldCounts   = "counts"   // store FoldCounts
	foldSpans    = "spans"    // store FoldTransitionSpans
)

// step runs the folds due at now, if any, and says which.
func (f *folder) step(ctx context.Context, now time.Time) string {
	warn := func(what string, err error) {
		if err != nil && ctx.Err() == nil {
			redact.Warn(f.logger, what, err)
		}
	}
	if f.every > 0 && (f.last.IsZero() || now.Sub(f.last) >= f.every) {
		_, err := f.st.FoldReportDeltas(ctx)
		warn("fold report counts", err)
		f.last = now
		return foldWhole
	}
	due, err := f.st.Unfolded(ctx, f.at.deltas, f.at.marks, f.at.children) // a zero mark is not counted
	warn("count what waits to be folded", err)
	var ran []string
	// The cheap folds first, then the marked children for what is left of the look's budget
	// (they append deltas, which the next look's counts' fold takes).
	if due.Deltas {
		_, err := f.st.FoldCounts(ctx)
		warn("fold report counts", err)
		ran = append(ran, foldCounts)
	}
	if due.Marks {
		_, err := f.st.FoldTransitionSpans(ctx)
		warn("fold transition spans", err)
		ran = append(ran, foldSpans)
	}
	if due.Children {
		_, err := f.st.FoldMarkedChildren(ctx, foldChildrenFor)
		warn("fold marked children", err)
		ran = append(ran, foldChildren)
	}
	return strings.Join(ran, "+")
}

// refreshWorklist brings the stored deadline worklist up to date every few seconds, so that the
// first page read after a large import (thousands of children marked at once) does not have to
// recompute them all itself. Cheap when nothing changed (one read); replicas may run it at once.
func refreshWorklist(ctx context.Context, d *deadlines.Service, logger *slog.Logger) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.RefreshStale(ctx); err != nil && ctx.Err() == nil {
			redact.Warn(logger, "refresh deadline worklist", err)
		}
	}
}

// reportsRebuild recomputes report_counts from the records, for after a restore or a correction
// made directly in the database. Writes wait while it runs.
func reportsRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("reports-rebuild", "Recompute the counts the activity, funnel and timeliness reports read, from the records themselves.", stderr)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	a, err := open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = a.store.Close() }()
	start := time.Now()
	if err := a.store.RebuildReportCounts(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report counts rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func level(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// release names this build in statutory returns: the module version, or "dev" for a local build.
func release() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
