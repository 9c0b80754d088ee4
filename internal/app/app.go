// Package app wires OnePlan's services: it gives each area's service its view of the store and the
// other services it calls. It is the only place besides cmd/ that knows the store.
package app

import (
	"context"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"log/slog"
	"sync"

	"github.com/oneplan-send/oneplan/internal/blobstore"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/advicerequests"
	"github.com/oneplan-send/oneplan/internal/casework/adviserlinks"
	"github.com/oneplan-send/oneplan/internal/casework/assessments"
	"github.com/oneplan-send/oneplan/internal/casework/consultations"
	"github.com/oneplan-send/oneplan/internal/casework/deadlines"
	"github.com/oneplan-send/oneplan/internal/casework/disputes"
	"github.com/oneplan-send/oneplan/internal/casework/documents"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/casework/keys"
	"github.com/oneplan-send/oneplan/internal/casework/letters"
	"github.com/oneplan-send/oneplan/internal/casework/meetings"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/planimports"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/casework/privacy"
	"github.com/oneplan-send/oneplan/internal/casework/reassessments"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/casework/reports"
	"github.com/oneplan-send/oneplan/internal/casework/surveys"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/casework/transformingcare"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/clock"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/idempotency"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/importjob"
	"github.com/oneplan-send/oneplan/internal/letter"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/ratelimit"
	"github.com/oneplan-send/oneplan/internal/redact"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/tcare"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// Options are the deployment's choices.
type Options struct {
	// Area lists the localities that make up the council's area for pathway eligibility; empty
	// means the whole council.
	Area []string
	// Published lists the only localities disclosure-controlled reports name (report.Localities);
	// empty, they name none (ONEPLAN_PUBLISHED_LOCALITIES, which defaults to the area's).
	Published []string
	// PersonRules are the validation choices for young people's records.
	PersonRules person.Rules
	// RetentionYears is how long after birth a young person's records are kept (default 31).
	RetentionYears int
	// TransitionGapMinAge is the default age from which a young person with an open referral or an
	// EHC plan must have a transition plan (13 to 25; default 14).
	TransitionGapMinAge int
	// DeadlineLeads are the lead times of deadline warnings; nil: the defaults.
	DeadlineLeads deadline.Leads
	// Disclosure is the small-number suppression applied to open data and to analysts' reports.
	Disclosure report.Policy
	// OpenData lists the reports published without credentials at /v1/open-data/{report}.
	OpenData []string
	// LACode is the council's 3-digit DfE local authority number, for the SEN2 return.
	LACode string
	// Release names this build in statutory returns.
	Release string
	// Clock is the one clock every service and the HTTP layer read; nil is the system clock.
	Clock clock.Clock
	// WebhookPolicy says which addresses webhooks may be delivered to.
	WebhookPolicy webhook.Policy
	// Dispatch tunes the delivery of events (interval, retries, retention, metrics).
	Dispatch webhooks.Options
	// Blobs keeps documents' bytes; nil keeps them in memory (tests, nothing else).
	Blobs document.Blobs
	// Scanner sees every upload before it is kept (a virus scanner); nil accepts all.
	Scanner document.Scanner
	// Council is the sender of letters and plan documents (name and contact details).
	Council letter.Council
	// DocumentLimits caps uploads; zero is document.DefaultLimits.
	DocumentLimits document.Limits
	// Imports tunes the import jobs of POST /v1/imports (size limit, lease, polling).
	Imports importjobs.Options
	// CTRPolicy says when a C(E)TR is due for a child on the dynamic support register; zero is
	// tcare.DefaultPolicy (issue 17).
	CTRPolicy tcare.Policy
}

// App holds every area's service.
type App struct {
	Clock         clock.Clock
	Organisations *organisations.Service
	Keys          *keys.Service
	Team          *team.Service
	People        *people.Service
	Referrals     *referrals.Service
	Assessments   *assessments.Service
	Meetings      *meetings.Service
	EHCRequests   *ehcrequests.Service
	Plans         *plans.Service
	Disputes      *disputes.Service
	// TransformingCare keeps the dynamic support register and placements (issue 17).
	TransformingCare *transformingcare.Service
	Documents        *documents.Service
	Transitions      *transitions.Service
	Surveys          *surveys.Service
	Reports          *reports.Service
	Privacy          *privacy.Service
	Deadlines        *deadlines.Service
	Webhooks         *webhooks.Service
	Advice           *advicerequests.Service
	Consultations    *consultations.Service
	Reassessments    *reassessments.Service
	Letters          *letters.Service
	// Imports runs the import jobs uploaded through the API (issue 18).
	Imports *importjobs.Service
	// PlanImports loads EHC plans and transition plans made before OnePlan (issue 18).
	PlanImports *planimports.Service
	// Idempotency keeps the answers replayed to retried POSTs.
	Idempotency idempotency.Store
	// AdviserLinks lets advisers without an account give advice through an invitation link.
	AdviserLinks *adviserlinks.Service

	store *store.Store
}

// New wires the services over st.
func New(st *store.Store, opts Options) *App {
	core := casework.Core{Clock: opts.Clock}
	a := &App{Clock: opts.Clock, store: st, Idempotency: st.IdempotencyKeys()}
	a.Organisations = organisations.New(core, store.Bind(st, func(tx *store.Tx) organisations.Tx { return tx }))
	a.Organisations.Systems = opts.PersonRules.ExternalIDSystems // external ids' short system names (issue 18)
	a.Keys = keys.New(core, store.Bind(st, func(tx *store.Tx) keys.Tx { return tx }), a.Organisations)
	a.Team = team.New(core, store.Bind(st, func(tx *store.Tx) team.Tx { return tx }))
	a.People = people.New(core, store.Bind(st, func(tx *store.Tx) people.Tx { return tx }), opts.PersonRules, a.Team)
	a.Referrals = referrals.New(core, store.Bind(st, func(tx *store.Tx) referrals.Tx { return tx }), opts.Area, a.Team, st.References(20))
	a.Referrals.Systems = opts.PersonRules.ExternalIDSystems // referrals' external ids (issue 18)
	a.Assessments = assessments.New(core, store.Bind(st, func(tx *store.Tx) assessments.Tx { return tx }), a.Referrals)
	a.Meetings = meetings.New(core, store.Bind(st, func(tx *store.Tx) meetings.Tx { return tx }), a.Referrals)
	a.EHCRequests = ehcrequests.New(core, store.Bind(st, func(tx *store.Tx) ehcrequests.Tx { return tx }), a.Referrals)
	a.Plans = plans.New(core, store.Bind(st, func(tx *store.Tx) plans.Tx { return tx }), a.EHCRequests)
	a.Plans.Systems = opts.PersonRules.ExternalIDSystems // plans' external ids (issue 18)
	a.Disputes = disputes.New(core, store.Bind(st, func(tx *store.Tx) disputes.Tx { return tx }))
	a.TransformingCare = transformingcare.New(core, store.Bind(st, func(tx *store.Tx) transformingcare.Tx { return tx }), opts.CTRPolicy)
	a.Transitions = transitions.New(core, store.Bind(st, func(tx *store.Tx) transitions.Tx { return tx }), opts.TransitionGapMinAge)
	a.Surveys = surveys.New(core, store.Bind(st, func(tx *store.Tx) surveys.Tx { return tx }), a.Referrals)
	a.Reports = reports.New(core, store.Bind(st, func(tx *store.Tx) reports.Tx { return tx }),
		reports.Options{Disclosure: opts.Disclosure, OpenData: opts.OpenData, Localities: opts.Published, LACode: opts.LACode, Release: opts.Release,
			CTRPolicy: opts.CTRPolicy})
	if opts.Blobs == nil {
		opts.Blobs = memoryBlobs()
	}
	a.Advice = advicerequests.New(core, store.Bind(st, func(tx *store.Tx) advicerequests.Tx { return tx }))
	a.Consultations = consultations.New(core, store.Bind(st, func(tx *store.Tx) consultations.Tx { return tx }))
	a.Reassessments = reassessments.New(core, store.Bind(st, func(tx *store.Tx) reassessments.Tx { return tx }))
	council := opts.Council
	if council.Name == "" {
		council.Name = "Council SEND service"
	}
	a.Letters = letters.New(core, store.Bind(st, func(tx *store.Tx) letters.Tx { return tx }), council)
	a.Documents = documents.New(core, store.Bind(st, func(tx *store.Tx) documents.Tx { return tx }), opts.Blobs, opts.Scanner, opts.DocumentLimits)
	a.AdviserLinks = adviserlinks.New(core, store.Bind(st, func(tx *store.Tx) adviserlinks.Tx { return tx }), a.Advice, a.Documents)
	a.Privacy = privacy.New(core, store.Bind(st, func(tx *store.Tx) privacy.Tx { return tx }), a.Team, opts.RetentionYears, opts.Blobs)
	a.Webhooks = webhooks.New(core, store.Bind(st, func(tx *store.Tx) webhooks.Tx { return tx }), opts.WebhookPolicy, opts.Dispatch)
	a.Deadlines = deadlines.New(core, store.Bind(st, func(tx *store.Tx) deadlines.Tx { return tx }), a.Plans, a.Transitions)
	rules := opts.PersonRules
	var enums importfile.Enums
	var enumsErr error
	var enumsOnce sync.Once
	a.Imports = importjobs.New(core, store.Bind(st, func(tx *store.Tx) importjobs.Tx { return tx }), importBlobs(opts.Blobs),
		func() (map[string]importjob.Kind, error) {
			enumsOnce.Do(func() { enums, enumsErr = importjob.ContractEnums() })
			if enumsErr != nil {
				return nil, enumsErr
			}
			return importjob.Kinds(importjob.Services{People: a.People, Organisations: a.Organisations, Referrals: a.Referrals, PlanImports: a.PlanImports,
				Rules: rules, Today: a.Clock.Today}, enums), nil
		}, opts.Imports)
	if opts.DeadlineLeads != nil {
		a.Deadlines.SetLeads(opts.DeadlineLeads)
	}
	a.PlanImports = planimports.New(core, store.Bind(st, func(tx *store.Tx) planimports.Tx { return tx }), a.Plans, a.Transitions, a.Deadlines)
	return a
}

// Start runs what keeps this process in step with the others on the same database, until ctx
// ends: revoked keys are dropped from the key cache as they are revoked on any replica, and queued
// import jobs are run. The import worker's failures go to log (by class only; nil: nowhere).
//
// The returned function waits, after ctx ends, for the import worker to stop, so that the
// store is not closed under it.
func (a *App) Start(ctx context.Context, log *slog.Logger) (wait func()) {
	a.Keys.Invalidation(a.store.Listen(ctx, store.KeysChannel, a.Keys.Forget))
	var report func(error)
	if log != nil {
		report = redact.Reporter(log, "import job")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Imports.Work(ctx, report)
	}()
	return func() { <-done }
}

// Limiter is the rate limiter for perSecond sustained and burst at once per caller: shared by
// every replica when the database is (PostgreSQL), this process's own otherwise.
func (a *App) Limiter(perSecond float64, burst int) ratelimit.Limiter {
	if a.store.Shared() {
		return ratelimit.NewShared(a.store.RateBank(), perSecond, burst)
	}
	return ratelimit.NewLocal(perSecond, burst)
}

// Ready reports whether the database answers.
func (a *App) Ready(ctx context.Context) error { return a.store.Ping(ctx) }

// Dialect names the database in use.
func (a *App) Dialect() string { return a.store.Dialect() }

// importBlobs is the document store when it can stream (the blob store always can), else a
// bucket in memory.
func importBlobs(b document.Blobs) importjobs.Blobs {
	if ib, ok := b.(importjobs.Blobs); ok {
		return ib
	}
	return blobstore.Memory()
}

// memoryBlobs is a bucket in this process's memory, for tests and tools that never keep a document.
func memoryBlobs() document.Blobs { return blobstore.Memory() }
