package httpapi_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/referral"
)

// caller is one kind of requester in the matrix.
type caller string

const (
	nobody         caller = "no credentials"
	expiredJWT     caller = "expired token"
	wrongIssuer    caller = "token from another issuer"
	revokedKey     caller = "revoked key"
	admin          caller = "admin"
	sendOfficer    caller = "send_officer"
	involved       caller = "practitioner, involved organisation"
	uninvolved     caller = "practitioner, uninvolved organisation"
	leadInvolved   caller = "engagement_lead, involved (key)"
	leadUninvolved caller = "engagement_lead, uninvolved (token)"
	panelMember    caller = "panel_member"
	analyst        caller = "analyst"
	familyOwn      caller = "family, own child (token)"
	familyOther    caller = "family, another child (token)"
)

var callers = []caller{nobody, expiredJWT, wrongIssuer, revokedKey, admin, sendOfficer, involved, uninvolved, leadInvolved,
	leadUninvolved, panelMember, analyst, familyOwn, familyOther}

// credential returns the Authorization bearer for a caller about fixture f.
func (e *env) credential(t *testing.T, c caller, f fixture) string {
	switch c {
	case nobody:
		return ""
	case expiredJWT:
		return e.idp.token(t, auth.RoleSENDOfficer, e.council, map[string]any{"exp": time.Now().Add(-10 * time.Minute).Unix()})
	case wrongIssuer:
		other := newTestIssuer(t, "https://elsewhere.example")
		return other.token(t, auth.RoleSENDOfficer, e.council, nil)
	case revokedKey:
		return e.revoked
	case admin:
		return e.admin
	case sendOfficer:
		return e.officer
	case involved:
		return e.practitioner
	case uninvolved:
		return e.outsider
	case leadInvolved:
		return e.leadKey
	case leadUninvolved:
		return e.idp.token(t, auth.RoleEngagementLead, e.other, map[string]any{"oneplan_practitioner": e.otherWorker})
	case panelMember:
		return e.panel
	case analyst:
		return e.analyst
	case familyOwn:
		return e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{f.child}})
	case familyOther:
		return e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"oneplan_young_people": []string{unknownID}})
	}
	t.Fatalf("unknown caller %s", c)
	return ""
}

// practitionerOf is the practitioner a caller would name as the referrer.
func (e *env) practitionerOf(c caller) string {
	switch c {
	case uninvolved, leadUninvolved:
		return e.otherWorker
	case leadInvolved:
		return e.lead
	}
	return e.schoolSENCO
}

type row struct {
	method, path string // path uses {child}, {referral}, {involvement}, {consent}, {org}, {practitioner}, {key}, {assessment}, {meeting}, {action}, {feedback}
	body         func(e *env, c caller, f fixture) any
	contentType  string                   // the body's media type, when not JSON
	writes       bool                     // runs on a fresh fixture for each caller
	setup        func(e *env, f *fixture) // prepares the fixture (pathway stage, records to act on)
	want         map[caller]int
}

// expect builds the expected statuses: unauthenticated callers always get 401; the rest default
// to def unless listed.
func expect(def int, overrides map[caller]int) map[caller]int {
	m := map[caller]int{}
	for _, c := range callers {
		m[c] = def
	}
	for _, c := range []caller{nobody, expiredJWT, wrongIssuer, revokedKey} {
		m[c] = http.StatusUnauthorized
	}
	for c, s := range overrides {
		m[c] = s
	}
	return m
}

const (
	ok  = http.StatusOK
	new = http.StatusCreated
	nf  = http.StatusNotFound
	fb  = http.StatusForbidden
)

// caseworkRead: the SEND team sees all; partners only children their team includes; a family
// only their own; roles without casework permissions are refused outright.
func caseworkRead(success int) map[caller]int {
	return expect(nf, map[caller]int{sendOfficer: success, involved: success, leadInvolved: success, familyOwn: success, admin: fb, analyst: fb})
}

// caseworkWrite: as caseworkRead, but read-only roles are refused.
func caseworkWrite(success int) map[caller]int {
	return expect(nf, map[caller]int{sendOfficer: success, involved: success, leadInvolved: success, admin: fb, analyst: fb,
		panelMember: fb, familyOwn: fb, familyOther: fb})
}

func only(success int, who ...caller) map[caller]int {
	m := expect(fb, nil)
	for _, c := range who {
		m[c] = success
	}
	return m
}

func matrix() []row {
	directoryRead := only(ok, admin, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved, panelMember, analyst)
	today := time.Now().Format("2006-01-02")
	return append([]row{
		{method: "GET", path: "/v1/organisations", want: directoryRead},
		{method: "GET", path: "/v1/organisations/{org}", want: directoryRead},
		{method: "POST", path: "/v1/organisations", writes: true, want: only(new, admin),
			body: func(*env, caller, fixture) any { return map[string]any{"name": "New Setting", "type": "vcs"} }},
		{method: "PATCH", path: "/v1/organisations/{org}", writes: true, want: only(ok, admin),
			body: func(*env, caller, fixture) any { return map[string]any{"locality": "North"} }},
		{method: "GET", path: "/v1/practitioners", want: directoryRead},
		{method: "GET", path: "/v1/practitioners/{practitioner}", want: directoryRead},
		{method: "POST", path: "/v1/practitioners", writes: true, want: only(new, admin, sendOfficer),
			body: func(e *env, c caller, _ fixture) any {
				return map[string]any{"organisation_id": e.school, "name": "New Teacher", "email": "t" + strings.Trim(strings.Map(keepAlnum, string(c)), "-") + "@x.example", "role": "teacher"}
			}},
		{method: "PATCH", path: "/v1/practitioners/{practitioner}", writes: true, want: only(ok, admin, sendOfficer),
			body: func(*env, caller, fixture) any { return map[string]any{"phone": "0161 000 0000"} }},

		{method: "GET", path: "/v1/young-people", want: only(ok, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved, panelMember, familyOwn, familyOther)},
		{method: "POST", path: "/v1/young-people", writes: true, want: only(new, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved),
			body: func(*env, caller, fixture) any {
				return map[string]any{"given_name": "New", "family_name": "Child", "date_of_birth": "2019-04-01"}
			}},
		{method: "GET", path: "/v1/young-people/{child}", want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/young-people/{child}", writes: true, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"preferred_name": "Sunny"} }},
		{method: "GET", path: "/v1/young-people/{child}/involvements", want: caseworkRead(ok)},
		{method: "POST", path: "/v1/young-people/{child}/involvements", writes: true, want: caseworkWrite(new),
			body: func(e *env, _ caller, _ fixture) any {
				return map[string]any{"organisation_id": e.other, "role": "team_member"}
			}},
		{method: "PATCH", path: "/v1/young-people/{child}/involvements/{involvement}", writes: true, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"notes": "Weekly sessions."} }},
		{method: "GET", path: "/v1/young-people/{child}/consents", want: caseworkRead(ok)},
		{method: "POST", path: "/v1/young-people/{child}/consents", writes: true, want: caseworkWrite(new),
			body: func(*env, caller, fixture) any {
				return map[string]any{"given_by": "Parent", "relationship": "parent", "scope": "organisation_types", "organisation_types": []string{"health_trust"}, "given_on": today}
			}},
		{method: "POST", path: "/v1/young-people/{child}/consents/{consent}/withdraw", writes: true, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"reason": "Family asked."} }},
		// A family may read the access log and export, but only of their own children.
		{method: "GET", path: "/v1/young-people/{child}/access-log", want: expect(fb, map[caller]int{sendOfficer: ok, familyOwn: ok, familyOther: nf})},
		{method: "GET", path: "/v1/young-people/{child}/export", want: expect(fb, map[caller]int{sendOfficer: ok, familyOwn: ok, familyOther: nf})},
		// One child, one record: possible duplicates and merging are the SEND team's alone; the
		// pair or the record merged away rides in the {feedback} slot.
		{method: "GET", path: "/v1/possible-duplicates", want: only(ok, sendOfficer)},
		{method: "POST", path: "/v1/possible-duplicates/{feedback}/dismiss", writes: true, setup: withPossibleDuplicate, want: only(ok, sendOfficer),
			body: func(*env, caller, fixture) any { return map[string]any{"reason": "Twins."} }},
		{method: "POST", path: "/v1/young-people/{child}/merge", writes: true, setup: withOtherRecord, want: only(ok, sendOfficer),
			body: func(_ *env, _ caller, f fixture) any { return map[string]any{"from": f.feedback} }},

		{method: "GET", path: "/v1/referrals", want: only(ok, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved, panelMember, familyOwn, familyOther)},
		{method: "POST", path: "/v1/referrals", writes: true,
			// A partner who cannot see the child cannot refer them: the child is "no such young person".
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new, admin: fb, analyst: fb,
				panelMember: fb, familyOwn: fb, familyOther: fb}),
			body: func(e *env, c caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "referrer_practitioner_id": e.practitionerOf(c), "reasons": []string{"sen"},
					"services_involved": []string{"school", "camhs"}}
			}},
		{method: "GET", path: "/v1/referrals/{referral}", want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/referrals/{referral}", writes: true, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"summary": "Updated."} }},
		{method: "POST", path: "/v1/referrals/{referral}/triage", writes: true,
			want: expect(fb, map[caller]int{sendOfficer: ok}),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decision": "accept", "reason": "Meets the pathway."}
			}},

		{method: "GET", path: "/v1/event-types", want: expect(ok, map[caller]int{analyst: fb, familyOwn: fb, familyOther: fb})},
		{method: "GET", path: "/v1/events", want: expect(ok, map[caller]int{analyst: fb, familyOwn: fb, familyOther: fb})},
		{method: "GET", path: "/v1/webhook-subscriptions", want: only(ok, admin)},
		{method: "POST", path: "/v1/webhook-subscriptions", writes: true, want: only(new, admin),
			body: func(e *env, _ caller, _ fixture) any {
				return map[string]any{"organisation_id": e.council, "view": "council", "url": "https://93.184.215.14/hook"}
			}},
		{method: "GET", path: "/v1/webhook-subscriptions/{referral}", want: only(nf, admin)},
		{method: "PATCH", path: "/v1/webhook-subscriptions/{referral}", writes: true, want: only(nf, admin),
			body: func(*env, caller, fixture) any { return map[string]any{"active": false} }},
		{method: "POST", path: "/v1/webhook-subscriptions/{referral}/rotate-secret", writes: true, want: only(nf, admin),
			body: func(*env, caller, fixture) any { return map[string]any{"overlap_seconds": 60} }},
		{method: "GET", path: "/v1/webhook-subscriptions/{referral}/deliveries", want: only(nf, admin)},
		{method: "POST", path: "/v1/webhook-subscriptions/{referral}/replay", writes: true, want: only(nf, admin),
			body: func(*env, caller, fixture) any { return map[string]any{"since": "2026-01-01T00:00:00Z"} }},
		{method: "GET", path: "/v1/api-keys", want: only(ok, admin)},
		{method: "POST", path: "/v1/api-keys", writes: true, want: only(new, admin),
			body: func(e *env, _ caller, _ fixture) any {
				return map[string]any{"organisation_id": e.school, "role": "practitioner", "name": "school MIS"}
			}},
		{method: "GET", path: "/v1/api-keys/{key}", want: only(ok, admin)},
		{method: "POST", path: "/v1/api-keys/{key}/revoke", writes: true, want: only(ok, admin)},
		{method: "POST", path: "/v1/api-keys/{key}/rotate", writes: true, want: only(new, admin)},
		{method: "GET", path: "/v1/retention/due", want: only(ok, admin)},
		{method: "POST", path: "/v1/retention/due/{child}/erase", writes: true, want: only(http.StatusConflict, admin)},
		{method: "GET", path: "/v1/audit-events", want: only(ok, admin)},

		// The pathway after referral.
		{method: "POST", path: "/v1/referrals/{referral}/allocation", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) { e.setStatus(f.referral, referral.Assessing) },
			body: func(e *env, _ caller, _ fixture) any {
				return map[string]any{"practitioner_id": e.lead, "reason": "Knows the family."}
			}},
		{method: "GET", path: "/v1/referrals/{referral}/allocations", want: caseworkRead(ok)},
		// Raising a safeguarding concern changes the route: who runs the pathway (the SEND team, who
		// triage, and the engagement lead) may.
		{method: "POST", path: "/v1/referrals/{referral}/safeguarding-concern", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) { e.setStatus(f.referral, referral.Assessing) },
			body: func(*env, caller, fixture) any {
				return map[string]any{"reason": "Disclosure during the family assessment.", "raised_on": today}
			}},
		{method: "POST", path: "/v1/referrals/{referral}/transitions", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) { e.setStatus(f.referral, referral.MAMHeld) },
			body: func(*env, caller, fixture) any {
				return map[string]any{"to": "plan_in_place", "reason": "Panel agreed."}
			}},
		{method: "POST", path: "/v1/referrals/{referral}/close", writes: true, want: pathwayRun(ok),
			setup: func(e *env, f *fixture) { e.setStatus(f.referral, referral.Reviewing) },
			body:  func(*env, caller, fixture) any { return map[string]any{"outcome": "needs_met", "reason": "Done."} }},
		{method: "GET", path: "/v1/young-people/{child}/timeline", want: caseworkRead(ok)},

		{method: "GET", path: "/v1/family-assessments", want: caseworkList},
		{method: "POST", path: "/v1/family-assessments", writes: true, want: attachToReferral(new),
			setup: func(e *env, f *fixture) { e.setStatus(f.referral, referral.Accepted) },
			body:  func(_ *env, _ caller, f fixture) any { return map[string]any{"referral_id": f.referral} }},
		{method: "GET", path: "/v1/family-assessments/{assessment}", setup: withAssessment, want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/family-assessments/{assessment}", writes: true, setup: withAssessment, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"sections": map[string]any{"health": "Well."}} }},
		{method: "POST", path: "/v1/family-assessments/{assessment}/submit", writes: true, setup: withAssessment, want: caseworkWrite(ok)},
		{method: "POST", path: "/v1/family-assessments/{assessment}/review", writes: true, want: caseworkWrite(new),
			setup: func(e *env, f *fixture) {
				withAssessment(e, f)
				e.mustDo(http.MethodPost, "/v1/family-assessments/"+f.assessment+"/submit", nil, http.StatusOK)
			}},

		{method: "GET", path: "/v1/meetings", want: caseworkList},
		{method: "POST", path: "/v1/meetings", writes: true, want: attachToReferral(new),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"referral_id": f.referral, "type": "taf", "held_on": time.Now().Format("2006-01-02")}
			}},
		{method: "GET", path: "/v1/meetings/{meeting}", setup: withMeeting, want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/meetings/{meeting}", writes: true, setup: withMeeting, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decisions": []string{"Meet again in six weeks."}}
			}},
		{method: "GET", path: "/v1/actions", want: caseworkList},
		{method: "POST", path: "/v1/actions/{action}/complete", writes: true, setup: withMeeting, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"note": "Done."} }},

		{method: "GET", path: "/v1/pathway-feedback", want: caseworkList},
		{method: "POST", path: "/v1/pathway-feedback", writes: true,
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new, familyOwn: new,
				admin: fb, analyst: fb, panelMember: fb}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"referral_id": f.referral, "from": "family", "working_well": "We are listened to."}
			}},
		{method: "GET", path: "/v1/pathway-feedback/{feedback}", setup: withFeedback, want: caseworkRead(ok)},

		// EHC needs assessments; the request's id rides in the {feedback} slot (see withEHCRequest).
		{method: "GET", path: "/v1/ehc-needs-assessments", want: caseworkList},
		// A family may make their own request (s.36) for their own child; another child is "no such young person".
		{method: "POST", path: "/v1/ehc-needs-assessments", writes: true, want: familyToo(attachToReferral(new)),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "received_on": today, "requested_by": "parent"}
			}},
		{method: "GET", path: "/v1/ehc-needs-assessments/{feedback}", setup: withEHCRequest, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/decision-to-assess", writes: true, setup: withEHCRequest, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decision": "assess", "decided_on": today, "reason": "Needs may call for a plan."}
			}},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/exceptions", writes: true, setup: withEHCRequest, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"ground": "c", "from": time.Now().AddDate(0, 0, -10).Format("2006-01-02"), "to": today, "reason": "Illness."}
			}},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/withdraw", writes: true, setup: withEHCRequest, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"reason": "Family withdrew."} }},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/advice", writes: true, setup: withAssessing, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"adviser": "medical", "requested_on": today} }},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/advice/{action}/received", writes: true, setup: withAdvice, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"received_on": today} }},
		// Advice submitted by the adviser named (the lead's key); the advice request rides in {action}.
		{method: "GET", path: "/v1/advice-requests", want: caseworkList},
		{method: "GET", path: "/v1/advice-requests/{action}", setup: withNamedAdvice,
			want: expect(nf, map[caller]int{sendOfficer: ok, leadInvolved: ok, admin: fb, analyst: fb})},
		{method: "POST", path: "/v1/advice-requests/{action}/submission", writes: true, setup: withNamedAdvice,
			want: expect(fb, map[caller]int{leadInvolved: ok, involved: nf, uninvolved: nf, leadUninvolved: nf}),
			body: func(*env, caller, fixture) any {
				return map[string]any{"sections": map[string]any{"needs": "Working memory."}}
			}},
		// Adviser invitation links: issued and revoked like family invitations (the invitation id rides
		// in {feedback}); used with no credentials at all.
		{method: "POST", path: "/v1/advice-requests/{action}/invitations", writes: true, setup: withNamedAdvice, want: caseworkWrite(new),
			body: func(*env, caller, fixture) any { return map[string]any{} }},
		{method: "POST", path: "/v1/adviser-invitations/{feedback}/revoke", writes: true, setup: withRevocableAdviserInvitation, want: caseworkWrite(ok)},
		{method: "GET", path: "/v1/adviser-links/{token}", setup: withAdviserInvitation, want: everyone(ok)},
		{method: "POST", path: "/v1/adviser-links/{token}/documents?kind=report&title=EP+report", writes: true, setup: withAdviserInvitation,
			contentType: "application/octet-stream", want: everyone(new), body: func(*env, caller, fixture) any { return testPDF }},
		{method: "POST", path: "/v1/adviser-links/{token}/advice", writes: true, setup: withAdviserInvitation, want: everyone(new),
			body: func(*env, caller, fixture) any {
				return map[string]any{"sections": map[string]any{"needs": "Working memory."}}
			}},
		{method: "POST", path: "/v1/ehc-needs-assessments/{feedback}/decision-to-issue", writes: true, setup: withAssessing, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decision": "issue", "decided_on": today, "reason": "Needs call for a plan."}
			}},

		{method: "GET", path: "/v1/reports/ehc-timeliness?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer)},
		// Reports are for the SEND team (exact) and analysts (disclosure-controlled); open data is off by default.
		{method: "GET", path: "/v1/reports/activity?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/reports/experience?from=2026-01-01&to=2026-12-31&compare=true", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/reports/timeliness?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/reports/transitions?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/reports/funnel?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/reports/transforming-care?from=2026-01-01&to=2026-12-31", want: only(ok, sendOfficer, analyst)},
		{method: "GET", path: "/v1/open-data/{report}?from=2026-01-01&to=2026-12-31", want: everyone(nf)},
		{method: "GET", path: "/v1/exports/sen2?reference_date=" + today, want: only(ok, sendOfficer)},

		// Surveys: templates are read by every role and managed by the SEND team; responses and
		// invitations follow the child's record; links need no credentials at all.
		{method: "GET", path: "/v1/survey-templates", want: only(ok, admin, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved, panelMember, analyst,
			familyOwn, familyOther)},
		{method: "GET", path: "/v1/survey-templates/{feedback}", setup: withSurveyTemplate, want: only(ok, admin, sendOfficer, involved, uninvolved, leadInvolved,
			leadUninvolved, panelMember, analyst, familyOwn, familyOther)},
		{method: "POST", path: "/v1/survey-templates", writes: true, want: only(new, sendOfficer),
			body: func(*env, caller, fixture) any { return surveyTemplateBody(uniqueCode()) }},
		{method: "POST", path: "/v1/survey-templates/{feedback}/versions", writes: true, setup: withSurveyTemplate, want: only(ok, sendOfficer),
			body: func(*env, caller, fixture) any {
				return map[string]any{"questions": surveyTemplateBody("x")["questions"]}
			}},
		{method: "GET", path: "/v1/survey-responses", want: caseworkList},
		{method: "GET", path: "/v1/survey-responses/{feedback}", setup: withSurveyResponse, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/survey-responses", writes: true,
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new, familyOwn: new,
				admin: fb, analyst: fb, panelMember: fb}),
			body: func(_ *env, _ caller, f fixture) any { return parentResponse(f.referral, 5, 5, 4, 4) }},
		{method: "GET", path: "/v1/survey-invitations", want: caseworkList},
		{method: "POST", path: "/v1/survey-invitations", writes: true,
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new,
				admin: fb, analyst: fb, panelMember: fb, familyOwn: fb, familyOther: fb}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"template_id": parentTemplate, "point": "after_mam", "referral_id": f.referral}
			}},
		{method: "GET", path: "/v1/survey-invitations/{feedback}", setup: withSurveyInvitation, want: caseworkRead(ok)},
		{method: "GET", path: "/v1/survey-links/{token}", setup: withSurveyInvitation, want: everyone(ok)},
		{method: "POST", path: "/v1/survey-links/{token}/response", writes: true, setup: withSurveyInvitation, want: everyone(new),
			body: func(*env, caller, fixture) any { return map[string]any{"answers": parentAnswers(5, 4, 4, 3)} }},

		// EHC plans and annual reviews; the record rides in the {feedback} slot (see ehcplan_test.go).
		{method: "GET", path: "/v1/ehc-plans", want: caseworkList},
		{method: "POST", path: "/v1/ehc-plans", writes: true, setup: withPlanDrafting,
			want: expect(fb, map[caller]int{sendOfficer: new, leadInvolved: new, leadUninvolved: http.StatusUnprocessableEntity}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "ehc_request_id": f.feedback, "sections": minimalSections()}
			}},
		{method: "GET", path: "/v1/ehc-plans/{feedback}", setup: withDraftPlan, want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/ehc-plans/{feedback}", writes: true, setup: withDraftPlan, want: planRun(ok),
			body: func(_ *env, _ caller, f fixture) any {
				// Each caller's plan takes its own id (a shared one would be held by the first).
				return map[string]any{"external_ids": []map[string]any{{"system": "https://ems.example.gov.uk/plan", "value": "EHCP-" + f.feedback}}}
			}},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/draft", writes: true, setup: withDraftPlan, want: planRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"sections": minimalSections()} }},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/serve-draft", writes: true, setup: withDraftPlan, want: planRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"served_on": today} }},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/issue", writes: true, setup: withServedDraft, want: planRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"issued_on": today, "placement": placement} }},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/amendments", writes: true, setup: withIssuedPlan, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				s := minimalSections()
				s["i"] = placement
				return map[string]any{"notice_on": today, "reason": "New therapy advice.", "sections": s}
			}},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/cease", writes: true, setup: withIssuedPlan, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decided_on": today, "reason": "2", "appeal_rights_notified": true}
			}},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/phase-transfer", writes: true, setup: withIssuedPlan, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"kind": "between_phases", "transfer_on": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}
			}},
		// Re-assessments (s.44, Regs 24-27) and transfers in (Reg 15): the SEND team and the
		// engagement lead write, as for plans; every casework reader within reach reads.
		{method: "POST", path: "/v1/ehc-plans/{feedback}/reassessments", writes: true, setup: withIssuedPlan, want: planRun(new),
			body: func(*env, caller, fixture) any {
				return map[string]any{"route": "request", "requested_by": "parent", "received_on": daysAgo(3)}
			}},
		{method: "GET", path: "/v1/ehc-plans/{feedback}/reassessments", setup: withIssuedPlan, want: caseworkRead(ok)},
		{method: "GET", path: "/v1/reassessments/{action}", setup: withReassessment, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/reassessments/{action}/decision", writes: true, setup: withReassessment, want: planRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"decision": "agree", "notified_on": today} }},
		{method: "POST", path: "/v1/reassessments/{action}/exceptions", writes: true, setup: withReassessment, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"ground": "c", "from": daysAgo(2), "to": daysAgo(1), "reason": "Illness in the family."}
			}},
		{method: "POST", path: "/v1/reassessments/{action}/completion", writes: true, setup: withOwnMotionReassessment, want: planRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"completed_on": daysAgo(5), "plan_version": 2} }},
		{method: "POST", path: "/v1/ehc-plans/{feedback}/transfer-in", writes: true, setup: withTransferredDraft, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"from_la": "352", "moved_on": daysAgo(20), "old_authority_aware_on": daysAgo(60), "transferred_on": daysAgo(20),
					"made_on": "2025-09-15"}
			}},
		// The family's views on a served draft (s.38-39): the family for their own child, or the SEND
		// team and the engagement lead recording them; listed to every casework reader within reach.
		{method: "POST", path: "/v1/ehc-plans/{feedback}/family-views", writes: true, setup: withDraftServedToday,
			want: expect(fb, map[caller]int{sendOfficer: new, leadInvolved: new, leadUninvolved: nf, familyOwn: new, familyOther: nf}),
			body: func(*env, caller, fixture) any {
				return map[string]any{"views": "We agree with the draft.", "preferred_setting": map[string]any{"name": "Oak Primary School"}, "wants_meeting": true}
			}},
		{method: "GET", path: "/v1/family-views", want: caseworkList},
		// Family invitation links: made like survey invitations; used with no credentials at all.
		{method: "POST", path: "/v1/family-invitations", writes: true,
			want: expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: new, involved: new, leadInvolved: new,
				admin: fb, analyst: fb, panelMember: fb, familyOwn: fb, familyOther: fb}),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "purpose": "request_assessment"}
			}},
		{method: "GET", path: "/v1/family-links/{token}", setup: withAssessmentInvitation, want: everyone(ok)},
		{method: "POST", path: "/v1/family-links/{token}/ehc-request", writes: true, setup: withAssessmentInvitation, want: everyone(new),
			body: func(*env, caller, fixture) any { return map[string]any{"requested_by": "parent"} }},
		{method: "POST", path: "/v1/family-links/{token}/family-views", writes: true, setup: withViewsInvitation, want: everyone(new),
			body: func(*env, caller, fixture) any { return map[string]any{"views": "We agree."} }},
		// What happens next, in plain words: whoever may read the child's record (the family: their own).
		{method: "GET", path: "/v1/young-people/{child}/family-summary", want: caseworkRead(ok)},
		// Consultations with settings (s.39): the school is consulted; its staff (the involved key) answer.
		{method: "POST", path: "/v1/ehc-plans/{feedback}/consultations", writes: true, setup: withServedDraft, want: planRun(new),
			body: func(e *env, _ caller, _ fixture) any {
				return map[string]any{"organisation_id": e.school, "requested_by": "family"}
			}},
		{method: "GET", path: "/v1/consultations", want: caseworkList},
		{method: "GET", path: "/v1/consultations/{action}", setup: withConsultation,
			want: expect(nf, map[caller]int{sendOfficer: ok, involved: ok, admin: fb, analyst: fb})},
		{method: "POST", path: "/v1/consultations/{action}/response", writes: true, setup: withConsultation,
			want: expect(fb, map[caller]int{involved: ok, uninvolved: nf, leadInvolved: nf, leadUninvolved: nf}),
			body: func(*env, caller, fixture) any { return map[string]any{"response": "can_meet_needs"} }},
		// Letters and the plan as a document follow the record's need-to-know.
		{method: "GET", path: "/v1/ehc-needs-assessments/{feedback}/letters/decision_to_assess", setup: withAssessing, want: caseworkRead(ok)},
		{method: "GET", path: "/v1/ehc-plans/{feedback}/document", setup: withDraftPlan, want: caseworkRead(ok)},
		{method: "GET", path: "/v1/annual-reviews", want: caseworkList},
		{method: "GET", path: "/v1/annual-reviews/{feedback}", setup: withReview, want: caseworkRead(ok)},
		{method: "POST", path: "/v1/annual-reviews/{feedback}/meeting", writes: true, setup: withReview, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"meeting_on": today, "attendees": []any{map[string]any{"role": "parent"}}, "recommendation": "maintain"}
			}},
		{method: "POST", path: "/v1/annual-reviews/{feedback}/decision", writes: true, setup: withHeldReview, want: planRun(ok),
			body: func(*env, caller, fixture) any {
				return map[string]any{"decision": "maintain", "decided_on": today, "appeal_rights_notified": true, "reason": "Plan still right."}
			}},

		// Disputes (tribunal appeals, mediation, complaints); the id rides in the {feedback} slot (see withDispute).
		// Recording is the SEND team's or the engagement lead's; a lead outside the team cannot name the subject.
		{method: "GET", path: "/v1/disputes", want: caseworkList},
		{method: "POST", path: "/v1/disputes", writes: true, want: expect(fb, map[caller]int{sendOfficer: new, leadInvolved: new,
			leadUninvolved: http.StatusUnprocessableEntity}),
			body: func(_ *env, _ caller, f fixture) any { return complaintOn(f.referral) }},
		{method: "GET", path: "/v1/disputes/{feedback}", setup: withDispute, want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/disputes/{feedback}", writes: true, setup: withDispute, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"hearing_on": today} }},
		{method: "POST", path: "/v1/disputes/{feedback}/conclude", writes: true, setup: withDispute, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"outcome": "upheld", "concluded_on": today} }},

		// Documents: need-to-know of the record they belong to; the document's id rides in the {feedback} slot.
		{method: "GET", path: "/v1/documents?record_type=referral&record_id={referral}", want: caseworkList},
		{method: "POST", path: "/v1/documents?record_type=referral&record_id={referral}&kind=advice&title=Advice", writes: true,
			contentType: "application/octet-stream", want: attachToReferral(new), body: func(*env, caller, fixture) any { return testPDF }},
		// A letter, which the family sees (their own child's); a report hidden from them is 404 to
		// the family (TestDocumentFamilyVisibility).
		{method: "GET", path: "/v1/documents/{feedback}", setup: withLetterDocument, want: caseworkRead(ok)},
		{method: "GET", path: "/v1/documents/{feedback}/content", setup: withLetterDocument, want: caseworkRead(ok)},
		{method: "DELETE", path: "/v1/documents/{feedback}", writes: true, setup: withDocument, want: pathwayRun(http.StatusNoContent)},
		{method: "PATCH", path: "/v1/documents/{feedback}", writes: true, setup: withDocument, want: pathwayRun(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"family_visible": true} }},

		// Import jobs (issue 18): the layout's role runs it (young people: the SEND team); a job is
		// seen by its organisation in the role that asked for it. The job rides in the {feedback} slot.
		{method: "POST", path: "/v1/imports?kind=young-people&dry_run=true", writes: true, contentType: "text/csv",
			want: only(http.StatusAccepted, sendOfficer), body: func(*env, caller, fixture) any { return matrixImportFile }},
		{method: "GET", path: "/v1/imports", want: only(ok, admin, sendOfficer)},
		{method: "GET", path: "/v1/imports/{feedback}", setup: withImportJob, want: expect(fb, map[caller]int{sendOfficer: ok, admin: nf})},
		{method: "GET", path: "/v1/imports/{feedback}/errors", setup: withImportJob, want: expect(fb, map[caller]int{sendOfficer: ok, admin: nf})},
		{method: "GET", path: "/v1/imports/{feedback}/rejects", setup: withImportJob, want: expect(fb, map[caller]int{sendOfficer: ok, admin: nf})},
		// The job has finished (so the SEND team's cancel is 409 whatever the worker did first);
		// cancelling a queued or running one is TestImportJobCancel's.
		{method: "POST", path: "/v1/imports/{feedback}/cancel", writes: true, setup: withImportJob,
			want: expect(fb, map[caller]int{sendOfficer: http.StatusConflict, admin: nf})},

		// Transition plans; the plan's id rides in the {feedback} slot (see withTransitionPlan).
		{method: "GET", path: "/v1/transition-plans", want: caseworkList},
		{method: "POST", path: "/v1/transition-plans", writes: true, setup: withTransitionAge, want: attachToReferral(new),
			body: func(_ *env, _ caller, f fixture) any {
				return map[string]any{"young_person_id": f.child, "started_on": today}
			}},
		{method: "GET", path: "/v1/transition-plans/{feedback}", setup: withTransitionPlan, want: caseworkRead(ok)},
		{method: "PATCH", path: "/v1/transition-plans/{feedback}", writes: true, setup: withTransitionPlan, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"notes": "Reviewed with the family."} }},
		{method: "POST", path: "/v1/transition-plans/{feedback}/end", writes: true, setup: withTransitionPlan, want: caseworkWrite(ok),
			body: func(*env, caller, fixture) any { return map[string]any{"reason": "moved_to_adult_services"} }},
		{method: "GET", path: "/v1/transitions/gaps", want: caseworkList},
		{method: "GET", path: "/v1/transitions/upcoming", want: caseworkList},
		{method: "GET", path: "/v1/deadlines", want: caseworkList},
	}, tcareRows(today)...) // Transforming Care (issue 17): tcare_test.go
}

// caseworkList: lists answer every casework reader (filtered to what they may see).
var caseworkList = only(ok, sendOfficer, involved, uninvolved, leadInvolved, leadUninvolved, panelMember, familyOwn, familyOther)

// familyToo: as want, and a family may act for their own child (another child is not found).
func familyToo(want map[caller]int) map[caller]int {
	want[familyOwn], want[familyOther] = new, http.StatusUnprocessableEntity
	return want
}

// pathwayRun: the SEND team and the engagement lead run the pathway.
func pathwayRun(success int) map[caller]int {
	return expect(fb, map[caller]int{sendOfficer: success, leadInvolved: success, leadUninvolved: nf})
}

// attachToReferral: a record hung off a referral the caller cannot see names a bad referral_id.
func attachToReferral(success int) map[caller]int {
	return expect(http.StatusUnprocessableEntity, map[caller]int{sendOfficer: success, involved: success, leadInvolved: success,
		admin: fb, analyst: fb, panelMember: fb, familyOwn: fb, familyOther: fb})
}

// withLetterDocument: a decision letter on the referral, shown to the family; its id in f.feedback.
func withLetterDocument(e *env, f *fixture) {
	r := e.do(http.MethodPost, "/v1/documents?record_type=referral&record_id="+f.referral+"&kind=decision_letter&title=Decision", e.officer,
		testPDF, "Content-Type", "application/octet-stream")
	if r.status != http.StatusCreated {
		e.t.Fatalf("document: %d %s", r.status, r.body)
	}
	f.feedback = r.json(e.t)["id"].(string)
}

// matrixImportFile is a young people file with one good row and one refused.
const matrixImportFile = "external_system,external_id,given_name,family_name,date_of_birth\n" +
	"https://bridge.example/ids,M1,Mia,Matrix,2015-03-01\nhttps://bridge.example/ids,M2,,Matrix,2015-03-01\n"

// withImportJob runs a job that continued on error (so it has row errors and a rejects file).
func withImportJob(e *env, f *fixture) {
	r := e.do(http.MethodPost, "/v1/imports?kind=young-people&continue_on_error=true", e.officer, matrixImportFile, "Content-Type", "text/csv")
	if r.status != http.StatusAccepted {
		e.t.Fatalf("import: %d %s", r.status, r.body)
	}
	f.feedback = r.json(e.t)["id"].(string)
	// The server's own worker may have claimed it: run what is left, then wait for it, boundedly.
	for range 10000 {
		if err := e.app.Imports.RunPending(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		if j := e.mustGet("/v1/imports/"+f.feedback, e.officer); j["status"] == "succeeded" {
			return
		}
	}
	e.t.Fatal("the import job did not finish")
}

func withDocument(e *env, f *fixture) {
	r := e.upload(e.officer, "referral", f.referral, testPDF, "application/octet-stream")
	if r.status != http.StatusCreated {
		e.t.Fatalf("document: %d %s", r.status, r.body)
	}
	f.feedback = r.json(e.t)["id"].(string)
}

func withAssessment(e *env, f *fixture) {
	e.setStatus(f.referral, referral.Accepted)
	f.assessment = e.mustDo(http.MethodPost, "/v1/family-assessments", map[string]any{"referral_id": f.referral}, http.StatusCreated)["id"].(string)
}

func withMeeting(e *env, f *fixture) {
	m := e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "taf", "held_on": time.Now().Format("2006-01-02"),
		"actions": []any{map[string]any{"what": "Book SALT", "owner_practitioner_id": e.lead, "due_on": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}}}, http.StatusCreated)
	f.meeting = m["id"].(string)
	f.action = m["actions"].([]any)[0].(map[string]any)["id"].(string)
}

// everyone answers status to every caller, credentials or none: the route is public.
func everyone(status int) map[caller]int {
	m := map[caller]int{}
	for _, c := range callers {
		m[c] = status
	}
	return m
}

func withFeedback(e *env, f *fixture) {
	f.feedback = e.mustDo(http.MethodPost, "/v1/pathway-feedback", map[string]any{"referral_id": f.referral, "from": "family", "working_well": "Good."}, http.StatusCreated)["id"].(string)
}

// mustDo sends a request as the SEND officer and requires the status.
func (e *env) mustDo(method, path string, body any, status int) map[string]any {
	e.t.Helper()
	r := e.do(method, path, e.officer, body)
	if r.status != status {
		e.t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
	}
	return r.json(e.t)
}

// TestAuthorisationMatrix asks every /v1 operation as every kind of caller and checks the exact
// status. A new operation without a row fails the test.
func TestAuthorisationMatrix(t *testing.T) {
	spec, err := api.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	rows := matrix()
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.method+" "+r.path] = true
	}
	var missing []string
	for path, item := range spec.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method := range item.Operations() {
			p := path
			for _, ph := range []string{"{id}", "{involvement_id}", "{consent_id}", "{advice_id}", "{token}", "{report}"} {
				p = strings.Replace(p, ph, "{x}", 1)
			}
			p = strings.Replace(p, "{index}", "0", 1)                 // a C(E)TR recommendation's place: rows name the first
			p = strings.Replace(p, "{kind}", "decision_to_assess", 1) // the letters' row names one letter
			found := false
			for k := range covered {
				norm, _, _ := strings.Cut(k, "?")
				for _, ph := range []string{"{child}", "{referral}", "{org}", "{practitioner}", "{key}", "{involvement}", "{consent}", "{assessment}", "{meeting}", "{action}", "{feedback}", "{token}", "{report}"} {
					norm = strings.ReplaceAll(norm, ph, "{x}")
				}
				if norm == method+" "+p {
					found = true
				}
			}
			if !found {
				missing = append(missing, method+" "+path)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("operations without a matrix row: %v", missing)
	}

	each(t, func(t *testing.T, e *env) {
		for _, r := range rows {
			shared := e.fixture()
			if r.setup != nil {
				r.setup(e, &shared)
			}
			for _, c := range callers {
				f := shared
				if r.writes {
					f = e.fixture()
					if r.setup != nil {
						r.setup(e, &f)
					}
				}
				key := "/v1/api-keys/" + e.issueSpareKey()
				path := strings.NewReplacer("{child}", f.child, "{referral}", f.referral, "{involvement}", f.involvement, "{consent}", f.consent,
					"{org}", e.school, "{practitioner}", e.schoolSENCO, "/v1/api-keys/{key}", key, "{assessment}", f.assessment,
					"{meeting}", f.meeting, "{action}", f.action, "{feedback}", f.feedback, "{token}", f.token, "{report}", "activity").Replace(r.path)
				var body any
				if r.body != nil {
					body = r.body(e, c, f)
				}
				headers := []string{"Authorization", bearer(e.credential(t, c, f))}
				if r.contentType != "" {
					headers = append(headers, "Content-Type", r.contentType)
				}
				got := e.do(r.method, path, "", body, headers...)
				if want := r.want[c]; got.status != want {
					t.Errorf("%s %s as %s: %d, want %d: %s", r.method, r.path, c, got.status, want, got.body)
				}
			}
		}
	})
}

func keepAlnum(r rune) rune {
	if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
		return r
	}
	return '-'
}

func bearer(cred string) string {
	if cred == "" {
		return ""
	}
	return "Bearer " + cred
}

// issueSpareKey makes a key for the key-management rows to act on.
func (e *env) issueSpareKey() string {
	r := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.school, "role": "analyst", "name": "spare"})
	if r.status != http.StatusCreated {
		e.t.Fatalf("spare key: %d %s", r.status, r.body)
	}
	return r.json(e.t)["api_key"].(map[string]any)["id"].(string)
}
