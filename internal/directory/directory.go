// Package directory holds the organisations and practitioners that take part in the pathway.
package directory

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
)

// Organisation is a council team, school, setting, health or voluntary organisation.
type Organisation struct {
	ID       string
	Name     string
	Type     string
	Locality string
	URN      string
	UKPRN    string
	ODSCode  string
	// ExternalIDs are other systems' ids for the organisation (kept in external_ids).
	ExternalIDs []externalid.ID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// Code is one of an organisation's national codes, by its field's name in the API.
type Code struct{ Field, Value string }

// Codes are o's national codes (empty ones included): each is held by one organisation at most.
func (o Organisation) Codes() []Code {
	return []Code{{"urn", o.URN}, {"ukprn", o.UKPRN}, {"ods_code", o.ODSCode}}
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

// NotASetting lists the organisation types that provide no education: a council or care team, a
// health body, a voluntary group. Anything else (a school, college, nursery, PRU, or another
// provider) may be consulted about being named in an EHC plan.
var NotASetting = []string{"local_authority_send", "early_help", "social_care_children", "social_care_adults", "health_trust", "gp_practice", "vcs"}

// IsSetting reports whether an organisation of type typ may be the setting an EHC plan names.
func IsSetting(typ string) bool { return !slices.Contains(NotASetting, typ) }

// OrganisationType is a kind of organisation, with how reports name it.
type OrganisationType struct{ Code, Label string }

// OrganisationTypes lists every organisation type: early-years and school settings first, in the
// order the Salford pathfinder counted the settings that referred, then everyone else.
var OrganisationTypes = []OrganisationType{
	{"pvi_nursery", "PVI"}, {"childrens_centre", "Children's centre"}, {"school_primary", "Primary school"},
	{"school_secondary", "High school"}, {"school_special", "Special school"}, {"pru_primary", "Primary PRU"},
	{"pru_medical", "Medical PRU"}, {"pru_secondary", "Secondary PRU"}, {"pru", "PRU"}, {"further_education", "Further education"},
	{"local_authority_send", "Council SEND service"}, {"early_help", "Early help"}, {"social_care_children", "Children's social care"},
	{"social_care_adults", "Adult social care"}, {"health_trust", "Health trust"}, {"gp_practice", "GP practice"},
	{"vcs", "Voluntary and community sector"}, {"other", "Other"},
}
