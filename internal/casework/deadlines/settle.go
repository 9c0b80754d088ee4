package deadlines

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/deadline"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/statutory"
	"github.com/oneplan-send/oneplan/internal/transition"
)

// Imported names what an import recorded in one transaction: the records (plans, their scheduled
// reviews, transition plans) and the young people they belong to.
type Imported struct {
	Records     map[string]bool
	YoungPeople map[string]bool
}

// Add names a record of a young person.
func (im *Imported) Add(recordID, youngPersonID string) {
	if im.Records == nil {
		im.Records, im.YoungPeople = map[string]bool{}, map[string]bool{}
	}
	if recordID != "" {
		im.Records[recordID] = true
	}
	im.YoungPeople[youngPersonID] = true
}

// SettlePassed is how an import keeps history quiet: in the import's own transaction, every
// deadline of the imported records whose day had passed on asOf (the import's day) is marked as
// warned, with no event sent, so the sweep never sends deadline.missed (nor deadline.due_soon)
// for it. The same goes for the sweep's older notices: annual_review.due and
// annual_review.deadline_missed of an imported review whose day had passed, and
// transition_gap.opened for an imported young person's gap that opened before the import. The
// Year 9 deadline of an imported young person (record type young_person) is settled the same
// way. A deadline not yet passed is left alone: the sweep warns of it as of any other. It
// returns how many warnings it settled.
func (s *Service) SettlePassed(tx Tx, asOf time.Time, im Imported) (int, error) {
	if len(im.YoungPeople) == 0 {
		return 0, nil
	}
	asOf = statutory.Civil(asOf)
	// Only the imported children's records are read (access.Scope.Only), not the whole caseload,
	// refreshChunk children to a reading: an import of a hundred thousand plans named more
	// children than a statement may carry values (PostgreSQL 65,535, SQLite 32,766).
	only := make([]string, 0, len(im.YoungPeople))
	for id := range im.YoungPeople {
		only = append(only, id)
	}
	slices.Sort(only)
	n := 0
	for part := range slices.Chunk(only, refreshChunk) {
		settled, err := s.settleChildren(tx, asOf, im, part)
		if err != nil {
			return n, err
		}
		n += settled
	}
	return n, nil
}

// settleChildren is SettlePassed for some of the imported children.
func (s *Service) settleChildren(tx Tx, asOf time.Time, im Imported, children []string) (int, error) {
	ds, err := collect(tx, asOf, access.Scope{Only: children}, s.maxLead(), false)
	if err != nil {
		return 0, err
	}
	n := 0
	var settled []string // the sweep's notices to claim unsent, in one statement at the end
	for _, d := range ds {
		ours := im.Records[d.RecordID] || (d.RecordType == "young_person" && im.YoungPeople[d.YoungPersonID])
		if !ours || d.StatusOn(asOf, s.leads.Lead(d.Clock)) != deadline.Missed {
			continue
		}
		// The notice names no event: none was sent. The id is a fresh one so the column stays a
		// real identifier.
		claimed, err := tx.DeadlineNotices().Claim(deadline.Notice{ID: casework.NewID(), EventID: casework.NewID(), Kind: deadline.Missed,
			Deadline: d, SentAt: s.Now()})
		if err != nil {
			return n, err
		}
		if claimed {
			n++
		}
		if d.RecordType == annualreview.RecordType && d.Clock == deadline.AnnualReview {
			settled = append(settled, "annual_review.due:"+d.RecordID, "annual_review.deadline_missed:"+d.RecordID+":review")
		}
	}
	// Only these young people's gaps (not every gap in the area).
	minAge := s.transitions.TransitionGapMinAge()
	gaps, err := paging.Drain(func(pg paging.Page) ([]transition.Gap, string, error) {
		return tx.Transitions().Gaps(transition.GapsOn(asOf, minAge, false), access.Scope{Only: children}, pg)
	})
	if err != nil {
		return n, err
	}
	for _, g := range gaps {
		if since := g.Since(minAge, false); since.Before(asOf) {
			settled = append(settled, "transition_gap.opened:"+g.YoungPersonID+":"+since.Format("2006-01-02"))
		}
	}
	claimed, err := tx.Notices().ClaimAll(settled, s.Now())
	return n + len(claimed), err
}
