package httpapi

import (
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// handlers implements api.StrictServerInterface through the area handlers it embeds.
type handlers struct {
	systemHandlers
	directoryHandlers
	peopleHandlers
	referralHandlers
	teamHandlers
	keyHandlers
	assessmentHandlers
	meetingHandlers
	ehcRequestHandlers
	planHandlers
	disputeHandlers
	tcareHandlers
	documentHandlers
	adviceHandlers
	adviserLinkHandlers
	consultationHandlers
	reassessmentHandlers
	letterHandlers
	transitionHandlers
	surveyHandlers
	reportHandlers
	privacyHandlers
	eventHandlers
	deadlineHandlers
	importHandlers
}

var _ api.StrictServerInterface = (*handlers)(nil)

func page(limit *api.Limit, cursor *api.Cursor, updatedSince *time.Time) paging.Page {
	p := paging.Page{Limit: 50}
	if updatedSince != nil {
		p.UpdatedSince = updatedSince.UTC()
	}
	if limit != nil {
		p.Limit = *limit
	}
	if cursor != nil {
		p.Cursor = *cursor
	}
	return p
}

func nextCursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

func location(path, id string) *string { s := path + "/" + id; return &s }

func etag(version int) *string { s := etagOf(version); return &s }

// today is the service's civil date, from the one clock every service reads.
func (s *Server) today() time.Time { return s.app.Clock.Today() }

// Operations.

// Organisations.

// Practitioners.

// Young people.

// Referrals.

// Audit.

var _ = openapi_types.UUID{}
