package sharing

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/paging"
)

// Repository keeps the team around each child and consents to share. The store implements it; a service sees only this.
type Repository interface {
	CreateInvolvement(i Involvement) error
	Involvement(youngPersonID, id string) (Involvement, error)
	UpdateInvolvement(i Involvement) error
	Involvements(youngPersonID string, currentOn *time.Time, p paging.Page) ([]Involvement, string, error)
	CreateConsent(c Consent) error
	Consent(youngPersonID, id string) (Consent, error)
	UpdateConsent(c Consent) error
	Consents(youngPersonID string) ([]Consent, error)
}
