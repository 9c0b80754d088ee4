package store

import (
	"slices"
	"time"

	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/sen2"
)

// The SEN2 return's candidates. Each loader narrows by dates in SQL to what might be in the
// return; package sen2 applies the return's exact rules as of the reference date.

// Candidates loads the requests received by ref that were open at from, received or decided
// since, or led to a plan in the return; the plans first issued by ref and not ceased before
// from; their latest reviews; the disputes about any of them received by ref; and the people.
func (tx sen2Repo) Candidates(from, ref time.Time) (sen2.Candidates, error) {
	var out sen2.Candidates
	f, r := fromDate(from), fromDate(ref)
	var planRows []ehcPlanRow
	err := tx.q().Where("first_issued_on IS NOT NULL AND first_issued_on <= ? AND (ceases_on IS NULL OR ceases_on >= ?)", r, f).
		Order("id").Find(&planRows).Error
	if err != nil {
		return out, translate(err)
	}
	if out.Plans, err = tx.withVersions(planRows); err != nil {
		return out, err
	}
	var requestRows []ehcRequestRow
	err = tx.q().Where(`received_on <= ? AND (received_on >= ? OR request_outcome_on IS NULL OR request_outcome_on >= ?
		OR assessment_outcome_on IS NULL OR assessment_outcome_on >= ?
		OR id IN (SELECT ehc_request_id FROM ehc_plans WHERE first_issued_on IS NOT NULL AND first_issued_on <= ? AND (ceases_on IS NULL OR ceases_on >= ?)))`,
		r, f, f, f, r, f).Order("id").Find(&requestRows).Error
	if err != nil {
		return out, translate(err)
	}
	people := map[string]bool{}
	var subjects []string
	for _, row := range requestRows {
		out.Requests = append(out.Requests, row.toDomain())
		people[row.YoungPersonID] = true
		subjects = append(subjects, row.ID)
	}
	planIDs := make([]string, 0, len(out.Plans))
	for _, p := range out.Plans {
		people[p.YoungPersonID] = true
		subjects = append(subjects, p.ID)
		planIDs = append(planIDs, p.ID)
	}
	out.Reviews = map[string]annualreview.Review{}
	err = inChunks(planIDs, func(ids []string) error {
		var reviews []annualReviewRow
		if err := tx.q().Where("plan_id IN ? AND meeting_on IS NOT NULL AND meeting_on <= ?", ids, r).Order("plan_id, sequence").Find(&reviews).Error; err != nil {
			return err
		}
		for _, rv := range reviews {
			out.Reviews[rv.PlanID] = rv.toDomain() // ordered by sequence: the last one wins
		}
		return nil
	})
	if err != nil {
		return out, translate(err)
	}
	err = inChunks(subjects, func(ids []string) error {
		var disputes []disputeRow
		if err := tx.q().Where("subject_id IN ? AND received_on <= ?", ids, r).Order("id").Find(&disputes).Error; err != nil {
			return err
		}
		for _, d := range disputes {
			out.Disputes = append(out.Disputes, d.toDomain())
		}
		return nil
	})
	if err != nil {
		return out, translate(err)
	}
	ids := make([]string, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	err = inChunks(ids, func(ids []string) error {
		var rows []youngPersonRow
		if err := tx.q().Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		for _, p := range rows {
			out.People = append(out.People, p.toDomain())
		}
		return nil
	})
	return out, translate(err)
}

// inChunks runs fn over ids a thousand at a time: a whole county's caseload in one IN list would
// pass PostgreSQL's limit on bound parameters.
func inChunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
