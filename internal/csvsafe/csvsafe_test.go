package csvsafe

import (
	"bytes"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"Salford":                     "Salford",
		"=cmd|'/C calc'!A0":           "'=cmd|'/C calc'!A0",
		"+44 161 000 0000":            "'+44 161 000 0000",
		"-2+3+cmd|' /C calc'!D2":      "'-2+3+cmd|' /C calc'!D2",
		"@SUM(1+9)*cmd|' /C calc'!A0": "'@SUM(1+9)*cmd|' /C calc'!A0",
		"\t=1+1":                      "'\t=1+1",
		"\r=1+1":                      "'\r=1+1",
		"-":                           "'-",
		"-1":                          "-1",
		"-0.5":                        "-0.5",
		"+3":                          "+3",
		"-1.":                         "'-1.",
		"-1e3":                        "'-1e3",
		"-.5":                         "'-.5",
		"12":                          "12",
		"a=b":                         "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
		if got := Plain(want); got != in {
			t.Errorf("Plain(%q) = %q, want %q back", want, got, in)
		}
	}
	// Quotes Cell never writes are the cell's own.
	for _, s := range []string{"'", "'-5", "'tis", "''=1", "O'Brien"} {
		if got := Plain(s); got != s {
			t.Errorf("Plain(%q) = %q, want it as it is", s, got)
		}
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.UseCRLF = true
	rec := []string{"=1+1", "-3", "a,b"}
	if err := w.WriteAll([][]string{{"x", "y", "z"}, rec}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "x,y,z\r\n'=1+1,-3,\"a,b\"\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if rec[0] != "=1+1" {
		t.Fatalf("the caller's record changed: %q", rec)
	}
}
