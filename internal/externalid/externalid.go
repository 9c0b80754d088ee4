// Package externalid holds the identifiers other systems give to OnePlan's records (a CRM's
// record id, the EMS id, an NHS trust's id), so an import or a nightly sync can match records by
// its own ids without keeping a mapping. Standard library only.
package externalid

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

// Record types that take external identifiers (the external_ids.record_type values).
const (
	YoungPerson  = "young_person"
	Referral     = "referral"
	EHCPlan      = "ehc_plan"
	Organisation = "organisation"
)

// ID is one identifier: the system that issued it and its value there.
type ID struct {
	System string
	Value  string
}

// String is the system|value form used in query strings and If-None-Exist.
func (id ID) String() string { return id.System + "|" + id.Value }

// Systems are the short names a deployment accepts besides URIs (ONEPLAN_EXTERNAL_ID_SYSTEMS).
type Systems []string

var (
	shortName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
	scheme    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// MaxValue is the longest value accepted.
const MaxValue = 200

// ParseSystems reads a comma-separated list of short names (lower case letters, digits, hyphens).
func ParseSystems(s string) (Systems, error) {
	var out Systems
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !shortName.MatchString(part) {
			return nil, fmt.Errorf("%q is not a short system name (lower case letters, digits and hyphens, starting with a letter)", part)
		}
		out = append(out, part)
	}
	return out, nil
}

// CheckSystem says why system is not acceptable: it must be an absolute URI (https://..., urn:...)
// or one of the configured short names.
func (s Systems) CheckSystem(system string) string {
	switch {
	case system == "":
		return "is required"
	case len(system) > 200:
		return "must be at most 200 characters"
	case slices.Contains(s, system):
		return ""
	case scheme.MatchString(system):
		u, err := url.Parse(system)
		if err != nil || (u.Opaque == "" && u.Host == "") || strings.ContainsAny(system, "| \t") {
			return "is not an absolute URI"
		}
		return ""
	default:
		return "must be an absolute URI or one of the configured short names (ONEPLAN_EXTERNAL_ID_SYSTEMS)"
	}
}

// Validate checks ids, naming each bad one under pointer (e.g. /external_ids): a known system,
// a value, and no identifier given twice.
func (s Systems) Validate(pointer string, ids []ID) []fault.FieldError {
	var errs []fault.FieldError
	seen := map[ID]bool{}
	for i, id := range ids {
		at := fmt.Sprintf("%s/%d", pointer, i)
		if why := s.CheckSystem(id.System); why != "" {
			errs = append(errs, fault.FieldError{Pointer: at + "/system", Detail: why})
		}
		switch {
		case strings.TrimSpace(id.Value) == "":
			errs = append(errs, fault.FieldError{Pointer: at + "/value", Detail: "is required"})
		case len(id.Value) > MaxValue:
			errs = append(errs, fault.FieldError{Pointer: at + "/value", Detail: fmt.Sprintf("must be at most %d characters", MaxValue)})
		}
		if seen[id] {
			errs = append(errs, fault.FieldError{Pointer: at, Detail: "is given twice"})
		}
		seen[id] = true
	}
	return errs
}

// Parse reads system|value (the value may itself contain |; the system may not), checking the
// system against s; pointer names where it came from (a query parameter or header).
func (s Systems) Parse(pointer, text string) (ID, error) {
	system, value, ok := strings.Cut(text, "|")
	if !ok {
		return ID{}, fault.Field(fault.Invalid, pointer, "must be system|value")
	}
	id := ID{System: system, Value: value}
	if errs := s.Validate(pointer, []ID{id}); len(errs) > 0 {
		return ID{}, fault.Field(fault.Invalid, pointer, errs[0].Detail+" ("+strings.TrimPrefix(errs[0].Pointer, pointer+"/0/")+")")
	}
	return id, nil
}

// Repository keeps the identifiers. The store implements it; a service sees only this.
type Repository interface {
	// AnalysePeople refreshes the database's statistics of the identifiers, young people and
	// teams, this transaction's own rows included: an import of young people calls it as its rows
	// grow, or the planner, still counting the tables as they were, looks a chunk's keys up by
	// scanning every identifier of their system.
	AnalysePeople() error
	// AnalyseReferrals is AnalysePeople for an import of referrals: the identifiers, teams and
	// referrals (it writes no young people).
	AnalyseReferrals() error
	// AnalysePlans is AnalysePeople for an import of plans: the identifiers, young people, EHC
	// plans with their versions and annual reviews, and transition plans.
	AnalysePlans() error
	// Add gives record the identifiers; one already naming another record of the type is a
	// Conflict naming the identifier's index under /external_ids.
	Add(recordType, recordID string, ids []ID, at time.Time) error
	// Find names the record of the type holding id (whoever may see it); NotFound if none.
	Find(recordType string, id ID) (string, error)
	// FindAll names the record of the type holding each of ids that is held (one query).
	FindAll(recordType string, ids []ID) (map[ID]string, error)
	// Set makes ids the record's identifiers: those it lacks are added (one already naming
	// another record of the type is a Conflict naming its index under /external_ids), those not
	// in ids removed.
	Set(recordType, recordID string, ids []ID, at time.Time) error
	// Of returns each record's identifiers, in the order given.
	Of(recordType string, recordIDs ...string) (map[string][]ID, error)
}

// Held is the 409 naming /external_ids/N when a record of recordType other than self holds the
// Nth of ids ("is already held by " + what), or nil when none is; ref names the holder where the
// caller may see it (nil where they may not). skip, when set, was looked for already in the same
// transaction and is passed over: a holder committed since then meets the unique index instead,
// and the write, run again, finds it with its first look (a second look here, a later statement
// seeing later commits, would answer 409 where the first look would answer the record).
func Held(r Repository, recordType string, ids []ID, self string, skip *ID, what string, ref func(holder string) *fault.Ref) error {
	for i, id := range ids {
		if skip != nil && id == *skip {
			continue
		}
		holder, err := r.Find(recordType, id)
		if fault.KindOf(err) == fault.NotFound || (err == nil && holder == self) {
			continue
		}
		if err != nil {
			return err
		}
		e := fault.Field(fault.Conflict, fmt.Sprintf("/external_ids/%d", i), "is already held by "+what)
		e.Related = ref(holder)
		return e
	}
	return nil
}

// Same reports whether a and b hold the same identifiers, in any order (a change of a record's
// external ids that is no change needs no checks).
func Same(a, b []ID) bool {
	return len(a) == len(b) && !slices.ContainsFunc(b, func(id ID) bool { return !slices.Contains(a, id) })
}
