package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// Transforming Care (issue 17): the dynamic support register and placements.

type registerEntryRow struct {
	ID             string
	YoungPersonID  string
	Conditions     string
	Consent        string
	LawfulBasis    *string
	Keyworker      *string
	KeyworkerOrgID *string
	Actions        string
	Rating         string
	RatedSince     string
	LastCTROn      *string `gorm:"column:last_ctr_on"`
	CTRDueOn       *string `gorm:"column:ctr_due_on"`
	ClosedOn       *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func (registerEntryRow) TableName() string { return "support_register_entries" }

type registerRatingRow struct {
	ID               string
	EntryID          string
	Seq              int
	Rating           string
	Reasons          string
	Evidence         *string
	DecidedOn        string
	DecidedByActor   string
	DecidedByOrgID   *string
	DecidedByRole    string
	AdmittedOn       *string
	AdmissionPlanned bool
	RecordedAt       time.Time
}

func (registerRatingRow) TableName() string { return "support_register_ratings" }

// registerAction is an agreed action as stored in the entry's JSON column.
type registerAction struct {
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       string `json:"due_on,omitempty"`
	Done        bool   `json:"done,omitempty"`
	DoneOn      string `json:"done_on,omitempty"`
	Note        string `json:"note,omitempty"`
}

func toRegisterEntryRow(e tcare.Entry) registerEntryRow {
	actions := make([]registerAction, len(e.Actions))
	for i, a := range e.Actions {
		actions[i] = registerAction{Description: a.Description, Owner: a.Owner, Done: a.Done}
		if !a.DueOn.IsZero() {
			actions[i].DueOn = fromDate(a.DueOn)
		}
	}
	return registerEntryRow{ID: e.ID, YoungPersonID: e.YoungPersonID, Conditions: toJSON(e.Conditions), Consent: e.Consent,
		LawfulBasis: nullable(e.LawfulBasis), Keyworker: nullable(e.Keyworker), KeyworkerOrgID: nullable(e.KeyworkerOrg), Actions: toJSON(actions),
		Rating: string(e.Current().Rating), RatedSince: fromDate(e.RatedSince()), LastCTROn: optCivil(e.LastCTROn), CTRDueOn: optCivil(e.CTRDueOn),
		ClosedOn: optCivil(e.ClosedOn), CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

func (r registerEntryRow) toDomain(ratings []registerRatingRow) tcare.Entry {
	var actions []tcare.Action
	for _, a := range fromJSON[[]registerAction](&r.Actions) {
		actions = append(actions, tcare.Action{Description: a.Description, Owner: a.Owner, DueOn: toDate(a.DueOn), Done: a.Done})
	}
	e := tcare.Entry{ID: r.ID, YoungPersonID: r.YoungPersonID, Conditions: fromJSON[[]string](&r.Conditions), Consent: r.Consent,
		LawfulBasis: deref(r.LawfulBasis), Keyworker: deref(r.Keyworker), KeyworkerOrg: deref(r.KeyworkerOrgID), Actions: actions,
		LastCTROn: fromOptCivil(r.LastCTROn), CTRDueOn: fromOptCivil(r.CTRDueOn), ClosedOn: fromOptCivil(r.ClosedOn),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, h := range ratings {
		e.History = append(e.History, tcare.RatingChange{ID: h.ID, Rating: tcare.Rating(h.Rating), Reasons: fromJSON[[]string](&h.Reasons),
			Evidence: deref(h.Evidence), DecidedOn: toDate(h.DecidedOn), DecidedByActor: h.DecidedByActor, DecidedByOrgID: deref(h.DecidedByOrgID),
			DecidedByRole: h.DecidedByRole, AdmittedOn: fromOptCivil(h.AdmittedOn), AdmissionPlanned: h.AdmissionPlanned, RecordedAt: h.RecordedAt.UTC()})
	}
	e.StoredRatings = len(e.History)
	return e
}

// laterRatings keeps the inserts of the history rows the store does not hold yet.
func (tx tcareRepo) laterRatings(e tcare.Entry) error {
	for i := e.StoredRatings; i < len(e.History); i++ {
		h := e.History[i]
		row := registerRatingRow{ID: h.ID, EntryID: e.ID, Seq: i + 1, Rating: string(h.Rating), Reasons: toJSON(h.Reasons), Evidence: nullable(h.Evidence),
			DecidedOn: fromDate(h.DecidedOn), DecidedByActor: h.DecidedByActor, DecidedByOrgID: nullable(h.DecidedByOrgID), DecidedByRole: h.DecidedByRole,
			AdmittedOn: optCivil(h.AdmittedOn), AdmissionPlanned: h.AdmissionPlanned, RecordedAt: h.RecordedAt}
		if err := tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// CreateEntry inserts e with its history.
func (tx tcareRepo) CreateEntry(e tcare.Entry) error {
	row := toRegisterEntryRow(e)
	if err := tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
		return translate(err)
	}
	e.StoredRatings = 0
	return tx.laterRatings(e)
}

// UpdateEntry writes e if e.Version-1 is still current, with the ratings added since it was read.
func (tx tcareRepo) UpdateEntry(e tcare.Entry) error {
	row := toRegisterEntryRow(e)
	if err := updateVersioned(tx.conn, &row, "support_register_entries", e.ID, e.Version-1); err != nil {
		return err
	}
	return tx.laterRatings(e)
}

// withRatings loads the history of each row, oldest first, in one query.
func (tx tcareRepo) withRatings(rows []registerEntryRow) ([]tcare.Entry, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var ratings []registerRatingRow
	if err := tx.q().Where("entry_id IN ?", ids).Order("entry_id, seq").Find(&ratings).Error; err != nil {
		return nil, translate(err)
	}
	by := map[string][]registerRatingRow{}
	for _, h := range ratings {
		by[h.EntryID] = append(by[h.EntryID], h)
	}
	out := make([]tcare.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(by[r.ID])
	}
	return out, nil
}

// Entry loads one register entry with its history.
func (tx tcareRepo) Entry(id string) (tcare.Entry, error) {
	var row registerEntryRow
	err := tx.q().Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return tcare.Entry{}, fault.New(fault.NotFound, "No such register entry.")
	}
	if err != nil {
		return tcare.Entry{}, translate(err)
	}
	out, err := tx.withRatings([]registerEntryRow{row})
	if err != nil {
		return tcare.Entry{}, err
	}
	return out[0], nil
}

// EntryFor finds the young person's open entry.
func (tx tcareRepo) EntryFor(youngPersonID string) (tcare.Entry, bool, error) {
	var row registerEntryRow
	err := tx.q().Where("young_person_id = ? AND closed_on IS NULL", youngPersonID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return tcare.Entry{}, false, nil
	}
	if err != nil {
		return tcare.Entry{}, false, translate(err)
	}
	out, err := tx.withRatings([]registerEntryRow{row})
	if err != nil {
		return tcare.Entry{}, false, err
	}
	return out[0], true, nil
}

// Entries lists one page of the register, newest first.
func (tx tcareRepo) Entries(f tcare.Filter, p paging.Page) ([]tcare.Entry, string, error) {
	q := tx.q().Model(&registerEntryRow{})
	if f.Rating != "" {
		q = q.Where("support_register_entries.rating = ?", string(f.Rating))
	}
	if f.YoungPersonID != "" {
		q = q.Where("support_register_entries.young_person_id = ?", f.YoungPersonID)
	}
	if f.Locality != "" {
		q = q.Where("support_register_entries.young_person_id IN (SELECT yp.id FROM young_people yp WHERE yp.locality = ?)", f.Locality)
	}
	if f.Open != nil {
		if *f.Open {
			q = q.Where("support_register_entries.closed_on IS NULL")
		} else {
			q = q.Where("support_register_entries.closed_on IS NOT NULL")
		}
	}
	if f.OverdueOn != nil {
		q = q.Where("support_register_entries.closed_on IS NULL AND support_register_entries.ctr_due_on < ?", fromDate(*f.OverdueOn))
	}
	rows, next, err := listPage(q, "support_register_entries", p, func(r registerEntryRow) string { return r.ID },
		func(r registerEntryRow) registerEntryRow { return r })
	if err != nil {
		return nil, "", err
	}
	out, err := tx.withRatings(rows)
	return out, next, err
}

// Placements.

type placementRow struct {
	ID              string
	YoungPersonID   string
	Type            string
	SettingName     string
	SettingOrgID    *string
	EHCPlanID       *string `gorm:"column:ehc_plan_id"`
	StartOn         string
	EndOn           *string
	DistanceM       *int64
	AnnualCostPence *int64
	EducationPct    int
	SocialCarePct   int
	HealthPct       int
	Notes           *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
}

func (placementRow) TableName() string { return "placements" }

func toPlacementRow(p tcare.Placement) placementRow {
	row := placementRow{ID: p.ID, YoungPersonID: p.YoungPersonID, Type: p.Type, SettingName: p.SettingName, SettingOrgID: nullable(p.SettingOrgID),
		EHCPlanID: nullable(p.EHCPlanID), StartOn: fromDate(p.StartOn), EndOn: optCivil(p.EndOn), AnnualCostPence: p.AnnualCostPence,
		EducationPct: p.EducationPct, SocialCarePct: p.SocialCarePct, HealthPct: p.HealthPct, Notes: nullable(p.Notes),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.DistanceKm != nil {
		m := int64(*p.DistanceKm*1000 + 0.5)
		row.DistanceM = &m
	}
	return row
}

func (r placementRow) toDomain() tcare.Placement {
	p := tcare.Placement{ID: r.ID, YoungPersonID: r.YoungPersonID, Type: r.Type, SettingName: r.SettingName, SettingOrgID: deref(r.SettingOrgID),
		EHCPlanID: deref(r.EHCPlanID), StartOn: toDate(r.StartOn), EndOn: fromOptCivil(r.EndOn), AnnualCostPence: r.AnnualCostPence,
		EducationPct: r.EducationPct, SocialCarePct: r.SocialCarePct, HealthPct: r.HealthPct, Notes: deref(r.Notes),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.DistanceM != nil {
		km := float64(*r.DistanceM) / 1000
		p.DistanceKm = &km
	}
	return p
}

// CreatePlacement inserts p.
func (tx tcareRepo) CreatePlacement(p tcare.Placement) error {
	row := toPlacementRow(p)
	return translate(tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }))
}

// Placement loads one placement within scope.
func (tx tcareRepo) Placement(id string, s access.Scope) (tcare.Placement, error) {
	row, err := visibleByID[placementRow](tx.conn, "placements", id, s, "No such placement.")
	if err != nil {
		return tcare.Placement{}, err
	}
	return row.toDomain(), nil
}

// UpdatePlacement writes p if p.Version-1 is still current.
func (tx tcareRepo) UpdatePlacement(p tcare.Placement) error {
	row := toPlacementRow(p)
	return updateVersioned(tx.conn, &row, "placements", p.ID, p.Version-1)
}

// Placements lists one page within scope, newest first.
func (tx tcareRepo) Placements(f tcare.PlacementFilter, s access.Scope, p paging.Page) ([]tcare.Placement, string, error) {
	q := visibleYoungPeople(tx.q().Model(&placementRow{}), "placements.young_person_id", s)
	if f.YoungPersonID != "" {
		q = q.Where("placements.young_person_id = ?", f.YoungPersonID)
	}
	if f.Type != "" {
		q = q.Where("placements.type = ?", f.Type)
	}
	if f.CurrentOn != nil {
		on := fromDate(*f.CurrentOn)
		q = q.Where("placements.start_on <= ? AND (placements.end_on IS NULL OR placements.end_on >= ?)", on, on)
	}
	return listPage(q, "placements", p, func(r placementRow) string { return r.ID }, placementRow.toDomain)
}

// Care (education) and treatment reviews.

type reviewRow struct {
	ID               string
	EntryID          string
	YoungPersonID    string
	Kind             string
	Setting          string
	ScheduledOn      string
	HeldOn           *string
	Panel            *string
	FamilyViews      *string
	YoungPersonViews *string
	KeyQuestions     *string
	Findings         *string
	Outcome          *string
	Recommendations  string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int
}

func (reviewRow) TableName() string { return "care_treatment_reviews" }

type reviewPanel struct {
	Chair              string `json:"chair"`
	ClinicalExpert     string `json:"clinical_expert"`
	ExpertByExperience string `json:"expert_by_experience"`
}

type reviewRecommendation struct {
	Description string `json:"description"`
	Owner       string `json:"owner"`
	DueOn       string `json:"due_on"`
	Done        bool   `json:"done,omitempty"`
	DoneOn      string `json:"done_on,omitempty"`
	Note        string `json:"note,omitempty"`
}

func toReviewRow(r tcare.Review) reviewRow {
	recs := make([]reviewRecommendation, len(r.Recommendations))
	for i, rec := range r.Recommendations {
		recs[i] = reviewRecommendation{Description: rec.Description, Owner: rec.Owner, DueOn: fromDate(rec.DueOn), Done: rec.Done, Note: rec.Note}
		if !rec.DoneOn.IsZero() {
			recs[i].DoneOn = fromDate(rec.DoneOn)
		}
	}
	row := reviewRow{ID: r.ID, EntryID: r.EntryID, YoungPersonID: r.YoungPersonID, Kind: r.Kind, Setting: r.Setting, ScheduledOn: fromDate(r.ScheduledOn),
		HeldOn: optCivil(r.HeldOn), FamilyViews: nullable(r.FamilyViews), YoungPersonViews: nullable(r.YoungPersonViews),
		KeyQuestions: nullable(r.KeyQuestions), Findings: nullable(r.Findings), Outcome: nullable(r.Outcome), Recommendations: toJSON(recs),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if r.Panel != (tcare.Panel{}) {
		row.Panel = toJSONOrNull(reviewPanel{Chair: r.Panel.Chair, ClinicalExpert: r.Panel.ClinicalExpert, ExpertByExperience: r.Panel.ExpertByExperience}, false)
	}
	return row
}

func (r reviewRow) toDomain() tcare.Review {
	out := tcare.Review{ID: r.ID, EntryID: r.EntryID, YoungPersonID: r.YoungPersonID, Kind: r.Kind, Setting: r.Setting, ScheduledOn: toDate(r.ScheduledOn),
		HeldOn: fromOptCivil(r.HeldOn), FamilyViews: deref(r.FamilyViews), YoungPersonViews: deref(r.YoungPersonViews), KeyQuestions: deref(r.KeyQuestions),
		Findings: deref(r.Findings), Outcome: deref(r.Outcome), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.Panel != nil {
		p := fromJSON[reviewPanel](r.Panel)
		out.Panel = tcare.Panel{Chair: p.Chair, ClinicalExpert: p.ClinicalExpert, ExpertByExperience: p.ExpertByExperience}
	}
	for _, rec := range fromJSON[[]reviewRecommendation](&r.Recommendations) {
		r := tcare.Recommendation{Description: rec.Description, Owner: rec.Owner, DueOn: toDate(rec.DueOn), Done: rec.Done, Note: rec.Note}
		if rec.DoneOn != "" {
			r.DoneOn = toDate(rec.DoneOn)
		}
		out.Recommendations = append(out.Recommendations, r)
	}
	return out
}

// CreateReview inserts r.
func (tx tcareRepo) CreateReview(r tcare.Review) error {
	row := toReviewRow(r)
	return translate(tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }))
}

// Review loads one review.
func (tx tcareRepo) Review(id string) (tcare.Review, error) {
	var row reviewRow
	err := tx.q().Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return tcare.Review{}, fault.New(fault.NotFound, "No such care and treatment review.")
	}
	return row.toDomain(), translate(err)
}

// UpdateReview writes r if r.Version-1 is still current.
func (tx tcareRepo) UpdateReview(r tcare.Review) error {
	row := toReviewRow(r)
	return updateVersioned(tx.conn, &row, "care_treatment_reviews", r.ID, r.Version-1)
}

// Reviews lists one page of reviews, newest first.
func (tx tcareRepo) Reviews(f tcare.ReviewFilter, p paging.Page) ([]tcare.Review, string, error) {
	q := tx.q().Model(&reviewRow{})
	if f.EntryID != "" {
		q = q.Where("care_treatment_reviews.entry_id = ?", f.EntryID)
	}
	if f.YoungPersonID != "" {
		q = q.Where("care_treatment_reviews.young_person_id = ?", f.YoungPersonID)
	}
	switch f.Status {
	case tcare.ReviewScheduled:
		q = q.Where("care_treatment_reviews.held_on IS NULL")
	case tcare.ReviewHeld:
		q = q.Where("care_treatment_reviews.held_on IS NOT NULL")
	}
	return listPage(q, "care_treatment_reviews", p, func(r reviewRow) string { return r.ID }, reviewRow.toDomain)
}

// Personal budgets.

type budgetRow struct {
	ID             string
	YoungPersonID  string
	EHCPlanID      *string `gorm:"column:ehc_plan_id"`
	RequestedOn    string
	RequestedBy    string
	Status         string
	DecidedOn      *string
	RefusalReasons *string
	Parts          string
	// What the family asked for, and who recorded the request.
	RequestedStreams     *string
	OutcomesSought       *string
	PreferredArrangement *string
	RequestedThrough     string
	ReviewDueOn          *string
	// The review of a refusal, and the end of an agreed budget.
	ReviewRequestedOn *string
	ReviewOutcome     *string
	EndedOn           *string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

func (budgetRow) TableName() string { return "personal_budgets" }

type budgetPaymentRow struct {
	ID            string
	BudgetID      string
	YoungPersonID string
	Stream        string
	PaidOn        string
	AmountPence   int64
	Note          *string
	RecordedAt    time.Time
}

func (budgetPaymentRow) TableName() string { return "personal_budget_payments" }

type budgetPart struct {
	Stream            string `json:"stream"`
	Arrangement       string `json:"arrangement"`
	AmountPence       int64  `json:"amount_pence"`
	Period            string `json:"period"`
	AgreementSignedOn string `json:"agreement_signed_on,omitempty"`
	Monitoring        string `json:"monitoring,omitempty"`
}

func toBudgetRow(b tcare.Budget) budgetRow {
	parts := make([]budgetPart, len(b.Parts))
	for i, p := range b.Parts {
		parts[i] = budgetPart{Stream: p.Stream, Arrangement: p.Arrangement, AmountPence: p.AmountPence, Period: p.Period, Monitoring: p.Monitoring}
		if !p.AgreementSignedOn.IsZero() {
			parts[i].AgreementSignedOn = fromDate(p.AgreementSignedOn)
		}
	}
	row := budgetRow{ID: b.ID, YoungPersonID: b.YoungPersonID, EHCPlanID: nullable(b.EHCPlanID), RequestedOn: fromDate(b.RequestedOn),
		RequestedBy: b.RequestedBy, Status: b.Status, DecidedOn: optCivil(b.DecidedOn), RefusalReasons: nullable(b.RefusalReasons),
		Parts: toJSON(parts), ReviewDueOn: optCivil(b.ReviewDueOn), ReviewRequestedOn: optCivil(b.ReviewRequestedOn), ReviewOutcome: nullable(b.ReviewOutcome),
		EndedOn: optCivil(b.EndedOn), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Version: b.Version,
		OutcomesSought: nullable(b.OutcomesSought), PreferredArrangement: nullable(b.PreferredArrangement), RequestedThrough: b.RequestedThrough}
	if b.RequestedThrough == "" {
		row.RequestedThrough = tcare.ThroughCouncil
	}
	if len(b.RequestedStreams) > 0 {
		streams := toJSON(b.RequestedStreams)
		row.RequestedStreams = &streams
	}
	return row
}

func (r budgetRow) toDomain(payments []budgetPaymentRow) tcare.Budget {
	b := tcare.Budget{ID: r.ID, YoungPersonID: r.YoungPersonID, EHCPlanID: deref(r.EHCPlanID), RequestedOn: toDate(r.RequestedOn), RequestedBy: r.RequestedBy,
		Status: r.Status, DecidedOn: fromOptCivil(r.DecidedOn), RefusalReasons: deref(r.RefusalReasons), ReviewDueOn: fromOptCivil(r.ReviewDueOn),
		ReviewRequestedOn: fromOptCivil(r.ReviewRequestedOn), ReviewOutcome: deref(r.ReviewOutcome), EndedOn: fromOptCivil(r.EndedOn),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		OutcomesSought: deref(r.OutcomesSought), PreferredArrangement: deref(r.PreferredArrangement), RequestedThrough: r.RequestedThrough}
	if r.RequestedStreams != nil {
		b.RequestedStreams = fromJSON[[]string](r.RequestedStreams)
	}
	for _, p := range fromJSON[[]budgetPart](&r.Parts) {
		b.Parts = append(b.Parts, tcare.Part{Stream: p.Stream, Arrangement: p.Arrangement, AmountPence: p.AmountPence, Period: p.Period,
			AgreementSignedOn: toDate(p.AgreementSignedOn), Monitoring: p.Monitoring})
	}
	for _, p := range payments {
		b.Payments = append(b.Payments, tcare.Payment{ID: p.ID, Stream: p.Stream, PaidOn: toDate(p.PaidOn), AmountPence: p.AmountPence, Note: deref(p.Note),
			RecordedAt: p.RecordedAt.UTC()})
	}
	b.StoredPayments = len(b.Payments)
	return b
}

func (tx tcareRepo) laterPayments(b tcare.Budget) error {
	for i := b.StoredPayments; i < len(b.Payments); i++ {
		p := b.Payments[i]
		row := budgetPaymentRow{ID: p.ID, BudgetID: b.ID, YoungPersonID: b.YoungPersonID, Stream: p.Stream, PaidOn: fromDate(p.PaidOn),
			AmountPence: p.AmountPence, Note: nullable(p.Note), RecordedAt: p.RecordedAt}
		if err := tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
			return translate(err)
		}
	}
	return nil
}

// CreateBudget inserts b.
func (tx tcareRepo) CreateBudget(b tcare.Budget) error {
	row := toBudgetRow(b)
	if err := tx.later(func(db *gorm.DB) *gorm.DB { return db.Create(&row) }); err != nil {
		return translate(err)
	}
	b.StoredPayments = 0
	return tx.laterPayments(b)
}

// UpdateBudget writes b if b.Version-1 is still current, with the payments added since.
func (tx tcareRepo) UpdateBudget(b tcare.Budget) error {
	row := toBudgetRow(b)
	if err := updateVersioned(tx.conn, &row, "personal_budgets", b.ID, b.Version-1); err != nil {
		return err
	}
	return tx.laterPayments(b)
}

func (tx tcareRepo) withPayments(rows []budgetRow) ([]tcare.Budget, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var payments []budgetPaymentRow
	if err := tx.q().Where("budget_id IN ?", ids).Order("budget_id, paid_on, id").Find(&payments).Error; err != nil {
		return nil, translate(err)
	}
	by := map[string][]budgetPaymentRow{}
	for _, p := range payments {
		by[p.BudgetID] = append(by[p.BudgetID], p)
	}
	out := make([]tcare.Budget, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(by[r.ID])
	}
	return out, nil
}

// Budget loads one personal budget within scope, with its payments.
func (tx tcareRepo) Budget(id string, s access.Scope) (tcare.Budget, error) {
	var row budgetRow
	err := visibleYoungPeople(tx.q().Where("personal_budgets.id = ?", id), "personal_budgets.young_person_id", s).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return tcare.Budget{}, fault.New(fault.NotFound, "No such personal budget.")
	}
	if err != nil {
		return tcare.Budget{}, translate(err)
	}
	out, err := tx.withPayments([]budgetRow{row})
	if err != nil {
		return tcare.Budget{}, err
	}
	return out[0], nil
}

// Budgets lists one page within scope, newest first.
func (tx tcareRepo) Budgets(f tcare.BudgetFilter, s access.Scope, p paging.Page) ([]tcare.Budget, string, error) {
	q := visibleYoungPeople(tx.q().Model(&budgetRow{}), "personal_budgets.young_person_id", s)
	if f.YoungPersonID != "" {
		q = q.Where("personal_budgets.young_person_id = ?", f.YoungPersonID)
	}
	if f.EHCPlanID != "" {
		q = q.Where("personal_budgets.ehc_plan_id = ?", f.EHCPlanID)
	}
	if f.Status != "" {
		q = q.Where("personal_budgets.status = ?", f.Status)
	}
	rows, next, err := listPage(q, "personal_budgets", p, func(r budgetRow) string { return r.ID }, func(r budgetRow) budgetRow { return r })
	if err != nil {
		return nil, "", err
	}
	out, err := tx.withPayments(rows)
	return out, next, err
}
