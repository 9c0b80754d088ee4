// Package importfile reads the CSV layouts a council loads its existing caseload from: one layout
// per record type, with a template (the header row), and each row turned into the domain record
// and checked by the same rules the API applies, every problem named by row and column. Standard
// library only.
package importfile

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oneplan-send/oneplan/internal/csvsafe"
	"github.com/oneplan-send/oneplan/internal/directory"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/identifier"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Column is one column of a layout.
type Column struct {
	Name     string
	Required bool
	// Enum names the contract's list of values the column takes (e.g. SenNeed), if any.
	Enum string
	// Pattern is the contract's pattern for the column's values, if any.
	Pattern string
	// List: the column holds several values separated by semicolons (each one of Enum).
	List bool
	// Max is the most characters the column takes (200 when zero).
	Max  int
	Help string
}

// Layout is the columns of one record type's file.
type Layout struct {
	Type    string // as given on the command line, e.g. young-people
	Columns []Column
}

// Header is the layout's header row, the template a council fills in.
func (l Layout) Header() []string {
	out := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		out[i] = c.Name
	}
	return out
}

// YoungPeople is the layout for children and young people.
var YoungPeople = Layout{Type: "young-people", Columns: []Column{
	{Name: "external_system", Required: true, Help: "the system the id below comes from: a configured short name (ONEPLAN_EXTERNAL_ID_SYSTEMS) or an absolute URI"},
	{Name: "external_id", Required: true, Help: "the child's id in that system; a re-run matches on it and changes nothing"},
	{Name: "given_name", Required: true},
	{Name: "family_name", Required: true},
	{Name: "preferred_name"},
	{Name: "date_of_birth", Required: true, Help: "YYYY-MM-DD; aged 0 to 25 today"},
	{Name: "nhs_number", Help: "10 digits, checked with its check digit"},
	{Name: "upn", Help: "unique pupil number, checked with its check letter"},
	{Name: "uln", Help: "unique learner number, checked with its check digit"},
	{Name: "upn_unknown", Enum: "UpnUnknown", Help: "the SEN2 reason there is no UPN or ULN"},
	{Name: "gender", Enum: "Gender"},
	{Name: "sex", Enum: "Sex"},
	{Name: "ethnicity", Enum: "Ethnicity", Help: "DfE main ethnicity code"},
	{Name: "locality"},
	{Name: "postcode"},
	{Name: "primary_sen_need", Enum: "SenNeed"},
}}

// Organisations is the layout for the organisations of the directory.
var Organisations = Layout{Type: "organisations", Columns: []Column{
	{Name: "external_system", Required: true, Help: "the system the id below comes from: a configured short name or an absolute URI"},
	{Name: "external_id", Required: true, Help: "the organisation's id in that system; a re-run matches on it and changes nothing"},
	{Name: "name", Required: true},
	{Name: "type", Required: true, Enum: "OrganisationType"},
	{Name: "locality", Max: 100},
	{Name: "urn", Pattern: "^[0-9]{6,7}$", Help: "DfE unique reference number"},
	{Name: "ukprn", Pattern: "^1[0-9]{7}$", Help: "UK provider reference number"},
	{Name: "ods_code", Pattern: "^[A-Z0-9]{3,10}$", Help: "NHS ODS code"},
}}

// Practitioners is the layout for the practitioners of the directory's organisations.
var Practitioners = Layout{Type: "practitioners", Columns: []Column{
	{Name: "organisation_system", Help: "with organisation_external_id: the organisation's id in another system (as loaded by the organisations import)"},
	{Name: "organisation_external_id"},
	{Name: "organisation_id", Help: "instead of the two above: the organisation's OnePlan id"},
	{Name: "name", Required: true},
	{Name: "email", Required: true, Max: 254, Help: "a re-run matches the practitioner by email within the organisation"},
	{Name: "role", Required: true, Enum: "PractitionerRole"},
	{Name: "phone", Pattern: "^[0-9 +()-]{6,20}$"},
	{Name: "active", Help: "true (the default) or false"},
}}

// Referrals is the layout for referrals to the pathway.
var Referrals = Layout{Type: "referrals", Columns: []Column{
	{Name: "external_system", Required: true, Help: "the system the id below comes from: a configured short name or an absolute URI"},
	{Name: "external_id", Required: true, Help: "the referral's id in that system; a re-run matches on it and changes nothing"},
	{Name: "young_person_system", Help: "with young_person_external_id: the child's id in another system (as loaded by the young-people import)"},
	{Name: "young_person_external_id"},
	{Name: "nhs_number", Help: "instead of the two above: the child's NHS number"},
	{Name: "referrer_email", Required: true, Max: 254, Help: "the referring practitioner's email; the referring organisation is theirs"},
	{Name: "reasons", Required: true, Enum: "ReferralReason", List: true, Help: "one or more, separated by semicolons"},
	{Name: "main_reason", Enum: "ReferralReason", Help: "one of the reasons (the first when left out)"},
	{Name: "services_involved", Required: true, Enum: "ServiceType", List: true, Help: "one or more, separated by semicolons"},
	{Name: "safeguarding_concern", Help: "true or false (the default)"},
	{Name: "received_on", Required: true, Help: "YYYY-MM-DD, not in the future"},
	{Name: "summary", Max: 4000},
}}

// Layouts are the layouts by type.
var Layouts = map[string]Layout{YoungPeople.Type: YoungPeople, Organisations.Type: Organisations, Practitioners.Type: Practitioners,
	Referrals.Type: Referrals}

// Types lists the layouts' types, in the order a council loads them.
var Types = []string{Organisations.Type, Practitioners.Type, YoungPeople.Type, Referrals.Type}

// SplitList reads a list column: values separated by semicolons, blanks dropped.
func SplitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Problem is one thing wrong with a file: its row (the line the row starts on: the header is
// row 1, as a spreadsheet numbers them), column and what is wrong.
type Problem struct {
	Row     int
	Column  string
	Message string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Message)
}

// Record is one data row.
type Record struct {
	Row    int
	Values []string // as read, in the file's column order
	get    map[string]int
	// columns is how many columns the header has: a row with more fields has lost a value's place
	// (an unquoted comma, as in Salford, East), and is refused rather than read short.
	columns int
}

// Get returns the value of the named column, trimmed ("" when the file lacks the column),
// without the quote a rejects file puts before a cell a spreadsheet would read as a formula
// (csvsafe.Plain), so that a rejects file put right loads as it is.
func (r Record) Get(name string) string {
	i, ok := r.get[name]
	if !ok || i >= len(r.Values) {
		return ""
	}
	return csvsafe.Plain(strings.TrimSpace(r.Values[i]))
}

// Reader streams a file's rows: one row in memory at a time.
type Reader struct {
	csv    *csv.Reader
	Header []string
	get    map[string]int
	drop   int // the rejects file's problems column, left out of every row; -1 for none
}

// problemsColumn is the column a rejects file adds (see Rejects). A file holding it is a rejects
// file loaded again: the column is left out, as if it had been dropped.
const problemsColumn = "problems"

// NewReader reads the header and checks it against layout: every required column present, no
// column the layout does not know, none twice. A rejects file's problems column is left out.
func NewReader(r io.Reader, layout Layout) (*Reader, []Problem, error) {
	c := csv.NewReader(r)
	c.FieldsPerRecord = -1
	c.ReuseRecord = false
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, []Problem{{Row: 1, Message: "the file is empty: the first row must be the header (oneplan import template " + layout.Type + ")"}}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a spreadsheet's byte order mark
	}
	rd := &Reader{csv: c, Header: header, get: map[string]int{}, drop: -1}
	if i := slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == problemsColumn }); i >= 0 &&
		!slices.ContainsFunc(layout.Columns, func(c Column) bool { return c.Name == problemsColumn }) {
		rd.drop, rd.Header = i, slices.Delete(slices.Clone(header), i, i+1)
	}
	header = rd.Header
	var problems []Problem
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch _, twice := rd.get[h]; {
		case !slices.ContainsFunc(layout.Columns, func(c Column) bool { return c.Name == h }):
			problems = append(problems, Problem{Row: 1, Column: h, Message: "is not a column of the " + layout.Type + " layout"})
		case twice:
			problems = append(problems, Problem{Row: 1, Column: h, Message: "appears twice"})
		default:
			rd.get[h] = i
		}
	}
	for _, col := range layout.Columns {
		if _, ok := rd.get[col.Name]; col.Required && !ok {
			problems = append(problems, Problem{Row: 1, Column: col.Name, Message: "is required and missing from the header"})
		}
	}
	return rd, problems, nil
}

// Next returns the next data row; io.EOF after the last. A row the CSV reader cannot read (a
// stray quote) is a *csv.ParseError naming its line.
func (rd *Reader) Next() (Record, error) {
	for {
		values, err := rd.csv.Read()
		if err != nil {
			return Record{}, err
		}
		if len(values) == 1 && strings.TrimSpace(values[0]) == "" {
			continue // a line of spaces
		}
		line, _ := rd.csv.FieldPos(0)
		if rd.drop >= 0 && rd.drop < len(values) {
			values = slices.Delete(values, rd.drop, rd.drop+1)
		}
		return Record{Row: line, Values: values, get: rd.get, columns: len(rd.Header)}, nil
	}
}

// patterns are the columns' patterns, each compiled once rather than for every cell checked.
var patterns sync.Map // pattern -> *regexp.Regexp

func pattern(p string) *regexp.Regexp {
	if r, ok := patterns.Load(p); ok {
		return r.(*regexp.Regexp)
	}
	r, _ := patterns.LoadOrStore(p, regexp.MustCompile(p))
	return r.(*regexp.Regexp)
}

// Enums are the values each enumerated column takes, by the contract's schema name.
type Enums map[string][]string

// Check finds the problems any row of layout may have column by column: required columns,
// enumerated values, patterns and lengths.
func Check(rec Record, layout Layout, enums Enums) []Problem {
	var problems []Problem
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	if rec.columns > 0 && len(rec.Values) > rec.columns {
		// Too few fields leave columns empty, which the checks below name; too many would be
		// dropped without a word, and every value after the stray comma is in the wrong column.
		add("", fmt.Sprintf("has %d fields but the header has %d columns: a value holding a comma must be in double quotes (\"Salford, East\")",
			len(rec.Values), rec.columns))
	}
	for _, c := range layout.Columns {
		v := rec.Get(c.Name)
		// The API refuses these bytes in any field (issue 12); a file must not be a way round it.
		if strings.ContainsRune(v, 0) {
			add(c.Name, "contains the NUL character; no column may hold it")
			continue
		}
		if !utf8.ValidString(v) {
			add(c.Name, "is not valid UTF-8 (save the file as UTF-8)")
			continue
		}
		if c.Required && v == "" {
			add(c.Name, "is required")
			continue
		}
		if v == "" {
			continue
		}
		if c.List {
			seen := map[string]bool{}
			for _, item := range SplitList(v) {
				if c.Enum != "" && !slices.Contains(enums[c.Enum], item) {
					add(c.Name, fmt.Sprintf("%q is not one of %s", item, strings.Join(enums[c.Enum], ", ")))
				}
				if seen[item] {
					add(c.Name, fmt.Sprintf("%q is given twice", item))
				}
				seen[item] = true
			}
		} else if c.Enum != "" && !slices.Contains(enums[c.Enum], v) {
			add(c.Name, fmt.Sprintf("must be one of %s", strings.Join(enums[c.Enum], ", ")))
		}
		if c.Pattern != "" && !pattern(c.Pattern).MatchString(v) {
			add(c.Name, "must match "+c.Pattern)
		}
		if limit := cmp.Or(c.Max, 200); len(v) > limit {
			add(c.Name, fmt.Sprintf("must be at most %d characters", limit))
		}
	}
	return problems
}

// YoungPerson turns a row into a young person's record and its key (the external id a re-run
// matches on), with every problem the API would find: required columns, dates, enumerated values,
// and person.Validate (age 0 to 25, NHS number, UPN and ULN check digits, the external id's
// system).
func YoungPerson(rec Record, enums Enums, rules person.Rules, today time.Time) (person.YoungPerson, externalid.ID, []Problem) {
	problems := Check(rec, YoungPeople, enums)
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	key := externalid.ID{System: rec.Get("external_system"), Value: rec.Get("external_id")}
	yp := person.YoungPerson{GivenName: rec.Get("given_name"), FamilyName: rec.Get("family_name"), PreferredName: rec.Get("preferred_name"),
		NHSNumber: strings.ReplaceAll(rec.Get("nhs_number"), " ", ""), UPN: strings.ToUpper(rec.Get("upn")), ULN: rec.Get("uln"),
		UPNUnknown: rec.Get("upn_unknown"), Gender: rec.Get("gender"), Sex: rec.Get("sex"), Ethnicity: rec.Get("ethnicity"),
		Locality: rec.Get("locality"), Postcode: rec.Get("postcode"), PrimarySENNeed: rec.Get("primary_sen_need"),
		ExternalIDs: []externalid.ID{key}}
	if dob := rec.Get("date_of_birth"); dob != "" {
		d, err := statutory.ParseDate(dob)
		if err != nil {
			add("date_of_birth", "must be a date YYYY-MM-DD, from 1900-01-01")
		}
		yp.DateOfBirth = d
	}
	said := map[string]bool{} // a column already refused is not refused again by the domain rules
	for _, p := range problems {
		said[p.Column] = true
	}
	var fe *fault.Error
	if err := yp.Validate(today, rules); errors.As(err, &fe) {
		for _, f := range fe.Fields {
			if col := columnOf(f.Pointer); !said[col] {
				add(col, f.Detail)
			}
		}
	}
	return yp, key, problems
}

// Organisation turns a row into an organisation and its key (the external id a re-run matches
// on), with every problem the API's contract would find.
func Organisation(rec Record, enums Enums, systems externalid.Systems) (directory.Organisation, externalid.ID, []Problem) {
	problems := Check(rec, Organisations, enums)
	key := externalid.ID{System: rec.Get("external_system"), Value: rec.Get("external_id")}
	o := directory.Organisation{Name: rec.Get("name"), Type: rec.Get("type"), Locality: rec.Get("locality"), URN: rec.Get("urn"),
		UKPRN: rec.Get("ukprn"), ODSCode: rec.Get("ods_code"), ExternalIDs: []externalid.ID{key}}
	if key.System != "" && key.Value != "" {
		for _, f := range systems.Validate("/external_ids", o.ExternalIDs) {
			problems = append(problems, Problem{Row: rec.Row, Column: columnOf(f.Pointer), Message: f.Detail})
		}
	}
	return o, key, problems
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Practitioner turns a row into a practitioner, with the organisation's key when the row names
// it by another system's id, and every problem the API's contract would find.
func Practitioner(rec Record, enums Enums, systems externalid.Systems) (directory.Practitioner, *externalid.ID, []Problem) {
	problems := Check(rec, Practitioners, enums)
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	pr := directory.Practitioner{OrganisationID: rec.Get("organisation_id"), Name: rec.Get("name"), Email: strings.ToLower(rec.Get("email")),
		Role: rec.Get("role"), Phone: rec.Get("phone"), Active: true}
	var key *externalid.ID
	sys, val := rec.Get("organisation_system"), rec.Get("organisation_external_id")
	switch {
	case (sys == "") != (val == ""):
		if sys == "" {
			add("organisation_system", "is required with organisation_external_id")
		} else {
			add("organisation_external_id", "is required with organisation_system")
		}
	case sys != "" && pr.OrganisationID != "":
		add("organisation_id", "give either organisation_id or organisation_system and organisation_external_id, not both")
	case sys != "":
		key = &externalid.ID{System: sys, Value: val}
		for _, f := range systems.Validate("/organisation", []externalid.ID{*key}) {
			col := "organisation_external_id"
			if strings.HasSuffix(f.Pointer, "/system") {
				col = "organisation_system"
			}
			add(col, f.Detail)
		}
	case pr.OrganisationID == "":
		add("organisation_id", "is required (or organisation_system and organisation_external_id)")
	case !uuidPattern.MatchString(pr.OrganisationID):
		add("organisation_id", "must be a UUID")
	}
	if e := rec.Get("email"); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			add("email", "must be an email address")
		}
	}
	switch rec.Get("active") {
	case "", "true":
	case "false":
		pr.Active = false
	default:
		add("active", "must be true or false")
	}
	return pr, key, problems
}

// Referral turns a row into a referral, its key (the external id a re-run matches on), the
// young person's key when the row names them by another system's id, and every problem the API
// would find (the referral's own rules, such as a main reason among the reasons and no date in
// the future, included).
func Referral(rec Record, enums Enums, systems externalid.Systems, today time.Time) (referral.Referral, externalid.ID, *externalid.ID, []Problem) {
	problems := Check(rec, Referrals, enums)
	add := func(col, msg string) { problems = append(problems, Problem{Row: rec.Row, Column: col, Message: msg}) }
	key := externalid.ID{System: rec.Get("external_system"), Value: rec.Get("external_id")}
	if key.System != "" && key.Value != "" {
		for _, f := range systems.Validate("/external_ids", []externalid.ID{key}) {
			add(columnOf(f.Pointer), f.Detail)
		}
	}
	r := referral.Referral{Reasons: SplitList(rec.Get("reasons")), MainReason: rec.Get("main_reason"),
		ServicesInvolved: SplitList(rec.Get("services_involved")), Summary: rec.Get("summary")}
	ypKey, _ := youngPersonOf(rec, systems, add)
	if e := rec.Get("referrer_email"); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			add("referrer_email", "must be an email address")
		}
	}
	switch rec.Get("safeguarding_concern") {
	case "", "false":
	case "true":
		r.SafeguardingConcern = true
	default:
		add("safeguarding_concern", "must be true or false")
	}
	said := map[string]bool{}
	for _, p := range problems {
		said[p.Column] = true
	}
	if on := rec.Get("received_on"); on != "" {
		d, err := statutory.ParseDate(on)
		if err != nil {
			add("received_on", "must be a date YYYY-MM-DD, from 1900-01-01")
		}
		r.ReceivedOn = d
	}
	var fe *fault.Error
	if err := r.Normalise(today); errors.As(err, &fe) {
		for _, f := range fe.Fields {
			if col := strings.TrimPrefix(f.Pointer, "/"); !said[col] {
				add(col, f.Detail)
			}
		}
	}
	return r, key, ypKey, problems
}

// NHSNumber is a referral row's NHS number, spaces and hyphens removed.
func NHSNumber(rec Record) string { return identifier.NormaliseNHSNumber(rec.Get("nhs_number")) }

// columnOf names the column a domain rule's JSON pointer came from.
func columnOf(pointer string) string {
	switch {
	case strings.HasPrefix(pointer, "/external_ids/0/system"):
		return "external_system"
	case strings.HasPrefix(pointer, "/external_ids"):
		return "external_id"
	}
	return strings.TrimPrefix(pointer, "/")
}

// Rejects writes the rows refused, as read, with a problems column, so they can be put right and
// loaded again.
type Rejects struct {
	w *csvsafe.Writer
}

// NewRejects starts a rejects file with header and a problems column.
func NewRejects(w io.Writer, header []string) (*Rejects, error) {
	cw := csvsafe.NewWriter(w) // the rows as read may hold a formula
	if err := cw.Write(append(slices.Clone(header), "problems")); err != nil {
		return nil, err
	}
	return &Rejects{w: cw}, nil
}

// Add writes one refused row.
func (r *Rejects) Add(rec Record, problems []Problem) error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.String()
	}
	return r.w.Write(append(slices.Clone(rec.Values), strings.Join(msgs, "; ")))
}

// Close flushes the file.
func (r *Rejects) Close() error {
	r.w.Flush()
	return r.w.Error()
}
