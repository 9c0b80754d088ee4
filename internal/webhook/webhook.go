// Package webhook holds the rules of telling other systems what changed: subscriptions and
// whose view of the data decides what they receive, the target-address policy that keeps
// deliveries off the council's own network (SSRF), signing secrets and their rotation, and the
// retry schedule. Standard library only; signing itself is in the sign subpackage.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
)

// View is whose view of the data decides which events a subscription receives.
type View string

// Views. A subscription sees what a caller of that role in its organisation would see.
const (
	// ViewCouncil sees every event (the council's own systems).
	ViewCouncil View = "council"
	// ViewOrganisation sees events about children whose team included the organisation on the
	// day of the event, and the directory's events.
	ViewOrganisation View = "organisation"
)

// Status of a subscription's deliveries.
type Status string

// Statuses.
const (
	Healthy Status = "healthy"
	Failing Status = "failing" // a delivery ran out of retries; cleared by the next success
)

// Subscription is one receiver of events.
type Subscription struct {
	ID             string
	OrganisationID string
	View           View
	URL            string
	EventTypes     []string // empty: every type
	Active         bool
	Status         Status
	// Secret signs every delivery; PreviousSecret too until PreviousExpiresAt (rotation overlap).
	Secret            string
	PreviousSecret    string
	PreviousExpiresAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
	Version           int
}

// Secrets are the secrets a delivery at now is signed with: the current one, and the previous
// one while its overlap lasts, so a receiver can switch at its own pace.
func (s Subscription) Secrets(now time.Time) []string {
	out := []string{s.Secret}
	if s.PreviousSecret != "" && s.PreviousExpiresAt != nil && now.Before(*s.PreviousExpiresAt) {
		out = append(out, s.PreviousSecret)
	}
	return out
}

// Rotate replaces the secret with a new one, keeping the old one valid for overlap.
func (s *Subscription) Rotate(now time.Time, overlap time.Duration) (string, error) {
	if overlap < 0 || overlap > MaxOverlap {
		return "", fault.Field(fault.Unprocessable, "/overlap_seconds", "must be between 0 and 7 days (604800 seconds)")
	}
	next, err := NewSecret()
	if err != nil {
		return "", err
	}
	until := now.Add(overlap)
	s.PreviousSecret, s.PreviousExpiresAt, s.Secret = s.Secret, &until, next
	if overlap == 0 {
		s.PreviousSecret, s.PreviousExpiresAt = "", nil
	}
	return next, nil
}

// MaxOverlap bounds how long a rotated-out secret keeps signing.
const MaxOverlap = 7 * 24 * time.Hour

// NewSecret is a fresh signing secret in the Standard Webhooks form: whsec_ and 32 random bytes
// in base64.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// Validate checks what a caller may set on a subscription.
func (s Subscription) Validate(p Policy) error {
	var errs []fault.FieldError
	if err := p.CheckURL(s.URL); err != nil {
		errs = append(errs, fault.FieldError{Pointer: "/url", Detail: err.Error()})
	}
	if s.View != ViewCouncil && s.View != ViewOrganisation {
		errs = append(errs, fault.FieldError{Pointer: "/view", Detail: "must be council or organisation"})
	}
	for i, t := range s.EventTypes {
		if _, ok := outbox.Lookup(t); !ok {
			errs = append(errs, fault.FieldError{Pointer: "/event_types/" + strconv.Itoa(i), Detail: "no such event type (see GET /v1/event-types)"})
		}
	}
	return fault.Fields(fault.Unprocessable, errs)
}

// Wants reports whether the subscription takes events of type name.
func (s Subscription) Wants(name string) bool {
	if len(s.EventTypes) == 0 {
		return true
	}
	for _, t := range s.EventTypes {
		if t == name {
			return true
		}
	}
	return false
}

// DirectoryRecordTypes are the record types whose events any subscription may receive: the
// directory is visible to every role.
var DirectoryRecordTypes = []string{outbox.OrganisationCreated.RecordType, outbox.PractitionerCreated.RecordType}

// AdministrativeRecordTypes are the record types whose events tell of the service's own
// administration (API keys, webhook subscriptions): neither about a child nor the directory's,
// they go to council subscriptions only and are in no caller's pull feed. They carry no secrets,
// but a caller who may not manage keys or subscriptions has no business following their
// lifecycle, and an admin, who may, reads them through the API and the audit trail.
var AdministrativeRecordTypes = []string{outbox.APIKeyCreated.RecordType, outbox.WebhookSubscriptionCreated.RecordType}

// IsDirectory reports whether events about recordType are directory events.
func IsDirectory(recordType string) bool {
	for _, t := range DirectoryRecordTypes {
		if strings.EqualFold(t, recordType) {
			return true
		}
	}
	return false
}
