package secretseal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	s, err := New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sealed, err := s.Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, prefix) || strings.Contains(sealed, "MfKQ9r8") {
		t.Fatalf("sealed value %q shows the secret or lacks the prefix", sealed)
	}
	again, _ := s.Seal(secret)
	if again == sealed {
		t.Fatal("two seals of one secret are equal: the nonce is not random")
	}
	if got, err := s.Open(sealed); err != nil || got != secret {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// A value written before the key was set reads back as it is.
	if got, err := s.Open(secret); err != nil || got != secret {
		t.Fatalf("Open(plain) = %q, %v", got, err)
	}
	if got, _ := s.Seal(""); got != "" {
		t.Fatalf("Seal(\"\") = %q", got)
	}

	other, _ := New(key(2))
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, prefix))
	raw[len(raw)-1] ^= 1
	if _, err := s.Open(prefix + base64.StdEncoding.EncodeToString(raw)); err == nil {
		t.Fatal("opened a changed value")
	}
	if _, err := s.Open(prefix + "%%%"); err == nil {
		t.Fatal("opened a damaged value")
	}
	var none *Sealer
	if _, err := none.Open(sealed); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Open without a key = %v, want ErrNoKey", err)
	}
	if got, _ := none.Seal(secret); got != secret {
		t.Fatal("without a key Seal must store the value as given")
	}
}

func TestParseKey(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(key(7))
	if k, err := ParseKey(" " + good + "\n"); err != nil || !bytes.Equal(k, key(7)) {
		t.Fatalf("ParseKey = %v, %v", k, err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(key(7)[:16])} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := New(key(1)[:31]); err == nil {
		t.Error("New took a short key")
	}
}
