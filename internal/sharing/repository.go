package sharing

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps the team around each child and consents to share. The store implements it; a service sees only this.
type Repository interface {
	CreateInvolvement(i Involvement) error
	// Join adds i unless the same organisation, practitioner and role are already currently in
	// the child's team (on i.StartedOn), publishing announce only if it added i.
	Join(i Involvement, announce outbox.Event) error
	Involvement(youngPersonID, id string) (Involvement, error)
	UpdateInvolvement(i Involvement) error
	Involvements(youngPersonID string, currentOn *time.Time, p paging.Page) ([]Involvement, string, error)
	CreateConsent(c Consent) error
	Consent(youngPersonID, id string) (Consent, error)
	UpdateConsent(c Consent) error
	Consents(youngPersonID string) ([]Consent, error)
}
