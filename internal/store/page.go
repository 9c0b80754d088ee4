package store

import (
	"encoding/base64"
	"fmt"
	"regexp"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// EncodeCursor makes the opaque cursor for the page after the row with this id.
func EncodeCursor(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + lastID))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 3 && string(b[:3]) == "v1:" && uuidPattern.MatchString(string(b[3:])) {
		return string(b[3:]), nil
	}
	if err == nil && len(b) > 3 && string(b[:3]) == "v2:" {
		return "", fault.Field(fault.Invalid, "/query/cursor", "is the cursor of a list filtered by a time: pass it back with the same filters")
	}
	return "", fault.Field(fault.Invalid, "/query/cursor", "is not a cursor this API issued")
}

// changedColumn is the column that says when each listed table's row last changed, for a page's
// UpdatedSince: updated_at where the row is changed in place, otherwise the time it was written
// (records never changed afterwards) or its last event.
var changedColumn = map[string]string{
	"annual_reviews": "annual_reviews.updated_at", "family_assessments": "family_assessments.updated_at",
	"disputes": "disputes.updated_at", "documents": "documents.created_at", "ehc_plan_family_views": "ehc_plan_family_views.created_at",
	"ehc_advice": "ehc_advice.updated_at", "setting_consultations": "setting_consultations.updated_at", "reassessments": "reassessments.updated_at", "possible_duplicates": "possible_duplicates.updated_at",
	"ehc_requests": "ehc_requests.updated_at", "ehc_plans": "ehc_plans.updated_at", "pathway_feedback": "pathway_feedback.created_at",
	"meetings": "meetings.updated_at", "meeting_actions": "COALESCE(meeting_actions.completed_at, (SELECT meetings.updated_at FROM meetings WHERE meetings.id = meeting_actions.meeting_id))",
	"organisations": "organisations.updated_at", "practitioners": "practitioners.updated_at", "young_people": "young_people.updated_at",
	"referrals": "referrals.updated_at", "audit_events": "audit_events.occurred_at", "api_keys": "COALESCE(api_keys.revoked_at, api_keys.created_at)",
	"involvements": "involvements.updated_at", "survey_templates": "survey_templates.updated_at",
	"survey_responses": "survey_responses.created_at", "survey_invitations": "COALESCE(survey_invitations.answered_at, survey_invitations.created_at)",
	"transition_plans": "transition_plans.updated_at", "webhook_subscriptions": "webhook_subscriptions.updated_at",
	"webhook_attempts": "webhook_attempts.attempted_at",
	// Import jobs through the API (issue 18): every claim, heartbeat and finish bumps the row.
	"import_jobs": "import_jobs.updated_at",
	// Transforming Care (issue 17): every write (a rating, a C(E)TR, a payment) bumps the row.
	"support_register_entries": "support_register_entries.updated_at", "care_treatment_reviews": "care_treatment_reviews.updated_at",
	"personal_budgets": "personal_budgets.updated_at", "placements": "placements.updated_at",
}

// paginate applies the keyset and asks for one row more than the limit, to know if there is more.
// A page of changes since an instant is ordered by the change (see pageOrder), newest first.
func paginate(q *gorm.DB, table string, p paging.Page) (*gorm.DB, error) {
	if p.Limit <= 0 || p.Limit > 200 {
		p.Limit = 50
	}
	if !p.UpdatedSince.IsZero() {
		col, ok := changedColumn[table]
		if !ok {
			return nil, fmt.Errorf("store: %s has no changed column for updated_since", table)
		}
		q = q.Where(col+" >= ?", p.UpdatedSince.UTC())
		if p.Cursor != "" {
			cursor, err := cursorInList(q, table, col, updatedOrder, p.Cursor)
			if err != nil {
				return nil, err
			}
			after, at, err := decodeOrderedCursor(cursor, updatedOrder)
			if err != nil {
				return nil, err
			}
			q = q.Where(fmt.Sprintf("(%s, %s.id) < (?, ?)", col, table), at, after)
		}
		return q.Order(fmt.Sprintf("%s DESC, %s.id DESC", col, table)).Limit(p.Limit + 1), nil
	}
	if p.Cursor != "" {
		after, err := decodeCursor(p.Cursor)
		if err != nil {
			return nil, err
		}
		q = q.Where(fmt.Sprintf("%s.id < ?", table), after)
	}
	return q.Order(fmt.Sprintf("%s.id DESC", table)).Limit(p.Limit + 1), nil
}

// trim cuts the extra row and returns the next cursor, "" on the last page.
func trim[R any](rows []R, limit int, id func(R) string) ([]R, string) {
	return trimTo(rows, limit, func(r R) string { return EncodeCursor(id(r)) })
}

// trimTo is trim with the cursor of the page's last row made by cursor.
func trimTo[R any](rows []R, limit int, cursor func(R) string) ([]R, string) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, cursor(rows[len(rows)-1])
}

// listPage runs q as one keyset page of table and converts each row.
func listPage[R any, D any](q *gorm.DB, table string, p paging.Page, id func(R) string, conv func(R) D) ([]D, string, error) {
	q, err := paginate(q, table, p)
	if err != nil {
		return nil, "", err
	}
	var rows []R
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	var (
		next    string
		last    string
		changed = !p.UpdatedSince.IsZero()
	)
	if changed {
		// The page is ordered by its change column, which the rows need not hold (it may be an
		// expression): the cursor's time is read back for the last row, once a page.
		rows, last = trim(rows, p.Limit, id)
		if last != "" {
			lastID := id(rows[len(rows)-1])
			at, err := rowTime(q, table, changedColumn[table], updatedOrder, lastID)
			if err != nil {
				return nil, "", err
			}
			next = encodeOrderedCursor(updatedOrder.name, lastID, at)
		}
	} else {
		rows, next = trim(rows, p.Limit, id)
	}
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, next, nil
}
