package ehcplan

import (
	"errors"
	"strconv"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// Imported is an EHC plan made before OnePlan, as a council's records give it (the ehc-plans
// import): what SEN2, the reports and the statutory clock read, not the full content. Field
// errors name the import file's columns (a pointer "/first_issued_on" is the column
// first_issued_on).
type Imported struct {
	Status         Status // Issued or Ceased
	FirstIssuedOn  time.Time
	LastReviewedOn *time.Time // the last annual review decision, if any
	// ReviewDueOn is the next annual review's last day; nil: worked out from the last review (or
	// the first issue) as the API works it out.
	ReviewDueOn       *time.Time
	PhaseTransferKind statutory.TransferKind
	PhaseTransferOn   *time.Time
	CeaseReason       string     // SEN2 cease reason, ceased plans
	CeasedOn          *time.Time // the first day the plan was no longer maintained, ceased plans
	SENTypes          []string   // SEN2 need types, the primary need first
	Placement         Placement  // section I: the setting named
}

// FromImport builds the plan an import records for a young person born dob, checked with the
// rules the API applies to the same dates and values: every day a real day that is not in the
// future (a planned transfer and the next review excepted), in order (issued on or after birth,
// reviewed on or after issue, ceased on or after issue), the next review due no later than the
// statutory 12 months from the last review or the issue (s.44(1)), the phase transfer's Reg 18
// deadline, a SEN2 cease reason, SEN2 need types and a named setting. The plan holds one
// version, the final issued on FirstIssuedOn, whose sections B and I are the need types and the
// placement.
func (in Imported) Plan(youngPersonID string, dob, now, today time.Time) (Plan, error) {
	today = statutory.Civil(today)
	var errs []fault.FieldError
	add := func(ptr, detail string) { errs = append(errs, fault.FieldError{Pointer: ptr, Detail: detail}) }
	if in.Status != Issued && in.Status != Ceased {
		add("/status", "must be issued or ceased")
	}
	first := statutory.Civil(in.FirstIssuedOn)
	errs = statutory.AppendDay(errs, "/first_issued_on", first, dob, "the young person's date of birth", today)
	var last *time.Time
	if in.LastReviewedOn != nil {
		d := statutory.Civil(*in.LastReviewedOn)
		last = &d
		errs = statutory.AppendDay(errs, "/last_reviewed_on", d, first, "first_issued_on", today)
	}
	var due *time.Time
	if in.Status == Issued {
		base, limit := first, statutory.FirstReviewDue(first)
		if last != nil {
			base, limit = *last, statutory.NextReviewDue(*last)
		}
		d := limit
		if in.ReviewDueOn != nil {
			d = statutory.Civil(*in.ReviewDueOn)
			switch {
			case !d.After(base):
				add("/review_due_on", "must be after the last review (or the first issue)")
			case d.After(limit):
				add("/review_due_on", "must be no later than "+limit.Format(time.DateOnly)+
					", 12 months from the last review (or the first issue) (s.44(1))")
			}
		}
		due = &d
	}
	var pt *PhaseTransfer
	switch {
	case in.PhaseTransferKind == "" && in.PhaseTransferOn == nil:
	case in.Status == Ceased:
		add("/phase_transfer_on", "only an issued plan has a phase transfer planned")
	case in.PhaseTransferOn == nil:
		add("/phase_transfer_on", "is required with phase_transfer_kind")
	case in.PhaseTransferKind == "":
		add("/phase_transfer_kind", "is required with phase_transfer_on")
	default:
		on := statutory.Civil(*in.PhaseTransferOn)
		dueOn, err := statutory.PhaseTransferDue(in.PhaseTransferKind, on)
		if err != nil {
			add("/phase_transfer_kind", "must be between_phases, secondary_to_post16 or between_post16")
		} else if !on.After(first) {
			add("/phase_transfer_on", "must be after first_issued_on")
		} else {
			pt = &PhaseTransfer{Kind: in.PhaseTransferKind, TransferOn: on, DueOn: dueOn}
		}
	}
	var c *Cessation
	if in.Status == Ceased {
		if _, ok := CeaseReasons[in.CeaseReason]; !ok {
			add("/cease_reason", "must be a SEN2 cease reason 1 to 9")
		}
		if in.CeasedOn == nil {
			add("/ceased_on", "is required for a ceased plan")
		} else {
			on := statutory.Civil(*in.CeasedOn)
			errs = statutory.AppendDay(errs, "/ceased_on", on, first, "first_issued_on", today)
			c = &Cessation{Reason: in.CeaseReason, DecidedOn: on, CeasesOn: on}
		}
	} else {
		if in.CeaseReason != "" {
			add("/cease_reason", "only a ceased plan has a cease reason")
		}
		if in.CeasedOn != nil {
			add("/ceased_on", "only a ceased plan has a cease date")
		}
	}
	s := Sections{I: in.Placement}
	for i, t := range in.SENTypes {
		s.B = append(s.B, Need{Ref: "B" + strconv.Itoa(i+1), SENType: t, Rank: i + 1, Description: "SEN2 need type " + t + " (imported)"})
	}
	if len(s.B) == 0 {
		add("/sen_types", "a plan in force sets out at least one special educational need")
	}
	if s.I.Empty() {
		add("/setting_name", "is required: a final plan names the setting in section I")
	} else {
		for _, e := range s.I.check("/i") {
			add(e.Pointer[len("/i"):], e.Detail)
		}
	}
	if err := s.check("", stageAmendment, dob, first); err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			for _, e := range fe.Fields {
				switch {
				case len(e.Pointer) > 3 && e.Pointer[:3] == "/b/":
					add("/sen_types", e.Detail)
				case len(e.Pointer) > 3 && e.Pointer[:3] == "/i/":
				default:
					add(e.Pointer, e.Detail)
				}
			}
		}
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return Plan{}, err
	}
	p := Plan{YoungPersonID: youngPersonID, Status: in.Status, FirstIssuedOn: &first, LastIssuedOn: &first, ReviewDueOn: due,
		LastReviewedOn: last, PhaseTransfer: pt, Cessation: c,
		Versions: []Version{{Number: 1, Kind: KindFinal, Sections: s, IssuedOn: &first, CreatedAt: now}}}
	return p, nil
}
