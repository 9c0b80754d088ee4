// Package directory holds the organisations and practitioners that take part in the pathway.
package directory

import "time"

// Organisation is a council team, school, setting, health or voluntary organisation.
type Organisation struct {
	ID        string
	Name      string
	Type      string
	Locality  string
	URN       string
	UKPRN     string
	ODSCode   string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Practitioner is a named worker in an organisation.
type Practitioner struct {
	ID             string
	OrganisationID string
	Name           string
	Email          string
	Role           string
	Phone          string
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// SocialWorker is the practitioner role that may lead on safeguarding.
const SocialWorker = "social_worker"
