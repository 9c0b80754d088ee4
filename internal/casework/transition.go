package casework

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// transitionPayload is the outbox payload of a plan: ids, dates and codes only.
func transitionPayload(p transition.Plan) map[string]any {
	out := map[string]any{"young_person_id": p.YoungPersonID, "started_on": p.StartedOn.Format(time.DateOnly),
		"care_act_assessment_status": p.CareAct.Status, "current": !p.Ended()}
	for name, d := range map[string]*time.Time{"chc_identified_on": p.CHC.IdentifiedOn, "chc_referred_on": p.CHC.ReferredOn,
		"chc_eligibility_decided_on": p.CHC.EligibilityDecidedOn, "chc_in_place_on": p.CHC.InPlaceOn, "ehc_plan_expected_end_on": p.EHCPlanExpectedEndOn} {
		if d != nil {
			out[name] = d.Format(time.DateOnly)
		}
	}
	if p.CHC.Eligible != nil {
		out["chc_eligible"] = *p.CHC.Eligible
	}
	if e := p.Ending; e != nil {
		out["ended_on"], out["end_reason"] = e.On.Format(time.DateOnly), e.Reason
	}
	return out
}

// checkTransitionContacts refuses named organisations that do not exist.
func checkTransitionContacts(tx *store.Tx, cs []transition.Contact) error {
	for i, c := range cs {
		if c.OrganisationID != "" {
			if err := organisationExists(tx, c.OrganisationID, "/adult_services_contacts/"+itoa(i)+"/organisation_id"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAfterLastPlan refuses a plan starting before the young person's previous plan ended, so
// plans never overlap and the gap history stays readable.
func checkAfterLastPlan(tx *store.Tx, p transition.Plan) error {
	last, err := tx.Transitions().LastEnded(p.YoungPersonID)
	if err != nil || last.IsZero() || !p.StartedOn.Before(last) {
		return err
	}
	return fault.Field(fault.Unprocessable, "/started_on", "must not be before the day the young person's previous transition plan ended ("+
		last.Format(time.DateOnly)+")")
}

// CreateTransitionPlan records a young person's transition plan. One plan at a time may be current.
func (s *Service) CreateTransitionPlan(ctx context.Context, in transition.Plan) (p transition.Plan, err error) {
	pr, err := allow(ctx, auth.WriteCasework)
	if err != nil {
		return p, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		yp, err := tx.People().Get(in.YoungPersonID, s.scope(pr))
		if fault.KindOf(err) == fault.NotFound {
			return fault.Field(fault.Unprocessable, "/young_person_id", "no such young person")
		}
		if err != nil {
			return err
		}
		p = in
		p.YoungPersonID, p.DateOfBirth, p.Ending = yp.ID, yp.DateOfBirth, nil
		if err := p.Validate(s.today()); err != nil {
			return err
		}
		if err := checkTransitionContacts(tx, p.Contacts); err != nil {
			return err
		}
		if id, err := tx.Transitions().CurrentID(yp.ID); err != nil || id != "" {
			if err == nil {
				err = transition.CurrentPlanConflict()
			}
			return err
		}
		if err := checkAfterLastPlan(tx, p); err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.UpdatedAt, p.Version = newID(), s.now(), s.now(), 1
		if err := tx.Transitions().Create(p); err != nil {
			return err
		}
		if err := record(tx, s.event(ctx, pr, audit.Create, transition.RecordType, p.ID, p.YoungPersonID, nil),
			s.notice("transition_plan.created", transition.RecordType, p.ID, transitionPayload(p))); err != nil {
			return err
		}
		return s.onTimeline(tx, p.YoungPersonID, "", p.StartedOn, "transition_plan.created", transition.RecordType, p.ID,
			"Transition plan started (aged "+itoa(age.YearsOn(p.DateOfBirth, p.StartedOn))+", National Curriculum year "+
				itoa(age.NationalCurriculumYear(p.DateOfBirth, p.StartedOn))+"; Care Act assessment "+p.CareAct.Status+")")
	})
	return p, err
}

// TransitionPlan reads one plan the caller may see.
func (s *Service) TransitionPlan(ctx context.Context, id string) (transition.Plan, error) {
	return readAudited(ctx, s, transition.RecordType, id,
		func(tx *store.Tx, sc access.Scope) (transition.Plan, error) { return tx.Transitions().Get(id, sc) },
		func(r transition.Plan) string { return r.YoungPersonID })
}

// TransitionPlans lists the plans the caller may see, auditing each hit.
func (s *Service) TransitionPlans(ctx context.Context, f transition.Filter, pg paging.Page) ([]transition.Plan, string, error) {
	return listAudited(ctx, s, transition.RecordType, func(tx *store.Tx, sc access.Scope) ([]transition.Plan, string, error) {
		return tx.Transitions().List(f, sc, pg)
	}, func(r transition.Plan) (string, string) { return r.ID, r.YoungPersonID })
}

// changeTransitionPlan loads a visible plan, checks If-Match, applies change and writes the plan
// with its audit, outbox and timeline events in one transaction.
func (s *Service) changeTransitionPlan(ctx context.Context, id string, ifMatch *int, change func(tx *store.Tx, p *transition.Plan) ([]string, error),
	action, eventType string, summary func(p transition.Plan, changed []string) string) (transition.Plan, error) {
	var changed []string
	return transitionPlans.change(ctx, s, auth.WriteCasework, id, ifMatch,
		func(tx *store.Tx, _ auth.Principal, p *transition.Plan) (bool, error) {
			if p.Ended() {
				return false, fault.StateConflict("An ended transition plan is kept as it was; start a new plan instead.", "ended")
			}
			var err error
			changed, err = change(tx, p)
			return len(changed) > 0, err
		},
		func(tx *store.Tx, pr auth.Principal, p transition.Plan) error {
			payload := transitionPayload(p)
			if action == audit.Update {
				payload["changed_fields"] = changed
			}
			if err := record(tx, s.event(ctx, pr, action, transition.RecordType, p.ID, p.YoungPersonID, changed),
				s.notice(eventType, transition.RecordType, p.ID, payload)); err != nil {
				return err
			}
			occurred := s.today()
			if p.Ending != nil {
				occurred = p.Ending.On
			}
			return s.onTimeline(tx, p.YoungPersonID, "", occurred, eventType, transition.RecordType, p.ID, summary(p, changed))
		})
}

// UpdateTransitionPlan changes a current plan.
func (s *Service) UpdateTransitionPlan(ctx context.Context, id string, ifMatch *int, mutate Mutation[transition.Plan]) (transition.Plan, error) {
	return s.changeTransitionPlan(ctx, id, ifMatch, func(tx *store.Tx, p *transition.Plan) ([]string, error) {
		next, changed, err := mutate(*p)
		if err != nil || len(changed) == 0 {
			return nil, err
		}
		next.ID, next.YoungPersonID, next.DateOfBirth, next.Ending = p.ID, p.YoungPersonID, p.DateOfBirth, nil
		next.CreatedAt, next.Version = p.CreatedAt, p.Version
		if err := next.Validate(s.today()); err != nil {
			return nil, err
		}
		if slices.Contains(changed, "adult_services_contacts") {
			if err := checkTransitionContacts(tx, next.Contacts); err != nil {
				return nil, err
			}
		}
		if slices.Contains(changed, "started_on") {
			if err := checkAfterLastPlan(tx, next); err != nil {
				return nil, err
			}
		}
		*p = next
		return changed, nil
	}, audit.Update, "transition_plan.updated", func(p transition.Plan, changed []string) string {
		m := p.Milestones(s.today())
		return "Transition plan updated (" + strings.Join(changed, ", ") + "); Care Act assessment " + p.CareAct.Status +
			"; CHC identify " + string(m.Identify.Status) + ", refer " + string(m.Refer.Status) + ", eligibility " +
			string(m.EligibilityDecided.Status) + ", in place " + string(m.InPlace.Status)
	})
}

// EndTransitionPlan ends a current plan (today when on is zero).
func (s *Service) EndTransitionPlan(ctx context.Context, id string, ifMatch *int, on timeDay, reason, notes string) (transition.Plan, error) {
	return s.changeTransitionPlan(ctx, id, ifMatch, func(_ *store.Tx, p *transition.Plan) ([]string, error) {
		return []string{"ending"}, p.End(on, reason, notes, s.today())
	}, audit.Close, "transition_plan.ended", func(p transition.Plan, _ []string) string {
		return "Transition plan ended (" + p.Ending.Reason + ")"
	})
}

// GapQuery asks for young people without a current transition plan.
type GapQuery struct {
	MinAge     int // 0: the deployment's default
	SchoolYear bool
	AsOf       timeDay // zero: today
}

// GapItem is one young person without a current transition plan.
type GapItem struct {
	transition.Gap
	Age, NationalCurriculumYear int
	GapSince                    time.Time
}

// TransitionGapMinAge is the deployment's default gap threshold.
func (s *Service) TransitionGapMinAge() int {
	if a := s.opts.TransitionGapMinAge; a >= transition.MinGapAge && a <= transition.MaxGapAge {
		return a
	}
	return transition.DefaultGapMinAge
}

// TransitionGaps lists the young people the caller may see who should have a transition plan on
// the day and have none, auditing a list read of each.
func (s *Service) TransitionGaps(ctx context.Context, q GapQuery, pg paging.Page) (out []GapItem, next string, err error) {
	pr, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	if q.MinAge == 0 {
		q.MinAge = s.TransitionGapMinAge()
	}
	if q.MinAge < transition.MinGapAge || q.MinAge > transition.MaxGapAge {
		return nil, "", fault.Field(fault.Invalid, "/query/min_age", "must be 13 to 25")
	}
	if q.AsOf.IsZero() {
		q.AsOf = s.today()
	}
	asOf := statutory.Civil(q.AsOf)
	sq := gapQuery(asOf, q.MinAge, q.SchoolYear)
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		gaps, n, err := tx.Transitions().Gaps(sq, s.scope(pr), pg)
		if err != nil {
			return err
		}
		next = n
		events := make([]audit.Event, len(gaps))
		for i, g := range gaps {
			out = append(out, GapItem{Gap: g, Age: age.YearsOn(g.DateOfBirth, asOf), NationalCurriculumYear: age.NationalCurriculumYear(g.DateOfBirth, asOf),
				GapSince: gapSince(g, q.MinAge, q.SchoolYear)})
			events[i] = s.event(ctx, pr, audit.List, audit.YoungPerson, g.YoungPersonID, g.YoungPersonID, []string{"transition_gap"})
		}
		return tx.Audit(events...)
	})
	return out, next, err
}

// UpcomingQuery asks for what ends soon.
type UpcomingQuery struct {
	WithinMonths int     // 0: 12
	AsOf         timeDay // zero: today
}

// UpcomingItem is one event in the window.
type UpcomingItem struct {
	transition.Upcoming
	HasCurrentTransitionPlan bool
}

// DefaultUpcomingMonths is the default window of the upcoming list.
const DefaultUpcomingMonths = 12

// UpcomingTransitions lists what ends in the window for the young people the caller may see,
// soonest first, auditing a list read of each young person on the page. Every page recomputes
// the window (bounded by it) and continues after the cursor's (date, young person, kind, related
// record), so pages neither skip nor repeat while the data stands still.
func (s *Service) UpcomingTransitions(ctx context.Context, q UpcomingQuery, pg paging.Page) (out []UpcomingItem, next string, err error) {
	pr, err := allow(ctx, auth.ReadCasework)
	if err != nil {
		return nil, "", err
	}
	if q.WithinMonths == 0 {
		q.WithinMonths = DefaultUpcomingMonths
	}
	if q.WithinMonths < 1 || q.WithinMonths > 60 {
		return nil, "", fault.Field(fault.Invalid, "/query/within_months", "must be 1 to 60")
	}
	if q.AsOf.IsZero() {
		q.AsOf = s.today()
	}
	asOf := statutory.Civil(q.AsOf)
	var after *upcomingKey
	if pg.Cursor != "" {
		k, err := decodeUpcomingCursor(pg.Cursor)
		if err != nil {
			return nil, "", err
		}
		after = &k
	}
	limit := pg.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	through := statutory.AddMonths(asOf, q.WithinMonths)
	sq := transition.UpcomingQuery{AsOf: asOf, Through: through, Turning18: transition.Turning(asOf, through, 18),
		MaxAgeEnd: transition.EndOfYearTurningIn(asOf, through, transition.MaxAge)}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		all, err := tx.Transitions().Upcoming(sq, s.scope(pr))
		if err != nil {
			return err
		}
		for i := range all {
			switch all[i].Kind {
			case store.UpcomingTurns18:
				all[i].On = transition.ChildrensServicesEnd(all[i].DateOfBirth)
			case store.UpcomingPlanMaxAgeEnd:
				all[i].On = age.EndOfAcademicYearTurning(all[i].DateOfBirth, transition.MaxAge)
			}
		}
		slices.SortFunc(all, func(a, b transition.Upcoming) int { return keyOf(a).compare(keyOf(b)) })
		start := 0
		if after != nil {
			start, _ = slices.BinarySearchFunc(all, *after, func(u transition.Upcoming, k upcomingKey) int {
				if c := keyOf(u).compare(k); c != 0 {
					return c
				}
				return -1 // the cursor's own item is before the page
			})
		}
		page := all[start:]
		if len(page) > limit {
			page = page[:limit]
			next = encodeUpcomingCursor(keyOf(page[len(page)-1]))
		}
		var ids []string
		for _, u := range page {
			if !slices.Contains(ids, u.YoungPersonID) {
				ids = append(ids, u.YoungPersonID)
			}
		}
		planned, err := tx.Transitions().WithCurrentPlan(ids, asOf)
		if err != nil {
			return err
		}
		out = make([]UpcomingItem, len(page))
		for i, u := range page {
			out[i] = UpcomingItem{Upcoming: u, HasCurrentTransitionPlan: planned[u.YoungPersonID]}
		}
		events := make([]audit.Event, len(ids))
		for i, id := range ids {
			events[i] = s.event(ctx, pr, audit.List, audit.YoungPerson, id, id, []string{"upcoming_transition"})
		}
		return tx.Audit(events...)
	})
	return out, next, err
}

// upcomingKey is the sort key of an upcoming event, and the cursor.
type upcomingKey struct {
	on                            string
	youngPersonID, kind, relation string
}

func keyOf(u transition.Upcoming) upcomingKey {
	return upcomingKey{on: u.On.Format(time.DateOnly), youngPersonID: u.YoungPersonID, kind: u.Kind, relation: u.RelatedID}
}

func (a upcomingKey) compare(b upcomingKey) int {
	for _, c := range [][2]string{{a.on, b.on}, {a.youngPersonID, b.youngPersonID}, {a.kind, b.kind}, {a.relation, b.relation}} {
		if c := strings.Compare(c[0], c[1]); c != 0 {
			return c
		}
	}
	return 0
}

var upcomingCursor = regexp.MustCompile(`^u1\|(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})\|([a-z_0-9]{1,40})\|([0-9a-f-]{36})?$`)

func encodeUpcomingCursor(k upcomingKey) string {
	return base64.RawURLEncoding.EncodeToString([]byte("u1|" + k.on + "|" + k.youngPersonID + "|" + k.kind + "|" + k.relation))
}

func decodeUpcomingCursor(c string) (upcomingKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if m := upcomingCursor.FindStringSubmatch(string(b)); err == nil && m != nil {
		return upcomingKey{on: m[1], youngPersonID: m[2], kind: m[3], relation: m[4]}, nil
	}
	return upcomingKey{}, fault.Field(fault.Invalid, "/query/cursor", "is not a cursor this API issued")
}

// gapQuery selects, as of a day, the young people past the gap threshold and not yet 26.
func gapQuery(asOf time.Time, minAge int, schoolYear bool) transition.GapQuery {
	return transition.GapQuery{AsOf: asOf, BornBy: transition.ScopeBornBy(asOf, minAge, schoolYear), BornAfter: transition.TurnedBy(asOf, transition.MaxAge+1)}
}

// gapSince is the day a young person's gap opened: the latest of the threshold, the earliest
// reason they need a plan, and the end of their last plan.
func gapSince(g transition.Gap, minAge int, schoolYear bool) time.Time {
	var reasons []time.Time
	if g.OpenReferral {
		reasons = append(reasons, g.ReferralSince)
	}
	if g.EHCPlan {
		reasons = append(reasons, g.EHCPlanSince)
	}
	return transition.GapSince(transition.ScopeStart(g.DateOfBirth, minAge, schoolYear), reasons, g.LastPlanEnded)
}
