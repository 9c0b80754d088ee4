package survey

import (
	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps survey templates, responses and invitations. The store implements it; a service sees only this.
type Repository interface {
	CreateTemplate(t Template) error
	AddQuestionSet(t Template) error
	Template(id string) (Template, error)
	Templates(audience string, p paging.Page) ([]Template, string, error)
	CreateResponse(r Response, scores []Score) error
	Response(id string, s access.Scope) (Response, error)
	Responses(f ResponseFilter, s access.Scope, p paging.Page) ([]Response, string, error)
	CreateInvitation(i Invitation) error
	InvitationByToken(hash string) (Invitation, error)
	Invitation(id string, s access.Scope) (Invitation, error)
	UpdateInvitation(i Invitation) error
	Invitations(f InvitationFilter, s access.Scope, p paging.Page) ([]Invitation, string, error)
}
