// Package demo fills an empty database with a realistic, entirely fictional data set: partner
// organisations of every type, practitioners, and about fifty young people referred for the
// reasons and in the proportions of the Salford 0-25 pathfinder's first term.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/identifier"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/survey"
)

// Result says what was created.
type Result struct {
	CouncilID      string
	Organisations  int
	Practitioners  int
	YoungPeople    int
	Referrals      int
	SENDOfficerID  string
	AlreadyPresent bool
}

var localities = []string{"South", "North", "East", "West", "Central"}

// The seed's referral reasons with their counts in the pilot (DOMAIN.md section 0).
var reasonWeights = []struct {
	reason string
	weight int
}{
	{"adhd", 4}, {"asd_asc", 15}, {"attachment", 2}, {"behaviour", 20}, {"complex_health_needs", 6}, {"complex_needs", 7},
	{"development", 7}, {"hearing_deaf", 3}, {"physical_mobility", 6}, {"semh", 15}, {"sen", 22}, {"speech_language", 31},
	{"transitional_support", 12}, {"visual_impairment", 3}, {"social_care", 13},
}

var services = []string{"school", "early_years_setting", "health_visiting", "school_nursing", "paediatrics", "speech_and_language_therapy",
	"occupational_therapy", "physiotherapy", "camhs", "educational_psychology", "sensory_support", "social_care", "early_help"}

var givenNames = []string{"Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Muhammad", "Freya", "Harry",
	"Zara", "Oscar", "Lily", "Theo", "Grace", "Jack", "Aisha", "Finley", "Maya", "Reggie", "Poppy", "Kacper", "Sofia", "Ethan"}
var familyNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
	"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Nowak", "Lewis", "Clarke", "Okafor"}

// Seed creates the demo data set unless the directory already has practitioners.
func Seed(ctx context.Context, svc *casework.Service, st *store.Store, councilID string, allowTestNHS bool) (Result, error) {
	res := Result{CouncilID: councilID}
	var existing []directory.Practitioner
	err := st.Read(ctx, func(tx *store.Tx) error {
		var err error
		existing, _, err = tx.Practitioners(store.PractitionerFilter{}, store.Page{Limit: 1})
		return err
	})
	if err != nil {
		return res, err
	}
	if len(existing) > 0 {
		res.AlreadyPresent = true
		return res, nil
	}
	rng := rand.New(rand.NewPCG(2017, 9)) //nolint:gosec // fictional demo data: a fixed seed makes the same demo every time
	admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin, OrganisationID: councilID})
	officer := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleSENDOfficer, OrganisationID: councilID})

	orgSpecs := []struct{ name, typ, urn string }{
		{"Early Help Hub", "early_help", ""}, {"Children's Social Care", "social_care_children", ""},
		{"Adult Social Care", "social_care_adults", ""},
		{"Oakfield Primary School", "school_primary", "105901"}, {"St Mary's RC Primary School", "school_primary", "105902"},
		{"Brookside Primary School", "school_primary", "105903"}, {"Irwell Valley High School", "school_secondary", "105910"},
		{"Cromwell Academy", "school_secondary", "105911"}, {"Chatsworth Special School", "school_special", "105920"},
		{"Little Acorns Nursery", "pvi_nursery", "EY4001"}, {"Sunflowers Day Nursery", "pvi_nursery", "EY4002"},
		{"Ordsall Children's Centre", "childrens_centre", ""}, {"Riverside Primary PRU", "pru_primary", "105930"},
		{"City Sixth Form College", "further_education", ""}, {"Community Health NHS Trust", "health_trust", ""},
		{"Weaste Medical Practice", "gp_practice", ""}, {"Parents' Forum", "vcs", ""},
	}
	var orgs []directory.Organisation
	for i, spec := range orgSpecs {
		o := directory.Organisation{Name: spec.name, Type: spec.typ, Locality: localities[i%len(localities)]}
		if len(spec.urn) == 6 {
			o.URN = spec.urn
		}
		created, err := svc.CreateOrganisation(admin, o)
		if err != nil {
			return res, fmt.Errorf("organisation %s: %w", spec.name, err)
		}
		orgs = append(orgs, created)
	}
	res.Organisations = len(orgs)

	roleFor := map[string][]string{
		"early_help": {"family_support_worker", "early_help_worker"}, "social_care_children": {"social_worker", "social_worker", "manager"},
		"social_care_adults": {"social_worker"}, "school_primary": {"senco", "teacher"}, "school_secondary": {"senco"},
		"school_special": {"senco", "teacher"}, "pvi_nursery": {"senco"}, "childrens_centre": {"family_support_worker"},
		"pru_primary": {"teacher"}, "further_education": {"senco"}, "health_trust": {"health_visitor", "therapist", "paediatrician", "school_nurse"},
		"gp_practice": {"other"}, "vcs": {"other"},
	}
	var practitioners []directory.Practitioner
	council := directory.Organisation{ID: councilID}
	for _, o := range append([]directory.Organisation{council}, orgs...) {
		roles := roleFor[o.Type]
		if o.ID == councilID {
			roles = []string{"send_officer", "send_officer", "educational_psychologist"}
		}
		for _, role := range roles {
			n := len(practitioners) + 1
			p, err := svc.CreatePractitioner(admin, directory.Practitioner{OrganisationID: o.ID, Role: role, Active: true,
				Name:  fmt.Sprintf("%s %s", givenNames[(n*7)%len(givenNames)], familyNames[(n*5)%len(familyNames)]),
				Email: fmt.Sprintf("practitioner%02d@example.org", n)})
			if err != nil {
				return res, fmt.Errorf("practitioner: %w", err)
			}
			practitioners = append(practitioners, p)
			if role == "send_officer" && res.SENDOfficerID == "" {
				res.SENDOfficerID = p.ID
			}
		}
	}
	res.Practitioners = len(practitioners)

	today := time.Now().UTC().Truncate(24 * time.Hour)
	needs := []string{"SLCN", "ASD", "SEMH", "MLD", "SPLD", "PD", "HI", "VI", "SLD", "PMLD", "MSI", "DS", "OTH"}
	for i := range 50 {
		setting := orgs[3+rng.IntN(11)] // a school, nursery, centre, PRU or college
		yp := person.YoungPerson{
			GivenName: givenNames[rng.IntN(len(givenNames))], FamilyName: familyNames[rng.IntN(len(familyNames))],
			DateOfBirth: today.AddDate(-1-rng.IntN(22), -rng.IntN(12), -rng.IntN(28)),
			Gender:      []string{"female", "male", "male", "female", "non_binary", "not_known"}[rng.IntN(6)],
			Locality:    localities[rng.IntN(len(localities))], Postcode: fmt.Sprintf("M%d %d%s", 5+rng.IntN(3), 1+rng.IntN(9), []string{"AB", "DL", "GT", "QW", "RS"}[rng.IntN(5)]),
			PrimarySENNeed:     needs[rng.IntN(len(needs))],
			Sex:                []string{"female", "male"}[rng.IntN(2)],
			Ethnicity:          []string{"WBRI", "WBRI", "WBRI", "WIRI", "MWBC", "APKN", "BAFR", "CHNE", "WOTH", "NOBT"}[rng.IntN(10)],
			EducationSettingID: setting.ID,
			Contacts: []person.Contact{{Name: "Parent of child " + fmt.Sprint(i+1), Relationship: "parent", ParentalResponsibility: true, MainContact: true,
				Phone: fmt.Sprintf("0161 496 %04d", rng.IntN(10000))}},
			Communication: &person.Communication{Language: "English", Methods: []string{"phone", "email"}},
		}
		if allowTestNHS {
			yp.NHSNumber = testNHSNumber(i)
		}
		yp.UPN = upn(i)
		created, err := svc.CreateYoungPerson(officer, yp)
		if err != nil {
			return res, fmt.Errorf("young person %d: %w", i, err)
		}
		res.YoungPeople++

		referrer := practitioners[rng.IntN(len(practitioners))]
		reasons := []string{pickReason(rng)}
		if extra := pickReason(rng); extra != reasons[0] && rng.IntN(3) == 0 {
			reasons = append(reasons, extra)
		}
		svcCount := 1 + rng.IntN(4)
		involved := map[string]bool{}
		for len(involved) < svcCount {
			involved[services[rng.IntN(len(services))]] = true
		}
		var inv []string
		for _, s := range services {
			if involved[s] {
				inv = append(inv, s)
			}
		}
		r := referral.Referral{YoungPersonID: created.ID, ReferrerPractitionerID: referrer.ID, Reasons: reasons, ServicesInvolved: inv,
			SafeguardingConcern: rng.IntN(8) == 0, Summary: "Fictional demo referral.",
			ReceivedOn: today.AddDate(0, 0, -rng.IntN(120)),
			Consent:    &referral.Consent{GivenBy: "Parent of child " + fmt.Sprint(i+1), Relationship: "parent", GivenOn: today.AddDate(0, 0, -130)}}
		made, err := svc.CreateReferral(officer, r)
		if err != nil {
			return res, fmt.Errorf("referral %d: %w", i, err)
		}
		res.Referrals++
		// Triage about two thirds, as a front door would have by now.
		if i%3 != 0 {
			t := referral.Triage{Decision: referral.DecisionAccept, Reason: "Two or more services involved; family consents."}
			switch {
			case !made.Eligibility.Eligible && i%2 == 0:
				t = referral.Triage{Decision: referral.DecisionRedirect, RedirectTo: "Early Help Hub", Reason: "Single service: early help is the right offer."}
			case !made.Eligibility.Eligible:
				t.OverrideReason = "Complex needs emerging; services agree the pathway is right."
			}
			triaged, err := svc.TriageReferral(officer, made.ID, nil, t)
			if err != nil {
				return res, fmt.Errorf("triage %d: %w", i, err)
			}
			if triaged.Status == referral.Accepted {
				if err := progress(officer, svc, triaged, stages[i%len(stages)], leadFor(practitioners, triaged.SafeguardingConcern), today); err != nil {
					return res, fmt.Errorf("pathway %d: %w", i, err)
				}
			}
		}
	}
	return res, nil
}

// stages spreads accepted referrals along the pathway.
var stages = []referral.Status{referral.Accepted, referral.Assessing, referral.Allocated, referral.MAMHeld, referral.Panel,
	referral.PlanInPlace, referral.Reviewing, referral.Closed}

// leadFor picks an engagement lead: a social worker when there is a safeguarding concern.
func leadFor(ps []directory.Practitioner, safeguarding bool) directory.Practitioner {
	want := "health_visitor"
	if safeguarding {
		want = directory.SocialWorker
	}
	for _, p := range ps {
		if p.Role == want {
			return p
		}
	}
	return ps[0]
}

// progress walks an accepted referral along the pathway up to stage, the way a caseworker would.
func progress(ctx context.Context, svc *casework.Service, r referral.Referral, stage referral.Status, lead directory.Practitioner, today time.Time) error {
	reached := func(s referral.Status) bool { return slices.Index(stages, stage) >= slices.Index(stages, s) }
	if !reached(referral.Assessing) {
		return nil
	}
	fa, err := svc.CreateAssessment(ctx, r.ID, "", assessment.Sections{
		DevelopmentalNeeds: "Fictional: speech delayed; good understanding of routines.",
		ChildVoice:         "Fictional: likes drawing and the park.",
		FamilyViews:        &assessment.FamilyViews{WhatMatters: "Fictional: being understood at school."}})
	if err != nil {
		return err
	}
	if _, err := svc.SubmitAssessment(ctx, fa.ID, nil); err != nil {
		return err
	}
	if !reached(referral.Allocated) {
		return nil
	}
	if _, err := svc.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "allocation", HeldOn: today, Decisions: []string{"Engagement lead agreed."}}); err != nil {
		return err
	}
	if _, err := svc.Allocate(ctx, r.ID, nil, lead.ID, "Already works with the family.", ""); err != nil {
		return err
	}
	if !reached(referral.MAMHeld) {
		return nil
	}
	mam, err := svc.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "mam", HeldOn: today,
		Attendees: []meeting.Attendee{{Kind: "practitioner", PractitionerID: lead.ID, TookPart: true},
			{Kind: "family_member", Name: "Parent (fictional)", Relationship: "parent", TookPart: true},
			{Kind: "child_young_person", Name: "Child (fictional)", TookPart: true, How: "views_shared_beforehand"}},
		FamilySaid: "Fictional: we want one plan that everyone uses.", Decisions: []string{"Speech and language block", "Visual timetable"},
		Actions: []meeting.Action{{What: "Refer to speech and language clinic", OwnerPractitionerID: lead.ID, DueOn: today.AddDate(0, 0, 14)},
			{What: "Share visual timetable with home", OwnerDescription: "School", DueOn: today}}})
	if err != nil {
		return err
	}
	if err := answerSurveys(ctx, svc, r, today); err != nil {
		return err
	}
	if !reached(referral.Panel) {
		return nil
	}
	if _, err := svc.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "map", HeldOn: today,
		MapDecision: &meeting.MapDecision{Solution: "Specialist resource base place", CostBand: "20k_to_50k", Outcome: "approved"}}); err != nil {
		return err
	}
	if !reached(referral.PlanInPlace) {
		return nil
	}
	if _, err := svc.TransitionReferral(ctx, r.ID, nil, referral.PlanInPlace, "Panel approved the plan."); err != nil {
		return err
	}
	if !reached(referral.Reviewing) {
		return nil
	}
	for _, f := range []feedback.Feedback{
		{ReferralID: r.ID, MeetingID: mam.ID, From: "family", WorkingWell: "Fictional: we were listened to.", OutcomeRatings: []feedback.Rating{{Outcome: "Can ask for help", Rating: 4}}},
		{ReferralID: r.ID, From: "professional", PractitionerID: lead.ID, WorkingWell: "Fictional: one plan.", OutcomeRatings: []feedback.Rating{{Outcome: "Can ask for help", Rating: 3}}},
	} {
		if _, err := svc.GiveFeedback(ctx, f); err != nil {
			return err
		}
	}
	if _, err := svc.TransitionReferral(ctx, r.ID, nil, referral.Reviewing, "Six-week review."); err != nil {
		return err
	}
	if !reached(referral.Closed) {
		return nil
	}
	_, err = svc.CloseReferral(ctx, r.ID, nil, "needs_met", "Fictional: outcomes met.")
	return err
}

// answerSurveys records the family's and the engagement lead's survey after the MAM, typed in
// from paper forms, with fictional scores that lean towards the Salford pilot's (4.4 to 4.7).
func answerSurveys(ctx context.Context, svc *casework.Service, r referral.Referral, today time.Time) error {
	seed := 0
	for _, c := range r.Reference {
		seed += int(c)
	}
	score := func(q int) int { return []int{5, 5, 4, 5, 4, 3, 5, 4, 5, 5}[(seed+q*3)%10] }
	answers := func(ids ...string) []survey.Answer {
		out := make([]survey.Answer, len(ids))
		for i, id := range ids {
			out[i] = survey.Answer{QuestionID: id, Value: score(i)}
		}
		return out
	}
	for _, resp := range []survey.Response{
		{TemplateID: survey.ParentCarerExperienceID, ReferralID: r.ID, Point: "after_mam", SubmittedOn: today,
			Answers: answers("listened_to", "involved_in_decisions", "understood", "confidence_and_trust")},
		{TemplateID: survey.ProfessionalExperienceID, ReferralID: r.ID, Point: "after_mam", SubmittedOn: today, ProfessionalRole: survey.RoleEngagementLead,
			Answers: answers("information_sharing", "accessing_information", "mam_successful", "success_for_parents", "success_for_professionals")},
	} {
		if _, err := svc.CreateSurveyResponse(ctx, resp); err != nil {
			return fmt.Errorf("survey: %w", err)
		}
	}
	return nil
}

func pickReason(rng *rand.Rand) string {
	total := 0
	for _, w := range reasonWeights {
		total += w.weight
	}
	n := rng.IntN(total)
	for _, w := range reasonWeights {
		if n < w.weight {
			return w.reason
		}
		n -= w.weight
	}
	return "sen"
}

// testNHSNumber returns the i-th valid number in the NHS test range (999...), never a real one.
func testNHSNumber(i int) string {
	for n := 100000 + i*1000; ; n++ {
		s := fmt.Sprintf("999%07d", n)
		if identifier.CheckNHSNumber(s) == nil {
			return s
		}
	}
}

// upn returns a well-formed fictional UPN (LA code 999 is not a real authority).
func upn(i int) string {
	body := fmt.Sprintf("9991234%02d%03d", 17, i)
	for _, c := range "ABCDEFGHJKLMNPQRTUVWXYZ" {
		if s := string(c) + body; identifier.CheckUPN(s) == nil {
			return s
		}
	}
	return ""
}
