package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/report"
	"github.com/oneplan-send/oneplan/internal/tcare"
)

// TransformingCare loads what the transforming-care report is computed from, for the children the
// filter selects, up to day to: register entries with their rating history, the C(E)TRs held, the
// placements in inpatient units and residential settings, and the personal budgets decided. A
// register is small (tens to hundreds of young people), so the report counts in Go with the
// register's own rules (tcare.Entry.AsOf, HeldOnTime) rather than copying them into SQL.
func (tx reportRepo) TransformingCare(to time.Time, f report.Filter) (out report.TransformingCareData, err error) {
	day := fromDate(to)
	repo := tcareRepo(tx)

	var entries []registerEntryRow
	if err := reportChildren(f, tx.q().Model(&registerEntryRow{}), "young_person_id").
		Where("rated_since <= ? OR EXISTS (SELECT 1 FROM support_register_ratings r WHERE r.entry_id = support_register_entries.id AND r.decided_on <= ?)", day, day).
		Order("id").Find(&entries).Error; err != nil {
		return out, translate(err)
	}
	if out.Entries, err = repo.withRatings(entries); err != nil {
		return out, err
	}

	var reviews []reviewRow
	if err := reportChildren(f, tx.q().Model(&reviewRow{}), "young_person_id").
		Where("held_on IS NOT NULL AND held_on <= ?", day).Order("id").Find(&reviews).Error; err != nil {
		return out, translate(err)
	}
	for _, r := range reviews {
		d := r.toDomain()
		out.Reviews = append(out.Reviews, report.HeldReview{EntryID: d.EntryID, HeldOn: d.HeldOn, Outcome: d.Outcome})
	}

	var placements []placementRow
	if err := reportChildren(f, tx.q().Model(&placementRow{}), "young_person_id").
		Where("type IN ? AND start_on <= ?", []string{tcare.Inpatient, tcare.Residential52, tcare.Residential38}, day).
		Order("id").Find(&placements).Error; err != nil {
		return out, translate(err)
	}
	for _, p := range placements {
		out.Placements = append(out.Placements, p.toDomain())
	}

	var budgets []budgetRow
	if err := reportChildren(f, tx.q().Model(&budgetRow{}), "young_person_id").
		Where("decided_on IS NOT NULL AND decided_on <= ?", day).Order("id").Find(&budgets).Error; err != nil {
		return out, translate(err)
	}
	for _, b := range budgets {
		out.Budgets = append(out.Budgets, b.toDomain(nil))
	}
	return out, nil
}
