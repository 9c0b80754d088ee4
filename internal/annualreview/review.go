// Package annualreview holds the annual reviews of EHC plans: due in the 12 months starting with
// the day the plan was made and then with the last review decision (s.44(1)), papers out 2 weeks before the meeting, the report
// within 2 weeks after it and the authority's decision to maintain, amend or cease within 4 weeks
// (Reg 20). Dates come from package statutory.
package annualreview

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// RecordType names annual reviews in the audit trail, outbox and timeline.
const RecordType = "annual_review"

// Status is where a review stands.
type Status string

// The statuses.
const (
	Due       Status = "due"       // the meeting has not been held
	Held      Status = "held"      // the meeting was held; the decision is awaited
	Decided   Status = "decided"   // the authority decided to maintain, amend or cease
	Cancelled Status = "cancelled" // the plan ceased before the review
)

// Recommendations and decisions.
const (
	Maintain = "maintain"
	Amend    = "amend"
	Cease    = "cease"
)

// Attendee roles at a review meeting (Reg 20(2): the child's parent or the young person, a
// representative of the setting, the authority, health and social care).
var AttendeeRoles = []string{"parent", "child_young_person", "setting", "local_authority", "health", "social_care", "adult_services", "other"}

// Attendee is someone at the meeting; organisation and name are optional.
type Attendee struct {
	Role, OrganisationID, Name string
}

// Meeting is the review meeting.
type Meeting struct {
	On             time.Time
	PapersSentOn   *time.Time
	Attendees      []Attendee
	ChildViews     string
	ParentViews    string
	PfAFocus       []string
	Recommendation string
	ReportSentOn   *time.Time
}

// Decision is the authority's decision after the meeting.
type Decision struct {
	Decision             string
	DecidedOn            time.Time
	AppealRightsNotified bool
	Reason               string
}

// Review is one annual review of a plan.
type Review struct {
	ID, PlanID, YoungPersonID string
	Sequence                  int
	Status                    Status
	DueOn                     time.Time
	Meeting                   *Meeting
	Decision                  *Decision
	CreatedAt, UpdatedAt      time.Time
	Version                   int
}

// Schedule makes a plan's next review, due on due. sequence counts the plan's reviews from 1.
func Schedule(planID, youngPersonID string, sequence int, due time.Time) Review {
	return Review{PlanID: planID, YoungPersonID: youngPersonID, Sequence: sequence, Status: Due, DueOn: statutory.Civil(due)}
}

// CorrectedDueOn is the data-migration rule for a review's stored due_on, copied from the plan's
// review date before s.44(1) was counted inclusively (as the anniversary, one day late). base is
// the day it was computed from: the plan's first issue (first_issued_on) for the first review
// (Sequence 1), the previous review's decision (decided_on) for a later one. When DueOn equals
// AddMonths(base, 12) it returns DueOn - 1 day and true; otherwise DueOn and false (see
// statutory.LegacyReviewDueFix). A review held on its old due date becomes met late: the law's
// deadline was always the day before.
func (r Review) CorrectedDueOn(base time.Time) (time.Time, bool) {
	return statutory.LegacyReviewDueFix(base, r.DueOn)
}

// Lapse cancels a review whose meeting has not been held, when the plan is to cease. It reports
// whether the review lapsed: one already held goes on to its decision.
func (r *Review) Lapse() bool {
	if r.Status != Due {
		return false
	}
	r.Status = Cancelled
	return true
}

// Hold records the review meeting held on m.On for a young person born dob.
func (r *Review) Hold(m Meeting, dob, today time.Time) error {
	if r.Status != Due {
		return fault.StateConflict("The meeting of this review has already been recorded or the review is closed; it is "+string(r.Status)+".",
			string(r.Status))
	}
	m.On = statutory.Civil(m.On)
	var errs []fault.FieldError
	errs = statutory.AppendDay(errs, "/meeting_on", m.On, time.Time{}, "", today) // record the meeting once held
	if m.PapersSentOn != nil && !m.On.IsZero() && statutory.Civil(*m.PapersSentOn).After(m.On) {
		errs = append(errs, fault.FieldError{Pointer: "/papers_sent_on", Detail: "must not be after the meeting"})
	}
	if m.ReportSentOn != nil {
		if d := statutory.Civil(*m.ReportSentOn); d.Before(m.On) || d.After(statutory.Civil(today)) {
			errs = append(errs, fault.FieldError{Pointer: "/report_sent_on", Detail: "must be on or after the meeting and not in the future"})
		}
	}
	if len(m.Attendees) == 0 {
		errs = append(errs, fault.FieldError{Pointer: "/attendees", Detail: "must list who attended"})
	}
	for i, a := range m.Attendees {
		if !slices.Contains(AttendeeRoles, a.Role) {
			errs = append(errs, fault.FieldError{Pointer: "/attendees/" + strconv.Itoa(i) + "/role", Detail: "must be one of " + strings.Join(AttendeeRoles, ", ")})
		}
	}
	for i, f := range m.PfAFocus {
		if !slices.Contains(ehcplan.PfAAreas, f) {
			errs = append(errs, fault.FieldError{Pointer: "/pfa_focus/" + strconv.Itoa(i), Detail: "must be one of " + strings.Join(ehcplan.PfAAreas, ", ")})
		}
	}
	if m.Recommendation != Maintain && m.Recommendation != Amend && m.Recommendation != Cease {
		errs = append(errs, fault.FieldError{Pointer: "/recommendation", Detail: "must be maintain, amend or cease"})
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if len(m.PfAFocus) == 0 && age.NationalCurriculumYear(dob, m.On) >= ehc.PfAFromYear {
		return fault.Field(fault.Unprocessable, "/pfa_focus",
			"from Year 9 the review must consider preparing for adulthood (Reg 20(6)): name the areas it focused on")
	}
	if m.PapersSentOn != nil {
		d := statutory.Civil(*m.PapersSentOn)
		m.PapersSentOn = &d
	}
	if m.ReportSentOn != nil {
		d := statutory.Civil(*m.ReportSentOn)
		m.ReportSentOn = &d
	}
	r.Status, r.Meeting = Held, &m
	return nil
}

// Decide records the authority's decision. Maintaining the plan unchanged and ceasing it are
// appealable, so the family must have been told of their rights (Reg 20(10)); an amendment's
// rights come with the amended plan.
func (r *Review) Decide(d Decision, reportSentOn *time.Time, today time.Time) error {
	if r.Status != Held {
		return fault.StateConflict("A review is decided after its meeting; this review is "+string(r.Status)+".", string(r.Status))
	}
	d.DecidedOn = statutory.Civil(d.DecidedOn)
	var errs []fault.FieldError
	if d.Decision != Maintain && d.Decision != Amend && d.Decision != Cease {
		errs = append(errs, fault.FieldError{Pointer: "/decision", Detail: "must be maintain, amend or cease"})
	}
	errs = statutory.AppendDay(errs, "/decided_on", d.DecidedOn, r.Meeting.On, "the meeting", today)
	if reportSentOn != nil {
		if rs := statutory.Civil(*reportSentOn); rs.Before(r.Meeting.On) || rs.After(statutory.Civil(today)) {
			errs = append(errs, fault.FieldError{Pointer: "/report_sent_on", Detail: "must be on or after the meeting and not in the future"})
		}
	}
	if err := fault.Fields(fault.Invalid, errs); err != nil {
		return err
	}
	if d.Decision != Amend && !d.AppealRightsNotified {
		return fault.Field(fault.Unprocessable, "/appeal_rights_notified",
			"a decision to "+d.Decision+" the plan must tell the family of their right to appeal, to mediation and to information and advice (Reg 20(10))")
	}
	if reportSentOn != nil {
		rs := statutory.Civil(*reportSentOn)
		r.Meeting.ReportSentOn = &rs
	}
	r.Status, r.Decision = Decided, &d
	return nil
}

// Deadlines is a review's timetable.
type Deadlines struct {
	Review   statutory.Milestone // the meeting, by DueOn (s.44)
	Papers   statutory.Milestone // advice and papers out 2 weeks before the meeting (Reg 20(3), (4))
	Report   statutory.Milestone // report within 2 weeks after the meeting (Reg 20(7))
	Decision statutory.Milestone // decision within 4 weeks after the meeting (Reg 20(10))
}

// Deadlines returns the review's timetable as of asOf. A cancelled review has none.
func (r Review) Deadlines(asOf time.Time) Deadlines {
	m := func(due, done time.Time) statutory.Milestone {
		if r.Status == Cancelled && done.IsZero() {
			due = time.Time{}
		}
		return statutory.Track(due, done, asOf)
	}
	var d Deadlines
	if r.Meeting == nil {
		d.Review = m(r.DueOn, time.Time{})
		d.Papers, d.Report, d.Decision = m(time.Time{}, time.Time{}), m(time.Time{}, time.Time{}), m(time.Time{}, time.Time{})
		return d
	}
	md := statutory.ReviewMeeting(r.Meeting.On)
	var papers, report, decided time.Time
	if r.Meeting.PapersSentOn != nil {
		papers = *r.Meeting.PapersSentOn
	}
	if r.Meeting.ReportSentOn != nil {
		report = *r.Meeting.ReportSentOn
	}
	if r.Decision != nil {
		decided = r.Decision.DecidedOn
	}
	d.Review = m(r.DueOn, r.Meeting.On)
	// Papers before a meeting are judged only when their date was recorded.
	if papers.IsZero() {
		d.Papers = statutory.Milestone{DueOn: md.NoticeBy, Status: statutory.StatusNotApplicable}
	} else {
		d.Papers = m(md.NoticeBy, papers)
	}
	d.Report = m(md.ReportBy, report)
	d.Decision = m(md.DecisionBy, decided)
	return d
}

// Overdue reports whether the meeting, report or decision is overdue on asOf.
func (d Deadlines) Overdue() bool {
	for _, m := range []statutory.Milestone{d.Review, d.Report, d.Decision} {
		if m.Status == statutory.StatusOverdue {
			return true
		}
	}
	return false
}
