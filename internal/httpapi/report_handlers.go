package httpapi

import (
	"context"
	"math"

	"github.com/oneplan-send/oneplan/api"
)

// onTime is a count with its on-time share, rounded half away from zero to one decimal place.
func onTime(n, within int) api.OnTime {
	out := api.OnTime{Count: n, OnTime: within}
	if n > 0 {
		p := math.Round(float64(within)*1000/float64(n)) / 10
		out.Percent = &p
	}
	return out
}

func (h *handlers) GetEhcTimelinessReport(ctx context.Context, req api.GetEhcTimelinessReportRequestObject) (api.GetEhcTimelinessReportResponseObject, error) {
	from, to := req.Params.From, req.Params.To
	t, err := h.s.svc.EHCTimeliness(ctx, from.Time, to.Time)
	if err != nil {
		return nil, err
	}
	out := api.EhcTimelinessReport{From: from, To: to}
	out.DecisionsToAssess.Within6Weeks = onTime(t.Decisions, t.DecisionsWithin)
	out.DecisionsToAssess.ExceptionAdjusted = onTime(t.Decisions, t.DecisionsWithinAdjusted)
	out.PlansIssued.Within20Weeks = onTime(t.Plans, t.PlansWithin)
	out.PlansIssued.ExceptionAdjusted = onTime(t.Plans, t.PlansWithinAdjusted)
	out.PlansIssued.ExcludingExceptions = onTime(t.PlansNoExceptions, t.PlansNoExceptionsWithin)
	out.AnnualReviews.HeldByDueDate = onTime(t.Reviews, t.ReviewsHeldOnTime)
	out.AnnualReviews.DecidedWithin4Weeks = onTime(t.Reviews, t.ReviewsDecidedOnTime)
	return api.GetEhcTimelinessReport200JSONResponse(out), nil
}
