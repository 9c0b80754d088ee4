// Package demo fills an empty database with a realistic, entirely fictional data set: partner
// organisations of every type, practitioners, about fifty young people referred for the
// reasons and in the proportions of the Salford 0-25 pathfinder's first term, and the statutory
// side for some of them: requests for an EHC needs assessment over the last fifteen months,
// EHC plans, an annual review, a tribunal appeal and a transition plan.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/assessment"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/plans"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/feedback"
	"github.com/oneplan-send/oneplan/internal/identifier"
	"github.com/oneplan-send/oneplan/internal/meeting"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/survey"
	"github.com/oneplan-send/oneplan/internal/transition"
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

	// The statutory side: requests for an EHC needs assessment, plans (drafted, and of them
	// issued), annual reviews decided, tribunal appeals and transition plans.
	EHCRequests, EHCPlans, EHCPlansIssued    int
	AnnualReviews, Disputes, TransitionPlans int

	// Transforming Care (issue 17): register entries, C(E)TRs held, placements, personal budgets.
	RegisterEntries, CTRs, Placements, PersonalBudgets int
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
func Seed(ctx context.Context, svc *app.App, councilID string, allowTestNHS bool) (Result, error) {
	res := Result{CouncilID: councilID}
	admin := auth.WithPrincipal(ctx, auth.Principal{Role: auth.RoleAdmin, OrganisationID: councilID})
	existing, _, err := svc.Organisations.Practitioners(admin, directory.PractitionerFilter{}, paging.Page{Limit: 1})
	if err != nil {
		return res, err
	}
	if len(existing) > 0 {
		res.AlreadyPresent = true
		return res, nil
	}
	rng := rand.New(rand.NewPCG(2017, 9)) //nolint:gosec // fictional demo data: a fixed seed makes the same demo every time
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
		created, err := svc.Organisations.CreateOrganisation(admin, o)
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
			p, err := svc.Organisations.CreatePractitioner(admin, directory.Practitioner{OrganisationID: o.ID, Role: role, Active: true,
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

	today := svc.Referrals.Now().UTC().Truncate(24 * time.Hour) // the service's clock, so its rules judge the same days
	var people []person.YoungPerson
	referred := map[string]referral.Referral{} // young person id -> their referral
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
		created, err := svc.People.CreateYoungPerson(officer, yp)
		if err != nil {
			return res, fmt.Errorf("young person %d: %w", i, err)
		}
		res.YoungPeople++
		people = append(people, created)

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
		made, err := svc.Referrals.CreateReferral(officer, r)
		if err != nil {
			return res, fmt.Errorf("referral %d: %w", i, err)
		}
		res.Referrals++
		referred[created.ID] = made
		// Triage about two thirds, as a front door would have by now.
		if i%3 != 0 {
			t := referral.Triage{Decision: referral.DecisionAccept, Reason: "Two or more services involved; family consents."}
			switch {
			case !made.Eligibility.Eligible && i%2 == 0:
				t = referral.Triage{Decision: referral.DecisionRedirect, RedirectTo: "Early Help Hub", Reason: "Single service: early help is the right offer."}
			case !made.Eligibility.Eligible:
				t.OverrideReason = "Complex needs emerging; services agree the pathway is right."
			}
			triaged, err := svc.Referrals.TriageReferral(officer, made.ID, nil, t)
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
	if err := seedEHC(officer, svc, &res, people, referred, orgs, today); err != nil {
		return res, err
	}
	if err := seedTransformingCare(officer, svc, &res, people, today); err != nil {
		return res, err
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
func progress(ctx context.Context, svc *app.App, r referral.Referral, stage referral.Status, lead directory.Practitioner, today time.Time) error {
	reached := func(s referral.Status) bool { return slices.Index(stages, stage) >= slices.Index(stages, s) }
	if !reached(referral.Assessing) {
		return nil
	}
	fa, err := svc.Assessments.CreateAssessment(ctx, r.ID, "", assessment.Sections{
		DevelopmentalNeeds: "Fictional: speech delayed; good understanding of routines.",
		ChildVoice:         "Fictional: likes drawing and the park.",
		FamilyViews:        &assessment.FamilyViews{WhatMatters: "Fictional: being understood at school."}})
	if err != nil {
		return err
	}
	if _, err := svc.Assessments.SubmitAssessment(ctx, fa.ID, nil); err != nil {
		return err
	}
	if !reached(referral.Allocated) {
		return nil
	}
	if _, err := svc.Meetings.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "allocation", HeldOn: today, Decisions: []string{"Engagement lead agreed."}}); err != nil {
		return err
	}
	if _, err := svc.Referrals.Allocate(ctx, r.ID, nil, lead.ID, "Already works with the family.", ""); err != nil {
		return err
	}
	if !reached(referral.MAMHeld) {
		return nil
	}
	mam, err := svc.Meetings.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "mam", HeldOn: today,
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
	if _, err := svc.Meetings.CreateMeeting(ctx, meeting.Meeting{ReferralID: r.ID, Type: "map", HeldOn: today,
		MapDecision: &meeting.MapDecision{Solution: "Specialist resource base place", CostBand: "20k_to_50k", Outcome: "approved"}}); err != nil {
		return err
	}
	if !reached(referral.PlanInPlace) {
		return nil
	}
	if _, err := svc.Referrals.TransitionReferral(ctx, r.ID, nil, referral.PlanInPlace, "Panel approved the plan."); err != nil {
		return err
	}
	if !reached(referral.Reviewing) {
		return nil
	}
	for _, f := range []feedback.Feedback{
		{ReferralID: r.ID, MeetingID: mam.ID, From: "family", WorkingWell: "Fictional: we were listened to.", OutcomeRatings: []feedback.Rating{{Outcome: "Can ask for help", Rating: 4}}},
		{ReferralID: r.ID, From: "professional", PractitionerID: lead.ID, WorkingWell: "Fictional: one plan.", OutcomeRatings: []feedback.Rating{{Outcome: "Can ask for help", Rating: 3}}},
	} {
		if _, err := svc.Meetings.GiveFeedback(ctx, f); err != nil {
			return err
		}
	}
	if _, err := svc.Referrals.TransitionReferral(ctx, r.ID, nil, referral.Reviewing, "Six-week review."); err != nil {
		return err
	}
	if !reached(referral.Closed) {
		return nil
	}
	_, err = svc.Referrals.CloseReferral(ctx, r.ID, nil, "needs_met", "Fictional: outcomes met.")
	return err
}

// answerSurveys records the family's and the engagement lead's survey after the MAM, typed in
// from paper forms, with fictional scores that lean towards the Salford pilot's (4.4 to 4.7).
func answerSurveys(ctx context.Context, svc *app.App, r referral.Referral, today time.Time) error {
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
		if _, err := svc.Surveys.CreateSurveyResponse(ctx, resp); err != nil {
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

// senText is fictional plan wording for one SEN2 need type: the need (section B), an outcome
// (E) and the provision that serves it (F), specific and quantified.
type senText struct{ need, outcome, what, who, often, long string }

var senTexts = map[string]senText{
	"SLCN": {"Difficulty understanding and using spoken language; vocabulary well below what is typical for their age.",
		"Follows two-step instructions in class and explains what they need to an adult.",
		"Speech and language therapy programme in a small group", "NHS speech and language therapist with a trained teaching assistant",
		"Weekly 30-minute session and daily 10-minute practice", "Three school terms"},
	"ASD": {"Autism: changes to routine and busy, noisy places are very hard; social communication differences.",
		"Moves between activities calmly using a visual timetable and a named adult.",
		"Structured teaching with a visual timetable and a social communication group", "Class teacher advised by the autism outreach teacher",
		"Daily; outreach visit half-termly", "One school year"},
	"SEMH": {"Anxiety and low mood affecting attendance and friendships.",
		"Attends at least 90% of sessions and uses agreed strategies when anxious.",
		"Emotional literacy support sessions and a quiet space to go to", "Trained emotional literacy support assistant",
		"Weekly 45-minute session", "Two school terms"},
	"MLD": {"Learns across the curriculum well below the level of peers; needs ideas broken down and repeated.",
		"Reads and understands short texts at their level without help.",
		"Small-group literacy and numeracy teaching with pre-teaching of new words", "Teaching assistant supervised by the SENCO",
		"Four 30-minute sessions a week", "One school year"},
	"SPLD": {"Specific difficulties with reading, spelling and speed of processing (dyslexia).",
		"Records written work independently using assistive technology.",
		"Specialist dyslexia teaching and a laptop with speech-to-text software", "Specialist dyslexia teacher",
		"Twice weekly, 40 minutes", "Three school terms"},
	"PD": {"Cerebral palsy affecting walking and fine motor skills.",
		"Moves around the building safely and takes part in PE with adaptations.",
		"Physiotherapy programme and adapted equipment", "NHS physiotherapist with a trained teaching assistant",
		"Daily 20-minute programme; therapist visit monthly", "One school year"},
	"HI": {"Moderate hearing loss in both ears; wears hearing aids.",
		"Follows class teaching using a radio aid and checks what they have understood.",
		"Teacher of the deaf support and a radio aid", "Qualified teacher of the deaf",
		"Fortnightly visit of one hour", "One school year"},
	"VI": {"Severe visual impairment; needs enlarged print and tactile materials.",
		"Uses every class resource in a format they can access.",
		"Habilitation training and modified learning materials", "Qualified teacher of children with vision impairment",
		"Weekly visit of one hour", "One school year"},
	"SLD": {"Severe learning difficulties; communicates with signs and symbols.",
		"Makes choices across the day using a symbol communication book.",
		"Total communication approach with signing and symbols", "Class team advised by a speech and language therapist",
		"Throughout each day; therapist review termly", "One school year"},
	"PMLD": {"Profound and multiple learning difficulties.",
		"Shows preferences through consistent responses to sensory activities.",
		"Sensory curriculum and postural management programme", "Class team with an NHS physiotherapist",
		"Daily; physiotherapist review monthly", "One school year"},
	"MSI": {"Combined hearing and vision loss (multi-sensory impairment).",
		"Anticipates the day's routine using objects of reference.",
		"Intervenor support and objects of reference", "Trained intervenor advised by a multi-sensory impairment teacher",
		"Daily; specialist visit monthly", "One school year"},
	"DS": {"Down syndrome: delayed speech and learning; learns best with visual supports.",
		"Takes part in small-group learning using visual supports.",
		"Visual learning approach and a speech and language programme", "Teaching assistant advised by a speech and language therapist",
		"Daily 20 minutes; therapist review half-termly", "One school year"},
	"OTH": {"A rare genetic condition affecting attention and stamina.",
		"Takes part in the whole school day with planned rest breaks.",
		"Individual timetable with planned rest breaks and a key adult", "Key teaching assistant",
		"Daily", "Two school terms"},
}

// ehcCase is one request for an EHC needs assessment in the demo. received is days before
// today; every later step is days after receipt, 0 when the request has not got there.
type ehcCase struct {
	minAge, maxAge int // the young person's age today
	received       int
	by             string
	exception      [2]int // an exception period (ground c) from and to, days after receipt
	decide         int
	refuse         bool
	advice         [3]int // days the setting's, the educational psychologist's and the medical advice took; 0: not yet
	withdraw       int
	issueDecision  int
	served         int
	issued         int
	second         string // the second need in section B
	health, care   bool   // health needs and provision (C, G); social care needs and provision (D, H2)
	budget         bool   // a direct payment (J)
	placement      ehcplan.Placement
}

func setting(name, typ, urn, ukprn string, residential, workBased bool) ehcplan.Placement {
	return ehcplan.Placement{SettingName: name, SettingType: typ, URN: urn, UKPRN: ukprn, Residential: &residential, WorkBasedLearning: &workBased}
}

// ehcCases are twelve requests over the last fifteen months or so: most assessed (two decisions late,
// one in time only with an exception period), one refused and appealed, one withdrawn, one plan
// in draft, one assessment under way and two awaiting the decision. Six reach a final plan: three
// within 20 weeks, two late, one in time only with the exception.
var ehcCases = []ehcCase{
	{minAge: 6, maxAge: 10, received: 470, by: ehc.ByParent, decide: 35, advice: [3]int{30, 38, 41}, issueDecision: 91, served: 97, issued: 133,
		second: "SEMH", placement: setting("Oakfield Primary School", "mainstream_school", "105901", "", false, false)},
	{minAge: 9, maxAge: 15, received: 430, by: ehc.BySchoolOrCollege, decide: 49, advice: [3]int{35, 44, 49}, issueDecision: 105, served: 112, issued: 161,
		second: "SLCN", health: true, placement: setting("Chatsworth Special School", "special_school", "105920", "", false, false)},
	{minAge: 18, maxAge: 24, received: 395, by: ehc.ByYoungPerson, decide: 38, refuse: true},
	{minAge: 5, maxAge: 10, received: 360, by: ehc.ByParent, exception: [2]int{14, 34}, decide: 55, advice: [3]int{33, 40, 42}, issueDecision: 118,
		served: 126, issued: 158, second: "MLD", placement: setting("St Mary's RC Primary School", "mainstream_school", "105902", "", false, false)},
	{minAge: 3, maxAge: 12, received: 325, by: ehc.ByParent, decide: 40, advice: [3]int{28, 0, 0}, withdraw: 75},
	{minAge: 6, maxAge: 11, received: 295, by: ehc.BySchoolOrCollege, decide: 36, advice: [3]int{25, 36, 40}, issueDecision: 96, served: 100, issued: 138,
		second: "SPLD", placement: setting("Brookside Primary School (speech and language resource base)", "resourced_provision", "105903", "", false, false)},
	{minAge: 17, maxAge: 19, received: 260, by: ehc.BySchoolOrCollege, decide: 41, advice: [3]int{30, 41, 39}, issueDecision: 112, served: 120, issued: 150,
		second: "SEMH", care: true, placement: setting("City Sixth Form College (supported internship)", "further_education", "", "10099901", false, true)},
	{minAge: 8, maxAge: 15, received: 230, by: ehc.ByParent, decide: 30, advice: [3]int{28, 35, 33}, issueDecision: 92, served: 99, issued: 125,
		second: "SLCN", health: true, care: true, budget: true,
		placement: setting("Pennine View School (residential)", "independent_special_school", "149901", "", true, false)},
	{minAge: 11, maxAge: 15, received: 120, by: ehc.ByParent, decide: 44, advice: [3]int{26, 35, 38}, issueDecision: 92, served: 97, second: "ASD"},
	{minAge: 13, maxAge: 16, received: 75, by: ehc.ByParent, decide: 39, advice: [3]int{21, 0, 0}},
	{minAge: 2, maxAge: 4, received: 30, by: ehc.ByHealth},
	{minAge: 6, maxAge: 12, received: 12, by: ehc.BySchoolOrCollege},
}

// seedEHC records the statutory side of the demo through the casework service, on days counted
// back from today so every date is past and the deadlines come out the same whenever it runs:
// the twelve requests of ehcCases, a tribunal appeal against the refusal, a plan transferred in
// from another authority with its first annual review held and decided, and that young person's
// transition plan. The young people are the demo's own, the first of the right age for each.
func seedEHC(ctx context.Context, svc *app.App, res *Result, people []person.YoungPerson, referred map[string]referral.Referral,
	orgs []directory.Organisation, today time.Time) error {
	ago := func(days int) time.Time { return today.AddDate(0, 0, -days) }
	used := map[string]bool{}
	pick := func(minAge, maxAge int) (person.YoungPerson, error) {
		for _, yp := range people {
			if a := age.YearsOn(yp.DateOfBirth, today); !used[yp.ID] && a >= minAge && a <= maxAge {
				used[yp.ID] = true
				return yp, nil
			}
		}
		return person.YoungPerson{}, fmt.Errorf("EHC demo: no young person aged %d to %d left", minAge, maxAge)
	}
	for i, c := range ehcCases {
		yp, err := pick(c.minAge, c.maxAge)
		if err != nil {
			return err
		}
		if err := seedRequest(ctx, svc, res, c, yp, referred[yp.ID], ago(c.received), today); err != nil {
			return fmt.Errorf("EHC request %d: %w", i+1, err)
		}
	}
	return seedTransfer(ctx, svc, res, pick, orgs, ago)
}

// seedRequest walks one request as far as its case goes.
func seedRequest(ctx context.Context, svc *app.App, res *Result, c ehcCase, yp person.YoungPerson, ref referral.Referral,
	received, today time.Time) error {
	on := func(days int) time.Time { return received.AddDate(0, 0, days) }
	in := ehcrequests.EHCRequestInput{YoungPersonID: yp.ID, ReceivedOn: received, RequestedBy: c.by, Notes: "Fictional demo request."}
	if ref.ID != "" && !ref.ReceivedOn.After(received) {
		in.ReferralID = ref.ID // the pathway brought the request
	}
	r, err := svc.EHCRequests.CreateEHCRequest(ctx, in)
	if err != nil {
		return err
	}
	res.EHCRequests++
	if c.exception != [2]int{} {
		if r, err = svc.EHCRequests.AddEHCException(ctx, r.ID, nil, statutory.Exception{Ground: statutory.GroundPersonalCircumstances,
			From: on(c.exception[0]), To: on(c.exception[1]), Reason: "Fictional: a family bereavement; the family asked to pause appointments."}); err != nil {
			return err
		}
	}
	if c.decide == 0 {
		return nil
	}
	if c.refuse {
		if r, err = svc.EHCRequests.DecideEHCRequest(ctx, r.ID, nil, ehc.Decision{Decision: ehc.NotAssess, DecidedOn: on(c.decide), AppealRightsNotified: true,
			Reason: "Fictional: needs can be met from the college's own resources with the support plan agreed."}); err != nil {
			return err
		}
		by := dispute.ByParent
		if c.by == ehc.ByYoungPerson {
			by = dispute.ByYoungPerson
		}
		if _, err := svc.Disputes.CreateDispute(ctx, dispute.Dispute{Kind: dispute.Tribunal, SubjectType: dispute.SubjectEHCRequest, SubjectID: r.ID,
			About: dispute.AboutRefusalToAssess, BroughtBy: by, ReceivedOn: on(c.decide + 32), DecisionLetterOn: on(c.decide),
			Notes: "Fictional: appeal registered; the authority's response has been filed."}); err != nil {
			return err
		}
		res.Disputes++
		return nil
	}
	if r, err = svc.EHCRequests.DecideEHCRequest(ctx, r.ID, nil, ehc.Decision{Decision: ehc.Assess, DecidedOn: on(c.decide),
		Reason: "Fictional: may need special educational provision through a plan."}); err != nil {
		return err
	}

	// Advice, asked two days after the decision, each on its own 6-week clock.
	asked := on(c.decide + 2)
	type ask struct {
		adviser, source string
		days            int
	}
	asks := []ask{{ehc.AdviserEducational, "SENCO at the current setting", c.advice[0]},
		{ehc.AdviserEducationalPsychology, "Educational Psychology Service", c.advice[1]},
		{ehc.AdviserMedical, "Community Health NHS Trust", c.advice[2]}}
	if age.NationalCurriculumYear(yp.DateOfBirth, asked) >= ehc.PfAFromYear {
		asks = append(asks, ask{ehc.AdviserPreparingForAdulthood, "Preparing for Adulthood team", c.advice[0]})
	}
	if c.care {
		asks = append(asks, ask{ehc.AdviserSocialCare, "Children's Social Care, disabled children's team", c.advice[0]})
	}
	obtained := []ehcplan.AdviceObtained{{Adviser: ehc.AdviserParentViews, Source: "The family's views (fictional)", On: on(c.decide + 10)}}
	for _, a := range asks {
		if r, err = svc.EHCRequests.RequestEHCAdvice(ctx, r.ID, nil, ehc.Advice{Adviser: a.adviser, Provider: a.source, RequestedOn: asked}); err != nil {
			return err
		}
		if a.days == 0 {
			continue
		}
		got := asked.AddDate(0, 0, a.days)
		if r, err = svc.EHCRequests.ReceiveEHCAdvice(ctx, r.ID, r.Advice[len(r.Advice)-1].ID, nil, got); err != nil {
			return err
		}
		obtained = append(obtained, ehcplan.AdviceObtained{Adviser: a.adviser, Source: a.source, On: got})
	}
	if c.withdraw > 0 {
		_, err = svc.EHCRequests.WithdrawEHCRequest(ctx, r.ID, nil, on(c.withdraw), "Fictional: the family withdrew the request; needs are met at SEN support with outreach.")
		return err
	}
	if c.issueDecision == 0 {
		return nil
	}
	if r, err = svc.EHCRequests.DecideEHCIssue(ctx, r.ID, nil, ehc.IssueDecision{Decision: ehc.Issue, DecidedOn: on(c.issueDecision),
		Reason: "Fictional: the advice shows needs that call for a plan."}); err != nil {
		return err
	}
	final := today
	if c.issued > 0 {
		final = on(c.issued)
	}
	pl, err := svc.Plans.CreateEHCPlan(ctx, plans.EHCPlanInput{YoungPersonID: yp.ID, RequestID: r.ID,
		Sections: planSections(yp, c.second, c.health, c.care, c.budget, final, obtained)})
	if err != nil {
		return err
	}
	res.EHCPlans++
	if c.served == 0 {
		return nil
	}
	if pl, err = svc.Plans.ServeEHCPlanDraft(ctx, pl.ID, nil, on(c.served)); err != nil {
		return err
	}
	if c.issued == 0 {
		return nil
	}
	placement := c.placement
	if _, err = svc.Plans.IssueEHCPlan(ctx, pl.ID, nil, ehcplan.IssueInput{IssuedOn: final, Placement: &placement}); err != nil {
		return err
	}
	res.EHCPlansIssued++
	return nil
}

// seedTransfer records a plan transferred in from LA 802 about eighteen months ago, its first
// annual review held and decided (maintain), and the young person's transition plan.
func seedTransfer(ctx context.Context, svc *app.App, res *Result, pick func(int, int) (person.YoungPerson, error),
	orgs []directory.Organisation, ago func(int) time.Time) error {
	yp, err := pick(14, 15)
	if err != nil {
		return err
	}
	school, adults, college := orgByName(orgs, "Cromwell Academy"), orgByName(orgs, "Adult Social Care"), orgByName(orgs, "City Sixth Form College")
	issued := ago(545)
	pl, err := svc.Plans.CreateEHCPlan(ctx, plans.EHCPlanInput{YoungPersonID: yp.ID, TransferredFromLA: "802",
		Sections: planSections(yp, "SPLD", false, false, false, issued, []ehcplan.AdviceObtained{
			{Adviser: ehc.AdviserOther, Source: "The EHC plan maintained by the previous authority (LA 802)", On: ago(575)}})})
	if err != nil {
		return fmt.Errorf("transferred plan: %w", err)
	}
	res.EHCPlans++
	if pl, err = svc.Plans.ServeEHCPlanDraft(ctx, pl.ID, nil, ago(562)); err != nil {
		return fmt.Errorf("transferred plan: %w", err)
	}
	placement := setting(school.Name, "mainstream_school", school.URN, "", false, false)
	if pl, err = svc.Plans.IssueEHCPlan(ctx, pl.ID, nil, ehcplan.IssueInput{IssuedOn: issued, Placement: &placement}); err != nil {
		return fmt.Errorf("transferred plan: %w", err)
	}
	res.EHCPlansIssued++

	// The first review falls due 12 months after the plan was issued here: held ten days early,
	// papers out two weeks before, the report and the decision within the following weeks.
	due, _, err := svc.Plans.AnnualReviews(ctx, annualreview.Filter{PlanID: pl.ID, Status: string(annualreview.Due)}, paging.Page{Limit: 1})
	if err != nil {
		return fmt.Errorf("annual review of the transferred plan: %w", err)
	}
	if len(due) != 1 {
		return fmt.Errorf("annual review of the transferred plan: %d due, want 1", len(due))
	}
	papers, report := ago(204), ago(182)
	if _, err := svc.Plans.HoldAnnualReview(ctx, due[0].ID, nil, annualreview.Meeting{On: ago(190), PapersSentOn: &papers, ReportSentOn: &report,
		Attendees: []annualreview.Attendee{{Role: "parent"}, {Role: "child_young_person"}, {Role: "setting", OrganisationID: school.ID},
			{Role: "local_authority"}, {Role: "health"}},
		ChildViews: "Fictional: I like science and want to work with animals.", ParentViews: "Fictional: the move here went well.",
		PfAFocus: []string{"employment_education", "independent_living"}, Recommendation: annualreview.Maintain}); err != nil {
		return fmt.Errorf("annual review meeting: %w", err)
	}
	if _, err := svc.Plans.DecideAnnualReview(ctx, due[0].ID, nil, annualreview.Decision{Decision: annualreview.Maintain, DecidedOn: ago(176),
		AppealRightsNotified: true, Reason: "Fictional: outcomes on track; provision still right."}, nil); err != nil {
		return fmt.Errorf("annual review decision: %w", err)
	}
	res.AnnualReviews++

	// The transition plan, started after the review's preparing-for-adulthood discussion (or on
	// the 14th birthday, if that came later).
	started := statutory.Later(ago(150), transition.Birthday(yp.DateOfBirth, 14))
	if _, err := svc.Transitions.CreateTransitionPlan(ctx, transition.Plan{YoungPersonID: yp.ID, StartedOn: started,
		PfA: transition.PfA{
			EmploymentEducation: transition.Area{Aspirations: "Fictional: to study animal care at college.", Actions: "College taster days; careers guidance in school."},
			IndependentLiving:   transition.Area{Aspirations: "Fictional: to travel to college alone.", Actions: "Travel training in the summer term."},
			Community:           transition.Area{Aspirations: "Fictional: to keep going to the youth club.", Actions: "Youth club place funded through the local offer."},
			Health:              transition.Area{Aspirations: "Fictional: to manage their own appointments.", Actions: "GP annual health check from 14."}},
		Contacts: []transition.Contact{{Service: transition.ServiceAdultSocialCare, OrganisationID: adults.ID, ContactRole: "Transitions social worker"},
			{Service: transition.ServiceFurtherEducation, OrganisationID: college.ID, ContactRole: "Additional learning support coordinator"}},
		CareAct: transition.CareActAssessment{Status: transition.CareActNotYetDue},
		Notes:   "Fictional demo transition plan."}); err != nil {
		return fmt.Errorf("transition plan: %w", err)
	}
	res.TransitionPlans++
	return nil
}

func orgByName(orgs []directory.Organisation, name string) directory.Organisation {
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	return directory.Organisation{}
}

// planSections writes a plan for yp: section B ranks their primary need first and second after
// it, each with an outcome and provision; preparing-for-adulthood outcomes from Year 9 on the day
// the plan is to be final; health, social care and a direct payment when asked. Section I is
// left blank for the draft.
func planSections(yp person.YoungPerson, second string, health, care, budget bool, final time.Time, advice []ehcplan.AdviceObtained) ehcplan.Sections {
	first := yp.PrimarySENNeed
	if _, ok := senTexts[first]; !ok {
		first = "SLCN"
	}
	if second == first {
		second = map[bool]string{true: "SLCN", false: "SEMH"}[first == "SEMH"]
	}
	n1, n2 := senTexts[first], senTexts[second]
	pfa := age.NationalCurriculumYear(yp.DateOfBirth, final) >= ehc.PfAFromYear
	whose := "parent"
	if age.YearsOn(yp.DateOfBirth, final) >= 8 {
		whose = "both"
	}
	s := ehcplan.Sections{
		A: ehcplan.Views{Views: "Fictional: likes being with friends and having time to settle in the morning.",
			Interests: "Fictional: drawing, football and animals.", Aspirations: "Fictional: to have friends and learn a job they enjoy.", WhoseWords: whose},
		B: []ehcplan.Need{{Ref: "B1", SENType: first, Rank: 1, Description: n1.need}, {Ref: "B2", SENType: second, Rank: 2, Description: n2.need}},
		E: []ehcplan.Outcome{{Ref: "E1", Description: n1.outcome, Needs: []string{"B1"}}, {Ref: "E2", Description: n2.outcome, Needs: []string{"B2"}}},
		F: []ehcplan.Provision{{Ref: "F1", What: n1.what, Who: n1.who, HowOften: n1.often, HowLong: n1.long, Outcomes: []string{"E1"}},
			{Ref: "F2", What: n2.what, Who: n2.who, HowOften: n2.often, HowLong: n2.long, Outcomes: []string{"E2"}}},
		K: advice,
	}
	if pfa {
		s.E = append(s.E, ehcplan.Outcome{Ref: "E3", Description: "Chooses a post-16 course or training with support and visits the setting beforehand.",
			Needs: []string{"B1"}, PfAArea: "employment_education"})
		s.F = append(s.F, ehcplan.Provision{Ref: "F3", What: "Careers guidance and supported visits to post-16 settings", Who: "Careers adviser with the SENCO",
			HowOften: "A guidance meeting each term and two visits a year", HowLong: "Until the move to post-16", Outcomes: []string{"E3"}})
	}
	if health {
		s.C = []ehcplan.Need{{Ref: "C1", Description: "Epilepsy, controlled with medication; an individual healthcare plan is in place."}}
		s.E = append(s.E, ehcplan.Outcome{Ref: "E4", Description: "Stays safe through the school day with staff trained in the healthcare plan.", Needs: []string{"C1"}})
		s.G = []ehcplan.Provision{{Ref: "G1", What: "Individual healthcare plan and staff training in emergency medication", Who: "Community children's nurse",
			HowOften: "Training yearly; plan reviewed each term", HowLong: "One year", Outcomes: []string{"E4"}}}
	}
	if care {
		area := ""
		if pfa {
			area = "community"
		}
		s.D = []ehcplan.Need{{Ref: "D1", Description: "The family needs regular short breaks to keep caring at home."}}
		s.E = append(s.E, ehcplan.Outcome{Ref: "E5", Description: "Enjoys activities with friends outside school while the family has a break.",
			Needs: []string{"D1"}, PfAArea: area})
		s.H2 = []ehcplan.Provision{{Ref: "H2-1", What: "Short breaks at a local activity scheme", Who: "Children's Social Care, disabled children's team",
			HowOften: "One weekend day a month and two weeks in the summer", HowLong: "One year", Outcomes: []string{"E5"}}}
	}
	if budget {
		s.J = &ehcplan.PersonalBudget{Type: "direct_payment", Lines: []ehcplan.BudgetLine{{Stream: "social_care", AmountPence: 312000},
			{Stream: "education", AmountPence: 180000}}}
	}
	return s
}
