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

// IsSetting reports whether an organisation of type typ provides education (OrganisationType's
// Setting), and so may be the setting an EHC plan names.
func IsSetting(typ string) bool {
	i := slices.IndexFunc(OrganisationTypes, func(t OrganisationType) bool { return t.Code == typ })
	return i >= 0 && OrganisationTypes[i].Setting
}

// OrganisationType is a kind of organisation, with how reports name it, and whether it provides
// education (a school, college, nursery, PRU, or another provider): not a council or care team,
// a health body or a voluntary group.
type OrganisationType struct {
	Code, Label string
	Setting     bool
}

// OrganisationTypes lists every organisation type: early-years and school settings first, in the
// order the Salford pathfinder counted the settings that referred, then everyone else.
var OrganisationTypes = []OrganisationType{
	{"pvi_nursery", "PVI", true}, {"childrens_centre", "Children's centre", true}, {"school_primary", "Primary school", true},
	{"school_secondary", "High school", true}, {"school_special", "Special school", true}, {"pru_primary", "Primary PRU", true},
	{"pru_medical", "Medical PRU", true}, {"pru_secondary", "Secondary PRU", true}, {"pru", "PRU", true},
	{"further_education", "Further education", true},
	{"local_authority_send", "Council SEND service", false}, {"early_help", "Early help", false},
	{"social_care_children", "Children's social care", false}, {"social_care_adults", "Adult social care", false},
	{"health_trust", "Health trust", false}, {"gp_practice", "GP practice", false},
	{"vcs", "Voluntary and community sector", false}, {"other", "Other", true},
}
