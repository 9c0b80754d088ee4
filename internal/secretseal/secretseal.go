// Package secretseal keeps secrets the server must be able to read back (webhook signing
// secrets: an HMAC needs the key itself, so they cannot be hashed as API keys are) encrypted at
// rest, so that a copy of the database alone does not let anyone forge a council's webhooks.
//
// A sealed value is "sealed:v1:" and the base64 of a random nonce followed by the AES-256-GCM
// ciphertext. Values without that prefix are read back as they are: rows written before a key
// was configured keep working and are sealed the next time they are written.
package secretseal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const prefix = "sealed:v1:"

// KeySize is the key's length in bytes (AES-256).
const KeySize = 32

// ErrNoKey is a sealed value read without a key to open it.
var ErrNoKey = errors.New("secretseal: value is sealed but no key is configured (ONEPLAN_SECRETS_KEY)")

// Sealer seals and opens secrets with one key. The zero Sealer (or nil) has no key: it stores
// values as given and refuses to open sealed ones.
type Sealer struct{ aead cipher.AEAD }

// ParseKey reads a key given as standard base64 of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("must be the base64 of %d random bytes (e.g. openssl rand -base64 32)", KeySize)
	}
	return k, nil
}

// New returns a Sealer for key (KeySize bytes).
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretseal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Enabled is whether values are sealed.
func (s *Sealer) Enabled() bool { return s != nil && s.aead != nil }

// Seal encrypts plain; without a key, or for an empty value, it returns plain unchanged.
func (s *Sealer) Seal(plain string) (string, error) {
	if !s.Enabled() || plain == "" {
		return plain, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(prefix))
	return prefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a sealed value; a value that was never sealed is returned as it is.
func (s *Sealer) Open(stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, prefix)
	if !sealed {
		return stored, nil
	}
	if !s.Enabled() {
		return "", ErrNoKey
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	n := s.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", errors.New("secretseal: sealed value is damaged")
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(prefix))
	if err != nil {
		// The wrong key, or a changed value: never return garbage as a secret.
		return "", errors.New("secretseal: sealed value does not open with the configured key")
	}
	return string(plain), nil
}
