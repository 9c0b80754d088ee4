package auth

import "testing"

func TestKeyRoundTrip(t *testing.T) {
	key, prefix, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseKey(key)
	if err != nil || got != prefix {
		t.Fatalf("ParseKey(%q) = %q, %v; want %q", key, got, err, prefix)
	}
	if !KeyMatches(key, hash) {
		t.Fatal("key should match its own hash")
	}
	if KeyMatches(key+"x", hash) {
		t.Fatal("altered key must not match")
	}
	key2, prefix2, _, _ := NewKey()
	if key2 == key || prefix2 == prefix {
		t.Fatal("keys must be random")
	}
}

func TestParseKeyRejectsMalformed(t *testing.T) {
	for _, k := range []string{"", "op_", "op_abc_def", "xx_abcdefgh_abcdefghabcdefghabcdefghabcdefgh", "op_abcdefgh_short", "op_abcdefgh_abcdefghabcdefghabcdefghabcdefgh_x"} {
		if _, err := ParseKey(k); err == nil {
			t.Errorf("ParseKey(%q) accepted a malformed key", k)
		}
	}
}

func TestMatrix(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleAdmin, ManageOrganisations, true},
		{RoleAdmin, ReadCasework, false}, // admins run the system, they do not read children's records
		{RoleAdmin, ReadAudit, true},
		{RoleSENDOfficer, TriageReferrals, true},
		{RoleSENDOfficer, ManageOrganisations, false},
		{RoleSENDOfficer, ReadAudit, false},
		{RolePractitioner, WriteCasework, true},
		{RolePractitioner, TriageReferrals, false},
		{RoleAnalyst, ReadCasework, false},
		{RoleAnalyst, ReadDirectory, true},
		{RoleAnalyst, ReadReports, true},
		{RoleAnalyst, ReadExactReports, false}, // analysts only ever see disclosure-controlled figures
		{RoleAnalyst, ExportReturns, false},
		{RoleSENDOfficer, ReadExactReports, true},
		{RoleSENDOfficer, ExportReturns, true},
		{RolePractitioner, ManageSurveys, false},
		{RoleFamily, ReadSurveys, true},
		// Merging is a judgement that two records are one child, made by those who can read both.
		{RoleSENDOfficer, MergeRecords, true},
		{RoleAdmin, MergeRecords, false},
		{RolePractitioner, MergeRecords, false},
		// Webhooks are connected by admins; the feed follows need-to-know.
		{RoleAdmin, ManageWebhooks, true},
		{RoleSENDOfficer, ManageWebhooks, false},
		{RolePractitioner, ReadEvents, true},
		{RoleAnalyst, ReadEvents, false},
		{RoleFamily, ReadEvents, false},
		{Role("nobody"), ReadDirectory, false},
	}
	for _, c := range cases {
		if got := Can(c.role, c.perm); got != c.want {
			t.Errorf("Can(%s, %s) = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole accepted an unknown role")
	}
}
