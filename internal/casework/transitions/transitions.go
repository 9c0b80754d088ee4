// Package transitions runs preparing for adulthood: transition plans from Year 9 to 25, who lacks
// one, and what ends soon.
package transitions

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/age"
	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/team"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Tx is what the transition use cases need of a transaction.
type Tx interface {
	team.Tx
	Transitions() transition.Repository
}

// Service runs the transition use cases.
type Service struct {
	casework.Core
	db casework.DB[Tx]
	// gapMinAge is the deployment's default age from which a transition plan is expected.
	gapMinAge int
}

// New returns the transition service; gapMinAge is the deployment's default gap threshold (13
// to 25; anything else means the default, 14).
func New(core casework.Core, db casework.DB[Tx], gapMinAge int) *Service {
	return &Service{Core: core, db: db, gapMinAge: gapMinAge}
}

var versionedPlans = casework.Versioned[transition.Plan, Tx]{Load: casework.LoadVia(Tx.Transitions, transition.Repository.Get),
	Save:  casework.SaveVia(Tx.Transitions, transition.Repository.Update),
	Stamp: func(p *transition.Plan) (*int, *time.Time) { return &p.Version, &p.UpdatedAt }}

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
func checkTransitionContacts(tx Tx, cs []transition.Contact) error {
	for i, c := range cs {
		if c.OrganisationID != "" {
			if err := organisations.Exists(tx, c.OrganisationID, "/adult_services_contacts/"+strconv.Itoa(i)+"/organisation_id"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkAfterLastPlan refuses a plan starting before the young person's previous plan ended, so
// plans never overlap and the gap history stays readable.
func checkAfterLastPlan(tx Tx, p transition.Plan) error {
	last, err := tx.Transitions().LastEnded(p.YoungPersonID)
	if err != nil || last.IsZero() || !p.StartedOn.Before(last) {
		return err
	}
	return fault.Field(fault.Unprocessable, "/started_on", "must not be before the day the young person's previous transition plan ended ("+
		last.Format(time.DateOnly)+")")
}

// CreateTransitionPlan records a young person's transition plan. One plan at a time may be current.
func (s *Service) CreateTransitionPlan(ctx context.Context, in transition.Plan) (p transition.Plan, err error) {
	defer casework.Wrap(&err, "create transition plan")
	pr, err := casework.Allow(ctx, auth.WriteCasework)
	if err != nil {
		return p, err
	}
	err = s.db.InTx(ctx, func(tx Tx) error {
		yp, err := tx.People().Get(in.YoungPersonID, s.Scope(pr))
		if err != nil {
			return casework.Referenced(err, "/young_person_id", "no such young person")
		}
		p = in
		p.YoungPersonID, p.DateOfBirth, p.Ending = yp.ID, yp.DateOfBirth, nil
		if err := p.Validate(s.Today()); err != nil {
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
		p.ID, p.CreatedAt, p.UpdatedAt, p.Version = casework.NewID(), s.Now(), s.Now(), 1
		if err := tx.Transitions().Create(p); err != nil {
			return err
		}
		if err := casework.Record(tx, s.Event(ctx, pr, audit.Create, transition.RecordType, p.ID, p.YoungPersonID, nil),
			s.Notice(outbox.TransitionPlanCreated, p.ID, transitionPayload(p))); err != nil {
			return err
		}
		return s.OnTimeline(tx, p.YoungPersonID, "", p.StartedOn, "transition_plan.created", transition.RecordType, p.ID,
			"Transition plan started (aged "+strconv.Itoa(age.YearsOn(p.DateOfBirth, p.StartedOn))+", National Curriculum year "+
				strconv.Itoa(age.NationalCurriculumYear(p.DateOfBirth, p.StartedOn))+"; Care Act assessment "+p.CareAct.Status+")")
	})
	return p, err
}

// TransitionPlan reads one plan the caller may see.
func (s *Service) TransitionPlan(ctx context.Context, id string) (_ transition.Plan, err error) {
	defer casework.Wrap(&err, "read transition plan %s", id)
	return casework.ReadAudited(ctx, s.Core, s.db, transition.RecordType, id,
		func(tx Tx, sc access.Scope) (transition.Plan, error) { return tx.Transitions().Get(id, sc) },
		func(r transition.Plan) string { return r.YoungPersonID })
}

// TransitionPlans lists the plans the caller may see, auditing each hit.
func (s *Service) TransitionPlans(ctx context.Context, f transition.Filter, pg paging.Page) (_ []transition.Plan, _ string, err error) {
	defer casework.Wrap(&err, "list transition plans")
	return casework.ListAudited(ctx, s.Core, s.db, transition.RecordType, func(tx Tx, sc access.Scope) ([]transition.Plan, string, error) {
		return tx.Transitions().List(f, sc, pg)
	}, func(r transition.Plan) (string, string) { return r.ID, r.YoungPersonID })
}

// changeTransitionPlan loads a visible plan, checks If-Match, applies change and writes the plan
// with its audit, outbox and timeline events in one transaction.
func (s *Service) changeTransitionPlan(ctx context.Context, id string, ifMatch *int, change func(tx Tx, p *transition.Plan) ([]string, error),
	action string, eventType outbox.Type, summary func(p transition.Plan, changed []string) string) (transition.Plan, error) {
	var changed []string
	return versionedPlans.Change(ctx, s.Core, s.db, auth.WriteCasework, id, ifMatch,
		func(tx Tx, _ auth.Principal, p *transition.Plan) (bool, error) {
			if p.Ended() {
				return false, fault.StateConflict("An ended transition plan is kept as it was; start a new plan instead.", "ended")
			}
			var err error
			changed, err = change(tx, p)
			return len(changed) > 0, err
		},
		func(tx Tx, pr auth.Principal, p transition.Plan) error {
			payload := transitionPayload(p)
			if action == audit.Update {
				payload["changed_fields"] = changed
			}
			if err := casework.Record(tx, s.Event(ctx, pr, action, transition.RecordType, p.ID, p.YoungPersonID, changed),
				s.Notice(eventType, p.ID, payload)); err != nil {
				return err
			}
			occurred := s.Today()
			if p.Ending != nil {
				occurred = p.Ending.On
			}
			return s.OnTimeline(tx, p.YoungPersonID, "", occurred, eventType.Name, transition.RecordType, p.ID, summary(p, changed))
		})
}

// UpdateTransitionPlan changes a current plan.
func (s *Service) UpdateTransitionPlan(ctx context.Context, id string, ifMatch *int, mutate casework.Mutation[transition.Plan]) (_ transition.Plan, err error) {
	defer casework.Wrap(&err, "update transition plan %s", id)
	return s.changeTransitionPlan(ctx, id, ifMatch, func(tx Tx, p *transition.Plan) ([]string, error) {
		next, changed, err := mutate(*p)
		if err != nil || len(changed) == 0 {
			return nil, err
		}
		next.ID, next.YoungPersonID, next.DateOfBirth, next.Ending = p.ID, p.YoungPersonID, p.DateOfBirth, nil
		next.CreatedAt, next.Version = p.CreatedAt, p.Version
		if err := next.Validate(s.Today()); err != nil {
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
	}, audit.Update, outbox.TransitionPlanUpdated, func(p transition.Plan, changed []string) string {
		m := p.Milestones(s.Today())
		return "Transition plan updated (" + strings.Join(changed, ", ") + "); Care Act assessment " + p.CareAct.Status +
			"; CHC identify " + string(m.Identify.Status) + ", refer " + string(m.Refer.Status) + ", eligibility " +
			string(m.EligibilityDecided.Status) + ", in place " + string(m.InPlace.Status)
	})
}

// EndTransitionPlan ends a current plan (today when on is zero).
func (s *Service) EndTransitionPlan(ctx context.Context, id string, ifMatch *int, on time.Time, reason, notes string) (_ transition.Plan, err error) {
	defer casework.Wrap(&err, "end transition plan %s", id)
	return s.changeTransitionPlan(ctx, id, ifMatch, func(_ Tx, p *transition.Plan) ([]string, error) {
		return []string{"ending"}, p.End(on, reason, notes, s.Today())
	}, audit.Close, outbox.TransitionPlanEnded, func(p transition.Plan, _ []string) string {
		return "Transition plan ended (" + p.Ending.Reason + ")"
	})
}

// GapQuery asks for young people without a current transition plan.
type GapQuery struct {
	MinAge     int // 0: the deployment's default
	SchoolYear bool
	AsOf       time.Time // zero: today
}

// GapItem is one young person without a current transition plan.
type GapItem struct {
	transition.Gap
	Age, NationalCurriculumYear int
	GapSince                    time.Time
}

// TransitionGapMinAge is the deployment's default gap threshold.
func (s *Service) TransitionGapMinAge() int {
	if a := s.gapMinAge; a >= transition.MinGapAge && a <= transition.MaxGapAge {
		return a
	}
	return transition.DefaultGapMinAge
}

// TransitionGaps lists the young people the caller may see who should have a transition plan on
// the day and have none, auditing a list read of each.
func (s *Service) TransitionGaps(ctx context.Context, q GapQuery, pg paging.Page) (out []GapItem, next string, err error) {
	defer casework.Wrap(&err, "list transition gaps")
	pr, err := casework.Allow(ctx, auth.ReadCasework)
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
		q.AsOf = s.Today()
	}
	asOf := statutory.Civil(q.AsOf)
	sq := transition.GapsOn(asOf, q.MinAge, q.SchoolYear)
	err = s.db.InTx(ctx, func(tx Tx) error {
		gaps, n, err := tx.Transitions().Gaps(sq, s.Scope(pr), pg)
		if err != nil {
			return err
		}
		next = n
		events := make([]audit.Event, len(gaps))
		for i, g := range gaps {
			out = append(out, GapItem{Gap: g, Age: age.YearsOn(g.DateOfBirth, asOf), NationalCurriculumYear: age.NationalCurriculumYear(g.DateOfBirth, asOf),
				GapSince: g.Since(q.MinAge, q.SchoolYear)})
			events[i] = s.Event(ctx, pr, audit.List, audit.YoungPerson, g.YoungPersonID, g.YoungPersonID, []string{"transition_gap"})
		}
		return tx.Audit(events...)
	})
	return out, next, err
}

// UpcomingQuery asks for what ends soon.
type UpcomingQuery struct {
	WithinMonths int       // 0: 12
	AsOf         time.Time // zero: today
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
	defer casework.Wrap(&err, "list upcoming transitions")
	pr, err := casework.Allow(ctx, auth.ReadCasework)
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
		q.AsOf = s.Today()
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
	err = s.db.InTx(ctx, func(tx Tx) error {
		all, err := tx.Transitions().Upcoming(sq, s.Scope(pr))
		if err != nil {
			return err
		}
		for i := range all {
			switch all[i].Kind {
			case transition.UpcomingTurns18:
				all[i].On = transition.ChildrensServicesEnd(all[i].DateOfBirth)
			case transition.UpcomingPlanMaxAgeEnd:
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
			events[i] = s.Event(ctx, pr, audit.List, audit.YoungPerson, id, id, []string{"upcoming_transition"})
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
