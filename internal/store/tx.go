package store

import (
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/sen2"
	"github.com/oneplan-send/oneplan/internal/sharing"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/tcare"
	"github.com/oneplan-send/oneplan/internal/timeline"
	"github.com/oneplan-send/oneplan/internal/transition"
)

type directoryRepo struct{ conn }

// Directory is the repository that keeps organisations and practitioners.
func (tx *Tx) Directory() directory.Repository { return directoryRepo{tx.conn} }

type peopleRepo struct{ conn }

// People is the repository that keeps young people's records.
func (tx *Tx) People() person.Repository { return peopleRepo{tx.conn} }

type referralRepo struct{ conn }

// Referrals is the repository that keeps referrals, the stages they reached and their engagement leads.
func (tx *Tx) Referrals() referral.Repository { return referralRepo{tx.conn} }

type assessmentRepo struct{ conn }

// Assessments is the repository that keeps family assessments.
func (tx *Tx) Assessments() assessment.Repository { return assessmentRepo{tx.conn} }

type meetingRepo struct{ conn }

// Meetings is the repository that keeps meetings and the actions agreed at them.
func (tx *Tx) Meetings() meeting.Repository { return meetingRepo{tx.conn} }

type feedbackRepo struct{ conn }

// Feedback is the repository that keeps pathway feedback.
func (tx *Tx) Feedback() feedback.Repository { return feedbackRepo{tx.conn} }

type ehcRequestRepo struct{ conn }

// EHCRequests is the repository that keeps requests for EHC needs assessments.
func (tx *Tx) EHCRequests() ehc.Repository { return ehcRequestRepo{tx.conn} }

type planRepo struct{ conn }

// Plans is the repository that keeps EHC plans with their versions.
func (tx *Tx) Plans() ehcplan.Repository { return planRepo{tx.conn} }

type reviewRepo struct{ conn }

// Reviews is the repository that keeps annual reviews.
func (tx *Tx) Reviews() annualreview.Repository { return reviewRepo{tx.conn} }

type disputeRepo struct{ conn }
type documentRepo struct{ conn }

// Disputes is the repository that keeps disputes.
func (tx *Tx) Disputes() dispute.Repository { return disputeRepo{tx.conn} }

// Documents is the repository that keeps documents' records.
func (tx *Tx) Documents() document.Repository { return documentRepo{tx.conn} }

type tcareRepo struct{ conn }

// TransformingCare is the repository that keeps the dynamic support register and placements.
func (tx *Tx) TransformingCare() tcare.Repository { return tcareRepo{tx.conn} }

type transitionRepo struct{ conn }

// Transitions is the repository that keeps transition plans and answers who lacks one.
func (tx *Tx) Transitions() transition.Repository { return transitionRepo{tx.conn} }

type sharingRepo struct{ conn }

// Sharing is the repository that keeps the team around each child and consents to share.
func (tx *Tx) Sharing() sharing.Repository { return sharingRepo{tx.conn} }

type surveyRepo struct{ conn }

// Surveys is the repository that keeps survey templates, responses and invitations.
func (tx *Tx) Surveys() survey.Repository { return surveyRepo{tx.conn} }

type keyRepo struct{ conn }

// Keys is the repository that keeps API keys (their hashes, never the keys).
func (tx *Tx) Keys() auth.KeyRepository { return keyRepo{tx.conn} }

type auditRepo struct{ conn }

// AuditTrail is the repository that reads the audit trail.
func (tx *Tx) AuditTrail() audit.Trail { return auditRepo{tx.conn} }

type outboxRepo struct{ conn }

// Outbox is the repository that reads the outbox.
func (tx *Tx) Outbox() outbox.Reader { return outboxRepo{tx.conn} }

type timelineRepo struct{ conn }

// Timelines is the repository that reads children's timelines.
func (tx *Tx) Timelines() timeline.Repository { return timelineRepo{tx.conn} }

type noticeRepo struct{ conn }

// Notices is the repository that remembers which time-driven notices were sent, so each is sent once.
func (tx *Tx) Notices() outbox.Notices { return noticeRepo{tx.conn} }

type reportRepo struct{ conn }

// Reports is the repository that computes the figures reports tabulate.
func (tx *Tx) Reports() report.Source { return reportRepo{tx.conn} }

type sen2Repo struct{ conn }

// SEN2 is the repository that loads what a SEN2 return may need.
func (tx *Tx) SEN2() sen2.Source { return sen2Repo{tx.conn} }
