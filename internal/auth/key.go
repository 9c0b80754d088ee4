package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// An API key reads "op_<prefix>_<secret>". The prefix finds the stored key without a scan; only
// the SHA-256 of the whole key is stored. Keys carry 160 random bits, so a fast hash is enough.
const keyScheme = "op"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrMalformedKey says a presented key is not in OnePlan's format.
var ErrMalformedKey = errors.New("malformed API key")

// NewKey returns a fresh key, its lookup prefix and the hash to store.
func NewKey() (key, prefix, hash string, err error) {
	buf := make([]byte, 25)
	if _, err := rand.Read(buf); err != nil {
		return "", "", "", err
	}
	prefix = strings.ToLower(b32.EncodeToString(buf[:5]))
	secret := strings.ToLower(b32.EncodeToString(buf[5:]))
	key = keyScheme + "_" + prefix + "_" + secret
	return key, prefix, HashKey(key), nil
}

// ParseKey returns the lookup prefix of a presented key.
func ParseKey(key string) (prefix string, err error) {
	parts := strings.Split(key, "_")
	if len(parts) != 3 || parts[0] != keyScheme || len(parts[1]) != 8 || len(parts[2]) != 32 {
		return "", ErrMalformedKey
	}
	return parts[1], nil
}

// HashKey returns the stored form of a key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// KeyMatches compares a presented key with a stored hash in constant time.
func KeyMatches(key, storedHash string) bool {
	h := HashKey(key)
	return subtle.ConstantTimeCompare([]byte(h), []byte(storedHash)) == 1
}

// APIKey is a stored key: its hash, never the key itself.
type APIKey struct {
	ID             string
	Prefix         string
	Hash           string
	Name           string
	OrganisationID string
	Role           Role
	PractitionerID string // the practitioner acting with this key, if bound to one
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

// SignInsChanged is the notice, among revoked keys' ids, that a practitioner a sign-in token may
// name has changed (made inactive, moved to another organisation): what was remembered of sign-ins
// is checked against the directory again.
const SignInsChanged = "sign-ins"
