package imports

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidFileName(t *testing.T) {
	for name, want := range map[string]bool{
		"caseload.csv": true, "Ada Lovelace 2015.csv": true, "ünïcödé.csv": true, strings.Repeat("a", 200): true,
		"": false, ".": false, "..": false, "dir/caseload.csv": false, `C:\files\caseload.csv`: false, `a"b.csv`: false,
		"a\nb.csv": false, strings.Repeat("a", 201): false, "bad\xffutf8.csv": false, "nul\x00.csv": false,
	} {
		if got := ValidFileName(name); got != want {
			t.Errorf("ValidFileName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestBaseName(t *testing.T) {
	for p, want := range map[string]string{
		"caseload.csv": "caseload.csv", "/home/officer/Ada Smith.csv": "Ada Smith.csv", `C:\exports\referrals.csv`: "referrals.csv",
		"./x.csv": "x.csv", "/": "", "": "", "dir/": "dir", strings.Repeat("é", 250): strings.Repeat("é", 200),
	} {
		if got := BaseName(p); got != want {
			t.Errorf("BaseName(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestRetention: a finished job's rejects file expires the retention after it finished, and is
// gone from then on (or once the sweep deleted it); a job not finished, or without rejects,
// names no expiry.
func TestRetention(t *testing.T) {
	finished := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	keep := 30 * 24 * time.Hour
	j := Job{ID: "j1", Status: Succeeded, FileKey: UploadKeyOf("j1"), RejectsKey: RejectsKeyOf("j1"), FinishedAt: &finished}
	if got := j.RejectsExpireAt(keep); got == nil || !got.Equal(finished.Add(keep)) {
		t.Fatalf("expires at %v", got)
	}
	if j.FilesExpired(finished.Add(keep-time.Second), keep) || !j.FilesExpired(finished.Add(keep), keep) {
		t.Fatal("expiry is not at the retention's end")
	}
	deleted := finished.Add(time.Hour)
	if j2 := j; func() bool { j2.FilesDeletedAt = &deleted; return !j2.FilesExpired(finished, keep) }() {
		t.Fatal("a job whose files were deleted is not expired")
	}
	running := Job{Status: Running, RejectsKey: "k"}
	if running.RejectsExpireAt(keep) != nil || running.FilesExpired(finished.Add(100*keep), keep) {
		t.Fatal("a running job's files expire")
	}
	if none := (Job{Status: Succeeded, FinishedAt: &finished}); none.RejectsExpireAt(keep) != nil {
		t.Fatal("a job without rejects names an expiry")
	}
	if got := j.FileKeys(); !slices.Equal(got, []string{UploadKeyOf("j1"), RejectsKeyOf("j1")}) {
		t.Fatalf("file keys: %v", got)
	}
	if got := (Job{ID: "cli", Status: Succeeded}).FileKeys(); len(got) != 0 {
		t.Fatalf("a command-line run's file keys: %v", got)
	}
}

func TestRedact(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	j := Job{Status: Failed, FinishedAt: &at}
	errs := func() []RowError {
		return []RowError{{Seq: 1, Row: 3, Column: "given_name", Message: "value 'Kay' refused"}}
	}
	keep := 24 * time.Hour
	got := errs()
	j.Redact(got, at.Add(keep-time.Nanosecond), keep)
	if got[0].Message != "value 'Kay' refused" || got[0].Redacted {
		t.Fatalf("before expiry: %+v", got[0])
	}
	got = errs()
	j.Redact(got, at.Add(keep), keep)
	if got[0].Message != RedactedMessage || !got[0].Redacted || got[0].Row != 3 || got[0].Column != "given_name" {
		t.Fatalf("at expiry: %+v", got[0])
	}
	// Swept: gone whatever the setting says now.
	got = errs()
	j.FilesDeletedAt = &at
	j.Redact(got, at, 365*keep)
	if !got[0].Redacted {
		t.Fatalf("after the sweep: %+v", got[0])
	}
	// A job still running keeps them.
	got = errs()
	(&Job{Status: Running}).Redact(got, at.Add(100*keep), keep)
	if got[0].Redacted {
		t.Fatalf("running: %+v", got[0])
	}
}

// TestStoredExpiry: a job whose expiry was stored as it finished keeps it whatever the retention
// in force says now, shorter or longer; one finished before expiries were stored falls back to
// the retention now.
func TestStoredExpiry(t *testing.T) {
	finished := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	expire := finished.Add(10 * 24 * time.Hour)
	j := Job{ID: "j1", Status: Failed, RejectsKey: RejectsKeyOf("j1"), FinishedAt: &finished, FilesExpireAt: &expire}
	for _, now := range []time.Duration{24 * time.Hour, 365 * 24 * time.Hour} {
		if got := j.RejectsExpireAt(now); got == nil || !got.Equal(expire) {
			t.Fatalf("under %v: expires at %v", now, got)
		}
	}
	short, long := 2*24*time.Hour, 30*24*time.Hour
	if j.FilesExpired(expire.Add(-time.Second), short) || !j.FilesExpired(expire, long) {
		t.Fatal("the stored expiry is not the one applied")
	}
	errs := []RowError{{Seq: 1, Row: 2, Message: "value 'Kay' refused"}}
	if j.Redact(errs, finished.Add(short), short); errs[0].Redacted {
		t.Fatal("redacted under a shorter retention than the stored one")
	}
	legacy := j
	legacy.FilesExpireAt = nil
	if got := legacy.RejectsExpireAt(short); got == nil || !got.Equal(finished.Add(short)) {
		t.Fatalf("a job without a stored expiry: %v", got)
	}
}

// TestRedactFailure: a failed job's failure goes with its files, at their expiry (before any
// sweep) or once swept (when the database holds none); a job not expired, or not failed, keeps
// what it has.
func TestRedactFailure(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	keep := 24 * time.Hour
	j := Job{Status: Failed, FinishedAt: &at, Failure: `duplicate key value (nhs_number)=(9434765919)`}
	before := j
	if before.RedactFailure(at.Add(keep-time.Nanosecond), keep); before.Failure != j.Failure {
		t.Fatalf("before expiry: %q", before.Failure)
	}
	if expired := j; func() bool { expired.RedactFailure(at.Add(keep), keep); return expired.Failure != RedactedFailure }() {
		t.Fatal("at expiry: kept")
	}
	swept := Job{Status: Failed, FinishedAt: &at, FilesDeletedAt: &at}
	if swept.RedactFailure(at, 365*keep); swept.Failure != RedactedFailure {
		t.Fatalf("swept: %q", swept.Failure)
	}
	ok := Job{Status: Succeeded, FinishedAt: &at}
	if ok.RedactFailure(at.Add(keep), keep); ok.Failure != "" {
		t.Fatalf("a job that succeeded: %q", ok.Failure)
	}
}
