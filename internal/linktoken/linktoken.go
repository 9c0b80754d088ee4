// Package linktoken mints and checks the bearer tokens of OnePlan's links for people without an
// account (survey, family and adviser invitations). A token is a kind's prefix and 43 characters
// of unpadded base64url from 32 random bytes; only its SHA-256 is stored. Standard library only.
package linktoken

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// size is the randomness in a token: 256 bits, beyond guessing however many attempts are made,
// which is also why an unsalted hash is enough to store it.
const size = 32

// Kind is a kind of link, named by its token prefix (e.g. "osi_"), so a token pasted in the wrong
// place is recognised and refused without a database lookup.
type Kind string

// New makes an unguessable token of kind k and its stored hash.
func (k Kind) New() (token, hash string) {
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		panic("linktoken: no randomness: " + err.Error())
	}
	token = string(k) + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// LooksLike reports whether s has the shape of a token of kind k, so junk never reaches the
// database.
func (k Kind) LooksLike(s string) bool {
	rest, ok := strings.CutPrefix(s, string(k))
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(size) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == size
}

// Hash is the stored form of a presented token (hex SHA-256).
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
