package tcare

import (
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/money"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// PlacementRecordType names placements in the audit trail, outbox and timeline.
const PlacementRecordType = "placement"

// The types of placement.
const (
	Mainstream    = "mainstream"
	Special       = "special"
	Independent   = "independent"
	Residential38 = "residential_38"
	Residential52 = "residential_52"
	Inpatient     = "inpatient"
	OtherSetting  = "other"
)

// PlacementTypes lists every type.
var PlacementTypes = []string{Mainstream, Special, Independent, Residential38, Residential52, Inpatient, OtherSetting}

// Placement is one of a child's settings over time, with what it costs and who pays.
type Placement struct {
	ID            string
	YoungPersonID string
	Type          string
	SettingName   string
	SettingOrgID  string // the setting in the directory, when it is there
	EHCPlanID     string // the plan whose section I names this placement, when one does
	StartOn       time.Time
	EndOn         time.Time // zero while current
	DistanceKm    *float64  // from home
	// AnnualCostPence is the cost a year in pence; the shares are whole percentages that add up
	// to 100 whenever a cost is recorded.
	AnnualCostPence                        *int64
	EducationPct, SocialCarePct, HealthPct int
	Notes                                  string
	CreatedAt, UpdatedAt                   time.Time
	Version                                int
}

// WeeksPerYear is 38 or 52 for a residential placement, 52 for an inpatient unit, 0 otherwise.
func (p Placement) WeeksPerYear() int {
	switch p.Type {
	case Residential38:
		return 38
	case Residential52, Inpatient:
		return 52
	}
	return 0
}

// Residential reports whether the child lives at the setting.
func (p Placement) Residential() bool { return p.WeeksPerYear() > 0 }

// CurrentOn reports whether the placement is in place on day d.
func (p Placement) CurrentOn(d time.Time) bool {
	d = statutory.Civil(d)
	return !p.StartOn.After(d) && (p.EndOn.IsZero() || !p.EndOn.Before(d))
}

// Funders names who pays a share: education, social_care, health.
func (p Placement) Funders() []string {
	var out []string
	for _, f := range []struct {
		name string
		pct  int
	}{{"education", p.EducationPct}, {"social_care", p.SocialCarePct}, {"health", p.HealthPct}} {
		if f.pct > 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// CheckPlacement validates a placement being recorded or changed.
func CheckPlacement(p Placement, today time.Time) (Placement, error) {
	p.StartOn, p.EndOn = statutory.Civil(p.StartOn), statutory.Civil(p.EndOn)
	var bad []fault.FieldError
	if !slices.Contains(PlacementTypes, p.Type) {
		bad = append(bad, fault.FieldError{Pointer: "/type", Detail: "must be one of " + strings.Join(PlacementTypes, ", ")})
	}
	if strings.TrimSpace(p.SettingName) == "" || len(p.SettingName) > MaxShort {
		bad = append(bad, fault.FieldError{Pointer: "/setting_name", Detail: "is required (at most 200 characters)"})
	}
	if p.StartOn.IsZero() {
		bad = append(bad, fault.FieldError{Pointer: "/start_on", Detail: "is required"})
	}
	if !p.EndOn.IsZero() && !p.StartOn.IsZero() && p.EndOn.Before(p.StartOn) {
		bad = append(bad, fault.FieldError{Pointer: "/end_on", Detail: "must not be before start_on"})
	}
	if p.DistanceKm != nil && (*p.DistanceKm < 0 || *p.DistanceKm > 2000) {
		bad = append(bad, fault.FieldError{Pointer: "/distance_km", Detail: "must be between 0 and 2000"})
	}
	for _, s := range []struct {
		ptr string
		pct int
	}{{"/education_pct", p.EducationPct}, {"/social_care_pct", p.SocialCarePct}, {"/health_pct", p.HealthPct}} {
		if s.pct < 0 || s.pct > 100 {
			bad = append(bad, fault.FieldError{Pointer: s.ptr, Detail: "must be between 0 and 100"})
		}
	}
	if p.AnnualCostPence != nil && *p.AnnualCostPence < 0 {
		bad = append(bad, fault.FieldError{Pointer: "/annual_cost_pence", Detail: "must not be negative"})
	} else if p.AnnualCostPence != nil && *p.AnnualCostPence > money.MaxPence {
		bad = append(bad, fault.FieldError{Pointer: "/annual_cost_pence", Detail: "must be at most " + money.MaxPounds})
	}
	if len(p.Notes) > MaxText {
		bad = append(bad, fault.FieldError{Pointer: "/notes", Detail: "is too long"})
	}
	if err := fault.Fields(fault.Invalid, bad); err != nil {
		return p, err
	}
	sum := p.EducationPct + p.SocialCarePct + p.HealthPct
	if p.AnnualCostPence != nil && sum != 100 {
		return p, fault.Field(fault.Unprocessable, "/education_pct", "the education, social care and health shares must add up to 100 when a cost is recorded")
	}
	if p.AnnualCostPence == nil && sum != 0 && sum != 100 {
		return p, fault.Field(fault.Unprocessable, "/education_pct", "the education, social care and health shares must add up to 100")
	}
	return p, nil
}
