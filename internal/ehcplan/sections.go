package ehcplan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/money"
)

// Views is section A: the child's or young person's views, interests and aspirations, in their
// own words where they can give them.
type Views struct {
	Views, Interests, Aspirations string
	WhoseWords                    string // child_young_person, parent or both
}

// Need is an entry of section B (special educational needs, with the SEN2 SENtype and its rank),
// C (health needs) or D (social care needs); C and D carry no SEN type or rank.
type Need struct {
	Ref         string
	SENType     string
	Rank        int
	Description string
}

// Outcome is an entry of section E, linked to the needs it addresses and, from Year 9, to a
// Preparing for Adulthood area.
type Outcome struct {
	Ref         string
	Description string
	Needs       []string
	PfAArea     string
}

// Provision is a line of section F, G, H1 or H2: specific and quantified (what, who, how often,
// for how long), linked to the outcomes it serves.
type Provision struct {
	Ref, What, Who, HowOften, HowLong string
	Outcomes                          []string
}

// Placement is section I: the setting named in a final plan. Residential and WorkBasedLearning
// feed the SEN2 return; nil means not recorded.
type Placement struct {
	SettingName, SettingType, URN, UKPRN string
	Residential, WorkBasedLearning       *bool
	// ConsultationID is the consultation with the setting (s.39) that supports naming it.
	ConsultationID string
	// PlacementID is the young person's placement record (/v1/placements) the setting named here is.
	PlacementID string
}

// Empty reports whether section I is blank, as it must be in a first draft (Reg 13(1)(b)).
func (p Placement) Empty() bool { return p == Placement{} }

// check validates a named setting; pointers are under base.
func (p Placement) check(base string) []fault.FieldError {
	var errs []fault.FieldError
	if strings.TrimSpace(p.SettingName) == "" {
		errs = append(errs, fault.FieldError{Pointer: base + "/setting_name", Detail: "is required in a final plan"})
	}
	if !slices.Contains(SettingTypes, p.SettingType) {
		errs = append(errs, fault.FieldError{Pointer: base + "/setting_type", Detail: "must be one of " + strings.Join(SettingTypes, ", ")})
	}
	return errs
}

// BudgetLine is one funding stream of a personal budget, in pence a year.
type BudgetLine struct {
	Stream      string
	AmountPence int64
	Arrangement string // computed J only: notional, third_party or direct_payment
}

// Where a plan's section J comes from.
const (
	JTyped          = "typed"           // typed into the plan's version
	JPersonalBudget = "personal_budget" // computed from the personal budget linked to the plan
)

// PersonalBudget is section J. Typed into a version, or computed from the personal budget record
// linked to the plan (Source JPersonalBudget, with the budget's id, status and wording), which then
// takes the place of any typed J in the plan's current versions.
type PersonalBudget struct {
	Type  string
	Lines []BudgetLine
	// Computed J only.
	Source, BudgetID, BudgetStatus, Text string
}

// AdviceObtained is an entry of section K.
type AdviceObtained struct {
	Adviser, Source string
	On              time.Time
}

// Sections are the contents of one plan version, A to K (Reg 12).
type Sections struct {
	A            Views
	B, C, D      []Need
	E            []Outcome
	F, G, H1, H2 []Provision
	I            Placement
	J            *PersonalBudget
	K            []AdviceObtained
}

// SEN2 need types (SENtype), DS added for 2025.
var SENTypes = []string{"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "DS"}

// The Preparing for Adulthood areas.
var PfAAreas = []string{"employment_education", "independent_living", "community", "health"}

// Setting types for section I; the last ones are SEN2 SENsetting codes where there is no URN or
// UKPRN (OLA: education otherwise than at a school; EHE: elective home education).
var SettingTypes = []string{"mainstream_school", "resourced_provision", "sen_unit", "special_school", "independent_special_school",
	"early_years", "further_education", "specialist_post16", "apprenticeship", "OLA", "EHE", "other"}

// Budget types and funding streams for section J.
var (
	BudgetTypes   = []string{"notional", "direct_payment", "third_party", "mixed"}
	BudgetStreams = []string{"education", "health", "social_care"}
	WhoseWords    = []string{"child_young_person", "parent", "both"}
)

// Limits keep one version a sensible size.
const (
	maxEntries = 100
	maxRef     = 20
)

// stage says how complete the content must be.
type stage int

const (
	stageDraft     stage = iota // a first draft: I blank, completeness not yet required
	stageAmendment              // proposed amendments to a plan in force: I may stay
	stageFinal                  // a final plan: complete, I named
)

// check validates s for a young person born dob, as of on, at the given stage. Pointers are under
// base (for example "/sections").
func (s Sections) check(base string, st stage, dob, on time.Time) error {
	var errs []fault.FieldError
	bad := func(ptr, format string, args ...any) {
		errs = append(errs, fault.FieldError{Pointer: base + ptr, Detail: fmt.Sprintf(format, args...)})
	}
	refs := map[string]string{} // ref -> section letter
	ref := func(ptr, r, section string) {
		switch {
		case strings.TrimSpace(r) == "":
			bad(ptr+"/ref", "is required")
		case len(r) > maxRef:
			bad(ptr+"/ref", "must be at most %d characters", maxRef)
		case refs[r] != "":
			bad(ptr+"/ref", "repeats %s; references must be unique in the plan", r)
		default:
			refs[r] = section
		}
	}
	if s.A.WhoseWords != "" && !slices.Contains(WhoseWords, s.A.WhoseWords) {
		bad("/a/whose_words", "must be child_young_person, parent or both")
	}
	ranks := map[int]bool{}
	for i, n := range s.B {
		p := fmt.Sprintf("/b/%d", i)
		ref(p, n.Ref, "B")
		if !slices.Contains(SENTypes, n.SENType) {
			bad(p+"/sen_type", "must be a SEN2 need type (%s)", strings.Join(SENTypes, ", "))
		}
		if n.Rank < 1 || ranks[n.Rank] {
			bad(p+"/rank", "must be 1 or more and not repeat another need's rank")
		}
		ranks[n.Rank] = true
		if strings.TrimSpace(n.Description) == "" {
			bad(p+"/description", "is required")
		}
	}
	for _, sec := range []struct {
		letter string
		needs  []Need
	}{{"c", s.C}, {"d", s.D}} {
		letter := sec.letter
		for i, n := range sec.needs {
			p := fmt.Sprintf("/%s/%d", letter, i)
			ref(p, n.Ref, strings.ToUpper(letter))
			if strings.TrimSpace(n.Description) == "" {
				bad(p+"/description", "is required")
			}
		}
	}
	for i, o := range s.E {
		ref(fmt.Sprintf("/e/%d", i), o.Ref, "E")
	}
	for i, o := range s.E {
		p := fmt.Sprintf("/e/%d", i)
		if strings.TrimSpace(o.Description) == "" {
			bad(p+"/description", "is required")
		}
		if len(o.Needs) == 0 {
			bad(p+"/needs", "must name at least one need in section B, C or D that the outcome addresses")
		}
		for j, n := range o.Needs {
			if sec := refs[n]; sec != "B" && sec != "C" && sec != "D" {
				bad(fmt.Sprintf("%s/needs/%d", p, j), "%s is not a need in section B, C or D", n)
			}
		}
		if o.PfAArea != "" && !slices.Contains(PfAAreas, o.PfAArea) {
			bad(p+"/pfa_area", "must be one of %s", strings.Join(PfAAreas, ", "))
		}
	}
	provision := []struct {
		letter string
		lines  []Provision
	}{{"f", s.F}, {"g", s.G}, {"h1", s.H1}, {"h2", s.H2}}
	for _, sec := range provision {
		letter := sec.letter
		for i, l := range sec.lines {
			p := fmt.Sprintf("/%s/%d", letter, i)
			ref(p, l.Ref, strings.ToUpper(letter))
			// Provision must be specific and quantified (Code of Practice 9.69).
			for _, f := range [][2]string{{"what", l.What}, {"who", l.Who}, {"how_often", l.HowOften}, {"how_long", l.HowLong}} {
				if strings.TrimSpace(f[1]) == "" {
					bad(p+"/"+f[0], "is required: provision must be specific and quantified")
				}
			}
		}
	}
	for _, sec := range provision {
		for i, l := range sec.lines {
			for j, o := range l.Outcomes {
				if refs[o] != "E" {
					bad(fmt.Sprintf("/%s/%d/outcomes/%d", sec.letter, i, j), "%s is not an outcome in section E", o)
				}
			}
		}
	}
	for _, n := range []int{len(s.B), len(s.C), len(s.D), len(s.E), len(s.F), len(s.G), len(s.H1), len(s.H2), len(s.K)} {
		if n > maxEntries {
			bad("", "a section may hold at most %d entries", maxEntries)
			break
		}
	}
	switch {
	case st == stageDraft && !s.I.Empty():
		bad("/i", "must be blank in a draft plan: the family names the setting they prefer after seeing the draft (Reg 13(1)(b))")
	case !s.I.Empty():
		errs = append(errs, s.I.check(base+"/i")...)
	}
	if j := s.J; j != nil {
		if !slices.Contains(BudgetTypes, j.Type) {
			bad("/j/type", "must be one of %s", strings.Join(BudgetTypes, ", "))
		}
		streams := map[string]bool{}
		for i, l := range j.Lines {
			p := fmt.Sprintf("/j/lines/%d", i)
			if !slices.Contains(BudgetStreams, l.Stream) || streams[l.Stream] {
				bad(p+"/stream", "must be education, health or social_care, each at most once")
			}
			streams[l.Stream] = true
			if l.AmountPence < 0 {
				bad(p+"/amount_pence", "must not be negative")
			} else if l.AmountPence > money.MaxPence {
				bad(p+"/amount_pence", "must be at most %s", money.MaxPounds)
			}
		}
	}
	for i, k := range s.K {
		p := fmt.Sprintf("/k/%d", i)
		if !slices.Contains(ehc.Advisers, k.Adviser) {
			bad(p+"/adviser", "must be one of %s", strings.Join(ehc.Advisers, ", "))
		}
		if strings.TrimSpace(k.Source) == "" {
			bad(p+"/source", "is required")
		}
	}
	// Section H1 is provision under s.2 of the Chronically Sick and Disabled Persons Act 1970,
	// which covers children only.
	if len(s.H1) > 0 && age.YearsOn(dob, on) >= 18 {
		bad("/h1", "must be empty for a young person aged 18 or over: s.2 CSDPA 1970 provision is for children; use H2")
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if st == stageFinal {
		var missing []fault.FieldError
		if len(s.B) == 0 {
			missing = append(missing, fault.FieldError{Pointer: base + "/b", Detail: "a final plan must set out at least one special educational need"})
		}
		if len(s.E) == 0 {
			missing = append(missing, fault.FieldError{Pointer: base + "/e", Detail: "a final plan must set out outcomes"})
		}
		if s.I.Empty() {
			missing = append(missing, fault.FieldError{Pointer: base + "/i", Detail: "a final plan must name the setting in section I: give placement or sections.i"})
		}
		if len(s.F) == 0 {
			missing = append(missing, fault.FieldError{Pointer: base + "/f", Detail: "a final plan must specify special educational provision"})
		}
		if age.NationalCurriculumYear(dob, on) >= ehc.PfAFromYear && !s.hasPfA() {
			missing = append(missing, fault.FieldError{Pointer: base + "/e",
				Detail: "from Year 9 the plan must include outcomes for preparing for adulthood: give at least one outcome a pfa_area"})
		}
		if err := fault.Fields(fault.Unprocessable, missing); err != nil {
			return err
		}
	}
	return nil
}

func (s Sections) hasPfA() bool {
	for _, o := range s.E {
		if o.PfAArea != "" {
			return true
		}
	}
	return false
}
