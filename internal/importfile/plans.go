package importfile

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/identifier"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// EHCPlans is the layout for EHC plans made before OnePlan.
var EHCPlans = Layout{Type: "ehc-plans", Columns: []Column{
	{Name: "external_system", Required: true, Help: "the system the id below comes from: a configured short name or an absolute URI"},
	{Name: "external_id", Required: true, Help: "the plan's id in that system; a re-run matches on it and changes nothing"},
	{Name: "young_person_system", Help: "with young_person_external_id: the child's id in another system (as loaded by the young-people import)"},
	{Name: "young_person_external_id"},
	{Name: "nhs_number", Help: "instead of the two above: the child's NHS number"},
	{Name: "status", Required: true, Help: "issued (in force) or ceased"},
	{Name: "first_issued_on", Required: true, Help: "YYYY-MM-DD: the day the first final plan was issued"},
	{Name: "last_reviewed_on", Help: "YYYY-MM-DD: the last annual review decision, if any"},
	{Name: "review_due_on", Help: "YYYY-MM-DD: the next annual review's last day (worked out when left out)"},
	{Name: "phase_transfer_kind", Help: "between_phases, secondary_to_post16 or between_post16"},
	{Name: "phase_transfer_on", Help: "YYYY-MM-DD: the day of the next transfer between phases"},
	{Name: "cease_reason", Help: "ceased plans: the SEN2 cease reason, 1 to 9"},
	{Name: "ceased_on", Help: "ceased plans: YYYY-MM-DD, the first day the plan was no longer maintained"},
	{Name: "sen_types", Required: true, List: true, Help: "SEN2 need types separated by semicolons, the primary need first"},
	{Name: "setting_name", Required: true, Help: "section I: the setting named in the plan"},
	{Name: "setting_type", Required: true, Help: "section I: " + strings.Join(ehcplan.SettingTypes, ", ")},
	{Name: "setting_urn", Pattern: "^[0-9]{6,7}$", Help: "the setting's DfE unique reference number"},
	{Name: "setting_ukprn", Pattern: "^1[0-9]{7}$", Help: "the setting's UK provider reference number"},
}}

// TransitionPlans is the layout for transition plans made before OnePlan.
var TransitionPlans = Layout{Type: "transition-plans", Columns: []Column{
	{Name: "young_person_system", Help: "with young_person_external_id: the child's id in another system (as loaded by the young-people import)"},
	{Name: "young_person_external_id"},
	{Name: "nhs_number", Help: "instead of the two above: the young person's NHS number"},
	{Name: "started_on", Required: true, Help: "YYYY-MM-DD; with the young person, the key a re-run matches on"},
	{Name: "care_act_status", Help: "not_needed, not_yet_due (the default), requested, in_progress, completed or declined"},
	{Name: "care_act_requested_on", Help: "YYYY-MM-DD"},
	{Name: "care_act_completed_on", Help: "YYYY-MM-DD"},
	{Name: "chc_identified_on", Help: "YYYY-MM-DD: identified as possibly needing continuing healthcare"},
	{Name: "chc_referred_on", Help: "YYYY-MM-DD"},
	{Name: "chc_eligibility_decided_on", Help: "YYYY-MM-DD"},
	{Name: "chc_eligible", Help: "true or false, once eligibility was decided"},
	{Name: "chc_in_place_on", Help: "YYYY-MM-DD"},
	{Name: "ehc_plan_expected_end_on", Help: "YYYY-MM-DD"},
	{Name: "ended_on", Help: "YYYY-MM-DD: a plan that has ended"},
	{Name: "end_reason", Help: strings.Join(transition.EndReasons, ", ")},
	{Name: "notes", Max: 4000},
}}

// PfAAreas are the four preparing-for-adulthood areas as the transition-plans layout names them
// (pfa_AREA_aspirations, pfa_AREA_actions), in the API's order.
var PfAAreas = []string{"employment_education", "independent_living", "community", "health"}

// Contacts is how many adult-services contacts a transition-plans row may name (contact_N_...);
// a plan with more has the rest added through the API.
const Contacts = 3

func init() {
	for _, a := range PfAAreas {
		TransitionPlans.Columns = append(TransitionPlans.Columns,
			Column{Name: "pfa_" + a + "_aspirations", Max: 4000, Help: "preparing for adulthood, " + a + ": what the young person wants"},
			Column{Name: "pfa_" + a + "_actions", Max: 4000, Help: "preparing for adulthood, " + a + ": what will be done, by whom and when"})
	}
	for i := 1; i <= Contacts; i++ {
		n := "contact_" + strconv.Itoa(i) + "_"
		TransitionPlans.Columns = append(TransitionPlans.Columns,
			Column{Name: n + "service", Enum: "AdultService", Help: "an adult-services contact: the service (" + strings.Join(transition.Services, ", ") + ")"},
			Column{Name: n + "name", Help: "the contact's name (a person, an organisation below, or both)"},
			Column{Name: n + "role"},
			Column{Name: n + "organisation_system", Help: "with " + n + "organisation_external_id: the contact's organisation's id in another system"},
			Column{Name: n + "organisation_external_id"})
	}
}

func init() {
	Layouts[EHCPlans.Type], Layouts[TransitionPlans.Type] = EHCPlans, TransitionPlans
	Types = append(Types, EHCPlans.Type, TransitionPlans.Type)
}

// youngPersonOf reads the columns naming a young person: young_person_system and
// young_person_external_id, or nhs_number.
func youngPersonOf(rec Record, systems externalid.Systems, add func(col, msg string)) (*externalid.ID, string) {
	sys, val, nhs := rec.Get("young_person_system"), rec.Get("young_person_external_id"), NHSNumber(rec)
	switch {
	case (sys == "") != (val == ""):
		if sys == "" {
			add("young_person_system", "is required with young_person_external_id")
		} else {
			add("young_person_external_id", "is required with young_person_system")
		}
	case sys != "" && nhs != "":
		add("nhs_number", "give either nhs_number or young_person_system and young_person_external_id, not both")
	case sys != "":
		key := &externalid.ID{System: sys, Value: val}
		for _, f := range systems.Validate("/young_person", []externalid.ID{*key}) {
			col := "young_person_external_id"
			if strings.HasSuffix(f.Pointer, "/system") {
				col = "young_person_system"
			}
			add(col, f.Detail)
		}
		return key, ""
	case nhs == "":
		add("nhs_number", "is required (or young_person_system and young_person_external_id)")
	default:
		if err := identifier.CheckNHSNumber(nhs); err != nil {
			add("nhs_number", err.Error())
		}
		return nil, nhs
	}
	return nil, ""
}

// dates reads date columns: nil when blank, a problem when not YYYY-MM-DD.
func dates(rec Record, add func(col, msg string), cols ...string) map[string]*time.Time {
	out := map[string]*time.Time{}
	for _, c := range cols {
		v := rec.Get(c)
		if v == "" {
			continue
		}
		d, err := statutory.ParseDate(v)
		if err != nil {
			add(c, "must be a date YYYY-MM-DD, from 1900-01-01")
			continue
		}
		out[c] = &d
	}
	return out
}

// domainProblems adds a domain rule's field errors, each under the column its pointer names,
// unless that column was already refused.
func domainProblems(err error, problems []Problem, row int, column func(pointer string) string) []Problem {
	said := map[string]bool{}
	for _, p := range problems {
		said[p.Column] = true
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		for _, f := range fe.Fields {
			if col := column(f.Pointer); !said[col] {
				problems = append(problems, Problem{Row: row, Column: col, Message: f.Detail})
				said[col] = true
			}
		}
	}
	return problems
}

// EHCPlan turns a row into an imported plan, its key (the external id a re-run matches on) and
// the young person's key or NHS number, with every problem the API's rules find in it
// (ehcplan.Imported.Plan: the dates and their order, the review date, the phase transfer, the
// cessation, the need types and the setting). The young person's date of birth is checked when
// the row is written.
func EHCPlan(rec Record, enums Enums, systems externalid.Systems, today time.Time) (ehcplan.Imported, externalid.ID, *externalid.ID, string, []Problem) {
	problems := Check(rec, EHCPlans, enums)
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	key := externalid.ID{System: rec.Get("external_system"), Value: rec.Get("external_id")}
	if key.System != "" && key.Value != "" {
		for _, f := range systems.Validate("/external_ids", []externalid.ID{key}) {
			add(columnOf(f.Pointer), f.Detail)
		}
	}
	ypKey, nhs := youngPersonOf(rec, systems, add)
	ds := dates(rec, add, "first_issued_on", "last_reviewed_on", "review_due_on", "phase_transfer_on", "ceased_on")
	in := ehcplan.Imported{Status: ehcplan.Status(rec.Get("status")), LastReviewedOn: ds["last_reviewed_on"], ReviewDueOn: ds["review_due_on"],
		PhaseTransferKind: statutory.TransferKind(rec.Get("phase_transfer_kind")), PhaseTransferOn: ds["phase_transfer_on"],
		CeaseReason: rec.Get("cease_reason"), CeasedOn: ds["ceased_on"], SENTypes: SplitList(rec.Get("sen_types")),
		Placement: ehcplan.Placement{SettingName: rec.Get("setting_name"), SettingType: rec.Get("setting_type"), URN: rec.Get("setting_urn"),
			UKPRN: rec.Get("setting_ukprn")}}
	if d := ds["first_issued_on"]; d != nil {
		in.FirstIssuedOn = *d
	}
	_, err := in.Plan("", time.Time{}, today, today)
	problems = domainProblems(err, problems, rec.Row, func(p string) string { return strings.TrimPrefix(p, "/") })
	return in, key, ypKey, nhs, problems
}

// TransitionPlan turns a row into a transition plan and the young person's key or NHS number,
// with every problem the API's rules find in it (transition.Plan.Validate, bar the young person's
// age on the day it started, which is checked when the row is written).
func TransitionPlan(rec Record, enums Enums, systems externalid.Systems, today time.Time) (transition.Plan, *externalid.ID, string, []*externalid.ID, []Problem) {
	problems := Check(rec, TransitionPlans, enums)
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	ypKey, nhs := youngPersonOf(rec, systems, add)
	ds := dates(rec, add, "started_on", "care_act_requested_on", "care_act_completed_on", "chc_identified_on", "chc_referred_on",
		"chc_eligibility_decided_on", "chc_in_place_on", "ehc_plan_expected_end_on", "ended_on")
	p := transition.Plan{CareAct: transition.CareActAssessment{Status: rec.Get("care_act_status"), RequestedOn: ds["care_act_requested_on"],
		CompletedOn: ds["care_act_completed_on"]},
		CHC: transition.CHC{IdentifiedOn: ds["chc_identified_on"], ReferredOn: ds["chc_referred_on"], EligibilityDecidedOn: ds["chc_eligibility_decided_on"],
			InPlaceOn: ds["chc_in_place_on"]},
		EHCPlanExpectedEndOn: ds["ehc_plan_expected_end_on"], Notes: rec.Get("notes")}
	if d := ds["started_on"]; d != nil {
		p.StartedOn = *d
	}
	areas := []*transition.Area{&p.PfA.EmploymentEducation, &p.PfA.IndependentLiving, &p.PfA.Community, &p.PfA.Health}
	for i, a := range PfAAreas {
		areas[i].Aspirations, areas[i].Actions = rec.Get("pfa_"+a+"_aspirations"), rec.Get("pfa_"+a+"_actions")
	}
	// Each contact the row names, and its organisation's key (resolved when the row is written).
	var orgKeys []*externalid.ID
	contactCol := map[int]int{} // the plan's contact index to its number in the file
	for i := 1; i <= Contacts; i++ {
		n := "contact_" + strconv.Itoa(i) + "_"
		c := transition.Contact{Service: rec.Get(n + "service"), ContactName: rec.Get(n + "name"), ContactRole: rec.Get(n + "role")}
		sys, val := rec.Get(n+"organisation_system"), rec.Get(n+"organisation_external_id")
		if c == (transition.Contact{}) && sys == "" && val == "" {
			continue
		}
		var key *externalid.ID
		switch {
		case (sys == "") != (val == ""):
			if sys == "" {
				add(n+"organisation_system", "is required with "+n+"organisation_external_id")
			} else {
				add(n+"organisation_external_id", "is required with "+n+"organisation_system")
			}
		case sys != "":
			key = &externalid.ID{System: sys, Value: val}
			for _, f := range systems.Validate("/organisation", []externalid.ID{*key}) {
				col := n + "organisation_external_id"
				if strings.HasSuffix(f.Pointer, "/system") {
					col = n + "organisation_system"
				}
				add(col, f.Detail)
			}
		}
		if c.Service == "" {
			add(n+"service", "is required for a contact")
		}
		contactCol[len(p.Contacts)] = i
		p.Contacts = append(p.Contacts, c)
		orgKeys = append(orgKeys, key)
	}
	switch rec.Get("chc_eligible") {
	case "":
	case "true", "false":
		e := rec.Get("chc_eligible") == "true"
		p.CHC.Eligible = &e
	default:
		add("chc_eligible", "must be true or false")
	}
	column := func(pointer string) string {
		if rest, ok := strings.CutPrefix(pointer, "/adult_services_contacts/"); ok {
			idx, field, _ := strings.Cut(rest, "/")
			i, _ := strconv.Atoi(idx)
			field = strings.TrimPrefix(field, "contact_")
			if field == "organisation_id" {
				field = "organisation_external_id"
			}
			return "contact_" + strconv.Itoa(contactCol[i]) + "_" + field
		}
		switch pointer {
		case "/care_act_assessment/status":
			return "care_act_status"
		case "/reason":
			return "end_reason"
		}
		pointer = strings.Replace(pointer, "/care_act_assessment/", "care_act_", 1)
		pointer = strings.Replace(pointer, "/chc/", "chc_", 1)
		return strings.TrimPrefix(pointer, "/")
	}
	// The young person's age is not known yet: check as a young person of 14 on the day it started.
	check := p
	check.DateOfBirth = statutory.AddMonths(check.StartedOn, -14*12)
	// A contact's organisation is found when the row is written; until then it stands in.
	check.Contacts = slices.Clone(p.Contacts)
	for i, k := range orgKeys {
		if k != nil {
			check.Contacts[i].OrganisationID = "named"
		}
	}
	err := check.Validate(today)
	problems = domainProblems(err, problems, rec.Row, column)
	p.Normalise()
	endedOn, reason := ds["ended_on"], rec.Get("end_reason")
	switch {
	case endedOn == nil && reason == "":
	case endedOn == nil:
		add("ended_on", "is required with end_reason")
	case reason == "":
		add("end_reason", "is required with ended_on")
	default:
		end := p
		if err := end.End(*endedOn, reason, "", today); err != nil && !p.StartedOn.IsZero() {
			problems = domainProblems(err, problems, rec.Row, column)
		}
		p.Ending = &transition.Ending{On: statutory.Civil(*endedOn), Reason: reason}
	}
	return p, ypKey, nhs, orgKeys, problems
}
