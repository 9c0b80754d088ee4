package outbox

// Type is one kind of event OnePlan announces, with the version of its payload. Every event is
// written through one of the values below, never a bare string, so this list is the whole catalogue
// an integrator can subscribe to.
type Type struct {
	Name       string // e.g. referral.received
	Version    int    // bumped when the payload changes incompatibly
	RecordType string // the kind of record the event is about
	Summary    string // what happened, for the catalogue
}

// The catalogue.
var (
	ActionCompleted               = Type{Name: "action.completed", Version: 1, RecordType: "action", Summary: "An action agreed at a meeting was completed."}
	AnnualReviewCancelled         = Type{Name: "annual_review.cancelled", Version: 1, RecordType: "annual_review", Summary: "A scheduled annual review lapsed because its plan is ceasing."}
	AnnualReviewDeadlineMissed    = Type{Name: "annual_review.deadline_missed", Version: 1, RecordType: "annual_review", Summary: "An annual review deadline (review, report or decision) passed unmet."}
	AnnualReviewDecided           = Type{Name: "annual_review.decided", Version: 1, RecordType: "annual_review", Summary: "The authority decided to maintain, amend or cease the plan after a review."}
	AnnualReviewDue               = Type{Name: "annual_review.due", Version: 1, RecordType: "annual_review", Summary: "An annual review falls due soon."}
	AnnualReviewHeld              = Type{Name: "annual_review.held", Version: 1, RecordType: "annual_review", Summary: "An annual review meeting was recorded."}
	AnnualReviewScheduled         = Type{Name: "annual_review.scheduled", Version: 1, RecordType: "annual_review", Summary: "An annual review was scheduled."}
	APIKeyCreated                 = Type{Name: "api_key.created", Version: 1, RecordType: "api_key", Summary: "An API key was issued."}
	APIKeyRevoked                 = Type{Name: "api_key.revoked", Version: 1, RecordType: "api_key", Summary: "An API key was revoked."}
	ConsentRecorded               = Type{Name: "consent.recorded", Version: 1, RecordType: "consent", Summary: "Consent to share was recorded."}
	ConsentWithdrawn              = Type{Name: "consent.withdrawn", Version: 1, RecordType: "consent", Summary: "Consent to share was withdrawn."}
	DeadlineDueSoon               = Type{Name: "deadline.due_soon", Version: 1, RecordType: "deadline", Summary: "A statutory deadline (any clock: see GET /v1/deadlines) falls due within its lead time."}
	DeadlineMissed                = Type{Name: "deadline.missed", Version: 1, RecordType: "deadline", Summary: "A statutory deadline passed unmet (sent the day after it was due)."}
	DisputeConcluded              = Type{Name: "dispute.concluded", Version: 1, RecordType: "dispute", Summary: "A dispute (tribunal, mediation or complaint) concluded."}
	DisputeRecorded               = Type{Name: "dispute.recorded", Version: 1, RecordType: "dispute", Summary: "A dispute was recorded."}
	DisputeUpdated                = Type{Name: "dispute.updated", Version: 1, RecordType: "dispute", Summary: "A dispute changed."}
	DocumentAdded                 = Type{Name: "document.added", Version: 1, RecordType: "document", Summary: "A document (advice, a report, a letter) was attached to a child's record."}
	DocumentRemoved               = Type{Name: "document.removed", Version: 1, RecordType: "document", Summary: "A document was removed from a child's record."}
	EHCPlanAmendmentProposed      = Type{Name: "ehc_plan.amendment_proposed", Version: 1, RecordType: "ehc_plan", Summary: "Proposed amendments were sent to the family."}
	EHCPlanCeased                 = Type{Name: "ehc_plan.ceased", Version: 1, RecordType: "ehc_plan", Summary: "A plan ceased."}
	EHCPlanCeasing                = Type{Name: "ehc_plan.ceasing", Version: 1, RecordType: "ehc_plan", Summary: "The authority decided to cease a plan; it stays in force until the appeal window closes."}
	EHCPlanDraftRevised           = Type{Name: "ehc_plan.draft_revised", Version: 1, RecordType: "ehc_plan", Summary: "A draft plan was revised."}
	EHCPlanDraftServed            = Type{Name: "ehc_plan.draft_served", Version: 1, RecordType: "ehc_plan", Summary: "A draft plan was sent to the family."}
	EHCPlanFamilyViewsGiven       = Type{Name: "ehc_plan.family_views_given", Version: 1, RecordType: "ehc_plan", Summary: "The family gave their views on a served draft plan (and may have named a setting or asked for a meeting)."}
	EHCPlanDrafted                = Type{Name: "ehc_plan.drafted", Version: 1, RecordType: "ehc_plan", Summary: "A draft plan was started."}
	EHCPlanIssued                 = Type{Name: "ehc_plan.issued", Version: 1, RecordType: "ehc_plan", Summary: "A final or amended plan was issued."}
	EHCPlanPhaseTransferPlanned   = Type{Name: "ehc_plan.phase_transfer_planned", Version: 1, RecordType: "ehc_plan", Summary: "A phase transfer and its deadline were recorded."}
	EHCPlanTransferredIn          = Type{Name: "ehc_plan.transferred_in", Version: 1, RecordType: "ehc_plan", Summary: "A plan's transfer in from another authority was recorded (Reg 15): its made date and review date follow the old authority's."}
	EHCPlanReviewed               = Type{Name: "ehc_plan.reviewed", Version: 1, RecordType: "ehc_plan", Summary: "A plan's review was decided; its next review date moved."}
	EHCRequestAdviceReceived      = Type{Name: "ehc_request.advice_received", Version: 1, RecordType: "ehc_request", Summary: "Advice arrived for an EHC needs assessment."}
	EHCRequestAdviceRequested     = Type{Name: "ehc_request.advice_requested", Version: 1, RecordType: "ehc_request", Summary: "Advice was requested from an adviser."}
	EHCRequestDeadlineMissed      = Type{Name: "ehc_request.deadline_missed", Version: 1, RecordType: "ehc_request", Summary: "A statutory deadline of an EHC needs assessment passed unmet."}
	EHCRequestDecided             = Type{Name: "ehc_request.decided", Version: 1, RecordType: "ehc_request", Summary: "The decision whether to assess was recorded."}
	EHCRequestDeadlineDueSoon     = Type{Name: "ehc_request.deadline_due_soon", Version: 1, RecordType: "ehc_request", Summary: "A statutory deadline of an EHC needs assessment (the 16-week notice, the 20-week final plan) falls due soon."}
	EHCRequestDecisionDue         = Type{Name: "ehc_request.decision_due", Version: 1, RecordType: "ehc_request", Summary: "The decision whether to assess falls due soon."}
	EHCRequestDraftServed         = Type{Name: "ehc_request.draft_served", Version: 1, RecordType: "ehc_request", Summary: "The draft plan for a request was served."}
	EHCRequestExceptionRecorded   = Type{Name: "ehc_request.exception_recorded", Version: 1, RecordType: "ehc_request", Summary: "An exception to the time limits was recorded."}
	EHCRequestIssueDecided        = Type{Name: "ehc_request.issue_decided", Version: 1, RecordType: "ehc_request", Summary: "The decision whether to issue a plan was recorded."}
	EHCRequestPlanIssued          = Type{Name: "ehc_request.plan_issued", Version: 1, RecordType: "ehc_request", Summary: "The final plan for a request was issued."}
	EHCRequestReceived            = Type{Name: "ehc_request.received", Version: 1, RecordType: "ehc_request", Summary: "A request for an EHC needs assessment was received; the statutory clock started."}
	EHCRequestWithdrawn           = Type{Name: "ehc_request.withdrawn", Version: 1, RecordType: "ehc_request", Summary: "A request was withdrawn."}
	FamilyInvitationCreated       = Type{Name: "family_invitation.created", Version: 1, RecordType: "family_invitation", Summary: "A family without an account was invited (by a link) to request an assessment or give views on a draft plan."}
	FamilyInvitationUsed          = Type{Name: "family_invitation.used", Version: 1, RecordType: "family_invitation", Summary: "A family invitation link was used."}
	FamilyAssessmentCreated       = Type{Name: "family_assessment.created", Version: 1, RecordType: "family_assessment", Summary: "A family assessment (or a new version of one) was started."}
	FamilyAssessmentReviewed      = Type{Name: "family_assessment.reviewed", Version: 1, RecordType: "family_assessment", Summary: "A family assessment was reviewed."}
	FamilyAssessmentSubmitted     = Type{Name: "family_assessment.submitted", Version: 1, RecordType: "family_assessment", Summary: "A family assessment was submitted."}
	FamilyAssessmentUpdated       = Type{Name: "family_assessment.updated", Version: 1, RecordType: "family_assessment", Summary: "A draft family assessment changed."}
	InvolvementStarted            = Type{Name: "involvement.started", Version: 1, RecordType: "involvement", Summary: "An organisation joined the team around a child."}
	InvolvementUpdated            = Type{Name: "involvement.updated", Version: 1, RecordType: "involvement", Summary: "An involvement changed or ended."}
	InvolvementEnded              = Type{Name: "involvement.ended", Version: 1, RecordType: "involvement", Summary: "An involvement ended because the consent it rested on was withdrawn."}
	InvolvementReviewNeeded       = Type{Name: "involvement.review_needed", Version: 1, RecordType: "involvement", Summary: "An involvement rested on a withdrawn consent and waits for a practitioner's decision."}
	MeetingHeld                   = Type{Name: "meeting.held", Version: 1, RecordType: "meeting", Summary: "A meeting was recorded."}
	MeetingUpdated                = Type{Name: "meeting.updated", Version: 1, RecordType: "meeting", Summary: "A meeting record was corrected."}
	OrganisationCreated           = Type{Name: "organisation.created", Version: 1, RecordType: "organisation", Summary: "An organisation was added to the directory."}
	OrganisationUpdated           = Type{Name: "organisation.updated", Version: 1, RecordType: "organisation", Summary: "An organisation changed."}
	PathwayFeedbackRecorded       = Type{Name: "pathway_feedback.recorded", Version: 1, RecordType: "pathway_feedback", Summary: "Feedback on the pathway was recorded."}
	PractitionerCreated           = Type{Name: "practitioner.created", Version: 1, RecordType: "practitioner", Summary: "A practitioner was added to the directory."}
	PractitionerUpdated           = Type{Name: "practitioner.updated", Version: 1, RecordType: "practitioner", Summary: "A practitioner changed."}
	PossibleDuplicateDismissed    = Type{Name: "possible_duplicate.dismissed", Version: 1, RecordType: "possible_duplicate", Summary: "The SEND team found a possible duplicate to be two children."}
	PossibleDuplicateFound        = Type{Name: "possible_duplicate.found", Version: 1, RecordType: "possible_duplicate", Summary: "Two records hold the same NHS number or UPN: a pair for the SEND team to look at."}
	PossibleDuplicateUpdated      = Type{Name: "possible_duplicate.updated", Version: 1, RecordType: "possible_duplicate", Summary: "A merge settled a possible duplicate: merged with its records, or moved onto the record kept."}
	ReassessmentStarted           = Type{Name: "reassessment.started", Version: 1, RecordType: "reassessment", Summary: "A re-assessment of a plan was requested (s.44(2)) or decided by the authority of its own motion (s.44(3))."}
	ReassessmentDecided           = Type{Name: "reassessment.decided", Version: 1, RecordType: "reassessment", Summary: "The decision whether to re-assess was notified (Reg 25(1))."}
	ReassessmentExceptionRecorded = Type{Name: "reassessment.exception_recorded", Version: 1, RecordType: "reassessment", Summary: "An exception to the re-assessment's 14-week limit was recorded (Reg 27(3))."}
	ReassessmentCompleted         = Type{Name: "reassessment.completed", Version: 1, RecordType: "reassessment", Summary: "The amended or replacement plan ending a re-assessment was issued (Reg 27(2))."}
	ReferralClosed                = Type{Name: "referral.closed", Version: 1, RecordType: "referral", Summary: "A referral was closed."}
	ReferralSafeguardingRaised    = Type{Name: "referral.safeguarding_concern_raised", Version: 1, RecordType: "referral", Summary: "A safeguarding concern was raised on a referral after it was received."}
	ReferralReceived              = Type{Name: "referral.received", Version: 1, RecordType: "referral", Summary: "A referral was received."}
	ReferralStatusChanged         = Type{Name: "referral.status_changed", Version: 1, RecordType: "referral", Summary: "A referral moved along the pathway."}
	ReferralTriaged               = Type{Name: "referral.triaged", Version: 1, RecordType: "referral", Summary: "A referral was triaged."}
	ReferralUpdated               = Type{Name: "referral.updated", Version: 1, RecordType: "referral", Summary: "A referral was corrected before triage."}
	SurveyInvitationCreated       = Type{Name: "survey_invitation.created", Version: 1, RecordType: "survey_invitation", Summary: "A survey invitation was created."}
	SurveyResponseRecorded        = Type{Name: "survey_response.recorded", Version: 1, RecordType: "survey_response", Summary: "A survey response was recorded."}
	SurveyTemplateCreated         = Type{Name: "survey_template.created", Version: 1, RecordType: "survey_template", Summary: "A survey template was created."}
	SurveyTemplateVersioned       = Type{Name: "survey_template.versioned", Version: 1, RecordType: "survey_template", Summary: "A survey template gained a new version of its questions."}
	TransitionGapOpened           = Type{Name: "transition_gap.opened", Version: 1, RecordType: "young_person", Summary: "A young person reached transition age without a current transition plan."}
	TransitionPlanCreated         = Type{Name: "transition_plan.created", Version: 1, RecordType: "transition_plan", Summary: "A transition plan was started."}
	TransitionPlanEnded           = Type{Name: "transition_plan.ended", Version: 1, RecordType: "transition_plan", Summary: "A transition plan ended."}
	TransitionPlanUpdated         = Type{Name: "transition_plan.updated", Version: 1, RecordType: "transition_plan", Summary: "A transition plan changed."}
	YoungPersonCreated            = Type{Name: "young_person.created", Version: 1, RecordType: "young_person", Summary: "A young person was recorded."}
	YoungPersonErased             = Type{Name: "young_person.erased", Version: 1, RecordType: "young_person", Summary: "A young person's records were erased after retention."}
	YoungPersonMerged             = Type{Name: "young_person.merged", Version: 1, RecordType: "young_person", Summary: "Another record of the same child was merged into this one; its records moved here."}
	YoungPersonExported           = Type{Name: "young_person.exported", Version: 1, RecordType: "young_person", Summary: "A young person's records were exported for a subject access request."}
	WebhookSubscriptionCreated    = Type{Name: "webhook_subscription.created", Version: 1, RecordType: "webhook_subscription", Summary: "A webhook subscription was created."}
	WebhookSubscriptionUpdated    = Type{Name: "webhook_subscription.updated", Version: 1, RecordType: "webhook_subscription", Summary: "A webhook subscription changed or its secret was rotated."}
	WebhookSubscriptionFailing    = Type{Name: "webhook_subscription.failing", Version: 1, RecordType: "webhook_subscription", Summary: "A webhook subscription's receiver failed every retry of a delivery for the whole retry period."}
	EHCPlanUpdated                = Type{Name: "ehc_plan.updated", Version: 1, RecordType: "ehc_plan", Summary: "A plan's record changed (its ids in other systems)."}
	// Transforming Care (issue 17). Register events carry no young person: only the register
	// group may know who is on it, so they reach only callers who see the whole council.
	CareTreatmentReviewHeld               = Type{Name: "care_treatment_review.held", Version: 1, RecordType: "care_treatment_review", Summary: "A care (education) and treatment review was held."}
	CareTreatmentReviewScheduled          = Type{Name: "care_treatment_review.scheduled", Version: 1, RecordType: "care_treatment_review", Summary: "A care (education) and treatment review was scheduled."}
	CareTreatmentReviewRecommendationDone = Type{Name: "care_treatment_review.recommendation_done", Version: 1, RecordType: "care_treatment_review",
		Summary: "A recommendation of a care (education) and treatment review was marked done."}
	PersonalBudgetEnded          = Type{Name: "personal_budget.ended", Version: 1, RecordType: "personal_budget", Summary: "An agreed personal budget ended."}
	PersonalBudgetReviewed       = Type{Name: "personal_budget.reviewed", Version: 1, RecordType: "personal_budget", Summary: "The refusal of a personal budget was reviewed: upheld or overturned."}
	PersonalBudgetDecided        = Type{Name: "personal_budget.decided", Version: 1, RecordType: "personal_budget", Summary: "The council agreed or refused a personal budget."}
	PersonalBudgetPaid           = Type{Name: "personal_budget.paid", Version: 1, RecordType: "personal_budget", Summary: "A payment was recorded against a personal budget."}
	PersonalBudgetRequested      = Type{Name: "personal_budget.requested", Version: 1, RecordType: "personal_budget", Summary: "A family asked for a personal budget."}
	PlacementEnded               = Type{Name: "placement.ended", Version: 1, RecordType: "placement", Summary: "A child's placement ended."}
	PlacementRecorded            = Type{Name: "placement.recorded", Version: 1, RecordType: "placement", Summary: "A child's placement was recorded."}
	RegisterEntryClosed          = Type{Name: "support_register_entry.closed", Version: 1, RecordType: "support_register_entry", Summary: "A young person came off the dynamic support register."}
	RegisterEntryCreated         = Type{Name: "support_register_entry.created", Version: 1, RecordType: "support_register_entry", Summary: "A young person was put on the dynamic support register."}
	RegisterEntryCTRHeld         = Type{Name: "support_register_entry.ctr_held", Version: 1, RecordType: "support_register_entry", Summary: "A C(E)TR was recorded as held for a register entry."}
	RegisterEntryRated           = Type{Name: "support_register_entry.rated", Version: 1, RecordType: "support_register_entry", Summary: "The register group rated a register entry."}
	YoungPersonUpdated           = Type{Name: "young_person.updated", Version: 1, RecordType: "young_person", Summary: "A young person's record changed."}
	EHCAdviceSubmitted           = Type{Name: "ehc_advice.submitted", Version: 1, RecordType: "ehc_advice", Summary: "The adviser named on an advice request submitted their advice (Reg 6)."}
	SettingConsultationResponded = Type{Name: "setting_consultation.responded", Version: 1, RecordType: "setting_consultation", Summary: "A setting answered whether it can meet a child's needs (s.39)."}
	DocumentVisibilityChanged    = Type{Name: "document.visibility_changed", Version: 1, RecordType: "document", Summary: "A document was shown to, or hidden from, the child's family."}
	AdviserInvitationCreated     = Type{Name: "adviser_invitation.created", Version: 1, RecordType: "adviser_invitation", Summary: "An adviser without an account was invited (by a link) to submit the advice of one advice request (Reg 6)."}
	AdviserInvitationUsed        = Type{Name: "adviser_invitation.used", Version: 1, RecordType: "adviser_invitation", Summary: "The advice was submitted through an adviser invitation link."}
	AdviserInvitationRevoked     = Type{Name: "adviser_invitation.revoked", Version: 1, RecordType: "adviser_invitation", Summary: "The council withdrew an adviser invitation link."}
	ImportJobStarted             = Type{Name: "import_job.started", Version: 1, RecordType: "import_job", Summary: "A replica started running an import job (POST /v1/imports)."}
	ImportJobCancelled           = Type{Name: "import_job.cancelled", Version: 1, RecordType: "import_job", Summary: "An import job was cancelled while queued or running (POST /v1/imports/{id}/cancel)."}
	ImportJobFinished            = Type{Name: "import_job.finished", Version: 1, RecordType: "import_job", Summary: "An import job finished: succeeded or failed, with its counts."}
	SettingConsultationSent      = Type{Name: "setting_consultation.sent", Version: 1, RecordType: "setting_consultation", Summary: "The council consulted a setting about naming it in an EHC plan (s.39)."}
)

// Catalogue lists every event type, by name.
var Catalogue = []Type{
	ActionCompleted,
	AnnualReviewCancelled,
	AnnualReviewDeadlineMissed,
	AnnualReviewDecided,
	AnnualReviewDue,
	AnnualReviewHeld,
	AnnualReviewScheduled,
	APIKeyCreated,
	APIKeyRevoked,
	CareTreatmentReviewHeld,
	CareTreatmentReviewScheduled,
	CareTreatmentReviewRecommendationDone,
	ConsentRecorded,
	ConsentWithdrawn,
	DeadlineDueSoon,
	DeadlineMissed,
	DisputeConcluded,
	DisputeRecorded,
	DisputeUpdated,
	DocumentAdded,
	DocumentRemoved,
	DocumentVisibilityChanged,
	EHCAdviceSubmitted,
	AdviserInvitationCreated,
	AdviserInvitationUsed,
	AdviserInvitationRevoked,
	EHCPlanAmendmentProposed,
	EHCPlanCeased,
	EHCPlanCeasing,
	EHCPlanDraftRevised,
	EHCPlanDraftServed,
	EHCPlanDrafted,
	EHCPlanFamilyViewsGiven,
	EHCPlanIssued,
	EHCPlanPhaseTransferPlanned,
	EHCPlanTransferredIn,
	EHCPlanReviewed,
	EHCPlanUpdated,
	EHCRequestAdviceReceived,
	EHCRequestAdviceRequested,
	EHCRequestDeadlineMissed,
	EHCRequestDecided,
	EHCRequestDeadlineDueSoon,
	EHCRequestDecisionDue,
	EHCRequestDraftServed,
	EHCRequestExceptionRecorded,
	EHCRequestIssueDecided,
	EHCRequestPlanIssued,
	EHCRequestReceived,
	EHCRequestWithdrawn,
	FamilyAssessmentCreated,
	FamilyInvitationCreated,
	FamilyInvitationUsed,
	FamilyAssessmentReviewed,
	FamilyAssessmentSubmitted,
	FamilyAssessmentUpdated,
	ImportJobCancelled,
	ImportJobFinished,
	ImportJobStarted,
	InvolvementStarted,
	InvolvementUpdated,
	InvolvementEnded,
	InvolvementReviewNeeded,
	MeetingHeld,
	MeetingUpdated,
	OrganisationCreated,
	OrganisationUpdated,
	PathwayFeedbackRecorded,
	PersonalBudgetDecided,
	PersonalBudgetEnded,
	PersonalBudgetReviewed,
	PersonalBudgetPaid,
	PersonalBudgetRequested,
	PlacementEnded,
	PlacementRecorded,
	PractitionerCreated,
	PractitionerUpdated,
	PossibleDuplicateDismissed,
	PossibleDuplicateFound,
	PossibleDuplicateUpdated,
	ReassessmentCompleted,
	ReassessmentDecided,
	ReassessmentExceptionRecorded,
	ReassessmentStarted,
	ReferralClosed,
	ReferralReceived,
	ReferralSafeguardingRaised,
	ReferralStatusChanged,
	ReferralTriaged,
	ReferralUpdated,
	RegisterEntryClosed,
	RegisterEntryCreated,
	RegisterEntryCTRHeld,
	RegisterEntryRated,
	SettingConsultationResponded,
	SettingConsultationSent,
	SurveyInvitationCreated,
	SurveyResponseRecorded,
	SurveyTemplateCreated,
	SurveyTemplateVersioned,
	TransitionGapOpened,
	TransitionPlanCreated,
	TransitionPlanEnded,
	TransitionPlanUpdated,
	WebhookSubscriptionCreated,
	WebhookSubscriptionFailing,
	WebhookSubscriptionUpdated,
	YoungPersonCreated,
	YoungPersonErased,
	YoungPersonExported,
	YoungPersonMerged,
	YoungPersonUpdated,
}

// Unknown is the first of names that is no event type, and whether there is one: what a feed's
// reader (GET /v1/events, `oneplan events tail`) is refused for, naming it.
func Unknown(names []string) (string, bool) {
	for _, n := range names {
		if _, ok := Lookup(n); !ok {
			return n, true
		}
	}
	return "", false
}

// Lookup finds an event type by name.
func Lookup(name string) (Type, bool) {
	for _, t := range Catalogue {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}
