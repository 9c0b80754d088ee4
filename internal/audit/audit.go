// Package audit describes the append-only trail of who did what to which record, and why.
package audit

import "time"

// Actions.
const (
	Create     = "create"
	Read       = "read"
	List       = "list"
	Update     = "update"
	Triage     = "triage"
	Delete     = "delete"
	Export     = "export"
	Revoke     = "revoke"
	Withdraw   = "withdraw"
	Allocate   = "allocate"
	Transition = "transition"
	Close      = "close"
	Submit     = "submit"
	Review     = "review"
	Complete   = "complete"
	Merge      = "merge"   // two records of one child became one; see Event
	Dismiss    = "dismiss" // a possible duplicate was found to be two children
)

// Record types.
const (
	Organisation     = "organisation"
	Practitioner     = "practitioner"
	YoungPerson      = "young_person"
	Referral         = "referral"
	APIKey           = "api_key"
	Involvement      = "involvement"
	Consent          = "consent"
	FamilyAssessment = "family_assessment"
	Allocation       = "allocation"
	Meeting          = "meeting"
	Action           = "action"
	PathwayFeedback  = "pathway_feedback"
	EHCRequest       = "ehc_request"
	Dispute          = "dispute"
	// PossibleDuplicate is a pair of records holding the same NHS number or UPN.
	PossibleDuplicate = "possible_duplicate"
)

// Event is one entry in the audit trail. It holds identifiers and field names, never values.
type Event struct {
	ID            string
	OccurredAt    time.Time
	Action        string
	RecordType    string
	RecordID      string
	YoungPersonID string
	// RecordIDs and YoungPersonIDs are what a list returned: a list is one event, naming every
	// record on the page and every young person whose record it was.
	RecordIDs           []string
	YoungPersonIDs      []string
	ActorKeyID          string
	ActorSubject        string // a signed-in user's subject at the identity provider
	ActorPractitionerID string
	ActorOrgID          string
	ActorRole           string
	Purpose             string
	ChangedFields       []string
	RequestID           string
	IP                  string
}

// Filter selects events for listing.
type Filter struct {
	RecordType     string
	RecordID       string
	YoungPersonID  string // also the events of records merged into this one
	Action         string
	ActorKeyID     string
	ActorOrgID     string
	RequestID      string
	OccurredAfter  *time.Time
	OccurredBefore *time.Time
}
