package httpapi

import (
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/casework/keys"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/casework/team"
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

func newHandlers(s *Server, a *app.App) *handlers {
	return &handlers{s: s,
		systemHandlers:    systemHandlers{s: s, app: a},
		directoryHandlers: directoryHandlers{s: s, svc: a.Organisations},
		peopleHandlers:    peopleHandlers{s: s, svc: a.People},
		referralHandlers:  referralHandlers{s: s, svc: a.Referrals},
		teamHandlers:      teamHandlers{s: s, svc: a.Team},
		keyHandlers:       keyHandlers{s: s, svc: a.Keys},
	}
}
