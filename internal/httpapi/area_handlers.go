package httpapi

import (
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework/assessments"
	"github.com/oneplan-send/oneplan/internal/casework/disputes"
	"github.com/oneplan-send/oneplan/internal/casework/documents"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/keys"
	"github.com/oneplan-send/oneplan/internal/casework/meetings"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/casework/privacy"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/casework/reports"
	"github.com/oneplan-send/oneplan/internal/casework/surveys"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/casework/transitions"
)

// Each area's handlers: decode, call the area's service, encode. No rules here. handlers embeds
// them all, which makes it the one type that satisfies the generated strict-server interface.

type systemHandlers struct {
	s   *Server
	app *app.App
}

type directoryHandlers struct {
	s   *Server
	svc *organisations.Service
}

type peopleHandlers struct {
	s   *Server
	svc *people.Service
}

type referralHandlers struct {
	s   *Server
	svc *referrals.Service
}

type teamHandlers struct {
	s   *Server
	svc *team.Service
}

type keyHandlers struct {
	s   *Server
	svc *keys.Service
}

type assessmentHandlers struct {
	s   *Server
	svc *assessments.Service
}

type meetingHandlers struct {
	s   *Server
	svc *meetings.Service
}

type ehcRequestHandlers struct {
	s   *Server
	svc *ehcrequests.Service
}

type planHandlers struct {
	s   *Server
	svc *plans.Service
}

type disputeHandlers struct {
	s   *Server
	svc *disputes.Service
}

type documentHandlers struct {
	s   *Server
	svc *documents.Service
}

type transitionHandlers struct {
	s   *Server
	svc *transitions.Service
}

type surveyHandlers struct {
	s   *Server
	svc *surveys.Service
}

type reportHandlers struct {
	s   *Server
	svc *reports.Service
}

type privacyHandlers struct {
	s   *Server
	svc *privacy.Service
}

func newHandlers(s *Server, a *app.App) *handlers {
	return &handlers{
		systemHandlers:       systemHandlers{s: s, app: a},
		directoryHandlers:    directoryHandlers{s: s, svc: a.Organisations},
		peopleHandlers:       peopleHandlers{s: s, svc: a.People},
		referralHandlers:     referralHandlers{s: s, svc: a.Referrals},
		teamHandlers:         teamHandlers{s: s, svc: a.Team},
		keyHandlers:          keyHandlers{s: s, svc: a.Keys},
		assessmentHandlers:   assessmentHandlers{s: s, svc: a.Assessments},
		meetingHandlers:      meetingHandlers{s: s, svc: a.Meetings},
		ehcRequestHandlers:   ehcRequestHandlers{s: s, svc: a.EHCRequests},
		planHandlers:         planHandlers{s: s, svc: a.Plans},
		disputeHandlers:      disputeHandlers{s: s, svc: a.Disputes},
		tcareHandlers:        tcareHandlers{s: s, svc: a.TransformingCare},
		documentHandlers:     documentHandlers{s: s, svc: a.Documents},
		importHandlers:       importHandlers{s: s, svc: a.Imports},
		transitionHandlers:   transitionHandlers{s: s, svc: a.Transitions},
		surveyHandlers:       surveyHandlers{s: s, svc: a.Surveys},
		reportHandlers:       reportHandlers{s: s, svc: a.Reports},
		privacyHandlers:      privacyHandlers{s: s, svc: a.Privacy},
		eventHandlers:        eventHandlers{s: s, svc: a.Webhooks},
		deadlineHandlers:     deadlineHandlers{s: s, svc: a.Deadlines},
		adviceHandlers:       adviceHandlers{s: s, svc: a.Advice},
		consultationHandlers: consultationHandlers{s: s, svc: a.Consultations},
		reassessmentHandlers: reassessmentHandlers{s: s, svc: a.Reassessments},
		letterHandlers:       letterHandlers{s: s, svc: a.Letters},
		adviserLinkHandlers:  adviserLinkHandlers{s: s, svc: a.AdviserLinks},
	}
}
