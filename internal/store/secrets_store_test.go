package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/secretseal"
	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
	"github.com/oneplan-send/oneplan/internal/webhook"
)

// TestWebhookSecretsSealed: with a key, a subscription's signing secrets are stored encrypted and
// read back as they were; a row written before the key was set still reads; without the key (or
// with another one) a sealed secret is an error, never a wrong signing key.
func TestWebhookSecretsSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		org := mkOrg(t, st, nil)
		ts := now()
		until := ts.Add(time.Hour)
		sub := func() webhook.Subscription {
			return webhook.Subscription{ID: newID(t), OrganisationID: org.ID, View: webhook.View("organisation"), URL: "https://receiver.example/hook",
				EventTypes: []string{"referral.created"}, Active: true, Status: webhook.Status("active"),
				Secret: "whsec_Y3VycmVudC1zZWNyZXQtZm9yLXRoZS10ZXN0", PreviousSecret: "whsec_cHJldmlvdXMtc2VjcmV0LWZvci10aGUtdGVzdA",
				PreviousExpiresAt: &until, CreatedAt: ts, UpdatedAt: ts, Version: 1}
		}
		raw := func(id string) (secret, previous string) {
			t.Helper()
			db, err := st.SQL()
			if err != nil {
				t.Fatal(err)
			}
			q := "SELECT secret, previous_secret FROM webhook_subscriptions WHERE id = $1"
			if st.Dialect() == store.SQLite {
				q = strings.ReplaceAll(q, "$1", "?")
			}
			if err := db.QueryRowContext(ctx, q, id).Scan(&secret, &previous); err != nil {
				t.Fatal(err)
			}
			return secret, previous
		}
		read := func(id string) (webhook.Subscription, error) {
			var got webhook.Subscription
			err := st.Read(ctx, func(tx *store.Tx) (err error) { got, err = tx.Webhooks().Subscription(id); return err })
			return got, err
		}

		plain := sub() // written before any key was configured
		write(t, st, func(tx *store.Tx) error { return tx.Webhooks().CreateSubscription(plain) })
		if s, _ := raw(plain.ID); s != plain.Secret {
			t.Fatalf("without a key the secret is stored as given, got %q", s)
		}

		sealer, err := secretseal.New(bytes.Repeat([]byte{9}, secretseal.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		st.SealSecrets(sealer)
		defer st.SealSecrets(nil)
		sealed := sub()
		write(t, st, func(tx *store.Tx) error { return tx.Webhooks().CreateSubscription(sealed) })
		s, p := raw(sealed.ID)
		if !strings.HasPrefix(s, "sealed:v1:") || !strings.HasPrefix(p, "sealed:v1:") || strings.Contains(s+p, "whsec_") {
			t.Fatalf("stored secrets are not sealed: %q, %q", s, p)
		}
		for _, want := range []webhook.Subscription{sealed, plain} {
			got, err := read(want.ID)
			if err != nil || got.Secret != want.Secret || got.PreviousSecret != want.PreviousSecret {
				t.Fatalf("read back %q/%q, %v; want %q/%q", got.Secret, got.PreviousSecret, err, want.Secret, want.PreviousSecret)
			}
		}
		// The next write of the old row seals it.
		plain.Version++
		write(t, st, func(tx *store.Tx) error { return tx.Webhooks().UpdateSubscription(plain) })
		if s, _ := raw(plain.ID); !strings.HasPrefix(s, "sealed:v1:") {
			t.Fatalf("an update left the secret unsealed: %q", s)
		}

		st.SealSecrets(nil)
		_, err = read(sealed.ID)
		if !errors.Is(err, secretseal.ErrNoKey) {
			t.Fatalf("a sealed secret read without the key: %v, want ErrNoKey", err)
		}
		if fe := (*fault.Error)(nil); !errors.As(err, &fe) || fe.Kind != fault.Unavailable {
			t.Fatalf("a sealed secret read without the key: %v, want fault.Unavailable (503), not a bare error (500)", err)
		}
		other, _ := secretseal.New(bytes.Repeat([]byte{8}, secretseal.KeySize))
		st.SealSecrets(other)
		if _, err := read(sealed.ID); err == nil {
			t.Fatal("a sealed secret opened with another key")
		}
	})
}

// TestUnopenableSecretHoldsOnlyItsSubscription: a claimed delivery whose subscription's secret
// will not open comes back marked, while another subscription's delivery is claimed as usual.
func TestUnopenableSecretHoldsOnlyItsSubscription(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mkOrg(t, st, nil)
		ts := now()
		mk := func() webhook.Subscription {
			return webhook.Subscription{ID: newID(t), OrganisationID: org.ID, View: webhook.View("council"), URL: "https://receiver.example/hook",
				EventTypes: []string{}, Active: true, Status: webhook.Status("active"), Secret: "whsec_c2VjcmV0LWZvci10aGUtdGVzdC1zdWJzY3JpcHRpb24",
				CreatedAt: ts, UpdatedAt: ts, Version: 1}
		}
		good, bad := mk(), mk()
		write(t, st, func(tx *store.Tx) error { return tx.Webhooks().CreateSubscription(good) })
		key, _ := secretseal.New(bytes.Repeat([]byte{3}, secretseal.KeySize))
		st.SealSecrets(key)
		write(t, st, func(tx *store.Tx) error { return tx.Webhooks().CreateSubscription(bad) })
		st.SealSecrets(nil) // the key is lost: bad's secret no longer opens
		ev := outbox.Event{ID: newID(t), OccurredAt: ts.Add(time.Second), Type: outbox.OrganisationCreated.Name, RecordType: "organisation",
			RecordID: org.ID, Payload: map[string]any{"id": org.ID}}
		write(t, st, func(tx *store.Tx) error { return tx.Publish(ev) })
		var jobs []webhook.Job
		write(t, st, func(tx *store.Tx) (err error) {
			if _, _, err = tx.WebhookQueue().Sequence(time.Now().Add(time.Minute), 1000); err != nil {
				return err
			}
			jobs, err = tx.WebhookQueue().Claim(time.Now().Add(time.Minute), time.Minute, 1000, nil)
			return err
		})
		seen := map[string]bool{}
		for _, j := range jobs {
			seen[j.Subscription.ID] = true
			switch j.Subscription.ID {
			case good.ID:
				if j.Unsigned != nil || j.Subscription.Secret != good.Secret {
					t.Fatalf("the good subscription's job: %v, secret %q", j.Unsigned, j.Subscription.Secret)
				}
			case bad.ID:
				if !errors.Is(j.Unsigned, secretseal.ErrNoKey) || j.Subscription.Secret != "" {
					t.Fatalf("the unopenable subscription's job: %v, secret %q", j.Unsigned, j.Subscription.Secret)
				}
			}
		}
		if !seen[good.ID] || !seen[bad.ID] {
			t.Fatalf("claimed jobs for %v, want both subscriptions", seen)
		}
	})
}
