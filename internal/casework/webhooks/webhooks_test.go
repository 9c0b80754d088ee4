package webhooks_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/webhooks"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/testkit"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

func TestMain(m *testing.M) { cwt.Main(m) }

// The pull feed holds only what the caller may see: the referring school sees the referral's
// events, an unrelated partner does not, and an admin sees the directory's alone.
func TestFeedNeedToKnow(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		r := e.Referral(e.YoungPerson(8, nil).ID, nil)
		// Events join the feed once the dispatcher has numbered them in commit order.
		for busy := true; busy; {
			var err error
			if busy, err = e.App.Webhooks.Round(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		feed := func(ctx context.Context) (ids []string, kinds []string) {
			page, err := e.App.Webhooks.Feed(ctx, "", nil, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.Events {
				ids, kinds = append(ids, ev.RecordID), append(kinds, ev.RecordType)
			}
			return ids, kinds
		}
		if ids, _ := feed(cwt.As(e.Partner())); !slices.Contains(ids, r.ID) {
			t.Errorf("the referring school's feed lacks its referral: %q", ids)
		}
		if ids, _ := feed(cwt.As(e.Outsider())); slices.Contains(ids, r.ID) || slices.Contains(ids, r.YoungPersonID) {
			t.Errorf("an unrelated partner's feed names the child's records: %q", ids)
		}
		_, kinds := feed(cwt.As(e.Admin()))
		for _, k := range kinds {
			if k != "organisation" && k != "practitioner" {
				t.Errorf("the admin's feed holds a %s event", k)
			}
		}
		_, err := e.App.Webhooks.Feed(cwt.As(e.Partner()), "not-a-cursor", nil, time.Time{}, 10)
		testkit.WantFault(t, err, fault.Invalid, "/query/after")
		_, err = e.App.Webhooks.Feed(cwt.As(e.Partner()), "", []string{"referral.gossip"}, time.Time{}, 10)
		testkit.WantFault(t, err, fault.Invalid, "/query/types")
		_, err = e.App.Webhooks.Feed(cwt.As(e.Analyst()), "", nil, time.Time{}, 10)
		testkit.AsFault(t, err, fault.Forbidden)
	})
}

// Subscriptions are an admin's to manage: https targets only, changed under If-Match, and a
// rotated secret is a new one.
func TestSubscriptions(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		in := webhooks.Input{OrganisationID: e.School.ID, View: webhook.ViewOrganisation, URL: "https://mis.oakfield.example/hooks", Active: true}
		_, _, err := e.App.Webhooks.Create(cwt.As(e.Officer()), in)
		testkit.AsFault(t, err, fault.Forbidden)
		plain := in
		plain.URL = "http://mis.oakfield.example/hooks"
		_, _, err = e.App.Webhooks.Create(cwt.As(e.Admin()), plain)
		testkit.WantFault(t, err, fault.Unprocessable, "/url")
		sub, secret, err := e.App.Webhooks.Create(cwt.As(e.Admin()), in)
		if err != nil {
			t.Fatal(err)
		}
		if secret == "" || !sub.CreatedAt.Equal(cwt.Now) || sub.Status != webhook.Healthy {
			t.Errorf("subscription = %+v with secret %q", sub, secret)
		}
		e.WantWritten(sub.ID, audit.Create, outbox.WebhookSubscriptionCreated)
		off := false
		_, err = e.App.Webhooks.Update(cwt.As(e.Admin()), sub.ID, cwt.Ptr(sub.Version+1), webhooks.Patch{Active: &off})
		testkit.AsFault(t, err, fault.PreconditionFailed)
		got, err := e.App.Webhooks.Update(cwt.As(e.Admin()), sub.ID, cwt.Ptr(sub.Version), webhooks.Patch{Active: &off})
		if err != nil || got.Active || got.Version != sub.Version+1 {
			t.Fatalf("update = active %v v%d (%v)", got.Active, got.Version, err)
		}
		e.WantWritten(sub.ID, audit.Update, outbox.WebhookSubscriptionUpdated)
		_, again, err := e.App.Webhooks.RotateSecret(cwt.As(e.Admin()), sub.ID, nil, time.Hour)
		if err != nil || again == "" || again == secret {
			t.Errorf("rotated secret %q (%v), want a new one", again, err)
		}
		_, err = e.App.Webhooks.Replay(cwt.As(e.Admin()), sub.ID, webhook.Replay{})
		testkit.WantFault(t, err, fault.Unprocessable, "/after_event_id", "/since")
		_, err = e.App.Webhooks.Replay(cwt.As(e.Admin()), sub.ID, webhook.Replay{AfterEventID: sub.ID, Since: &cwt.Now})
		testkit.WantFault(t, err, fault.Unprocessable, "/after_event_id", "/since")
	})
}
