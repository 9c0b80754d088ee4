// Package sen2 builds the DfE's person-level SEN2 return (the January census): the council's EHC
// caseload on the reference date and its activity in the previous calendar year. It decides which
// requests and plans go in, builds the rows of each module with their table ids, lists the
// mandatory items that are missing per child (so a bad record is reported, not silently dropped),
// and writes the CSV files in a zip.
//
// Everything is judged as of the reference date R: an event dated after R has not happened yet,
// whatever the data already holds.
package sen2

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Person is a young person as the return needs them.
type Person struct {
	ID                string // OnePlan young person id (goes only in the validation report)
	Surname, Forename string
	BirthDate         time.Time
	Sex               string // "female", "male" or "" (not recorded)
	Ethnicity         string // DfE ethnicity code (see Ethnicities) or ""
	Postcode          string
	UPN, ULN          string
	UPNUnknown        string // UN1..UN10 reason when there is no UPN or ULN, or ""
}

// Request is a request for an EHC needs assessment and what came of it.
type Request struct {
	ID, PersonID   string
	ReceivedOn     time.Time
	InYouthCustody bool   // SEN2 RYA
	Decision       string // "assess", "not_assess" or "" (not decided)
	DecidedOn      *time.Time
	WithdrawnOn    *time.Time
	IssueDecision  string // "issue", "not_issue" or ""
	IssueDecidedOn *time.Time
	PlanIssuedOn   *time.Time // the first final plan issued on this request
	Week20         bool       // an exception applied to the 20 weeks
	// Disputes about this request's decisions, as brought by the family.
	RequestMediation, RequestTribunal       bool // about the refusal to assess
	AssessmentMediation, AssessmentTribunal bool // about the refusal to issue
	OtherMediation, OtherTribunal           bool // about the plan that came of it (contents, amendment, cease...)
}

// Placement is section I of the plan version in force.
type Placement struct {
	SettingType            string // one of ehcplan.SettingTypes
	URN, UKPRN             string
	Residential, WorkBased *bool     // nil: not recorded
	From                   time.Time // the day the setting was first named in a final plan (entry)
}

// Need is a section B need with its SEN2 SENtype and rank (1 = primary).
type Need struct {
	Type string
	Rank int
}

// Plan is an EHC plan first issued on or before the reference date.
type Plan struct {
	ID, PersonID, RequestID string     // RequestID "" for a plan transferred in from another authority
	TransferredFromLA       string     // 3-digit DfE LA number, for a plan transferred in; "" if not recorded
	FirstIssuedOn           time.Time  // start date
	CeasedOn                *time.Time // the day it stopped being in force (nil: in force)
	CeaseReason             string     // "1".."9"
	Placement               *Placement // section I of the version in force (nil if none)
	BudgetType              string     // section J type: "", "notional", "direct_payment", "third_party", "mixed"
	Needs                   []Need     // section B of the version in force
	LastReviewMeetingOn     *time.Time // latest annual review meeting held on or before the reference date
	LastReviewDecision      string     // "maintain", "amend", "cease" or ""
	LastReviewDecidedOn     *time.Time
	PhaseTransferDueOn      *time.Time
}

// Snapshot is what the store loads for one return.
type Snapshot struct {
	LA                string // 3-digit DfE LA number ("" if not configured)
	ReferenceDate     time.Time
	GeneratedAt       time.Time
	Software, Release string // "OnePlan", build version
	Persons           []Person
	Requests          []Request
	Plans             []Plan
}

// Module is one CSV file of the return.
type Module struct {
	Name    string // "sen2", "person", "requests", "assessment", "namedplan", "plandetail", "activeplans", "placementdetail", "senneed"
	File    string // Name + ".csv"
	Columns []string
	Rows    [][]string
}

// Issue is one missing or unusable mandatory item. Problem never holds a personal value, so the
// report can go to people who may not see the child's record.
type Issue struct {
	Module, TableID, PersonTableID, YoungPersonID, Field, Problem string
}

// Return is the built return: the modules in file order, the validation report, and who is in it.
type Return struct {
	Modules []Module // sen2, person, requests, assessment, namedplan, plandetail, activeplans, placementdetail, senneed
	Issues  []Issue  // sorted by person table id, module order, field
	// People are the OnePlan young person ids of the person rows, in table id order: exactly the
	// children whose data the return discloses (not every person the snapshot held).
	People []string
}

// Ethnicities are the DfE main ethnicity codes.
var Ethnicities = []string{"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH",
	"AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"}

// UPNUnknownReasons are the SEN2 codes for a person with no UPN or ULN (UN4, UN6 and UN7 are
// retired).
var UPNUnknownReasons = []string{"UN1", "UN2", "UN3", "UN5", "UN8", "UN9", "UN10"}

// The modules in file order with their columns: the DfE item names in lower case, as COLLECT's
// person-level CSV uses; each starts with its own table id and then its parent's.
var modules = []struct {
	name    string
	columns []string
}{
	{"sen2", []string{"sen2tableid", "collection", "year", "referencedate", "sourcelevel", "lea",
		"softwarecode", "release", "serialno", "datetime"}},
	{"person", []string{"persontableid", "sen2tableid", "surname", "forename", "personbirthdate", "sex",
		"ethnicity", "postcode", "upn", "uniquelearnernumber", "upnunknown"}},
	{"requests", []string{"requeststableid", "persontableid", "receiveddate", "rya", "requestoutcomedate",
		"requestoutcome", "requestmediation", "requesttribunal", "exported"}},
	{"assessment", []string{"assessmenttableid", "requeststableid", "assessmentoutcome", "assessmentoutcomedate",
		"assessmentmediation", "assessmenttribunal", "othermediation", "othertribunal", "week20"}},
	{"namedplan", []string{"namedplantableid", "assessmenttableid", "startdate", "planres", "planwbp", "pb",
		"oa", "dp", "ceasedate", "ceasereason"}},
	{"plandetail", []string{"plandetailtableid", "namedplantableid", "urn", "ukprn", "sensetting",
		"sensettingother", "placementrank", "senunitindicator", "resourcedprovisionindicator"}},
	{"activeplans", []string{"activeplanstableid", "requeststableid", "transferla", "reviewmeeting",
		"reviewoutcome", "lastreview", "phasetransferduedate"}},
	{"placementdetail", []string{"placementdetailtableid", "activeplanstableid", "urn", "ukprn", "sensetting",
		"sensettingother", "placementrank", "entrydate", "leavingdate", "res", "wbp", "senunitindicator",
		"resourcedprovisionindicator"}},
	{"senneed", []string{"senneedtableid", "activeplanstableid", "sentype", "sentyperank"}},
}

// moduleOrder is a module's position in the file order, for sorting issues.
func moduleOrder(name string) int {
	for i, m := range modules {
		if m.name == name {
			return i
		}
	}
	return len(modules)
}

// CollectionPeriod is the calendar year before the reference date's year (activity is reported
// for it), as civil dates at midnight UTC, both inclusive.
func CollectionPeriod(ref time.Time) (from, to time.Time) {
	y := ref.Year()
	return time.Date(y-1, time.January, 1, 0, 0, 0, 0, time.UTC), time.Date(y-1, time.December, 31, 0, 0, 0, 0, time.UTC)
}

const dateLayout = "2006-01-02"

// date writes a civil date, blank when unknown.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return statutory.Civil(t).Format(dateLayout)
}

// flag writes a SEN2 boolean.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// optFlag writes a boolean that may not be recorded (blank).
func optFlag(b *bool) string {
	if b == nil {
		return ""
	}
	return flag(*b)
}
