package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
)

// TestHeldIDKeepsTheIndexMark: an identifier refused by the unique index when its insert runs at
// once (SQLite writes as it goes; PostgreSQL's deferred writes meet it at the commit, which the
// race tests cover) is the 409 naming its place in the list, and still carries the index's mark,
// so the write is run once more (casework.AgainIfTaken) rather than answered with a bare conflict.
func TestHeldIDKeepsTheIndexMark(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "held.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	held := externalid.ID{System: "https://example.org/mis", Value: "A-1"}
	free := externalid.ID{System: "https://example.org/mis", Value: "B-2"}
	add := func(recordID string, ids ...externalid.ID) error {
		return st.InTx(ctx, func(tx *Tx) error { return tx.ExternalIDs().Add("young_person", recordID, ids, at) })
	}
	if err := add("00000000-0000-4000-8000-0000000000a1", held); err != nil {
		t.Fatal(err)
	}
	err = add("00000000-0000-4000-8000-0000000000a2", free, held)
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Conflict || len(fe.Fields) != 1 || fe.Fields[0].Pointer != "/external_ids/1" {
		t.Fatalf("second holder: %#v, want a 409 naming /external_ids/1", err)
	}
	if !errors.Is(err, fault.ErrDuplicate) {
		t.Errorf("the 409 lost the unique index's mark: %v", err)
	}
	var n int64
	if err := st.db.Table("external_ids").Where("record_id = ?", "00000000-0000-4000-8000-0000000000a2").Count(&n).Error; err != nil || n != 0 {
		t.Errorf("refused write left %d identifiers (%v)", n, err)
	}
}
