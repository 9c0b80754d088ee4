// Package uuidtext writes a UUID's 16 bytes in its canonical text form (lower-case hex,
// hyphenated 8-4-4-4-12, as PostgreSQL and google/uuid write it) onto a buffer, without the
// string google/uuid's String makes: the store cuts a row's ids from one buffer, and the busiest
// list writes its JSON into one.
package uuidtext

import "encoding/hex"

// Len is the length of the text form.
const Len = 36

// Append appends u's text form to b.
func Append(b []byte, u [16]byte) []byte {
	var s [Len]byte
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	hex.Encode(s[0:8], u[0:4])
	hex.Encode(s[9:13], u[4:6])
	hex.Encode(s[14:18], u[6:8])
	hex.Encode(s[19:23], u[8:10])
	hex.Encode(s[24:], u[10:16])
	return append(b, s[:]...)
}
