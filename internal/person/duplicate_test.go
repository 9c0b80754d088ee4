package person

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
)

func TestClaims(t *testing.T) {
	tests := []struct {
		name      string
		cur, next YoungPerson
		all, news []Claim
	}{
		{"none", YoungPerson{}, YoungPerson{}, nil, nil},
		{"NHS number first", YoungPerson{}, YoungPerson{UPN: "B801200005001", NHSNumber: "9434765919"},
			[]Claim{{ByNHSNumber, "9434765919"}, {ByUPN, "B801200005001"}}, []Claim{{ByNHSNumber, "9434765919"}, {ByUPN, "B801200005001"}}},
		{"unchanged", YoungPerson{NHSNumber: "9434765919"}, YoungPerson{NHSNumber: "9434765919"},
			[]Claim{{ByNHSNumber, "9434765919"}}, nil},
		{"UPN added", YoungPerson{NHSNumber: "9434765919"}, YoungPerson{NHSNumber: "9434765919", UPN: "B801200005001"},
			[]Claim{{ByNHSNumber, "9434765919"}, {ByUPN, "B801200005001"}}, []Claim{{ByUPN, "B801200005001"}}},
		{"NHS number changed", YoungPerson{NHSNumber: "9434765919"}, YoungPerson{NHSNumber: "4010232137"},
			[]Claim{{ByNHSNumber, "4010232137"}}, []Claim{{ByNHSNumber, "4010232137"}}},
		{"removed", YoungPerson{NHSNumber: "9434765919", UPN: "B801200005001"}, YoungPerson{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.next.Claims(); !slices.Equal(got, tt.all) {
				t.Errorf("Claims = %v, want %v", got, tt.all)
			}
			if got := NewClaims(tt.cur, tt.next); !slices.Equal(got, tt.news) {
				t.Errorf("NewClaims = %v, want %v", got, tt.news)
			}
		})
	}
}

var at = time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)

func TestNewDuplicateOrdersRecordsOldestFirst(t *testing.T) {
	d := NewDuplicate("d1", "b", "a", ByUPN, at)
	if d.YoungPersonIDs != [2]string{"a", "b"} || d.Status != DuplicateOpen || d.MatchedOn != ByUPN || !d.FoundAt.Equal(at) || d.Version != 1 {
		t.Fatalf("NewDuplicate = %+v", d)
	}
	if !d.Has("a") || !d.Has("b") || d.Has("c") || d.Other("a") != "b" || d.Other("b") != "a" {
		t.Fatalf("Has/Other wrong for %+v", d)
	}
}

func TestDismiss(t *testing.T) {
	tests := []struct {
		name   string
		status DuplicateStatus
		reason string
		kind   fault.Kind // 0: dismissed
	}{
		{"open with a reason", DuplicateOpen, "Twins: the NHS number was mistyped on the second record.", 0},
		{"no reason", DuplicateOpen, "  ", fault.Invalid},
		{"already dismissed", DuplicateDismissed, "Again.", fault.Conflict},
		{"already merged", DuplicateMerged, "Too late.", fault.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDuplicate("d1", "a", "b", ByNHSNumber, at)
			d.Status = tt.status
			err := d.Dismiss(tt.reason, at.Add(time.Hour))
			if tt.kind != 0 {
				if fault.KindOf(err) != tt.kind {
					t.Fatalf("Dismiss error %v, want kind %v", err, tt.kind)
				}
				if d.Status != tt.status {
					t.Fatalf("status changed to %s on a refused dismissal", d.Status)
				}
				return
			}
			if err != nil || d.Status != DuplicateDismissed || d.Reason != tt.reason || d.ResolvedAt == nil || !d.ResolvedAt.Equal(at.Add(time.Hour)) {
				t.Fatalf("Dismiss = %v, %+v", err, d)
			}
		})
	}
}

func TestSettleMerge(t *testing.T) {
	// Ids sort like UUIDv7s: a was recorded first.
	const a, b, c, x = "a", "b", "c", "x"
	pair := func(id, p, q string, on Identifier) Duplicate { return NewDuplicate(id, p, q, on, at.Add(-time.Hour)) }
	type want struct {
		id     string
		ids    [2]string
		status DuplicateStatus
	}
	tests := []struct {
		name       string
		open       []Duplicate
		from, into string
		want       []want
	}{
		{"the pair itself is merged", []Duplicate{pair("p1", a, b, ByNHSNumber), pair("p2", a, b, ByUPN)}, b, a,
			[]want{{"p1", [2]string{a, b}, DuplicateMerged}, {"p2", [2]string{a, b}, DuplicateMerged}}},
		{"merged the other way", []Duplicate{pair("p1", a, b, ByNHSNumber)}, a, b, []want{{"p1", [2]string{a, b}, DuplicateMerged}}},
		{"a third record's pair moves onto the kept record", []Duplicate{pair("p1", a, b, ByNHSNumber), pair("p2", b, c, ByNHSNumber)}, b, a,
			[]want{{"p1", [2]string{a, b}, DuplicateMerged}, {"p2", [2]string{a, c}, DuplicateOpen}}},
		{"and is put in order", []Duplicate{pair("p2", b, c, ByUPN)}, b, x, []want{{"p2", [2]string{c, x}, DuplicateOpen}}},
		{"unless the kept record has that pair already", []Duplicate{pair("p1", a, c, ByNHSNumber), pair("p2", b, c, ByNHSNumber)}, b, a,
			[]want{{"p2", [2]string{b, c}, DuplicateMerged}}},
		{"a pair on another identifier still moves", []Duplicate{pair("p1", a, c, ByNHSNumber), pair("p2", b, c, ByUPN)}, b, a,
			[]want{{"p2", [2]string{a, c}, DuplicateOpen}}},
		{"pairs of the kept record alone are left", []Duplicate{pair("p1", a, c, ByNHSNumber)}, b, a, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SettleMerge(tt.open, tt.from, tt.into, at)
			if len(got) != len(tt.want) {
				t.Fatalf("changed %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.ID != w.id || g.YoungPersonIDs != w.ids || g.Status != w.status {
					t.Errorf("pair %d = %s %v %s, want %s %v %s", i, g.ID, g.YoungPersonIDs, g.Status, w.id, w.ids, w.status)
				}
				if w.status == DuplicateMerged && (g.MergedInto != tt.into || g.ResolvedAt == nil || !g.ResolvedAt.Equal(at)) {
					t.Errorf("merged pair %s: merged into %q at %v", g.ID, g.MergedInto, g.ResolvedAt)
				}
				if w.status == DuplicateOpen && (!g.FoundAt.Equal(at.Add(-time.Hour)) || g.ResolvedAt != nil) {
					t.Errorf("moved pair %s lost when it was found or was resolved: %+v", g.ID, g)
				}
			}
		})
	}
}

func TestCheckMerge(t *testing.T) {
	tests := []struct {
		name string
		m    MergeCheck
		kind fault.Kind
	}{
		{"two plain records", MergeCheck{KeptID: "a", FromID: "b"}, 0},
		{"a plan on one side", MergeCheck{KeptID: "a", FromID: "b", FromPlan: true, KeptTransitionPlan: true}, 0},
		{"into itself", MergeCheck{KeptID: "a", FromID: "a"}, fault.Unprocessable},
		{"two plans", MergeCheck{KeptID: "a", FromID: "b", KeptPlan: true, FromPlan: true}, fault.Conflict},
		{"two transition plans", MergeCheck{KeptID: "a", FromID: "b", KeptTransitionPlan: true, FromTransitionPlan: true}, fault.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMerge(tt.m)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("CheckMerge = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != tt.kind || fe.Detail == "" {
				t.Fatalf("CheckMerge = %v, want kind %v with a detail", err, tt.kind)
			}
		})
	}
}
