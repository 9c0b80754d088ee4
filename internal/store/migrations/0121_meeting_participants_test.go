package migrations_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/store"
)

// TestMigration0121MeetingParticipants: the meetings recorded before 0121 get a row for each
// practitioner who took part, once each; one recorded as not taking part (took_part false, or how
// did_not_take_part) gets none. Through the store, after every migration, the member who took
// part in a child's MAP reaches the child as a panel member, the others do not, nor does one who
// took part in a MAM only.
func TestMigration0121MeetingParticipants(t *testing.T) {
	meeting := `INSERT INTO meetings (id, referral_id, young_person_id, type, held_on, attendees, decisions, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, '2026-03-20', ?, '[]', ?, ?, 1)`
	attendee := func(n int, tookPart bool, how string) string {
		s := `{"kind":"practitioner","practitioner_id":"` + uuid(n) + `","took_part":` + strconv.FormatBool(tookPart)
		if how != "" {
			s += `,"how":"` + how + `"`
		}
		return s + `}`
	}
	checkMigrationAt(t, "0121_meeting_participants", func(t *testing.T, db *gorm.DB) {
		addOrganisation(t, db, uuid(1), "")
		for n := 10; n <= 13; n++ {
			addPractitioner(t, db, uuid(n), uuid(1), "p"+strconv.Itoa(n)+"@example.org")
		}
		addPerson(t, db, uuid(20), uuid(1), "")
		addPerson(t, db, uuid(21), uuid(1), "")
		addReferral(t, db, uuid(30), "REF-2026-000001", uuid(20), uuid(10), uuid(1), "panel", `["sen"]`, "sen", "2026-03-02")
		addReferral(t, db, uuid(31), "REF-2026-000002", uuid(21), uuid(10), uuid(1), "mam_held", `["sen"]`, "sen", "2026-03-02")
		// The MAP: 10 took part (listed twice), 11 did not, 12 is recorded as not taking part by how.
		exec(t, db, meeting, uuid(40), uuid(30), uuid(20), "map", `[`+attendee(10, true, "in_person")+`,`+attendee(11, false, "")+`,`+
			attendee(12, true, "did_not_take_part")+`,`+attendee(10, true, "")+`,{"kind":"organisation","organisation_id":"`+uuid(1)+
			`","took_part":true},{"kind":"family_member","name":"Mum","took_part":true}]`, created, created)
		exec(t, db, meeting, uuid(41), uuid(31), uuid(21), "mam", `[`+attendee(13, true, "video")+`]`, created, created)
		exec(t, db, meeting, uuid(42), uuid(30), uuid(20), "map", `[]`, created, created)
	}, func(t *testing.T, db *gorm.DB, dsn string) {
		has(t, "tables", tables(t, db), "meeting_participants")
		has(t, "indexes", indexes(t, db), "meeting_participants_practitioner")
		wantValue(t, db, "2", `SELECT COUNT(*) FROM meeting_participants`)
		wantValue(t, db, "1", `SELECT COUNT(*) FROM meeting_participants WHERE meeting_id = ? AND practitioner_id = ?`, uuid(40), uuid(10))
		wantValue(t, db, "1", `SELECT COUNT(*) FROM meeting_participants WHERE meeting_id = ? AND practitioner_id = ?`, uuid(41), uuid(13))
		refuses(t, db, "a participant of a meeting that does not exist",
			`INSERT INTO meeting_participants (meeting_id, practitioner_id) VALUES (?, ?)`, uuid(99), uuid(10))
		if isPostgres(db) {
			// Panel reach's subquery reads a member's meetings down the practitioner's index.
			usesIndex(t, db, "meeting_participants_practitioner", `SELECT m.young_person_id FROM meeting_participants mp
				JOIN meetings m ON m.id = mp.meeting_id WHERE mp.practitioner_id = '`+uuid(10)+`' AND m.type = 'map'`)
		}

		ctx := context.Background()
		st := openStore(t, dsn)
		for _, c := range []struct {
			member, child int
			reaches       bool
		}{{10, 20, true}, {11, 20, false}, {12, 20, false}, {13, 21, false}, {10, 21, false}} {
			scope := access.Scope{Restricted: true, PanelPractitionerID: uuid(c.member), On: time.Now()}
			err := st.Read(ctx, func(tx *store.Tx) error {
				_, err := tx.People().Get(uuid(c.child), scope)
				return err
			})
			switch {
			case c.reaches && err != nil:
				t.Errorf("panel member %d does not reach child %d: %v", c.member, c.child, err)
			case !c.reaches && fault.KindOf(err) != fault.NotFound:
				t.Errorf("panel member %d reading child %d: %v, want not found", c.member, c.child, err)
			}
		}
	})
}
