package migrations

import (
	"regexp"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// m0121 keeps the practitioners who took part in each meeting in a table of their own. A panel
// member's need-to-know reached every child whose MAP listed them as an attendee, read from the
// attendees JSON by LIKE, which could not tell a member who took part from one recorded as not
// taking part (took_part false, or how did_not_take_part). The store now writes this table with
// every meeting and reads panel reach from it, by practitioner; meetings recorded before it are
// backfilled from their attendees.
var m0121 = &gormigrate.Migration{ID: "0121_meeting_participants",
	Migrate: then(ddl(schema0121, nil), m0121BackfillParticipants)}

// schema0121: one row per practitioner who took part in a meeting, keyed by the meeting (which a
// rewrite of its attendees replaces), read by the practitioner for panel reach.
const schema0121 = `
CREATE TABLE meeting_participants (
  meeting_id {uuid} NOT NULL REFERENCES meetings (id),
  practitioner_id {uuid} NOT NULL,
  PRIMARY KEY (meeting_id, practitioner_id)
);
CREATE INDEX meeting_participants_practitioner ON meeting_participants (practitioner_id, meeting_id);
`

// m0121Meeting is the part of a meetings row the backfill reads, as it stood at 0121.
type m0121Meeting struct {
	ID, Attendees string
}

// m0121Attendee is the part of a stored attendee the backfill reads, as encoding/json wrote it
// at 0121.
type m0121Attendee struct {
	PractitionerID string `json:"practitioner_id"`
	TookPart       bool   `json:"took_part"`
	How            string `json:"how"`
}

// m0121Participated is meeting.Attendee.Participated as it stood when 0121 shipped, frozen: the
// attendee took part, and not as "did_not_take_part".
func m0121Participated(a m0121Attendee) bool { return a.TookPart && a.How != "did_not_take_part" }

// m0121UUID is the text of a UUID: an id that is not one (never written through the API) names no
// practitioner and is left out, where PostgreSQL's uuid column would refuse it.
var m0121UUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// m0121Page is how many meetings the backfill reads at a time; m0121Rows how many participants
// one insert writes (two parameters each, within SQLite's oldest limit of 999).
const (
	m0121Page = 1000
	m0121Rows = 400
)

// m0121BackfillParticipants writes the participants of the meetings recorded before 0121, reading
// only meetings that name a practitioner, a page at a time in id order.
func m0121BackfillParticipants(db *gorm.DB) error {
	after := ""
	for {
		var page []m0121Meeting
		q := db.Table("meetings").Select("id, attendees").Where("attendees LIKE ?", `%"practitioner_id"%`)
		if after != "" {
			q = q.Where("id > ?", after)
		}
		if err := q.Order("id").Limit(m0121Page).Find(&page).Error; err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		var rows [][2]string
		for _, m := range page {
			seen := map[string]bool{}
			for _, a := range decodeJSON[[]m0121Attendee](&m.Attendees) {
				id := strings.ToLower(a.PractitionerID)
				if !m0121Participated(a) || !m0121UUID.MatchString(id) || seen[id] {
					continue
				}
				seen[id] = true
				rows = append(rows, [2]string{m.ID, id})
			}
		}
		if err := m0121Insert(db, rows); err != nil {
			return err
		}
		after = page[len(page)-1].ID
	}
}

// m0121Insert writes rows (meeting, practitioner), m0121Rows to a statement.
func m0121Insert(db *gorm.DB, rows [][2]string) error {
	for len(rows) > 0 {
		n := min(len(rows), m0121Rows)
		values := make([]string, n)
		args := make([]any, 0, 2*n)
		for i, r := range rows[:n] {
			values[i] = "(?, ?)"
			args = append(args, r[0], r[1])
		}
		if err := db.Exec("INSERT INTO meeting_participants (meeting_id, practitioner_id) VALUES "+strings.Join(values, ", "),
			args...).Error; err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
