package sen2

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Outcome codes shared by the requests and assessment modules.
const (
	outcomeYes        = "Y"
	outcomeNo         = "N"
	outcomePending    = "A"
	outcomeWithdrawn  = "W"
	outcomeHistorical = "H"
)

// settingTypes mirrors ehcplan.SettingTypes; a domain package does not import another, and a type
// outside this list is bad data the validation report must show.
var settingTypes = []string{"mainstream_school", "resourced_provision", "sen_unit", "special_school",
	"independent_special_school", "early_years", "further_education", "specialist_post16", "apprenticeship",
	"OLA", "EHE", "other"}

var ceaseReasons = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}

// senTypes mirrors ehcplan.SENTypes.
var senTypes = []string{"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "DS"}

var laNumber = regexp.MustCompile(`^[0-9]{3}$`)

// Rows of the hierarchy before numbering. Ids are assigned only once every row is known, so they
// depend on the data and never on the order the store passed it in.
type (
	personRow struct {
		p  Person
		id int
	}
	requestRow struct {
		r      *Request // nil: synthesised for a plan with no request (transferred in)
		plan   *Plan    // the plan a synthesised row stands for
		person *personRow
		h      bool // historical: in the return only as the parent of a plan
		st     status
		assess *assessmentRow
		id     int
	}
	assessmentRow struct {
		req *requestRow
		h   bool // synthesised so a plan ceased in the period has a parent
		id  int
	}
	namedPlanRow struct {
		p  *Plan
		a  *assessmentRow
		id int
	}
	activePlanRow struct {
		p   *Plan
		req *requestRow
		id  int
	}
)

// status is where a request stood on the reference date.
type status struct {
	request, assessment         string // outcome codes; assessment "" unless request is Y
	requestDate, assessmentDate time.Time
}

type builder struct {
	s        Snapshot
	ref      time.Time
	from, to time.Time
	persons  map[string]*personRow
	people   []*personRow // in table id order
	known    map[string]Person
	requests []*requestRow
	named    []*namedPlanRow
	active   []*activePlanRow
	issues   []issue
}

type issue struct {
	module string
	table  int
	person *personRow // nil for the header
	field  string
	text   string
}

// Build selects what goes in the return, builds every module and validates it.
func Build(s Snapshot) Return {
	b := &builder{s: s, ref: statutory.Civil(s.ReferenceDate), persons: map[string]*personRow{}, known: map[string]Person{}}
	b.from, b.to = CollectionPeriod(b.ref)
	for _, p := range s.Persons {
		if _, dup := b.known[p.ID]; !dup {
			b.known[p.ID] = p
		}
	}
	b.selectRows()
	b.number()
	return b.emit()
}

// happened is a recorded date on or before the reference date; a date after it has not happened.
func (b *builder) happened(t *time.Time) (time.Time, bool) {
	if t == nil || t.IsZero() {
		return time.Time{}, false
	}
	if d := statutory.Civil(*t); !d.After(b.ref) {
		return d, true
	}
	return time.Time{}, false
}

// tookPlace reports whether a decision recorded with an optional date counts as made by the
// reference date: a missing date counts as made (and is reported), a later one does not.
func (b *builder) tookPlace(t *time.Time) (time.Time, bool) {
	if t == nil || t.IsZero() {
		return time.Time{}, true
	}
	return b.happened(t)
}

func (b *builder) inPeriod(d time.Time) bool {
	return !d.IsZero() && !d.Before(b.from) && !d.After(b.to)
}

// status works out the request and assessment outcomes as of the reference date.
func (b *builder) status(r *Request) status {
	var st status
	decidedOn, decided := b.tookPlace(r.DecidedOn)
	decided = decided && (r.Decision == "assess" || r.Decision == "not_assess")
	withdrawnOn, withdrawn := b.happened(r.WithdrawnOn)
	switch {
	case withdrawn && (!decided || (!decidedOn.IsZero() && withdrawnOn.Before(decidedOn))):
		st.request, st.requestDate = outcomeWithdrawn, withdrawnOn
	case decided && r.Decision == "not_assess":
		st.request, st.requestDate = outcomeNo, decidedOn
	case decided:
		st.request, st.requestDate = outcomeYes, decidedOn
	default:
		st.request = outcomePending
	}
	if st.request != outcomeYes {
		return st
	}
	if on, ok := b.happened(r.PlanIssuedOn); ok {
		st.assessment, st.assessmentDate = outcomeYes, on
	} else if on, ok := b.tookPlace(r.IssueDecidedOn); ok && r.IssueDecision == "not_issue" {
		st.assessment, st.assessmentDate = outcomeNo, on
	} else if withdrawn {
		st.assessment, st.assessmentDate = outcomeWithdrawn, withdrawnOn
	} else {
		st.assessment = outcomePending
	}
	return st
}

// current reports whether a request is reported for its own activity (not as history): received
// in the period, or received before it and still open at its start or decided within it.
func (b *builder) current(r *Request, st status) bool {
	received := statutory.Civil(r.ReceivedOn)
	if b.inPeriod(received) {
		return true
	}
	if !received.Before(b.from) { // received after the period (a zero date counts as before)
		return false
	}
	var closedOn time.Time
	closed := false
	switch {
	case st.request == outcomeNo || st.request == outcomeWithdrawn:
		closed, closedOn = true, st.requestDate
	case st.assessment == outcomeYes || st.assessment == outcomeNo || st.assessment == outcomeWithdrawn:
		closed, closedOn = true, st.assessmentDate
	}
	// A closing event with no date cannot be placed, so the request stays in and is reported.
	open := !closed || closedOn.IsZero() || !closedOn.Before(b.from)
	return open || b.inPeriod(st.requestDate) || b.inPeriod(st.assessmentDate)
}

func (b *builder) person(id string) *personRow {
	if p, ok := b.persons[id]; ok {
		return p
	}
	// A person missing from the snapshot still gets a row, so the hierarchy holds and the
	// validation report shows every blank item.
	p := &personRow{p: b.known[id]}
	p.p.ID = id
	b.persons[id] = p
	return p
}

func (b *builder) selectRows() {
	inScope := map[string]*Request{}
	rows := map[string]*requestRow{}
	for i := range b.s.Requests {
		r := &b.s.Requests[i]
		if statutory.Civil(r.ReceivedOn).After(b.ref) {
			continue
		}
		if _, dup := inScope[r.ID]; dup { // ids are unique in the store; a repeat is ignored
			continue
		}
		inScope[r.ID] = r
		st := b.status(r)
		if !b.current(r, st) {
			continue
		}
		row := &requestRow{r: r, person: b.person(r.PersonID), st: st}
		if st.request == outcomeYes {
			row.assess = &assessmentRow{req: row}
		}
		rows[r.ID] = row
		b.requests = append(b.requests, row)
	}
	// parent is the requests row a plan hangs from: its own request's row, made historical if the
	// request is not otherwise reported, or a synthesised historical row for a transferred-in plan.
	parent := func(p *Plan) *requestRow {
		if row, ok := rows[p.RequestID]; ok && p.RequestID != "" {
			return row
		}
		row := &requestRow{h: true, st: status{request: outcomeHistorical}}
		if r, ok := inScope[p.RequestID]; ok && p.RequestID != "" {
			row.r, row.person = r, b.person(r.PersonID)
			rows[r.ID] = row
		} else {
			row.plan, row.person = p, b.person(p.PersonID)
		}
		b.requests = append(b.requests, row)
		return row
	}
	seen := map[string]bool{}
	for i := range b.s.Plans {
		p := &b.s.Plans[i]
		start := statutory.Civil(p.FirstIssuedOn)
		if start.After(b.ref) || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		ceasedOn, ceased := b.happened(p.CeasedOn)
		// A plan transferred in was issued by another council, so it counts as named here only
		// when it ceases; its arrival shows as TransferLA on the active plan.
		issuedHere := p.RequestID != "" && b.inPeriod(start)
		named := issuedHere || (ceased && b.inPeriod(ceasedOn))
		if ceased && !named {
			continue
		}
		req := parent(p)
		if named {
			if req.assess == nil {
				req.assess = &assessmentRow{req: req, h: true}
			}
			b.named = append(b.named, &namedPlanRow{p: p, a: req.assess})
		}
		if !ceased {
			b.active = append(b.active, &activePlanRow{p: p, req: req})
		}
	}
}

// compareFold orders names case-insensitively, then exactly, so ids never depend on input order.
func compareFold(a, b string) int {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
}

// number assigns the table ids in a fixed order: persons by name, birth date and id; then each
// child row in its parent's order, then by date and id.
func (b *builder) number() {
	var people []*personRow
	seen := map[*personRow]bool{}
	for _, r := range b.requests {
		if !seen[r.person] {
			seen[r.person] = true
			people = append(people, r.person)
		}
	}
	slices.SortFunc(people, func(x, y *personRow) int {
		return cmp.Or(compareFold(x.p.Surname, y.p.Surname), compareFold(x.p.Forename, y.p.Forename),
			statutory.Civil(x.p.BirthDate).Compare(statutory.Civil(y.p.BirthDate)), cmp.Compare(x.p.ID, y.p.ID))
	})
	for i, p := range people {
		p.id = i + 1
	}
	b.people = people

	// Real requests by received date then id; synthesised rows after them, by plan start and id.
	key := func(r *requestRow) (bool, time.Time, string) {
		if r.r == nil {
			return true, statutory.Civil(r.plan.FirstIssuedOn), r.plan.ID
		}
		return false, statutory.Civil(r.r.ReceivedOn), r.r.ID
	}
	slices.SortFunc(b.requests, func(x, y *requestRow) int {
		xs, xd, xid := key(x)
		ys, yd, yid := key(y)
		return cmp.Or(cmp.Compare(x.person.id, y.person.id), compareBool(xs, ys), xd.Compare(yd), cmp.Compare(xid, yid))
	})
	n := 0
	for i, r := range b.requests {
		r.id = i + 1
		if r.assess != nil {
			n++
			r.assess.id = n
		}
	}

	planOrder := func(px, py *Plan) int {
		return cmp.Or(statutory.Civil(px.FirstIssuedOn).Compare(statutory.Civil(py.FirstIssuedOn)), cmp.Compare(px.ID, py.ID))
	}
	slices.SortFunc(b.named, func(x, y *namedPlanRow) int {
		return cmp.Or(cmp.Compare(x.a.id, y.a.id), planOrder(x.p, y.p))
	})
	for i, np := range b.named {
		np.id = i + 1
	}
	slices.SortFunc(b.active, func(x, y *activePlanRow) int {
		return cmp.Or(cmp.Compare(x.req.id, y.req.id), planOrder(x.p, y.p))
	})
	for i, ap := range b.active {
		ap.id = i + 1
	}
}

// compareBool orders false before true.
func compareBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case x:
		return 1
	}
	return -1
}

func itoa(i int) string { return strconv.Itoa(i) }

func (b *builder) problem(module string, table int, p *personRow, field, text string) {
	b.issues = append(b.issues, issue{module: module, table: table, person: p, field: field, text: text})
}

// missing reports a blank mandatory item.
func (b *builder) missing(module string, table int, p *personRow, field, value string) {
	if strings.TrimSpace(value) == "" {
		b.problem(module, table, p, field, "is missing")
	}
}

func (b *builder) emit() Return {
	mods := make([]Module, len(modules))
	for i, m := range modules {
		mods[i] = Module{Name: m.name, File: m.name + ".csv", Columns: slices.Clone(m.columns), Rows: [][]string{}}
	}
	add := func(i int, row ...string) { mods[i].Rows = append(mods[i].Rows, row) }

	// 0 header
	lea := strings.TrimSpace(b.s.LA)
	switch {
	case lea == "":
		b.problem("sen2", 1, nil, "lea", "the council's DfE LA number is not configured")
	case !laNumber.MatchString(lea):
		b.problem("sen2", 1, nil, "lea", "not a 3-digit DfE LA number")
	}
	var generated string
	if !b.s.GeneratedAt.IsZero() {
		generated = b.s.GeneratedAt.UTC().Format("2006-01-02T15:04:05")
	}
	add(0, "1", "SEN2", itoa(b.ref.Year()), date(b.ref), "L", lea, b.s.Software, b.s.Release, "1", generated)

	// 1 person: every person a request row names (every other row hangs from a request).
	for _, pr := range b.people {
		b.personRow(pr, func(row ...string) { add(1, row...) })
	}

	// 2 requests and 3 assessment
	for _, r := range b.requests {
		b.requestRows(r, func(row ...string) { add(2, row...) }, func(row ...string) { add(3, row...) })
	}

	// 4 named plans and their placements
	for _, np := range b.named {
		b.namedPlanRows(np, func(row ...string) { add(4, row...) }, func(row ...string) { add(5, row...) }, len(mods[5].Rows)+1)
	}

	// 5 active plans, placements and needs
	for _, ap := range b.active {
		b.activePlanRows(ap, func(row ...string) { add(6, row...) },
			func(row ...string) { add(7, row...) }, len(mods[7].Rows)+1,
			func(row ...string) { add(8, row...) }, len(mods[8].Rows)+1)
	}

	people := make([]string, len(b.people))
	for i, pr := range b.people {
		people[i] = pr.p.ID
	}
	return Return{Modules: mods, Issues: b.sortedIssues(), People: people}
}

func (b *builder) personRow(pr *personRow, add func(...string)) {
	p, id := pr.p, pr.id
	trim := strings.TrimSpace
	var sex string
	switch strings.ToLower(trim(p.Sex)) {
	case "female":
		sex = "F"
	case "male":
		sex = "M"
	}
	ethnicity := strings.ToUpper(trim(p.Ethnicity))
	upn, uln, unknown := strings.ToUpper(trim(p.UPN)), trim(p.ULN), strings.ToUpper(trim(p.UPNUnknown))
	add(itoa(id), "1", trim(p.Surname), trim(p.Forename), date(p.BirthDate), sex, ethnicity,
		strings.ToUpper(trim(p.Postcode)), upn, uln, unknown)

	b.missing("person", id, pr, "surname", p.Surname)
	b.missing("person", id, pr, "forename", p.Forename)
	b.missing("person", id, pr, "personbirthdate", date(p.BirthDate))
	if sex == "" {
		b.problem("person", id, pr, "sex", "is missing (must be recorded as female or male)")
	}
	switch {
	case ethnicity == "":
		b.problem("person", id, pr, "ethnicity", "is missing")
	case !slices.Contains(Ethnicities, ethnicity):
		b.problem("person", id, pr, "ethnicity", "not a DfE ethnicity code")
	}
	b.missing("person", id, pr, "postcode", p.Postcode)
	if upn == "" && uln == "" {
		switch {
		case unknown == "":
			b.problem("person", id, pr, "upn/uniquelearnernumber/upnunknown", "none of UPN, ULN or a UPN-unknown reason is recorded")
		case !slices.Contains(UPNUnknownReasons, unknown):
			b.problem("person", id, pr, "upn/uniquelearnernumber/upnunknown", "there is no UPN or ULN and the UPN-unknown reason is not a DfE code")
		}
	}
}

func (b *builder) requestRows(r *requestRow, addRequest, addAssessment func(...string)) {
	pid := itoa(r.person.id)
	switch {
	case r.r == nil: // synthesised for a transferred-in plan: nothing is known of a request here
		addRequest(itoa(r.id), pid, "", "", "", outcomeHistorical, "", "", "0")
	case r.h:
		addRequest(itoa(r.id), pid, date(r.r.ReceivedOn), flag(r.r.InYouthCustody), "", outcomeHistorical, "", "", "0")
	default:
		q := r.r
		addRequest(itoa(r.id), pid, date(q.ReceivedOn), flag(q.InYouthCustody), date(r.st.requestDate), r.st.request,
			flag(q.RequestMediation), flag(q.RequestTribunal), "0")
		b.missing("requests", r.id, r.person, "receiveddate", date(q.ReceivedOn))
		if r.st.request != outcomePending {
			b.missing("requests", r.id, r.person, "requestoutcomedate", date(r.st.requestDate))
		}
	}
	a := r.assess
	if a == nil {
		return
	}
	if a.h {
		addAssessment(itoa(a.id), itoa(r.id), outcomeHistorical, "", "", "", "", "", "")
		return
	}
	q, st := r.r, r.st
	var week20 string
	if st.assessment == outcomeYes || st.assessment == outcomeNo {
		week20 = flag(q.Week20)
	}
	addAssessment(itoa(a.id), itoa(r.id), st.assessment, date(st.assessmentDate),
		flag(q.AssessmentMediation), flag(q.AssessmentTribunal), flag(q.OtherMediation), flag(q.OtherTribunal), week20)
	if st.assessment != outcomePending {
		b.missing("assessment", a.id, r.person, "assessmentoutcomedate", date(st.assessmentDate))
	}
}

// settingCodes gives a placement's URN and UKPRN, or the SEN2 setting code when it has neither.
// Blank all round means a setting type this package does not know.
func settingCodes(pl *Placement) (urn, ukprn, setting string) {
	urn, ukprn = strings.TrimSpace(pl.URN), strings.TrimSpace(pl.UKPRN)
	if urn != "" || ukprn != "" {
		return urn, ukprn, ""
	}
	switch pl.SettingType {
	case "OLA", "EHE":
		return "", "", pl.SettingType
	case "early_years":
		return "", "", "EYP"
	}
	if slices.Contains(settingTypes, pl.SettingType) {
		return "", "", "OTH"
	}
	return "", "", ""
}

func indicators(pl *Placement) (senUnit, resourced string) {
	return flag(pl.SettingType == "sen_unit"), flag(pl.SettingType == "resourced_provision")
}

func (b *builder) namedPlanRows(np *namedPlanRow, add, addDetail func(...string), detailID int) {
	p, person := np.p, np.a.req.person
	var res, wbp string
	if p.Placement != nil {
		res, wbp = optFlag(p.Placement.Residential), optFlag(p.Placement.WorkBased)
	}
	var pb, oa, dp = "0", "0", "0"
	if p.BudgetType != "" {
		pb = "1"
	}
	switch p.BudgetType {
	case "direct_payment":
		dp = "1"
	case "notional", "third_party":
		oa = "1"
	case "mixed":
		oa, dp = "1", "1"
	}
	var ceaseDate, reason string
	if on, ok := b.happened(p.CeasedOn); ok {
		ceaseDate, reason = date(on), strings.TrimSpace(p.CeaseReason)
	}
	add(itoa(np.id), itoa(np.a.id), date(p.FirstIssuedOn), res, wbp, pb, oa, dp, ceaseDate, reason)
	b.missing("namedplan", np.id, person, "planres", res)
	b.missing("namedplan", np.id, person, "planwbp", wbp)
	if ceaseDate != "" {
		switch {
		case reason == "":
			b.problem("namedplan", np.id, person, "ceasereason", "is missing for a ceased plan")
		case !slices.Contains(ceaseReasons, reason):
			b.problem("namedplan", np.id, person, "ceasereason", "not a SEN2 cease reason (1 to 9)")
		}
	}

	if p.Placement == nil {
		// No detail row to point at: table_id is the named plan's.
		b.problem("plandetail", np.id, person, "placement", "the named plan has no placement (section I) recorded")
		return
	}
	urn, ukprn, setting := settingCodes(p.Placement)
	unit, resourced := indicators(p.Placement)
	addDetail(itoa(detailID), itoa(np.id), urn, ukprn, setting, "", "1", unit, resourced)
	if urn == "" && ukprn == "" && setting == "" {
		b.problem("plandetail", detailID, person, "urn/ukprn/sensetting", "none is recorded: the setting has no URN or UKPRN and its type is not recognised")
	}
}

func (b *builder) activePlanRows(ap *activePlanRow, add, addPlacement func(...string), placementID int, addNeed func(...string), needID int) {
	p, person := ap.p, ap.req.person
	var transferLA string
	transferred := p.RequestID == "" && b.inPeriod(statutory.Civil(p.FirstIssuedOn))
	if transferred {
		transferLA = strings.TrimSpace(p.TransferredFromLA)
	}
	meeting, _ := b.happened(p.LastReviewMeetingOn)
	var outcome string
	decidedOn, decided := b.tookPlace(p.LastReviewDecidedOn)
	if decided {
		outcome = map[string]string{"maintain": "M", "amend": "A", "cease": "C"}[p.LastReviewDecision]
	}
	var due time.Time
	if p.PhaseTransferDueOn != nil {
		due = *p.PhaseTransferDueOn // a deadline, so it may well be after the reference date
	}
	add(itoa(ap.id), itoa(ap.req.id), transferLA, date(meeting), outcome, date(decidedOn), date(due))
	if transferred {
		switch {
		case transferLA == "":
			b.problem("activeplans", ap.id, person, "transferla", "the plan was transferred in during the collection period but the authority it came from is not recorded")
		case !laNumber.MatchString(transferLA):
			b.problem("activeplans", ap.id, person, "transferla", "not a 3-digit DfE LA number")
		}
	}

	if pl := p.Placement; pl != nil {
		urn, ukprn, setting := settingCodes(pl)
		unit, resourced := indicators(pl)
		addPlacement(itoa(placementID), itoa(ap.id), urn, ukprn, setting, "", "1", date(pl.From), "",
			optFlag(pl.Residential), optFlag(pl.WorkBased), unit, resourced)
		if urn == "" && ukprn == "" && setting == "" {
			b.problem("placementdetail", placementID, person, "urn/ukprn/sensetting", "none is recorded: the setting has no URN or UKPRN and its type is not recognised")
		}
	} else {
		b.problem("placementdetail", ap.id, person, "placement", "the active plan has no placement (section I) recorded")
	}

	needs := slices.Clone(p.Needs)
	slices.SortFunc(needs, func(x, y Need) int { return cmp.Or(cmp.Compare(x.Rank, y.Rank), cmp.Compare(x.Type, y.Type)) })
	primary := false
	for i, n := range needs {
		id := needID + i
		addNeed(itoa(id), itoa(ap.id), n.Type, itoa(n.Rank))
		primary = primary || n.Rank == 1
		if !slices.Contains(senTypes, n.Type) {
			b.problem("senneed", id, person, "sentype", "not a SEN2 need type")
		}
	}
	if !primary {
		b.problem("senneed", ap.id, person, "sentype", "the active plan has no need ranked 1 (primary need)")
	}
}

func (b *builder) sortedIssues() []Issue {
	pid := func(i issue) int {
		if i.person == nil {
			return 0
		}
		return i.person.id
	}
	slices.SortStableFunc(b.issues, func(x, y issue) int {
		return cmp.Or(cmp.Compare(pid(x), pid(y)), cmp.Compare(moduleOrder(x.module), moduleOrder(y.module)),
			cmp.Compare(x.field, y.field), cmp.Compare(x.table, y.table), cmp.Compare(x.text, y.text))
	})
	out := make([]Issue, len(b.issues))
	for k, i := range b.issues {
		out[k] = Issue{Module: i.module, TableID: itoa(i.table), Field: i.field, Problem: i.text}
		if i.person != nil {
			out[k].PersonTableID, out[k].YoungPersonID = itoa(i.person.id), i.person.p.ID
		}
	}
	return out
}
