package httpapi

import (
	"bytes"
	"context"
	"math"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/reports"
	"github.com/oneplan-send/oneplan/internal/csvsafe"
	"github.com/oneplan-send/oneplan/internal/report"
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

func (h *reportHandlers) GetEHCTimelinessReport(ctx context.Context, req api.GetEHCTimelinessReportRequestObject) (api.GetEHCTimelinessReportResponseObject, error) {
	from, to := req.Params.From, req.Params.To
	t, err := h.svc.EHCTimeliness(ctx, from.Time, to.Time)
	if err != nil {
		return nil, err
	}
	out := api.EHCTimelinessReport{From: from, To: to}
	out.DecisionsToAssess.Within6Weeks = onTime(t.Decisions, t.DecisionsWithin)
	out.DecisionsToAssess.ExceptionAdjusted = onTime(t.Decisions, t.DecisionsWithinAdjusted)
	out.PlansIssued.Within20Weeks = onTime(t.Plans, t.PlansWithin)
	out.PlansIssued.ExceptionAdjusted = onTime(t.Plans, t.PlansWithinAdjusted)
	out.PlansIssued.ExcludingExceptions = onTime(t.PlansNoExceptions, t.PlansNoExceptionsWithin)
	out.AnnualReviews.HeldByDueDate = onTime(t.Reviews, t.ReviewsHeldOnTime)
	out.AnnualReviews.DecidedWithin4Weeks = onTime(t.Reviews, t.ReviewsDecidedOnTime)
	return api.GetEHCTimelinessReport200JSONResponse(out), nil
}

type acceptKey struct{}

// keepAccept puts the Accept header in the context: a strict handler sees only the declared
// parameters, and OpenAPI does not let Accept be one.
func (s *Server) keepAccept(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a := c.Request().Header.Get("Accept"); a != "" {
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), acceptKey{}, a)))
		}
		return next(c)
	}
}

// wantsCSV reports whether the caller's Accept header prefers text/csv to JSON: the higher
// quality wins, and the one listed first on a tie.
func wantsCSV(ctx context.Context) bool {
	accept, _ := ctx.Value(acceptKey{}).(string)
	best, csvQ, jsonQ := -1.0, -1.0, -1.0
	csvFirst := false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "text/csv":
			if q > csvQ {
				csvQ = q
				if q > best {
					csvFirst, best = true, q
				}
			}
		case "application/json", "application/*", "*/*":
			if q > jsonQ {
				jsonQ = q
				if q > best {
					csvFirst, best = false, q
				}
			}
		}
	}
	return csvQ > 0 && (csvQ > jsonQ || (csvQ == jsonQ && csvFirst))
}

// reportQuery gathers the parameters every report takes.
func reportQuery(from, to api.ReportFrom, locality *api.ReportLocality, org *api.ReportOrganisation, compare *api.ReportCompare,
	disclosure *api.ReportDisclosure) reports.ReportQuery {
	q := reports.ReportQuery{From: from.Time, To: to.Time, Compare: ptrVal(compare), Disclosure: string(ptrVal(disclosure)),
		Filter: report.Filter{Locality: str(locality)}}
	if org != nil {
		q.Filter.OrganisationID = org.String()
	}
	return q
}

// answerReport computes a report for the caller and answers it as the JSON document or as CSV,
// as the Accept header asks; asJSON and asCSV wrap the answer in the operation's response types.
func answerReport[R any](ctx context.Context, h *reportHandlers, kind string, q reports.ReportQuery, open bool,
	asJSON func(api.ReportJSONResponse) R, asCSV func(api.ReportTextCsvResponse) R) (R, error) {
	var zero R
	compute := h.svc.Report
	if open {
		compute = h.svc.OpenDataReport
	}
	r, err := compute(ctx, kind, q)
	if err != nil {
		return zero, err
	}
	doc := toReport(kind, q, r, h.svc.Now())
	if !wantsCSV(ctx) {
		return asJSON(api.ReportJSONResponse(doc)), nil
	}
	b := reportCSV(doc)
	return asCSV(api.ReportTextCsvResponse{Body: bytes.NewReader(b), ContentLength: int64(len(b))}), nil
}

func toReport(kind string, q reports.ReportQuery, r report.Report, now time.Time) api.Report {
	mode := api.DisclosureMode(reports.DisclosureExact)
	if r.Control.Applied {
		mode = api.DisclosureMode(reports.DisclosureOpen)
	}
	out := api.Report{Report: api.ReportKind(kind), Title: r.Title, Period: api.ReportPeriod{From: date(r.Period.From), To: date(r.Period.To)},
		Disclosure: api.DisclosureControl{Control: mode, Threshold: r.Control.Threshold, Rounding: max(r.Control.Rounding, 1),
			ShowZeros: r.Control.ShowZeros, SuppressedCells: r.Control.Suppressed},
		GeneratedAt: now, Tables: make([]api.ReportTable, len(r.Tables))}
	if r.Previous != nil {
		out.PreviousPeriod = &api.ReportPeriod{From: date(r.Previous.From), To: date(r.Previous.To)}
	}
	out.Filters.Locality = ptr(q.Filter.Locality)
	out.Filters.OrganisationID = uuidPtr(q.Filter.OrganisationID)
	out.Filters.TemplateID = uuidPtr(q.TemplateID)
	out.Filters.Point = ptr(api.SurveyPoint(q.Point))
	for i, t := range r.Tables {
		at := api.ReportTable{Name: t.Name, Group: ptr(t.Group), Title: t.Title, Dimension: t.Dimension, Rows: make([]api.ReportRow, len(t.Rows))}
		for j, row := range t.Rows {
			ar := api.ReportRow{Category: row.Category, Label: row.Label, Measure: row.Measure, Suppressed: row.Current.Suppressed}
			if v, ok := row.Current.Shown(); ok {
				ar.Value = &v
			}
			if p := row.Previous; p != nil {
				suppressed := p.Suppressed
				ar.PreviousSuppressed = &suppressed
				if v, ok := p.Shown(); ok {
					ar.Previous = &v
				}
			}
			at.Rows[j] = ar
		}
		out.Tables[i] = at
	}
	return out
}

// csvWithheld marks a figure disclosure control withheld (the Government Statistical Service's
// symbol for confidential).
const csvWithheld = "[c]"

// reportCSV lays a report out as one tidy table: a row per figure.
func reportCSV(r api.Report) []byte {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf) // a label or locality is data: never a formula
	_ = w.Write([]string{"report", "table", "group", "dimension", "category", "label", "measure", "value", "previous"})
	cell := func(v *float64, suppressed bool) string {
		switch {
		case suppressed:
			return csvWithheld
		case v == nil:
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, t := range r.Tables {
		for _, row := range t.Rows {
			prev := ""
			if row.PreviousSuppressed != nil {
				prev = cell(row.Previous, *row.PreviousSuppressed)
			}
			_ = w.Write([]string{string(r.Report), t.Name, ptrVal(t.Group), t.Dimension, row.Category, row.Label, row.Measure,
				cell(row.Value, row.Suppressed), prev})
		}
	}
	w.Flush()
	return buf.Bytes()
}

func (h *reportHandlers) GetActivityReport(ctx context.Context, req api.GetActivityReportRequestObject) (api.GetActivityReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, reports.ReportActivity, reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure), false,
		func(d api.ReportJSONResponse) api.GetActivityReportResponseObject {
			return api.GetActivityReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetActivityReportResponseObject {
			return api.GetActivityReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetExperienceReport(ctx context.Context, req api.GetExperienceReportRequestObject) (api.GetExperienceReportResponseObject, error) {
	p := req.Params
	q := reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure)
	q.TemplateID, q.Point = uuidStr(p.TemplateID), string(ptrVal(p.Point))
	return answerReport(ctx, h, reports.ReportExperience, q, false,
		func(d api.ReportJSONResponse) api.GetExperienceReportResponseObject {
			return api.GetExperienceReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetExperienceReportResponseObject {
			return api.GetExperienceReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetTimelinessReport(ctx context.Context, req api.GetTimelinessReportRequestObject) (api.GetTimelinessReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, reports.ReportTimeliness, reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure), false,
		func(d api.ReportJSONResponse) api.GetTimelinessReportResponseObject {
			return api.GetTimelinessReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetTimelinessReportResponseObject {
			return api.GetTimelinessReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetTransitionsReport(ctx context.Context, req api.GetTransitionsReportRequestObject) (api.GetTransitionsReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, reports.ReportTransitions, reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure), false,
		func(d api.ReportJSONResponse) api.GetTransitionsReportResponseObject {
			return api.GetTransitionsReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetTransitionsReportResponseObject {
			return api.GetTransitionsReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetFunnelReport(ctx context.Context, req api.GetFunnelReportRequestObject) (api.GetFunnelReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, reports.ReportFunnel, reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure), false,
		func(d api.ReportJSONResponse) api.GetFunnelReportResponseObject {
			return api.GetFunnelReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetFunnelReportResponseObject {
			return api.GetFunnelReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetTransformingCareReport(ctx context.Context, req api.GetTransformingCareReportRequestObject) (api.GetTransformingCareReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, reports.ReportTransformingCare, reportQuery(p.From, p.To, p.Locality, p.OrganisationID, p.Compare, p.Disclosure), false,
		func(d api.ReportJSONResponse) api.GetTransformingCareReportResponseObject {
			return api.GetTransformingCareReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetTransformingCareReportResponseObject {
			return api.GetTransformingCareReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) GetOpenDataReport(ctx context.Context, req api.GetOpenDataReportRequestObject) (api.GetOpenDataReportResponseObject, error) {
	p := req.Params
	return answerReport(ctx, h, string(req.Report), reportQuery(p.From, p.To, p.Locality, nil, p.Compare, nil), true,
		func(d api.ReportJSONResponse) api.GetOpenDataReportResponseObject {
			return api.GetOpenDataReport200JSONResponse{ReportJSONResponse: d}
		},
		func(c api.ReportTextCsvResponse) api.GetOpenDataReportResponseObject {
			return api.GetOpenDataReport200TextCsvResponse{ReportTextCsvResponse: c}
		})
}

func (h *reportHandlers) ExportSen2(ctx context.Context, req api.ExportSen2RequestObject) (api.ExportSen2ResponseObject, error) {
	out, err := h.svc.ExportSEN2(ctx, req.Params.ReferenceDate.Time)
	if err != nil {
		return nil, err
	}
	disposition := `attachment; filename="` + out.FileName + `"`
	return api.ExportSen2200ApplicationZipResponse{Body: bytes.NewReader(out.Zip), ContentLength: int64(len(out.Zip)),
		Headers: api.ExportSen2200ResponseHeaders{ContentDisposition: &disposition, XSEN2People: &out.People, XSEN2Issues: &out.Issues}}, nil
}
