package httpapi

import (
	"context"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/privacy"
	"github.com/oneplan-send/oneplan/internal/casework/transformingcare"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// Transforming Care (issue 17): the dynamic support register and placements.

type tcareHandlers struct {
	s   *Server
	svc *transformingcare.Service
}

func toRegisterActions(as []tcare.Action) []api.RegisterAction {
	out := make([]api.RegisterAction, len(as))
	for i, a := range as {
		out[i] = api.RegisterAction{Description: a.Description, Owner: a.Owner, DueOn: civilPtr(a.DueOn), Done: ptr(a.Done)}
	}
	return out
}

func fromRegisterActions(as []api.RegisterAction) []tcare.Action {
	out := make([]tcare.Action, len(as))
	for i, a := range as {
		out[i] = tcare.Action{Description: a.Description, Owner: a.Owner, DueOn: civilOf(a.DueOn), Done: ptrVal(a.Done)}
	}
	return out
}

func (h *tcareHandlers) toRegisterEntry(e tcare.Entry) api.RegisterEntry {
	return toRegisterEntry(e, h.svc.Policy(), h.s.today())
}

// toRegisterEntry shows an entry with its C(E)TR due date under pol, overdue as of today.
func toRegisterEntry(e tcare.Entry, pol tcare.Policy, today time.Time) api.RegisterEntry {
	conditions := e.Conditions
	if conditions == nil {
		conditions = []string{}
	}
	out := api.RegisterEntry{ID: mustUUID(e.ID), YoungPersonID: mustUUID(e.YoungPersonID), Conditions: conditions,
		Consent: api.RegisterEntryConsent(e.Consent), LawfulBasis: ptr(e.LawfulBasis), Keyworker: ptr(e.Keyworker), Actions: toRegisterActions(e.Actions),
		Rating: api.RegisterRating(e.Current().Rating), RatedSince: date(e.RatedSince()), History: make([]api.RegisterRatingRecord, len(e.History)),
		LastCtrOn: civilPtr(e.LastCTROn), CtrDueOn: civilPtr(e.CTRDue(pol)), CtrOverdue: e.Overdue(pol, today),
		Status: api.RegisterEntryStatus("open"), ClosedOn: civilPtr(e.ClosedOn), CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
	if e.KeyworkerOrg != "" {
		out.KeyworkerOrganisationID = ptr(mustUUID(e.KeyworkerOrg))
	}
	if !e.Open() {
		out.Status = api.RegisterEntryStatus("closed")
	}
	for i, r := range e.History {
		rec := api.RegisterRatingRecord{ID: mustUUID(r.ID), Rating: api.RegisterRating(r.Rating), Reasons: r.Reasons, Evidence: ptr(r.Evidence),
			DecidedOn: date(r.DecidedOn), AdmittedOn: civilPtr(r.AdmittedOn), RecordedAt: r.RecordedAt}
		if r.Rating == tcare.Blue {
			rec.AdmissionPlanned = ptr(r.AdmissionPlanned)
		}
		rec.DecidedBy.Actor, rec.DecidedBy.Role = r.DecidedByActor, r.DecidedByRole
		if r.DecidedByOrgID != "" {
			rec.DecidedBy.OrganisationID = ptr(mustUUID(r.DecidedByOrgID))
		}
		out.History[i] = rec
	}
	return out
}

func fromRatingInput(in api.RegisterRatingInput) tcare.RatingChange {
	return tcare.RatingChange{Rating: tcare.Rating(in.Rating), Reasons: in.Reasons, Evidence: str(in.Evidence), DecidedOn: in.DecidedOn.Time,
		AdmittedOn: civilOf(in.AdmittedOn), AdmissionPlanned: ptrVal(in.AdmissionPlanned)}
}

func (h *tcareHandlers) CreateRegisterEntry(ctx context.Context, req api.CreateRegisterEntryRequestObject) (api.CreateRegisterEntryResponseObject, error) {
	b := req.Body
	conditions := make([]string, len(b.Conditions))
	for i, c := range b.Conditions {
		conditions[i] = string(c)
	}
	slices.Sort(conditions)
	in := tcare.Entry{YoungPersonID: b.YoungPersonID.String(), Conditions: conditions, Consent: string(b.Consent), LawfulBasis: str(b.LawfulBasis),
		Keyworker: str(b.Keyworker), KeyworkerOrg: uuidStr(b.KeyworkerOrganisationID), Actions: fromRegisterActions(ptrVal(b.Actions))}
	e, err := h.svc.CreateEntry(ctx, in, fromRatingInput(b.Rating))
	if err != nil {
		return nil, err
	}
	return api.CreateRegisterEntry201JSONResponse{Body: h.toRegisterEntry(e), Headers: api.CreateRegisterEntry201ResponseHeaders{
		Location: location("/v1/support-register", e.ID), ETag: etag(e.Version)}}, nil
}

func (h *tcareHandlers) ListRegisterEntries(ctx context.Context, req api.ListRegisterEntriesRequestObject) (api.ListRegisterEntriesResponseObject, error) {
	q := req.Params
	f := tcare.Filter{Rating: tcare.Rating(ptrVal(q.Rating)), Locality: str(q.Locality), YoungPersonID: uuidStr(q.YoungPersonID), Open: q.Open}
	if ptrVal(q.Overdue) {
		today := h.s.today()
		f.OverdueOn = &today
	}
	items, next, err := h.svc.Entries(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListRegisterEntries200JSONResponse{Items: make([]api.RegisterEntry, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = h.toRegisterEntry(e)
	}
	return out, nil
}

func (h *tcareHandlers) GetRegisterEntry(ctx context.Context, req api.GetRegisterEntryRequestObject) (api.GetRegisterEntryResponseObject, error) {
	e, err := h.svc.Entry(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetRegisterEntry200JSONResponse{Body: h.toRegisterEntry(e), Headers: api.GetRegisterEntry200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (h *tcareHandlers) RateRegisterEntry(ctx context.Context, req api.RateRegisterEntryRequestObject) (api.RateRegisterEntryResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	var actions *[]tcare.Action
	if req.Body.Actions != nil {
		as := fromRegisterActions(*req.Body.Actions)
		actions = &as
	}
	e, err := h.svc.Rate(ctx, req.ID.String(), ifMatch, fromRatingInput(*req.Body), actions)
	if err != nil {
		return nil, err
	}
	return api.RateRegisterEntry200JSONResponse{Body: h.toRegisterEntry(e), Headers: api.RateRegisterEntry200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (h *tcareHandlers) RecordRegisterCTR(ctx context.Context, req api.RecordRegisterCTRRequestObject) (api.RecordRegisterCTRResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.HoldCTR(ctx, req.ID.String(), ifMatch, req.Body.HeldOn.Time)
	if err != nil {
		return nil, err
	}
	return api.RecordRegisterCTR200JSONResponse{Body: h.toRegisterEntry(e), Headers: api.RecordRegisterCTR200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

func (h *tcareHandlers) CloseRegisterEntry(ctx context.Context, req api.CloseRegisterEntryRequestObject) (api.CloseRegisterEntryResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.Close(ctx, req.ID.String(), ifMatch, req.Body.ClosedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.CloseRegisterEntry200JSONResponse{Body: h.toRegisterEntry(e), Headers: api.CloseRegisterEntry200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

// Placements.

func toPlacement(p tcare.Placement) api.Placement {
	funders := []api.PlacementFunders{}
	for _, f := range p.Funders() {
		funders = append(funders, api.PlacementFunders(f))
	}
	out := api.Placement{ID: mustUUID(p.ID), YoungPersonID: mustUUID(p.YoungPersonID), Type: api.PlacementType(p.Type), SettingName: p.SettingName,
		StartOn: date(p.StartOn), EndOn: civilPtr(p.EndOn), WeeksPerYear: p.WeeksPerYear(), Residential: p.Residential(), DistanceKm: p.DistanceKm,
		AnnualCostPence: p.AnnualCostPence, EducationPct: p.EducationPct, SocialCarePct: p.SocialCarePct, HealthPct: p.HealthPct, Funders: funders,
		Notes: ptr(p.Notes), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.SettingOrgID != "" {
		out.SettingOrganisationID = ptr(mustUUID(p.SettingOrgID))
	}
	if p.EHCPlanID != "" {
		out.EHCPlanID = ptr(mustUUID(p.EHCPlanID))
	}
	return out
}

func (h *tcareHandlers) CreatePlacement(ctx context.Context, req api.CreatePlacementRequestObject) (api.CreatePlacementResponseObject, error) {
	b := req.Body
	in := tcare.Placement{YoungPersonID: b.YoungPersonID.String(), Type: string(b.Type), SettingName: b.SettingName,
		SettingOrgID: uuidStr(b.SettingOrganisationID), EHCPlanID: uuidStr(b.EHCPlanID), StartOn: b.StartOn.Time, EndOn: civilOf(b.EndOn),
		DistanceKm: b.DistanceKm, AnnualCostPence: b.AnnualCostPence, EducationPct: ptrVal(b.EducationPct), SocialCarePct: ptrVal(b.SocialCarePct),
		HealthPct: ptrVal(b.HealthPct), Notes: str(b.Notes)}
	p, err := h.svc.CreatePlacement(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.CreatePlacement201JSONResponse{Body: toPlacement(p), Headers: api.CreatePlacement201ResponseHeaders{
		Location: location("/v1/placements", p.ID), ETag: etag(p.Version)}}, nil
}

func (h *tcareHandlers) ListPlacements(ctx context.Context, req api.ListPlacementsRequestObject) (api.ListPlacementsResponseObject, error) {
	q := req.Params
	f := tcare.PlacementFilter{YoungPersonID: uuidStr(q.YoungPersonID), Type: string(ptrVal(q.Type)), CurrentOn: fromOptDate(q.CurrentOn)}
	items, next, err := h.svc.Placements(ctx, f, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListPlacements200JSONResponse{Items: make([]api.Placement, len(items)), NextCursor: nextCursor(next)}
	for i, p := range items {
		out.Items[i] = toPlacement(p)
	}
	return out, nil
}

func (h *tcareHandlers) GetPlacement(ctx context.Context, req api.GetPlacementRequestObject) (api.GetPlacementResponseObject, error) {
	p, err := h.svc.Placement(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetPlacement200JSONResponse{Body: toPlacement(p), Headers: api.GetPlacement200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

func (h *tcareHandlers) EndPlacement(ctx context.Context, req api.EndPlacementRequestObject) (api.EndPlacementResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.EndPlacement(ctx, req.ID.String(), ifMatch, req.Body.EndOn.Time)
	if err != nil {
		return nil, err
	}
	return api.EndPlacement200JSONResponse{Body: toPlacement(p), Headers: api.EndPlacement200ResponseHeaders{ETag: etag(p.Version)}}, nil
}

// Care (education) and treatment reviews.

func (h *tcareHandlers) toReview(r tcare.Review) api.CareTreatmentReview {
	return toReview(r, h.s.today())
}

// toReview shows a review with its recommendations' overdue flags as of today.
func toReview(r tcare.Review, today time.Time) api.CareTreatmentReview {
	overdue := map[int]bool{}
	for _, i := range r.Overdue(today) {
		overdue[i] = true
	}
	out := api.CareTreatmentReview{ID: mustUUID(r.ID), RegisterEntryID: mustUUID(r.EntryID), YoungPersonID: mustUUID(r.YoungPersonID),
		Kind: api.CareTreatmentReviewKind(r.Kind), Setting: api.CareTreatmentReviewSetting(r.Setting), ScheduledOn: date(r.ScheduledOn),
		HeldOn: civilPtr(r.HeldOn), Status: api.CareTreatmentReviewStatus(r.Status()), FamilyViews: ptr(r.FamilyViews),
		YoungPersonViews: ptr(r.YoungPersonViews), KeyQuestions: ptr(r.KeyQuestions), Findings: ptr(r.Findings),
		Outcome: ptr(api.CareTreatmentReviewOutcome(r.Outcome)), Recommendations: make([]api.CareTreatmentRecommendation, len(r.Recommendations)),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if r.Panel != (tcare.Panel{}) {
		out.Panel = &api.CareTreatmentReviewPanel{Chair: r.Panel.Chair, ClinicalExpert: r.Panel.ClinicalExpert, ExpertByExperience: r.Panel.ExpertByExperience}
	}
	for i, rec := range r.Recommendations {
		out.Recommendations[i] = api.CareTreatmentRecommendation{Description: rec.Description, Owner: rec.Owner, DueOn: date(rec.DueOn),
			Done: ptr(rec.Done), Overdue: ptr(overdue[i]), DoneOn: civilPtr(rec.DoneOn), Note: ptr(rec.Note)}
	}
	return out
}

func (h *tcareHandlers) ScheduleCareTreatmentReview(ctx context.Context, req api.ScheduleCareTreatmentReviewRequestObject) (api.ScheduleCareTreatmentReviewResponseObject, error) {
	b := req.Body
	r, err := h.svc.ScheduleReview(ctx, tcare.Review{EntryID: b.RegisterEntryID.String(), Kind: string(b.Kind), Setting: string(b.Setting),
		ScheduledOn: b.ScheduledOn.Time, KeyQuestions: str(b.KeyQuestions)})
	if err != nil {
		return nil, err
	}
	return api.ScheduleCareTreatmentReview201JSONResponse{Body: h.toReview(r), Headers: api.ScheduleCareTreatmentReview201ResponseHeaders{
		Location: location("/v1/care-treatment-reviews", r.ID), ETag: etag(r.Version)}}, nil
}

func (h *tcareHandlers) ListCareTreatmentReviews(ctx context.Context, req api.ListCareTreatmentReviewsRequestObject) (api.ListCareTreatmentReviewsResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.Reviews(ctx, tcare.ReviewFilter{EntryID: uuidStr(q.RegisterEntryID), YoungPersonID: uuidStr(q.YoungPersonID),
		Status: string(ptrVal(q.Status))}, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListCareTreatmentReviews200JSONResponse{Items: make([]api.CareTreatmentReview, len(items)), NextCursor: nextCursor(next)}
	for i, r := range items {
		out.Items[i] = h.toReview(r)
	}
	return out, nil
}

func (h *tcareHandlers) GetCareTreatmentReview(ctx context.Context, req api.GetCareTreatmentReviewRequestObject) (api.GetCareTreatmentReviewResponseObject, error) {
	r, err := h.svc.Review(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetCareTreatmentReview200JSONResponse{Body: h.toReview(r), Headers: api.GetCareTreatmentReview200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *tcareHandlers) HoldCareTreatmentReview(ctx context.Context, req api.HoldCareTreatmentReviewRequestObject) (api.HoldCareTreatmentReviewResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := req.Body
	held := tcare.Review{HeldOn: b.HeldOn.Time, Panel: tcare.Panel{Chair: b.Panel.Chair, ClinicalExpert: b.Panel.ClinicalExpert,
		ExpertByExperience: b.Panel.ExpertByExperience}, FamilyViews: str(b.FamilyViews), YoungPersonViews: str(b.YoungPersonViews),
		KeyQuestions: str(b.KeyQuestions), Findings: str(b.Findings), Outcome: string(b.Outcome)}
	for _, rec := range ptrVal(b.Recommendations) {
		held.Recommendations = append(held.Recommendations, tcare.Recommendation{Description: rec.Description, Owner: rec.Owner, DueOn: rec.DueOn.Time,
			Done: ptrVal(rec.Done)})
	}
	r, err := h.svc.HoldReview(ctx, req.ID.String(), ifMatch, held)
	if err != nil {
		return nil, err
	}
	return api.HoldCareTreatmentReview200JSONResponse{Body: h.toReview(r), Headers: api.HoldCareTreatmentReview200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

// Personal budgets.

func toBudget(b tcare.Budget) api.PersonalBudget {
	out := api.PersonalBudget{ID: mustUUID(b.ID), YoungPersonID: mustUUID(b.YoungPersonID), RequestedOn: date(b.RequestedOn),
		RequestedBy: api.PersonalBudgetRequestedBy(b.RequestedBy), Status: api.PersonalBudgetStatus(b.Status), DecidedOn: civilPtr(b.DecidedOn),
		RefusalReasons: ptr(b.RefusalReasons), Integrated: b.Integrated(), Parts: make([]api.PersonalBudgetPart, len(b.Parts)),
		ReviewDueOn: civilPtr(b.ReviewDueOn), Payments: make([]api.PersonalBudgetPayment, len(b.Payments)), SpentPence: b.Spent(),
		SectionJ: b.SectionJ(), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Version: b.Version,
		ReviewRequestedOn: civilPtr(b.ReviewRequestedOn), EndedOn: civilPtr(b.EndedOn)}
	if b.ReviewOutcome != "" {
		out.ReviewOutcome = ptr(api.PersonalBudgetReviewOutcome(b.ReviewOutcome))
	}
	out.OutcomesSought, out.PreferredArrangement = ptr(b.OutcomesSought), ptr(api.PersonalBudgetPreferredArrangement(b.PreferredArrangement))
	out.RequestedThrough = ptr(api.PersonalBudgetRequestedThrough(b.RequestedThrough))
	if len(b.RequestedStreams) > 0 {
		streams := make([]api.PersonalBudgetRequestedStreams, len(b.RequestedStreams))
		for i, st := range b.RequestedStreams {
			streams[i] = api.PersonalBudgetRequestedStreams(st)
		}
		out.RequestedStreams = &streams
	}
	if b.EHCPlanID != "" {
		out.EHCPlanID = ptr(mustUUID(b.EHCPlanID))
	}
	for i, p := range b.Parts {
		out.Parts[i] = api.PersonalBudgetPart{Stream: api.PersonalBudgetPartStream(p.Stream), Arrangement: api.PersonalBudgetPartArrangement(p.Arrangement),
			AmountPence: p.AmountPence, Period: api.PersonalBudgetPartPeriod(p.Period), AgreementSignedOn: civilPtr(p.AgreementSignedOn), Monitoring: ptr(p.Monitoring)}
	}
	for i, p := range b.Payments {
		out.Payments[i] = api.PersonalBudgetPayment{ID: mustUUID(p.ID), Stream: api.PersonalBudgetPaymentStream(p.Stream), PaidOn: date(p.PaidOn),
			AmountPence: p.AmountPence, Note: ptr(p.Note), RecordedAt: p.RecordedAt}
	}
	return out
}

func (h *tcareHandlers) RequestPersonalBudget(ctx context.Context, req api.RequestPersonalBudgetRequestObject) (api.RequestPersonalBudgetResponseObject, error) {
	b := req.Body
	in := tcare.Budget{YoungPersonID: b.YoungPersonID.String(), EHCPlanID: uuidStr(b.EHCPlanID),
		RequestedOn: b.RequestedOn.Time, RequestedBy: string(b.RequestedBy), OutcomesSought: str(b.OutcomesSought),
		PreferredArrangement: string(ptrVal(b.PreferredArrangement))}
	for _, st := range ptrVal(b.RequestedStreams) {
		in.RequestedStreams = append(in.RequestedStreams, string(st))
	}
	out, err := h.svc.RequestBudget(ctx, in)
	if err != nil {
		return nil, err
	}
	return api.RequestPersonalBudget201JSONResponse{Body: toBudget(out), Headers: api.RequestPersonalBudget201ResponseHeaders{
		Location: location("/v1/personal-budgets", out.ID), ETag: etag(out.Version)}}, nil
}

func (h *tcareHandlers) ListPersonalBudgets(ctx context.Context, req api.ListPersonalBudgetsRequestObject) (api.ListPersonalBudgetsResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.Budgets(ctx, tcare.BudgetFilter{YoungPersonID: uuidStr(q.YoungPersonID), EHCPlanID: uuidStr(q.EHCPlanID),
		Status: string(ptrVal(q.Status))}, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListPersonalBudgets200JSONResponse{Items: make([]api.PersonalBudget, len(items)), NextCursor: nextCursor(next)}
	for i, b := range items {
		out.Items[i] = toBudget(b)
	}
	return out, nil
}

func (h *tcareHandlers) GetPersonalBudget(ctx context.Context, req api.GetPersonalBudgetRequestObject) (api.GetPersonalBudgetResponseObject, error) {
	b, err := h.svc.Budget(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetPersonalBudget200JSONResponse{Body: toBudget(b), Headers: api.GetPersonalBudget200ResponseHeaders{ETag: etag(b.Version)}}, nil
}

func (h *tcareHandlers) DecidePersonalBudget(ctx context.Context, req api.DecidePersonalBudgetRequestObject) (api.DecidePersonalBudgetResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	in := req.Body
	var parts []tcare.Part
	for _, p := range ptrVal(in.Parts) {
		parts = append(parts, tcare.Part{Stream: string(p.Stream), Arrangement: string(p.Arrangement), AmountPence: p.AmountPence, Period: string(p.Period),
			AgreementSignedOn: civilOf(p.AgreementSignedOn), Monitoring: str(p.Monitoring)})
	}
	b, err := h.svc.DecideBudget(ctx, req.ID.String(), ifMatch, in.Decision == "agreed", in.DecidedOn.Time, str(in.Reasons), parts, civilOf(in.ReviewDueOn))
	if err != nil {
		return nil, err
	}
	return api.DecidePersonalBudget200JSONResponse{Body: toBudget(b), Headers: api.DecidePersonalBudget200ResponseHeaders{ETag: etag(b.Version)}}, nil
}

func (h *tcareHandlers) RecordPersonalBudgetPayment(ctx context.Context, req api.RecordPersonalBudgetPaymentRequestObject) (api.RecordPersonalBudgetPaymentResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	in := req.Body
	b, err := h.svc.PayBudget(ctx, req.ID.String(), ifMatch, tcare.Payment{Stream: string(in.Stream), PaidOn: in.PaidOn.Time, AmountPence: in.AmountPence,
		Note: str(in.Note)})
	if err != nil {
		return nil, err
	}
	return api.RecordPersonalBudgetPayment200JSONResponse{Body: toBudget(b), Headers: api.RecordPersonalBudgetPayment200ResponseHeaders{ETag: etag(b.Version)}}, nil
}

// exportTransformingCare adds the young person's register entries, C(E)TRs, placements and
// personal budgets to a subject access export.
func exportTransformingCare(x privacy.Export, out *api.SubjectAccessExport, pol tcare.Policy, today time.Time) {
	register := make([]api.RegisterEntry, len(x.Register))
	for i, e := range x.Register {
		register[i] = toRegisterEntry(e, pol, today)
	}
	reviews := make([]api.CareTreatmentReview, len(x.CTRs))
	for i, r := range x.CTRs {
		reviews[i] = toReview(r, today)
	}
	placements := make([]api.Placement, len(x.Placements))
	for i, p := range x.Placements {
		placements[i] = toPlacement(p)
	}
	budgets := make([]api.PersonalBudget, len(x.Budgets))
	for i, b := range x.Budgets {
		budgets[i] = toBudget(b)
	}
	out.SupportRegister, out.CareTreatmentReviews, out.Placements, out.PersonalBudgets = &register, &reviews, &placements, &budgets
}

func (h *tcareHandlers) CompleteCareTreatmentRecommendation(ctx context.Context, req api.CompleteCareTreatmentRecommendationRequestObject) (api.CompleteCareTreatmentRecommendationResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	r, err := h.svc.CompleteRecommendation(ctx, req.ID.String(), req.Index, ifMatch, req.Body.DoneOn.Time, str(req.Body.Note))
	if err != nil {
		return nil, err
	}
	return api.CompleteCareTreatmentRecommendation200JSONResponse{Body: h.toReview(r),
		Headers: api.CompleteCareTreatmentRecommendation200ResponseHeaders{ETag: etag(r.Version)}}, nil
}

func (h *tcareHandlers) ReviewPersonalBudget(ctx context.Context, req api.ReviewPersonalBudgetRequestObject) (api.ReviewPersonalBudgetResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b, err := h.svc.ReviewBudget(ctx, req.ID.String(), ifMatch, req.Body.RequestedOn.Time, string(req.Body.Outcome))
	if err != nil {
		return nil, err
	}
	return api.ReviewPersonalBudget200JSONResponse{Body: toBudget(b), Headers: api.ReviewPersonalBudget200ResponseHeaders{ETag: etag(b.Version)}}, nil
}

func (h *tcareHandlers) EndPersonalBudget(ctx context.Context, req api.EndPersonalBudgetRequestObject) (api.EndPersonalBudgetResponseObject, error) {
	ifMatch, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b, err := h.svc.EndBudget(ctx, req.ID.String(), ifMatch, req.Body.EndedOn.Time)
	if err != nil {
		return nil, err
	}
	return api.EndPersonalBudget200JSONResponse{Body: toBudget(b), Headers: api.EndPersonalBudget200ResponseHeaders{ETag: etag(b.Version)}}, nil
}
