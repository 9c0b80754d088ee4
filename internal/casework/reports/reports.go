// Package reports computes aggregate figures for the SEND team, analysts and the public (with
// disclosure control), and the SEN2 statutory return.
package reports

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/sen2"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// Tx is what the report use cases need of a transaction.
type Tx interface {
	casework.Recorder
	People() person.Repository
	Directory() directory.Repository
	Surveys() survey.Repository
	Reports() report.Source
	SEN2() sen2.Source
	Reviews() annualreview.Repository
}

// Options are the council's reporting choices.
type Options struct {
	// Disclosure is the small-number suppression applied to open data and to analysts' reports.
	Disclosure report.Policy
	// OpenData lists the reports published without credentials at /v1/open-data/{report}.
	OpenData []string
	// Localities are the localities the council publishes (ONEPLAN_PUBLISHED_LOCALITIES): disclosure-controlled
	// reports name no other, pooling the rest into one row, and filter by no other.
	Localities report.Localities
	// LACode is the council's 3-digit DfE local authority number, for the SEN2 return.
	LACode string
	// Release names this build in statutory returns.
	Release string
	// CTRPolicy says when a C(E)TR is due, for the transforming-care report (zero: the national
	// policy's figures, tcare.DefaultPolicy).
	CTRPolicy tcare.Policy
}

// Service runs the report use cases.
type Service struct {
	casework.Core
	db   casework.DB[Tx]
	opts Options
}

// New returns the report service.
func New(core casework.Core, db casework.DB[Tx], opts Options) *Service {
	if opts.Disclosure.Threshold <= 0 {
		opts.Disclosure.Threshold = report.DefaultThreshold
	}
	if opts.Disclosure.Rounding <= 0 {
		opts.Disclosure.Rounding = 1
	}
	if opts.CTRPolicy.RedWithinDays <= 0 && opts.CTRPolicy.PostAdmissionWorkingDays <= 0 && opts.CTRPolicy.InpatientEveryMonths <= 0 {
		opts.CTRPolicy = tcare.DefaultPolicy
	}
	return &Service{Core: core, db: db, opts: opts}
}

// EHCTimeliness reports the statutory timeliness of what was completed in [from, to]. It holds
// exact counts, so it is for the SEND team; reading it is not audited per child.
func (s *Service) EHCTimeliness(ctx context.Context, from, to time.Time) (out report.TimelinessFigures, err error) {
	defer casework.Wrap(&err, "read EHC timeliness")
	if _, err := casework.Allow(ctx, auth.ReadExactReports); err != nil {
		return out, err
	}
	if to.Before(from) {
		return out, fault.Field(fault.Invalid, "/to", "must not be before from")
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, err = tx.Reports().EHCTimeliness(from, to, report.Filter{})
		return err
	})
	return out, err
}

// Report kinds.
const (
	ReportActivity    = report.Activity
	ReportExperience  = report.Experience
	ReportTimeliness  = report.Timeliness
	ReportTransitions = report.Transitions
	ReportFunnel      = report.Funnel
	// ReportTransformingCare: the dynamic support register, C(E)TRs, residential and inpatient
	// placements, personal budgets.
	ReportTransformingCare = report.TransformingCare
)

// Disclosure modes a caller may ask for.
const (
	DisclosureExact = "exact"
	DisclosureOpen  = "open"
)

// ReportQuery is what a caller asks a report for.
type ReportQuery struct {
	From, To   time.Time
	Filter     report.Filter
	Compare    bool   // also the previous period of equal length
	Disclosure string // "", DisclosureExact or DisclosureOpen
	// Experience only: one template, one point in the pathway.
	TemplateID, Point string
	// controlled is set by buildReport when disclosure control applies.
	controlled bool
}

// Report computes one report for a signed-in caller. The SEND team gets exact figures unless it
// asks for open output; analysts only ever get disclosure-controlled output. Reports hold counts,
// never a child, so reading one is not audited per child.
func (s *Service) Report(ctx context.Context, kind string, q ReportQuery) (_ report.Report, err error) {
	defer casework.Wrap(&err, "read report")
	p, err := casework.Allow(ctx, auth.ReadReports)
	if err != nil {
		return report.Report{}, err
	}
	exact := p.Can(auth.ReadExactReports)
	switch q.Disclosure {
	case DisclosureOpen:
		exact = false
	case DisclosureExact:
		if !exact {
			return report.Report{}, &fault.Error{Kind: fault.Forbidden, Permission: string(auth.ReadExactReports),
				Detail: "Your role (" + string(p.Role) + ") receives disclosure-controlled figures only; ask for disclosure=open."}
		}
	}
	return s.buildReport(ctx, kind, q, !exact)
}

// OpenDataReport computes a report for anyone, without credentials: only the reports the council
// publishes, and always disclosure-controlled.
func (s *Service) OpenDataReport(ctx context.Context, kind string, q ReportQuery) (_ report.Report, err error) {
	defer casework.Wrap(&err, "open data report")
	if !slices.Contains(s.opts.OpenData, kind) {
		return report.Report{}, fault.New(fault.NotFound, "This council does not publish this report as open data.")
	}
	return s.buildReport(ctx, kind, q, true)
}

func (s *Service) buildReport(ctx context.Context, kind string, q ReportQuery, controlled bool) (r report.Report, err error) {
	period, err := report.NewPeriod(q.From, q.To)
	if err != nil {
		return r, err
	}
	if controlled {
		if err := report.CheckControlled(period); err != nil {
			return r, err
		}
		if err := s.opts.Localities.CheckFilter(q.Filter.Locality); err != nil {
			return r, err
		}
	}
	q.controlled = controlled
	build, ok := reportBuilders[kind]
	if !ok {
		return r, fault.New(fault.NotFound, "No such report.")
	}
	r = report.Report{Kind: kind, Period: period}
	periods := []report.Period{period}
	if q.Compare {
		prev := period.Previous()
		if prev.From.Before(statutory.FirstDay) {
			return r, fault.Field(fault.Invalid, "/query/compare", "the period before this one would start before 1900-01-01, the first date OnePlan reads")
		}
		r.Previous = &prev
		periods = append(periods, prev)
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		if id := q.Filter.OrganisationID; id != "" {
			// As an unknown survey template is: a filter naming no organisation is a mistake to
			// say, not an empty report to answer.
			if _, err := tx.Directory().Organisation(id); fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Invalid, "/query/organisation_id", "no such organisation")
			} else if err != nil {
				return err
			}
		}
		return build(s, tx, &r, periods, q)
	})
	if err != nil {
		return r, err
	}
	if controlled {
		r.Apply(s.opts.Disclosure)
	} else {
		// Exact figures; the council's policy is shown for what open output would withhold.
		d := s.opts.Disclosure
		r.Control = report.Control{Threshold: d.Threshold, Rounding: d.Rounding, ShowZeros: d.ShowZeros}
	}
	return r, nil
}

// A reportBuilder fills r's tables from the database for each period (the current one first,
// then the previous one when comparing).
type reportBuilder func(s *Service, tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error

var reportBuilders = map[string]reportBuilder{
	ReportActivity:         (*Service).activityReport,
	ReportExperience:       (*Service).experienceReport,
	ReportTimeliness:       (*Service).timelinessReport,
	ReportTransitions:      (*Service).transitionsReport,
	ReportFunnel:           (*Service).funnelReport,
	ReportTransformingCare: (*Service).transformingCareReport,
}

// each runs f for every period, collecting what it returns.
func each[T any](periods []report.Period, f func(report.Period) (T, error)) ([]T, error) {
	out := make([]T, len(periods))
	for i, p := range periods {
		var err error
		if out[i], err = f(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) activityReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	acts, err := each(periods, func(p report.Period) (report.ActivityFigures, error) {
		return tx.Reports().Activity(p.From, p.To, q.Filter)
	})
	if err != nil {
		return err
	}
	if q.controlled {
		// Locality names are typed per child: only the council's own are published.
		for i := range acts {
			acts[i] = acts[i].PoolLocalities(s.opts.Localities)
		}
	}
	report.TabulateActivity(r, acts)
	return nil
}

// experienceReport: per template and respondent group, each question's responses, mean score
// (Likert) or share answering yes, and the distribution of answers.
func (s *Service) experienceReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	r.Title = "Experience"
	counts, err := each(periods, func(p report.Period) ([]report.AnswerCount, error) {
		return tx.Reports().SurveyAnswerCounts(p.From, p.To, q.Filter, q.TemplateID, q.Point)
	})
	if err != nil {
		return err
	}
	// The templates answered, in one load however many there are.
	var ids []string
	for _, cs := range counts {
		for _, c := range cs {
			if !slices.Contains(ids, c.TemplateID) {
				ids = append(ids, c.TemplateID)
			}
		}
	}
	templates, err := tx.Reports().SurveyTemplates(ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, ok := templates[id]; !ok {
			// Answers to a template that is not there: the error a single load gives.
			if _, err := tx.Surveys().Template(id); err != nil {
				return err
			}
			return fault.New(fault.NotFound, "No such survey template.")
		}
	}
	if q.TemplateID != "" {
		if _, ok := templates[q.TemplateID]; !ok {
			t, err := tx.Surveys().Template(q.TemplateID)
			if fault.KindOf(err) == fault.NotFound {
				return fault.Field(fault.Invalid, "/query/template_id", "no such survey template")
			}
			if err != nil {
				return err
			}
			templates[q.TemplateID] = t
		}
	}
	report.TabulateExperience(r, templates, counts)
	return nil
}

func (s *Service) timelinessReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	ts, err := each(periods, func(p report.Period) (report.TimelinessFigures, error) {
		return tx.Reports().EHCTimeliness(p.From, p.To, q.Filter)
	})
	if err == nil {
		report.TabulateTimeliness(r, ts)
	}
	return err
}

// transitionsReport takes a snapshot on each period's last day.
func (s *Service) transitionsReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	snaps, err := each(periods, func(p report.Period) (report.TransitionSnapshot, error) {
		// The report's own queries, which the store answers from the spans it keeps.
		gaps, ending := report.TransitionQueries(p.To)
		return tx.Reports().Transitions(gaps, ending, q.Filter)
	})
	if err == nil {
		report.TabulateTransitions(r, snaps)
	}
	return err
}

func (s *Service) funnelReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	fs, err := each(periods, func(p report.Period) (report.FunnelFigures, error) {
		return tx.Reports().Funnel(p.From, p.To, q.Filter)
	})
	if err == nil {
		report.TabulateFunnel(r, fs)
	}
	return err
}

// transformingCareReport: the register by rating and residential or inpatient placements on the
// last day and month by month, C(E)TRs held on time and overdue, personal budgets decided.
func (s *Service) transformingCareReport(tx Tx, r *report.Report, periods []report.Period, q ReportQuery) error {
	data, err := each(periods, func(p report.Period) (report.TransformingCareData, error) {
		return tx.Reports().TransformingCare(p.To, q.Filter)
	})
	if err == nil {
		report.TabulateTransformingCare(r, data, periods, s.opts.CTRPolicy)
	}
	return err
}
