// Package surveys runs outcome surveys: templates with versioned questions, responses about a
// referral or plan (or anonymous), and invitations a family answers by link without an account.
package surveys

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// Tx is what the survey use cases need of a transaction.
type Tx interface {
	referrals.Tx
	Plans() ehcplan.Repository
	Surveys() survey.Repository
}

// Service runs the survey use cases.
type Service struct {
	casework.Core
	db        casework.DB[Tx]
	referrals *referrals.Service
}

// New returns the survey service.
func New(core casework.Core, db casework.DB[Tx], referrals *referrals.Service) *Service {
	return &Service{Core: core, db: db, referrals: referrals}
}

// CreateSurveyTemplate adds a council's own survey instrument.
func (s *Service) CreateSurveyTemplate(ctx context.Context, code, name, description, audience string, questions []survey.Question) (t survey.Template, err error) {
	defer casework.Wrap(&err, "create survey template")
	p, err := casework.Allow(ctx, auth.ManageSurveys)
	if err != nil {
		return t, err
	}
	if t, err = survey.NewTemplate(code, name, description, audience, questions, s.Now()); err != nil {
		return t, err
	}
	t.ID = casework.NewID()
	err = s.db.InTx(ctx, func(tx Tx) error {
		if err := tx.Surveys().CreateTemplate(t); err != nil {
			return err
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, survey.TemplateRecordType, t.ID, "", nil),
			s.Notice(outbox.SurveyTemplateCreated, t.ID, map[string]any{"code": t.Code, "audience": t.Audience, "version": t.Version}))
	})
	return t, err
}

// AddSurveyTemplateVersion publishes a new version of a council template's questions.
func (s *Service) AddSurveyTemplateVersion(ctx context.Context, id string, ifMatch *int, questions []survey.Question) (t survey.Template, err error) {
	defer casework.Wrap(&err, "add survey template version %s", id)
	p, err := casework.Allow(ctx, auth.ManageSurveys)
	if err != nil {
		return t, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		if t, err = tx.Surveys().Template(id); err != nil {
			return err
		}
		if err := casework.CheckVersion(ifMatch, t.Version); err != nil {
			return err
		}
		if err := t.AddVersion(questions, s.Now()); err != nil {
			return err
		}
		if err := tx.Surveys().AddQuestionSet(t); err != nil {
			return casework.Raced(err, ifMatch)
		}
		return casework.Record(tx, s.Event(ctx, p, audit.Update, survey.TemplateRecordType, t.ID, "", []string{"questions"}),
			s.Notice(outbox.SurveyTemplateVersioned, t.ID, map[string]any{"code": t.Code, "version": t.Version}))
	})
	return t, err
}

// SurveyTemplate reads one template. Templates hold questions, nothing personal.
func (s *Service) SurveyTemplate(ctx context.Context, id string) (t survey.Template, err error) {
	defer casework.Wrap(&err, "read survey template %s", id)
	if _, err := casework.Allow(ctx, auth.ReadSurveys); err != nil {
		return t, err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		t, err = tx.Surveys().Template(id)
		return err
	})
	return t, err
}

// SurveyTemplates lists templates, built-in and the council's own.
func (s *Service) SurveyTemplates(ctx context.Context, audience string, pg paging.Page) (out []survey.Template, next string, err error) {
	defer casework.Wrap(&err, "list survey templates")
	if _, err := casework.Allow(ctx, auth.ReadSurveys); err != nil {
		return nil, "", err
	}
	err = s.db.Read(ctx, func(tx Tx) error {
		out, next, err = tx.Surveys().Templates(audience, pg)
		return err
	})
	return out, next, err
}

// surveySubject resolves what a response or invitation is about, within the caller's reach, to
// the young person it concerns. Both empty: nothing (an anonymous response).
func (s *Service) surveySubject(tx Tx, p auth.Principal, referralID, planID string) (string, error) {
	switch {
	case referralID != "":
		r, err := s.referrals.ForWrite(tx, p, referralID)
		return r.YoungPersonID, err
	case planID != "":
		pl, err := tx.Plans().Get(planID, s.Scope(p))
		if fault.KindOf(err) == fault.NotFound {
			return "", fault.Field(fault.Unprocessable, "/ehc_plan_id", "no such EHC plan")
		}
		return pl.YoungPersonID, err
	}
	return "", nil
}

// questionSet is the version of t a response answers: the one asked for, or the current one.
func questionSet(t survey.Template, version int) (survey.QuestionSet, error) {
	if version == 0 {
		return t.Current(), nil
	}
	set, ok := t.At(version)
	if !ok {
		return set, fault.Field(fault.Unprocessable, "/template_version", "this template has no such version")
	}
	return set, nil
}

// surveyTemplateForWrite loads the template a body names: an unknown one is a bad reference.
func surveyTemplateForWrite(tx Tx, id string) (survey.Template, error) {
	t, err := tx.Surveys().Template(id)
	return t, casework.Referenced(err, "/template_id", "no such survey template")
}

// saveSurveyResponse writes a checked response with its reportable answers and its events.
func (s *Service) saveSurveyResponse(ctx context.Context, tx Tx, p auth.Principal, r survey.Response, set survey.QuestionSet) error {
	if err := tx.Surveys().CreateResponse(r, r.Scores(set)); err != nil {
		return err
	}
	payload := map[string]any{"template_id": r.TemplateID, "template_version": r.TemplateVersion, "point": r.Point, "via": r.Via}
	for k, v := range map[string]string{"referral_id": r.ReferralID, "ehc_plan_id": r.EHCPlanID, "young_person_id": r.YoungPersonID} {
		if v != "" {
			payload[k] = v
		}
	}
	if err := casework.Record(tx, s.Event(ctx, p, audit.Create, survey.RecordType, r.ID, r.YoungPersonID, nil),
		s.Notice(outbox.SurveyResponseRecorded, r.ID, payload)); err != nil {
		return err
	}
	if r.YoungPersonID == "" {
		return nil
	}
	return s.OnTimeline(tx, r.YoungPersonID, r.ReferralID, r.SubmittedOn, "survey_response.recorded", survey.RecordType, r.ID,
		"Survey answered ("+r.Audience+", "+r.Point+")")
}

// CreateSurveyResponse records a response. A family signed in as themselves answers their own
// surveys about their own children; staff record any response, anonymous ones included (a paper
// form typed in).
func (s *Service) CreateSurveyResponse(ctx context.Context, r survey.Response) (_ survey.Response, err error) {
	defer casework.Wrap(&err, "create survey response")
	p, err := casework.Allow(ctx, auth.GiveFeedback)
	if err != nil {
		return r, err
	}
	version := r.TemplateVersion
	r.TemplateVersion, r.Via = 0, survey.ViaStaff
	if p.Role == auth.RoleFamily {
		r.Via = survey.ViaFamily
	}
	if r.SubmittedOn.IsZero() {
		r.SubmittedOn = s.Today()
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		t, err := surveyTemplateForWrite(tx, r.TemplateID)
		if err != nil {
			return err
		}
		if p.Role == auth.RoleFamily {
			if err := r.CheckFamily(t); err != nil {
				return err
			}
		}
		set, err := questionSet(t, version)
		if err != nil {
			return err
		}
		if err := r.Check(t, set, s.Today()); err != nil {
			return err
		}
		if r.YoungPersonID, err = s.surveySubject(tx, p, r.ReferralID, r.EHCPlanID); err != nil {
			return err
		}
		r.ID, r.RespondentOrgID, r.PractitionerID, r.CreatedAt, r.Version = casework.NewID(), p.OrganisationID, p.PractitionerID, s.Now(), 1
		return s.saveSurveyResponse(ctx, tx, p, r, set)
	})
	return r, err
}

// SurveyResponse reads one response the caller may see. A family sees their own and their
// child's responses about their child, not professionals'.
func (s *Service) SurveyResponse(ctx context.Context, id string) (_ survey.Response, err error) {
	defer casework.Wrap(&err, "read survey response %s", id)
	family := isFamily(ctx)
	return casework.ReadAudited(ctx, s.Core, s.db, survey.RecordType, id,
		func(tx Tx, sc access.Scope) (survey.Response, error) {
			r, err := tx.Surveys().Response(id, sc)
			if err == nil && family && !survey.FamilySees(r.Audience) {
				return r, fault.New(fault.NotFound, "No such survey response.")
			}
			return r, err
		},
		func(r survey.Response) string { return r.YoungPersonID })
}

// ListSurveyResponses lists the responses the caller may see, auditing each.
func (s *Service) ListSurveyResponses(ctx context.Context, f survey.ResponseFilter, pg paging.Page) (_ []survey.Response, _ string, err error) {
	defer casework.Wrap(&err, "list survey responses")
	if isFamily(ctx) {
		f.Audiences = survey.FamilyAudiences
	}
	return casework.ListAudited(ctx, s.Core, s.db, survey.RecordType, func(tx Tx, sc access.Scope) ([]survey.Response, string, error) {
		return tx.Surveys().Responses(f, sc, pg)
	}, func(r survey.Response) (string, string) { return r.ID, r.YoungPersonID })
}

func isFamily(ctx context.Context) bool {
	p, _ := auth.FromContext(ctx)
	return p.Role == auth.RoleFamily
}

// SurveyInvitationInput is what a caller gives to invite a family to answer.
type SurveyInvitationInput struct {
	TemplateID, Point, ReferralID, EHCPlanID string
	ExpiresOn                                *time.Time // the last day it can be answered; 30 days on when nil
}

// CreateSurveyInvitation invites a parent or young person to answer without an account. The token
// is returned once and never stored.
func (s *Service) CreateSurveyInvitation(ctx context.Context, in SurveyInvitationInput) (inv survey.Invitation, token string, err error) {
	defer casework.Wrap(&err, "create survey invitation")
	p, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return inv, "", err
	}
	last := s.Today().AddDate(0, 0, 30)
	if in.ExpiresOn != nil {
		last = *in.ExpiresOn
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		t, err := surveyTemplateForWrite(tx, in.TemplateID)
		if err != nil {
			return err
		}
		// The invitation runs to the end of its last day.
		if inv, token, err = survey.NewInvitation(t, in.Point, in.ReferralID, in.EHCPlanID, last, s.Now()); err != nil {
			return err
		}
		if inv.YoungPersonID, err = s.surveySubject(tx, p, in.ReferralID, in.EHCPlanID); err != nil {
			return err
		}
		inv.ID, inv.CreatedByOrgID = casework.NewID(), p.OrganisationID
		if err := tx.Surveys().CreateInvitation(inv); err != nil {
			return err
		}
		payload := map[string]any{"template_id": inv.TemplateID, "young_person_id": inv.YoungPersonID, "point": inv.Point,
			"expires_at": inv.ExpiresAt.Format(time.RFC3339)}
		return casework.Record(tx, s.Event(ctx, p, audit.Create, survey.InvitationRecordType, inv.ID, inv.YoungPersonID, nil),
			s.Notice(outbox.SurveyInvitationCreated, inv.ID, payload))
	})
	return inv, token, err
}

// SurveyInvitation reads one invitation about a child the caller may see.
func (s *Service) SurveyInvitation(ctx context.Context, id string) (_ survey.Invitation, err error) {
	defer casework.Wrap(&err, "read survey invitation %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, survey.InvitationRecordType, id,
		func(tx Tx, sc access.Scope) (survey.Invitation, error) { return tx.Surveys().Invitation(id, sc) },
		func(i survey.Invitation) string { return i.YoungPersonID })
}

// ListSurveyInvitations lists invitations about children the caller may see.
func (s *Service) ListSurveyInvitations(ctx context.Context, f survey.InvitationFilter, pg paging.Page) (_ []survey.Invitation, _ string, err error) {
	defer casework.Wrap(&err, "list survey invitations")
	f.Now = s.Now()
	return casework.ListAudited(ctx, s.Core, s.db, survey.InvitationRecordType, func(tx Tx, sc access.Scope) ([]survey.Invitation, string, error) {
		return tx.Surveys().Invitations(f, sc, pg)
	}, func(i survey.Invitation) (string, string) { return i.ID, i.YoungPersonID })
}

// invitationByToken finds a usable invitation from a presented token.
func (s *Service) invitationByToken(tx Tx, token string) (survey.Invitation, error) {
	if !survey.LooksLikeToken(token) {
		return survey.Invitation{}, fault.New(fault.NotFound, "No such invitation: check the link.")
	}
	inv, err := tx.Surveys().InvitationByToken(survey.HashToken(token))
	if err != nil {
		return inv, err
	}
	return inv, inv.Usable(s.Now())
}

// SurveyLink is what an invitation shows: the template and the questions of its version.
type SurveyLink struct {
	Template   survey.Template
	Set        survey.QuestionSet
	Invitation survey.Invitation
}

// OpenSurveyLink reads an invitation by its token, with no other credentials. It shows the
// questions only: no child is named.
func (s *Service) OpenSurveyLink(ctx context.Context, token string) (l SurveyLink, err error) {
	defer casework.Wrap(&err, "open survey link")
	err = s.db.Read(ctx, func(tx Tx) error {
		if l.Invitation, err = s.invitationByToken(tx, token); err != nil {
			return err
		}
		if l.Template, err = tx.Surveys().Template(l.Invitation.TemplateID); err != nil {
			return err
		}
		l.Set, _ = l.Template.At(l.Invitation.TemplateVersion)
		return nil
	})
	return l, err
}

// AnswerSurveyLink records the answer to an invitation, once. The invitation is marked answered
// under its row version in the same transaction, so two answers sent at once leave one response.
func (s *Service) AnswerSurveyLink(ctx context.Context, token string, answers []survey.Answer) (r survey.Response, err error) {
	defer casework.Wrap(&err, "answer survey link")
	err = s.db.InTx(ctx, func(tx Tx) error {
		inv, err := s.invitationByToken(tx, token)
		if err != nil {
			return err
		}
		t, err := tx.Surveys().Template(inv.TemplateID)
		if err != nil {
			return err
		}
		set, _ := t.At(inv.TemplateVersion)
		r = survey.Response{TemplateID: t.ID, TemplateVersion: set.Number, Point: inv.Point, ReferralID: inv.ReferralID, EHCPlanID: inv.EHCPlanID,
			YoungPersonID: inv.YoungPersonID, Answers: answers, SubmittedOn: s.Today(), Via: survey.ViaInvitation, InvitationID: inv.ID}
		if err := r.Check(t, set, s.Today()); err != nil {
			return err
		}
		r.ID, r.CreatedAt, r.Version = casework.NewID(), s.Now(), 1
		if err := inv.MarkAnswered(r.ID, s.Now()); err != nil {
			return err
		}
		if err := tx.Surveys().UpdateInvitation(inv); err != nil {
			return err
		}
		// The respondent has no account: the audit trail names them by the invitation.
		p := auth.Principal{Role: auth.RoleFamily, Subject: "survey-invitation:" + inv.ID}
		return s.saveSurveyResponse(ctx, tx, p, r, set)
	})
	if fault.KindOf(err) == fault.PreconditionFailed {
		// Another answer to the same invitation won the race (found when the writes are sent).
		return r, fault.New(fault.Conflict, "This invitation has already been answered; thank you.")
	}
	return r, err
}
