package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// Survey templates. Question sets are rows of their own: a published set never changes, and a
// new version is an insert plus the template's version bump.

type surveyTemplateRow struct {
	ID          string
	Code        string
	Name        string
	Description *string
	Audience    string
	BuiltIn     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

func (surveyTemplateRow) TableName() string { return "survey_templates" }

type surveyTemplateVersionRow struct {
	TemplateID string `gorm:"primaryKey"`
	Number     int    `gorm:"primaryKey"`
	Questions  string
	CreatedAt  time.Time
}

func (surveyTemplateVersionRow) TableName() string { return "survey_template_versions" }

func toSurveyTemplateRow(t survey.Template) surveyTemplateRow {
	return surveyTemplateRow{ID: t.ID, Code: t.Code, Name: t.Name, Description: nullable(t.Description), Audience: t.Audience, BuiltIn: t.BuiltIn,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

func (r surveyTemplateRow) toDomain(versions []surveyTemplateVersionRow) survey.Template {
	t := survey.Template{ID: r.ID, Code: r.Code, Name: r.Name, Description: deref(r.Description), Audience: r.Audience, BuiltIn: r.BuiltIn,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, v := range versions {
		t.Versions = append(t.Versions, survey.QuestionSet{Number: v.Number, Questions: fromJSON[[]survey.Question](&v.Questions), CreatedAt: v.CreatedAt.UTC()})
	}
	return t
}

func (tx conn) insertQuestionSet(templateID string, set survey.QuestionSet) error {
	row := surveyTemplateVersionRow{TemplateID: templateID, Number: set.Number, Questions: toJSON(set.Questions), CreatedAt: set.CreatedAt}
	return translate(tx.w().Create(&row).Error)
}

// CreateSurveyTemplate inserts t with its question sets; a taken code is a conflict.
func (tx surveyRepo) CreateTemplate(t survey.Template) error {
	row := toSurveyTemplateRow(t)
	if err := tx.w().Create(&row).Error; err != nil {
		if err = translate(err); fault.KindOf(err) == fault.Conflict {
			return fault.Field(fault.Conflict, "/code", "another template already has this code")
		}
		return err
	}
	for _, set := range t.Versions {
		if err := tx.insertQuestionSet(t.ID, set); err != nil {
			return err
		}
	}
	return nil
}

// AddSurveyQuestionSet stores t's newest question set if t.Version-1 is still current.
func (tx surveyRepo) AddQuestionSet(t survey.Template) error {
	row := toSurveyTemplateRow(t)
	if err := updateVersioned(tx.conn, &row, "survey_templates", t.ID, t.Version-1); err != nil {
		return err
	}
	return tx.insertQuestionSet(t.ID, t.Current())
}

// SurveyTemplate loads one template with every question set.
func (tx surveyRepo) Template(id string) (survey.Template, error) {
	row, err := get[surveyTemplateRow](tx.conn, "survey template", id)
	if err != nil {
		return survey.Template{}, err
	}
	var versions []surveyTemplateVersionRow
	if err := tx.q().Where("template_id = ?", id).Order("number").Find(&versions).Error; err != nil {
		return survey.Template{}, translate(err)
	}
	return row.toDomain(versions), nil
}

// SurveyTemplates lists one page of templates, each with its question sets (one query for the
// page's sets, not one per template).
func (tx surveyRepo) Templates(audience string, p paging.Page) ([]survey.Template, string, error) {
	q := tx.q().Model(&surveyTemplateRow{})
	if audience != "" {
		q = q.Where("audience = ?", audience)
	}
	rows, next, err := listPage(q, "survey_templates", p, func(r surveyTemplateRow) string { return r.ID },
		func(r surveyTemplateRow) surveyTemplateRow { return r })
	if err != nil || len(rows) == 0 {
		return nil, next, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var versions []surveyTemplateVersionRow
	if err := tx.q().Where("template_id IN ?", ids).Order("template_id, number").Find(&versions).Error; err != nil {
		return nil, "", translate(err)
	}
	byTemplate := map[string][]surveyTemplateVersionRow{}
	for _, v := range versions {
		byTemplate[v.TemplateID] = append(byTemplate[v.TemplateID], v)
	}
	out := make([]survey.Template, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(byTemplate[r.ID])
	}
	return out, next, nil
}

// Survey responses. Answers are kept twice: as JSON on the response, as given, and one
// survey_answers row each in the form reports group by (score, choice).

type surveyResponseRow struct {
	ID               string
	TemplateID       string
	TemplateVersion  int
	Audience         string
	ProfessionalRole *string
	Point            string
	ReferralID       *string
	EHCPlanID        *string `gorm:"column:ehc_plan_id"`
	YoungPersonID    *string
	SubmittedOn      string
	Via              string
	InvitationID     *string
	RespondentOrgID  *string
	PractitionerID   *string
	Answers          string
	CreatedAt        time.Time
	Version          int
}

func (surveyResponseRow) TableName() string { return "survey_responses" }

func (r surveyResponseRow) toDomain() survey.Response {
	return survey.Response{ID: r.ID, TemplateID: r.TemplateID, TemplateVersion: r.TemplateVersion, Audience: r.Audience,
		ProfessionalRole: deref(r.ProfessionalRole), Point: r.Point, ReferralID: deref(r.ReferralID), EHCPlanID: deref(r.EHCPlanID),
		YoungPersonID: deref(r.YoungPersonID), Answers: fromJSON[[]survey.Answer](&r.Answers), SubmittedOn: toDate(r.SubmittedOn), Via: r.Via,
		InvitationID: deref(r.InvitationID), RespondentOrgID: deref(r.RespondentOrgID), PractitionerID: deref(r.PractitionerID),
		CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

type surveyAnswerRow struct {
	ResponseID       string
	QuestionID       string
	TemplateID       string
	Audience         string
	ProfessionalRole *string
	Point            string
	SubmittedOn      string
	YoungPersonID    *string
	QuestionType     string
	Score            *int
	Choice           *string
}

func (surveyAnswerRow) TableName() string { return "survey_answers" }

// CreateSurveyResponse inserts r and its reportable answers.
func (tx surveyRepo) CreateResponse(r survey.Response, scores []survey.Score) error {
	row := surveyResponseRow{ID: r.ID, TemplateID: r.TemplateID, TemplateVersion: r.TemplateVersion, Audience: r.Audience,
		ProfessionalRole: nullable(r.ProfessionalRole), Point: r.Point, ReferralID: nullable(r.ReferralID), EHCPlanID: nullable(r.EHCPlanID),
		YoungPersonID: nullable(r.YoungPersonID), SubmittedOn: fromDate(r.SubmittedOn), Via: r.Via, InvitationID: nullable(r.InvitationID),
		RespondentOrgID: nullable(r.RespondentOrgID), PractitionerID: nullable(r.PractitionerID), Answers: toJSON(r.Answers),
		CreatedAt: r.CreatedAt, Version: r.Version}
	if err := tx.w().Create(&row).Error; err != nil {
		return translate(err)
	}
	if len(scores) == 0 {
		return nil
	}
	answers := make([]surveyAnswerRow, len(scores))
	for i, s := range scores {
		answers[i] = surveyAnswerRow{ResponseID: r.ID, QuestionID: s.QuestionID, TemplateID: r.TemplateID, Audience: r.Audience,
			ProfessionalRole: row.ProfessionalRole, Point: r.Point, SubmittedOn: row.SubmittedOn, YoungPersonID: row.YoungPersonID,
			QuestionType: s.Type, Score: s.Score, Choice: nullable(s.Choice)}
	}
	return translate(tx.w().Create(&answers).Error)
}

// SurveyResponse loads one response within scope. Anonymous responses belong to no child, so
// only callers whose reach is the whole council see them.
func (tx surveyRepo) Response(id string, s access.Scope) (survey.Response, error) {
	row, err := visibleByID[surveyResponseRow](tx.conn, "survey_responses", id, s, "No such survey response.")
	if err != nil {
		return survey.Response{}, err
	}
	return row.toDomain(), nil
}

// SurveyResponses lists one page within scope.
func (tx surveyRepo) Responses(f survey.ResponseFilter, s access.Scope, p paging.Page) ([]survey.Response, string, error) {
	q := visibleYoungPeople(tx.q().Model(&surveyResponseRow{}), "survey_responses.young_person_id", s)
	for col, v := range map[string]string{"template_id": f.TemplateID, "referral_id": f.ReferralID, "ehc_plan_id": f.EHCPlanID,
		"young_person_id": f.YoungPersonID, "point": f.Point} {
		if v != "" {
			q = q.Where("survey_responses."+col+" = ?", v)
		}
	}
	if f.Audiences != nil {
		q = q.Where("survey_responses.audience IN ?", f.Audiences)
	}
	return listPage(q, "survey_responses", p, func(r surveyResponseRow) string { return r.ID }, surveyResponseRow.toDomain)
}

// Invitations.

type surveyInvitationRow struct {
	ID              string
	TokenHash       string
	TemplateID      string
	TemplateVersion int
	Audience        string
	Point           string
	ReferralID      *string
	EHCPlanID       *string `gorm:"column:ehc_plan_id"`
	YoungPersonID   string
	ExpiresAt       time.Time
	AnsweredAt      *time.Time
	ResponseID      *string
	CreatedByOrgID  *string
	CreatedAt       time.Time
	Version         int
}

func (surveyInvitationRow) TableName() string { return "survey_invitations" }

func toSurveyInvitationRow(i survey.Invitation) surveyInvitationRow {
	return surveyInvitationRow{ID: i.ID, TokenHash: i.TokenHash, TemplateID: i.TemplateID, TemplateVersion: i.TemplateVersion, Audience: i.Audience,
		Point: i.Point, ReferralID: nullable(i.ReferralID), EHCPlanID: nullable(i.EHCPlanID), YoungPersonID: i.YoungPersonID, ExpiresAt: i.ExpiresAt,
		AnsweredAt: i.AnsweredAt, ResponseID: nullable(i.ResponseID), CreatedByOrgID: nullable(i.CreatedByOrgID), CreatedAt: i.CreatedAt, Version: i.Version}
}

func (r surveyInvitationRow) toDomain() survey.Invitation {
	i := survey.Invitation{ID: r.ID, TokenHash: r.TokenHash, TemplateID: r.TemplateID, TemplateVersion: r.TemplateVersion, Audience: r.Audience,
		Point: r.Point, ReferralID: deref(r.ReferralID), EHCPlanID: deref(r.EHCPlanID), YoungPersonID: r.YoungPersonID, ExpiresAt: r.ExpiresAt.UTC(),
		ResponseID: deref(r.ResponseID), CreatedByOrgID: deref(r.CreatedByOrgID), CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
	if r.AnsweredAt != nil {
		at := r.AnsweredAt.UTC()
		i.AnsweredAt = &at
	}
	return i
}

// CreateSurveyInvitation inserts i.
func (tx surveyRepo) CreateInvitation(i survey.Invitation) error {
	row := toSurveyInvitationRow(i)
	return translate(tx.w().Create(&row).Error)
}

// SurveyInvitationByToken finds an invitation by its token's hash.
func (tx surveyRepo) InvitationByToken(hash string) (survey.Invitation, error) {
	var row surveyInvitationRow
	err := tx.q().Where("token_hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return survey.Invitation{}, fault.New(fault.NotFound, "No such invitation: check the link.")
	}
	return row.toDomain(), translate(err)
}

// SurveyInvitation loads one invitation within scope.
func (tx surveyRepo) Invitation(id string, s access.Scope) (survey.Invitation, error) {
	row, err := visibleByID[surveyInvitationRow](tx.conn, "survey_invitations", id, s, "No such survey invitation.")
	if err != nil {
		return survey.Invitation{}, err
	}
	return row.toDomain(), nil
}

// UpdateSurveyInvitation writes i if i.Version-1 is still current.
func (tx surveyRepo) UpdateInvitation(i survey.Invitation) error {
	row := toSurveyInvitationRow(i)
	return updateVersioned(tx.conn, &row, "survey_invitations", i.ID, i.Version-1)
}

// SurveyInvitations lists one page within scope.
func (tx surveyRepo) Invitations(f survey.InvitationFilter, s access.Scope, p paging.Page) ([]survey.Invitation, string, error) {
	q := visibleYoungPeople(tx.q().Model(&surveyInvitationRow{}), "survey_invitations.young_person_id", s)
	if f.ReferralID != "" {
		q = q.Where("survey_invitations.referral_id = ?", f.ReferralID)
	}
	if f.EHCPlanID != "" {
		q = q.Where("survey_invitations.ehc_plan_id = ?", f.EHCPlanID)
	}
	switch f.Status {
	case "answered":
		q = q.Where("survey_invitations.answered_at IS NOT NULL")
	case "pending":
		q = q.Where("survey_invitations.answered_at IS NULL AND survey_invitations.expires_at > ?", f.Now.UTC())
	case "expired":
		q = q.Where("survey_invitations.answered_at IS NULL AND survey_invitations.expires_at <= ?", f.Now.UTC())
	}
	return listPage(q, "survey_invitations", p, func(r surveyInvitationRow) string { return r.ID }, surveyInvitationRow.toDomain)
}
