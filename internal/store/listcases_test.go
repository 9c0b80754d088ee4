package store_test

import (
	"fmt"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/benchload"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fhir"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
)

// listCase is one list page as the API asks for it: the filter, the caller's scope and the page.
type listCase struct {
	name  string
	table string // the list query is the statement reading FROM this table
	run   func(tx *store.Tx) error
	// index, when set, is the index the page must be read through (the one it was designed for).
	index string
	// known, when set, says why the plan is not yet held (TestListPlans logs it, not fails).
	known string
}

// through names the index c's page must be read through.
func through(index string, c listCase) listCase {
	c.index = index
	return c
}

// listCases are the hot list pages with each of their filters, on benchload's data set of n
// referrals (with the extras plans_test adds: external ids, audit events).
func listCases(n int) []listCase {
	school := benchload.SettingID(7)
	on := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	old := time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	page := paging.Page{Limit: 50}
	deep := paging.Page{Limit: 50, Cursor: store.EncodeCursor(benchload.ReferralID(n / 2))}
	deepYP := paging.Page{Limit: 50, Cursor: store.EncodeCursor(benchload.YoungPersonID(n / 2))}
	since := paging.Page{Limit: 50, UpdatedSince: recent}
	rare := "child " + itoa(n/3) // matches a handful of names
	common := "child 1"          // matches a good share of them
	ref := func(name string, f referral.Filter, s access.Scope, p paging.Page) listCase {
		return listCase{name: "referrals " + name, table: "referrals", run: func(tx *store.Tx) error {
			_, _, err := tx.Referrals().List(f, s, p)
			return err
		}}
	}
	yp := func(name string, f person.Filter, p paging.Page) listCase {
		return listCase{name: "young people " + name, table: "young_people", run: func(tx *store.Tx) error {
			_, _, err := tx.People().List(f, access.Scope{}, p)
			return err
		}}
	}
	au := func(name string, f audit.Filter, p paging.Page) listCase {
		return listCase{name: "audit " + name, table: "audit_events", run: func(tx *store.Tx) error {
			_, _, err := tx.AuditTrail().Events(f, p)
			return err
		}}
	}
	all := access.Scope{}
	active, _ := fhir.RequestStatuses("active")   // eight statuses, received (the newest referrals) among them
	revoked, _ := fhir.RequestStatuses("revoked") // declined, redirected
	return []listCase{
		ref("newest first", referral.Filter{}, all, page),
		ref("deep cursor", referral.Filter{}, all, deep),
		ref("status received", referral.Filter{Status: string(referral.Received)}, all, page),
		through("referrals_status", ref("status closed", referral.Filter{Status: string(referral.Closed)}, all, page)),
		ref("status closed deep cursor", referral.Filter{Status: string(referral.Closed)}, all, deep),
		through("referrals_status", ref("any status", referral.Filter{AnyStatus: []referral.Status{referral.Accepted, referral.Assessing}}, all, page)),
		through("referrals_status", ref("FHIR active", referral.Filter{AnyStatus: active}, all, page)),
		through("referrals_status", ref("FHIR revoked", referral.Filter{AnyStatus: revoked}, all, page)),
		through("referral_reasons_reason", ref("reason", referral.Filter{Reason: "social_care"}, all, page)),
		ref("reason and status", referral.Filter{Reason: "social_care", Status: string(referral.Closed)}, all, page),
		through("referrals_organisation", ref("organisation", referral.Filter{OrganisationID: school}, all, page)),
		ref("organisation and status", referral.Filter{OrganisationID: school, Status: string(referral.Closed)}, all, page),
		through("referrals_young_person", ref("young person", referral.Filter{YoungPersonID: benchload.YoungPersonID(123)}, all, page)),
		ref("locality", referral.Filter{Locality: "Locality 3"}, all, page),
		ref("locality and status", referral.Filter{Locality: "Locality 3", Status: string(referral.Closed)}, all, page),
		ref("name, rare", referral.Filter{Query: rare}, all, page),
		ref("name, common", referral.Filter{Query: common}, all, page),
		through("referrals_reference", ref("reference", referral.Filter{Query: "REF-B-" + itoa(n/3)}, all, page)),
		ref("received since", referral.Filter{ReceivedFrom: &recent}, all, page),
		through("referrals_received", ref("received before", referral.Filter{ReceivedTo: &old}, all, page)),
		ref("created after, recent", referral.Filter{CreatedAfter: &recent}, all, page),
		through("referrals_created", ref("created before, old", referral.Filter{CreatedBefore: &old}, all, page)),
		// Ordered by the time filtered on, a code or a locality filters as its index is read.
		through("referrals_created", ref("created before, recent, status closed", referral.Filter{CreatedBefore: &recent, Status: string(referral.Closed)}, all, page)),
		through("referrals_received", ref("received before, recent, locality", referral.Filter{ReceivedTo: &recent, Locality: "Locality 3"}, all, page)),
		ref("updated since", referral.Filter{}, all, since),
		ref("status closed and locality, deep cursor", referral.Filter{Status: string(referral.Closed), Locality: "Locality 3"}, all, deep),
		ref("status closed, received between", referral.Filter{Status: string(referral.Closed), ReceivedFrom: &old, ReceivedTo: &recent}, all, page),
		through("external_ids_pkey", ref("external id", referral.Filter{ExternalID: &externalid.ID{System: "crm", Value: "R" + itoa(n/3)}}, all, page)),
		through("involvements_organisation_current", ref("school practitioner's team", referral.Filter{}, access.Scope{Restricted: true, OrganisationID: school, On: on}, page)),
		ref("school practitioner's team, status", referral.Filter{Status: string(referral.Closed)},
			access.Scope{Restricted: true, OrganisationID: school, On: on}, page),
		// As a practitioner's key asks: their organisation's team or their own.
		ref("school practitioner's own or team", referral.Filter{},
			access.Scope{Restricted: true, OrganisationID: school, PractitionerID: benchload.PractitionerID(7), On: on}, page),
		yp("newest first", person.Filter{}, page),
		yp("deep cursor", person.Filter{}, deepYP),
		yp("locality", person.Filter{Locality: "Locality 3"}, page),
		yp("name, rare", person.Filter{Query: rare}, page),
		yp("name, common", person.Filter{Query: common}, page),
		yp("updated since", person.Filter{}, since),
		through("external_ids_pkey", yp("external id", person.Filter{ExternalID: &externalid.ID{System: "crm", Value: "Y" + itoa(n/3)}}, page)),
		au("newest first", audit.Filter{}, page),
		au("young person", audit.Filter{YoungPersonID: benchload.YoungPersonID(n / 3)}, page),
		au("record", audit.Filter{RecordID: benchload.ReferralID(n / 3)}, page),
		au("action", audit.Filter{Action: "update"}, page),
		// Setting 8 acts in the generated trail (odd events go to setting 1 + i % 500).
		through("audit_events_actor_org", au("organisation", audit.Filter{ActorOrgID: benchload.SettingID(8)}, page)),
		through("audit_events_occurred", au("occurred before, old", audit.Filter{OccurredBefore: &old}, page)),
	}
}

func itoa(i int) string { return fmt.Sprint(i) }
