package uuidtext

import (
	"testing"

	"github.com/google/uuid"
)

// TestAppendWritesWhatUUIDWrites: the text form is google/uuid's, appended after what b held.
func TestAppendWritesWhatUUIDWrites(t *testing.T) {
	for _, s := range []string{"01a2497f-1350-74b9-b1ad-9af2a34cad0f", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u := uuid.MustParse(s)
		if got := string(Append([]byte("x"), u)); got != "x"+u.String() {
			t.Errorf("Append(%s) = %q", s, got)
		}
	}
}
