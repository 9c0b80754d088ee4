package report

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Source computes the figures reports tabulate. The store implements it; a service sees only this.
type Source interface {
	Activity(from, to time.Time, f Filter) (a ActivityFigures, err error)
	SurveyAnswerCounts(from, to time.Time, f Filter, templateID, point string) ([]AnswerCount, error)
	// SurveyTemplates loads the templates with the ids given, with their question sets, in two
	// queries whatever their number; an id with no template is left out.
	SurveyTemplates(ids []string) (map[string]survey.Template, error)
	EHCTimeliness(from, to time.Time, f Filter) (TimelinessFigures, error)
	Transitions(q transition.GapQuery, ending transition.UpcomingQuery, f Filter) (TransitionSnapshot, error)
	Funnel(from, to time.Time, f Filter) (FunnelFigures, error)
	// TransformingCare loads what the transforming-care report is computed from, up to day to.
	TransformingCare(to time.Time, f Filter) (TransformingCareData, error)
}
