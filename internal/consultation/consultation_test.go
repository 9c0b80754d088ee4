package consultation

import (
	"errors"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

// TestDueOn: 15 days beginning with the day sent (sent Monday 4 May 2026: due Monday 18 May).
func TestDueOn(t *testing.T) {
	for sent, due := range map[string]string{"2026-05-04": "2026-05-18", "2026-02-20": "2026-03-06", "2026-12-24": "2027-01-07"} {
		if got := DueOn(day(sent)).Format("2006-01-02"); got != due {
			t.Errorf("sent %s: due %s, want %s", sent, got, due)
		}
	}
}

func TestNew(t *testing.T) {
	today := day("2026-05-04")
	for _, c := range []struct {
		name, by string
		sent     time.Time
		pointer  string
	}{
		{"family named it", ByFamily, today, ""},
		{"sent today by default", ByAuthority, time.Time{}, ""},
		{"unknown requester", "school", today, "/requested_by"},
		{"in the future", ByFamily, today.AddDate(0, 0, 1), "/sent_on"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := New("p", "y", "o", c.by, "", c.sent, today)
			if c.pointer == "" {
				if err != nil || got.Status != Sent || !got.DueOn.Equal(day("2026-05-18")) {
					t.Fatalf("%+v %v", got, err)
				}
				return
			}
			var f *fault.Error
			if !errors.As(err, &f) || f.Kind != fault.Invalid || f.Fields[0].Pointer != c.pointer {
				t.Fatalf("err %v, want %s", err, c.pointer)
			}
		})
	}
}

// TestRespond: once; reasons when the setting cannot meet needs; late after the 15 days.
func TestRespond(t *testing.T) {
	due := day("2026-05-18")
	for _, c := range []struct {
		name             string
		status           Status
		response, reason string
		today            time.Time
		kind             fault.Kind
		late             bool
	}{
		{"can meet, on the last day", Sent, CanMeetNeeds, "", due, 0, false},
		{"cannot meet, with reasons, a day late", Sent, CannotMeetNeeds, "No specialist staff.", due.AddDate(0, 0, 1), 0, true},
		{"cannot meet without reasons", Sent, CannotMeetNeeds, " ", due, fault.Unprocessable, false},
		{"unknown answer", Sent, "maybe", "", due, fault.Invalid, false},
		{"answered once", Responded, CanMeetNeeds, "", due, fault.Conflict, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := Consultation{Status: c.status, DueOn: due}
			err := k.Respond(c.response, c.reason, c.today)
			if c.kind != 0 {
				var f *fault.Error
				if !errors.As(err, &f) || f.Kind != c.kind {
					t.Fatalf("err %v, want kind %d", err, c.kind)
				}
				return
			}
			if err != nil || k.Status != Responded || k.Late != c.late || !k.RespondedOn.Equal(c.today) {
				t.Fatalf("%+v %v", k, err)
			}
		})
	}
}

func TestReach(t *testing.T) {
	c := Consultation{OrganisationID: "school"}
	if !(Reach{All: true}).Visible(c) || !(Reach{OrganisationID: "school"}).Visible(c) || (Reach{OrganisationID: "other"}).Visible(c) || (Reach{}).Visible(c) {
		t.Fatal("reach")
	}
}
