package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

type ehcPlanRow struct {
	ID                 string
	YoungPersonID      string
	EHCRequestID       *string `gorm:"column:ehc_request_id"`
	TransferredFromLA  *string `gorm:"column:transferred_from_la"`
	Status             string
	FirstIssuedOn      *string
	LastIssuedOn       *string
	ReviewDueOn        *string
	LastReviewedOn     *string
	PhaseTransfer      *string
	PhaseTransferDueOn *string
	TransferIn         *string
	CeaseReason        *string
	CeaseDecidedOn     *string
	CeasesOn           *string
	CeaseNotes         *string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
}

func (ehcPlanRow) TableName() string { return "ehc_plans" }

type ehcPlanVersionRow struct {
	PlanID         string `gorm:"primaryKey"`
	Number         int    `gorm:"primaryKey"`
	Kind           string
	State          string
	Sections       string
	ServedOn       *string
	CommentsDueOn  *string
	FinalDueOn     *string
	IssuedOn       *string
	Reason         *string
	AnnualReviewID *string
	CreatedAt      time.Time
}

func (ehcPlanVersionRow) TableName() string { return "ehc_plan_versions" }

// phaseTransferJSON and cessation facts are stored flat; sections as JSON in the shape of the API.
type phaseTransferJSON struct {
	Kind       string `json:"kind"`
	TransferOn string `json:"transfer_on"`
}

// transferInJSON is a plan's transfer in from another authority (Reg 15), as stored.
type transferInJSON struct {
	FromLA           string  `json:"from_la"`
	MovedOn          string  `json:"moved_on"`
	AwareOn          string  `json:"old_authority_aware_on"`
	TransferredOn    string  `json:"transferred_on"`
	MadeOn           string  `json:"made_on"`
	LastReviewedOn   *string `json:"last_reviewed_on,omitempty"`
	FamilyNotifiedOn *string `json:"family_notified_on,omitempty"`
}

type sectionsJSON struct {
	A  viewsJSON     `json:"a"`
	B  []needJSON    `json:"b"`
	C  []needJSON    `json:"c"`
	D  []needJSON    `json:"d"`
	E  []outcomeJSON `json:"e"`
	F  []lineJSON    `json:"f"`
	G  []lineJSON    `json:"g"`
	H1 []lineJSON    `json:"h1"`
	H2 []lineJSON    `json:"h2"`
	I  placementJSON `json:"i"`
	J  *budgetJSON   `json:"j,omitempty"`
	K  []adviceKJSON `json:"k"`
}

type viewsJSON struct {
	Views       string `json:"views,omitempty"`
	Interests   string `json:"interests,omitempty"`
	Aspirations string `json:"aspirations,omitempty"`
	WhoseWords  string `json:"whose_words,omitempty"`
}

type needJSON struct {
	Ref         string `json:"ref"`
	SENType     string `json:"sen_type,omitempty"`
	Rank        int    `json:"rank,omitempty"`
	Description string `json:"description"`
}

type outcomeJSON struct {
	Ref         string   `json:"ref"`
	Description string   `json:"description"`
	Needs       []string `json:"needs"`
	PfAArea     string   `json:"pfa_area,omitempty"`
}

type lineJSON struct {
	Ref      string   `json:"ref"`
	What     string   `json:"what"`
	Who      string   `json:"who"`
	HowOften string   `json:"how_often"`
	HowLong  string   `json:"how_long"`
	Outcomes []string `json:"outcomes"`
}

type placementJSON struct {
	SettingName       string `json:"setting_name,omitempty"`
	SettingType       string `json:"setting_type,omitempty"`
	URN               string `json:"urn,omitempty"`
	UKPRN             string `json:"ukprn,omitempty"`
	Residential       *bool  `json:"residential,omitempty"`
	WorkBasedLearning *bool  `json:"work_based_learning,omitempty"`
	ConsultationID    string `json:"consultation_id,omitempty"`
	PlacementID       string `json:"placement_id,omitempty"`
}

type budgetJSON struct {
	Type  string `json:"type"`
	Lines []struct {
		Stream      string `json:"stream"`
		AmountPence int64  `json:"amount_pence"`
	} `json:"lines"`
}

type adviceKJSON struct {
	Adviser string `json:"adviser"`
	Source  string `json:"source"`
	On      string `json:"on,omitempty"`
}

func needsJSON(ns []ehcplan.Need) []needJSON {
	out := make([]needJSON, len(ns))
	for i, n := range ns {
		out[i] = needJSON(n)
	}
	return out
}

func linesJSON(ls []ehcplan.Provision) []lineJSON {
	out := make([]lineJSON, len(ls))
	for i, l := range ls {
		out[i] = lineJSON(l)
	}
	return out
}

func encodeSections(s ehcplan.Sections) string {
	j := sectionsJSON{A: viewsJSON(s.A), B: needsJSON(s.B), C: needsJSON(s.C), D: needsJSON(s.D), F: linesJSON(s.F), G: linesJSON(s.G),
		H1: linesJSON(s.H1), H2: linesJSON(s.H2), I: placementJSON(s.I)}
	for _, o := range s.E {
		j.E = append(j.E, outcomeJSON(o))
	}
	if s.J != nil {
		b := &budgetJSON{Type: s.J.Type}
		for _, l := range s.J.Lines {
			b.Lines = append(b.Lines, struct {
				Stream      string `json:"stream"`
				AmountPence int64  `json:"amount_pence"`
			}{l.Stream, l.AmountPence})
		}
		j.J = b
	}
	for _, k := range s.K {
		a := adviceKJSON{Adviser: k.Adviser, Source: k.Source}
		if !k.On.IsZero() {
			a.On = fromDate(k.On)
		}
		j.K = append(j.K, a)
	}
	return toJSON(j)
}

func decodeSections(raw string) ehcplan.Sections {
	j := fromJSON[sectionsJSON](&raw)
	needs := func(ns []needJSON) []ehcplan.Need {
		var out []ehcplan.Need
		for _, n := range ns {
			out = append(out, ehcplan.Need(n))
		}
		return out
	}
	lines := func(ls []lineJSON) []ehcplan.Provision {
		var out []ehcplan.Provision
		for _, l := range ls {
			out = append(out, ehcplan.Provision(l))
		}
		return out
	}
	s := ehcplan.Sections{A: ehcplan.Views(j.A), B: needs(j.B), C: needs(j.C), D: needs(j.D), F: lines(j.F), G: lines(j.G), H1: lines(j.H1),
		H2: lines(j.H2), I: ehcplan.Placement(j.I)}
	for _, o := range j.E {
		s.E = append(s.E, ehcplan.Outcome(o))
	}
	if j.J != nil {
		s.J = &ehcplan.PersonalBudget{Type: j.J.Type}
		for _, l := range j.J.Lines {
			s.J.Lines = append(s.J.Lines, ehcplan.BudgetLine{Stream: l.Stream, AmountPence: l.AmountPence})
		}
	}
	for _, k := range j.K {
		a := ehcplan.AdviceObtained{Adviser: k.Adviser, Source: k.Source}
		if k.On != "" {
			a.On = toDate(k.On)
		}
		s.K = append(s.K, a)
	}
	return s
}

func toEHCPlanRow(p ehcplan.Plan) ehcPlanRow {
	row := ehcPlanRow{ID: p.ID, YoungPersonID: p.YoungPersonID, EHCRequestID: nullable(p.RequestID), TransferredFromLA: nullable(p.TransferredFromLA), Status: string(p.Status),
		FirstIssuedOn: optDate(p.FirstIssuedOn), LastIssuedOn: optDate(p.LastIssuedOn),
		ReviewDueOn: optDate(p.ReviewDueOn), LastReviewedOn: optDate(p.LastReviewedOn), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if t := p.PhaseTransfer; t != nil {
		s := toJSON(phaseTransferJSON{Kind: string(t.Kind), TransferOn: fromDate(t.TransferOn)})
		row.PhaseTransfer, row.PhaseTransferDueOn = &s, optDate(&t.DueOn)
	}
	if t := p.Transfer; t != nil {
		s := toJSON(transferInJSON{FromLA: t.FromLA, MovedOn: fromDate(t.MovedOn), AwareOn: fromDate(t.AwareOn), TransferredOn: fromDate(t.TransferredOn),
			MadeOn: fromDate(t.MadeOn), LastReviewedOn: optDate(t.LastReviewedOn), FamilyNotifiedOn: optDate(t.FamilyNotifiedOn)})
		row.TransferIn = &s
	}
	if c := p.Cessation; c != nil {
		row.CeaseReason, row.CeaseDecidedOn, row.CeasesOn, row.CeaseNotes = nullable(c.Reason), optDate(&c.DecidedOn), optDate(&c.CeasesOn), nullable(c.Notes)
	}
	return row
}

func (r ehcPlanRow) toDomain(versions []ehcPlanVersionRow) ehcplan.Plan {
	p := ehcplan.Plan{ID: r.ID, YoungPersonID: r.YoungPersonID, RequestID: deref(r.EHCRequestID), TransferredFromLA: deref(r.TransferredFromLA), Status: ehcplan.Status(r.Status),
		FirstIssuedOn: toOptDate(r.FirstIssuedOn), LastIssuedOn: toOptDate(r.LastIssuedOn), ReviewDueOn: toOptDate(r.ReviewDueOn),
		LastReviewedOn: toOptDate(r.LastReviewedOn), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	for _, v := range versions {
		p.Versions = append(p.Versions, ehcplan.Version{Number: v.Number, Kind: ehcplan.Kind(v.Kind), Sections: decodeSections(v.Sections),
			ServedOn: toOptDate(v.ServedOn), CommentsDueOn: toOptDate(v.CommentsDueOn), FinalDueOn: toOptDate(v.FinalDueOn),
			IssuedOn: toOptDate(v.IssuedOn), Reason: deref(v.Reason), AnnualReviewID: deref(v.AnnualReviewID), CreatedAt: v.CreatedAt.UTC()})
	}
	if r.PhaseTransfer != nil {
		t := fromJSON[phaseTransferJSON](r.PhaseTransfer)
		p.PhaseTransfer = &ehcplan.PhaseTransfer{Kind: statutory.TransferKind(t.Kind), TransferOn: toDate(t.TransferOn), DueOn: toDate(deref(r.PhaseTransferDueOn))}
	}
	if r.TransferIn != nil {
		t := fromJSON[transferInJSON](r.TransferIn)
		p.Transfer = &ehcplan.TransferIn{FromLA: t.FromLA, MovedOn: toDate(t.MovedOn), AwareOn: toDate(t.AwareOn), TransferredOn: toDate(t.TransferredOn),
			MadeOn: toDate(t.MadeOn), LastReviewedOn: toOptDate(t.LastReviewedOn), FamilyNotifiedOn: toOptDate(t.FamilyNotifiedOn)}
	}
	if r.CeaseReason != nil {
		p.Cessation = &ehcplan.Cessation{Reason: *r.CeaseReason, DecidedOn: toDate(deref(r.CeaseDecidedOn)), CeasesOn: toDate(deref(r.CeasesOn)),
			AppealRightsNotified: true, Notes: deref(r.CeaseNotes)}
	}
	return p
}

func toVersionRow(planID string, v ehcplan.Version) ehcPlanVersionRow {
	state := "open"
	if v.Frozen() {
		state = "frozen"
	}
	return ehcPlanVersionRow{PlanID: planID, Number: v.Number, Kind: string(v.Kind), State: state, Sections: encodeSections(v.Sections),
		ServedOn: optDate(v.ServedOn), CommentsDueOn: optDate(v.CommentsDueOn), FinalDueOn: optDate(v.FinalDueOn), IssuedOn: optDate(v.IssuedOn),
		Reason: nullable(v.Reason), AnnualReviewID: nullable(v.AnnualReviewID), CreatedAt: v.CreatedAt}
}

// CreateEHCPlan inserts p with its versions. A second current plan for the young person is a
// conflict (the one-plan rule, kept by a partial unique index).
func (tx planRepo) Create(p ehcplan.Plan) error {
	row := toEHCPlanRow(p)
	if err := translate(tx.w().Create(&row).Error); err != nil {
		return err
	}
	for _, v := range p.Versions {
		vr := toVersionRow(p.ID, v)
		if err := translate(tx.w().Create(&vr).Error); err != nil {
			return err
		}
	}
	return nil
}

// EHCPlan loads one plan with its versions within scope.
func (tx planRepo) Get(id string, s access.Scope) (ehcplan.Plan, error) {
	var row ehcPlanRow
	err := visibleYoungPeople(tx.q().Where("ehc_plans.id = ?", id), "ehc_plans.young_person_id", s).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ehcplan.Plan{}, fault.New(fault.NotFound, "No such EHC plan.")
	}
	if err != nil {
		return ehcplan.Plan{}, translate(err)
	}
	plans, err := tx.withVersions([]ehcPlanRow{row})
	if err != nil {
		return ehcplan.Plan{}, err
	}
	return plans[0], nil
}

func (tx conn) withVersions(rows []ehcPlanRow) ([]ehcplan.Plan, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var vs []ehcPlanVersionRow
	if err := tx.q().Where("plan_id IN ?", ids).Order("plan_id, number").Find(&vs).Error; err != nil {
		return nil, translate(err)
	}
	byPlan := map[string][]ehcPlanVersionRow{}
	for _, v := range vs {
		byPlan[v.PlanID] = append(byPlan[v.PlanID], v)
	}
	var budgets []budgetRow
	if err := tx.q().Where("ehc_plan_id IN ? AND status IN ?", ids, []string{tcare.BudgetAgreed, tcare.BudgetEnded}).
		Order("created_at DESC, id DESC").Find(&budgets).Error; err != nil {
		return nil, translate(err)
	}
	budgetsOf := map[string][]tcare.Budget{}
	for _, b := range budgets {
		budgetsOf[deref(b.EHCPlanID)] = append(budgetsOf[deref(b.EHCPlanID)], b.toDomain(nil))
	}
	held, err := externalIDRepo{tx}.Of(externalid.EHCPlan, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]ehcplan.Plan, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(byPlan[r.ID])
		if b, ok := tcare.PlanBudget(budgetsOf[r.ID]); ok {
			out[i].BudgetJ = b.PlanJ()
		}
		out[i].ExternalIDs = held[r.ID]
	}
	return out, nil
}

// UpdateEHCPlan writes p if p.Version-1 is still current. Frozen versions already stored are
// never rewritten; open versions are rewritten, new ones added and lapsed ones removed.
func (tx planRepo) Update(p ehcplan.Plan) error {
	row := toEHCPlanRow(p)
	if err := updateVersioned(tx.conn, &row, "ehc_plans", p.ID, p.Version-1); err != nil {
		return err
	}
	var stored []ehcPlanVersionRow
	if err := tx.q().Where("plan_id = ?", p.ID).Find(&stored).Error; err != nil {
		return translate(err)
	}
	have := map[int]ehcPlanVersionRow{}
	for _, v := range stored {
		have[v.Number] = v
	}
	for _, v := range p.Versions {
		vr := toVersionRow(p.ID, v)
		old, ok := have[v.Number]
		switch {
		case !ok:
			if err := translate(tx.w().Create(&vr).Error); err != nil {
				return err
			}
		case old.State == "frozen":
		default:
			if err := translate(tx.w().Model(&ehcPlanVersionRow{}).Where("plan_id = ? AND number = ?", p.ID, v.Number).
				Select("*").Omit("plan_id", "number", "created_at").UpdateColumns(&vr).Error); err != nil {
				return err
			}
		}
	}
	return translate(tx.w().Where("plan_id = ? AND number > ? AND state <> ?", p.ID, len(p.Versions), "frozen").Delete(&ehcPlanVersionRow{}).Error)
}

// EHCPlans lists one page of plans within scope.
func (tx planRepo) List(f ehcplan.Filter, s access.Scope, p paging.Page) ([]ehcplan.Plan, string, error) {
	q := visibleYoungPeople(tx.q().Model(&ehcPlanRow{}), "ehc_plans.young_person_id", s)
	if f.YoungPersonID != "" {
		q = q.Where("ehc_plans.young_person_id = ?", f.YoungPersonID)
	}
	if f.RequestID != "" {
		q = q.Where("ehc_plans.ehc_request_id = ?", f.RequestID)
	}
	if f.ExternalID != nil {
		q = q.Where("ehc_plans.id IN (SELECT x.record_id FROM external_ids x WHERE x.record_type = 'ehc_plan' AND x.system = ? AND x.value = ?)",
			f.ExternalID.System, f.ExternalID.Value)
	}
	today := fromDate(f.Today)
	switch f.Status {
	case "":
	case string(ehcplan.Ceasing):
		q = q.Where("ehc_plans.status = ? AND ehc_plans.ceases_on > ?", string(ehcplan.Ceasing), today)
	case string(ehcplan.Ceased):
		q = q.Where("(ehc_plans.status = ? OR (ehc_plans.status = ? AND ehc_plans.ceases_on <= ?))", string(ehcplan.Ceased), string(ehcplan.Ceasing), today)
	default:
		q = q.Where("ehc_plans.status = ?", f.Status)
	}
	rows, next, err := listPage(q, "ehc_plans", p, func(r ehcPlanRow) string { return r.ID }, func(r ehcPlanRow) ehcPlanRow { return r })
	if err != nil {
		return nil, "", err
	}
	plans, err := tx.withVersions(rows)
	return plans, next, err
}

// CeasePlansDue returns up to limit (0: every) ceasing plans whose cease date has come by today,
// in id order: one young person's, or everyone's when youngPersonID is empty.
func (tx planRepo) CeaseDue(today time.Time, youngPersonID string, limit int) ([]ehcplan.Plan, error) {
	var rows []ehcPlanRow
	q := tx.q().Where("status = ? AND ceases_on <= ?", string(ehcplan.Ceasing), fromDate(today))
	if youngPersonID != "" {
		q = q.Where("young_person_id = ?", youngPersonID)
	}
	if limit > 0 {
		q = q.Order("id").Limit(limit)
	}
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return tx.withVersions(rows)
}
