package fhir

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
)

func TestStatuses(t *testing.T) {
	for st, want := range map[referral.Status][2]string{
		referral.Received: {"active", "requested"}, referral.Accepted: {"active", "accepted"},
		referral.Panel: {"active", "in-progress"}, referral.Closed: {"completed", "completed"},
		referral.Declined: {"revoked", "rejected"}, referral.Redirected: {"revoked", "rejected"},
	} {
		if got := [2]string{RequestStatus(st).Code(), taskStatus(st).Code()}; got != want {
			t.Errorf("%s: %v, want %v", st, got, want)
		}
	}
	// Every OnePlan status is found by exactly one FHIR status search.
	n := 0
	for _, s := range []string{"active", "completed", "revoked"} {
		st, ok := RequestStatuses(s)
		if !ok {
			t.Errorf("%s matches nothing", s)
		}
		n += len(st)
	}
	if n != len(referral.Statuses) {
		t.Errorf("status searches cover %d of %d statuses", n, len(referral.Statuses))
	}
	if _, ok := RequestStatuses("on-hold"); ok {
		t.Error("on-hold matched a status")
	}
}

func TestPatientShowsIdentityOnly(t *testing.T) {
	yp := person.YoungPerson{ID: "y1", GivenName: "Amelia", FamilyName: "Okonkwo", PreferredName: "Mia", NHSNumber: "9434765919",
		DateOfBirth: time.Date(2016, 3, 4, 0, 0, 0, 0, time.UTC), Gender: "prefer_not_to_say", Ethnicity: "WBRI", Version: 3,
		Contacts: []person.Contact{{Name: "Grace"}}}
	p := Patient(yp)
	if *p.BirthDate != "2016-03-04" || *p.Identifier[0].System != NHSNumberSystem || len(p.Name) != 2 || *p.Meta.VersionId != "3" {
		t.Errorf("patient: %+v", p)
	}
	if p.Gender != nil || p.Contact != nil {
		t.Errorf("shown what it should not: gender %v, contacts %v", p.Gender, p.Contact)
	}
}
