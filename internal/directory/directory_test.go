package directory

import "testing"

// TestIsSetting: education providers may be named as a plan's setting; councils, care teams,
// health bodies and voluntary groups may not, nor a type the catalogue does not hold.
func TestIsSetting(t *testing.T) {
	for typ, want := range map[string]bool{"school_primary": true, "pvi_nursery": true, "further_education": true, "other": true,
		"local_authority_send": false, "gp_practice": false, "health_trust": false, "vcs": false, "unknown": false} {
		if got := IsSetting(typ); got != want {
			t.Errorf("%s: %v, want %v", typ, got, want)
		}
	}
}
