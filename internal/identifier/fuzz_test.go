package identifier

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The reference checks below are deliberately written differently from the
// production code (strconv, explicit weight tables) so that the fuzz targets
// compare two independent readings of DOMAIN.md section 6.

var nineWeights = [9]int{10, 9, 8, 7, 6, 5, 4, 3, 2}

func digitsOf(s string) ([]int, bool) {
	out := make([]int, 0, len(s))
	for _, r := range s {
		d, err := strconv.Atoi(string(r))
		if err != nil || r < '0' || r > '9' {
			return nil, false
		}
		out = append(out, d)
	}
	return out, true
}

// nhsRef reports whether s passes the NHS modulus 11 arithmetic alone.
func nhsRef(s string) bool {
	d, ok := digitsOf(s)
	if !ok || len(d) != 10 {
		return false
	}
	total := 0
	for i, w := range nineWeights {
		total += d[i] * w
	}
	check := (11 - total%11) % 11 // maps 11 to 0
	return check != 10 && check == d[9]
}

// ulnRef reports whether s passes the ULN rule, placeholder excluded.
func ulnRef(s string) bool {
	d, ok := digitsOf(s)
	if !ok || len(d) != 10 || d[0] == 0 {
		return false
	}
	total := 0
	for i, w := range nineWeights {
		total += d[i] * w
	}
	r := total % 11
	return r != 0 && d[9] == 10-r
}

// upnRef reports whether s passes the UPN layout and check letter.
func upnRef(s string) bool {
	const letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
	if len(s) != 13 {
		return false
	}
	if _, ok := digitsOf(s[1:12]); !ok {
		return false
	}
	value := func(c byte) int {
		if c >= '0' && c <= '9' {
			return int(c - '0')
		}
		return strings.IndexByte(letters, c)
	}
	total := 0
	for pos := 2; pos <= 13; pos++ {
		v := value(s[pos-1])
		if v < 0 {
			return false
		}
		total += pos * v
	}
	return letters[total%23] == s[0]
}

func fuzzCommon(t *testing.T, in string, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %q does not wrap ErrInvalid", err)
		}
		assertNoLeak(t, in, err)
	}
}

func FuzzCheckNHSNumber(f *testing.F) {
	for _, s := range []string{"9434765919", "4010232137", "9990000018", "9434765918", "1234567890",
		"9876544321", "0000000000", "943 476 5919", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckNHSNumber(s)
		fuzzCommon(t, s, err)
		repeated := len(s) > 0 && strings.Count(s, s[:1]) == len(s)
		if want := nhsRef(s) && !repeated; (err == nil) != want {
			t.Fatalf("CheckNHSNumber accepted=%v, reference says %v (err %v)", err == nil, want, err)
		}
		n := NormaliseNHSNumber(s)
		if strings.ContainsAny(n, " -") {
			t.Fatalf("NormaliseNHSNumber left a separator")
		}
		if NormaliseNHSNumber(n) != n {
			t.Fatalf("NormaliseNHSNumber is not idempotent")
		}
		_ = IsTestNHSNumber(s)
	})
}

func FuzzCheckUPN(f *testing.F) {
	for _, s := range []string{"B801200005001", "P207000016049", "K80120001501A", "A801200005001",
		"b801200005001", "I801200005001", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckUPN(s)
		fuzzCommon(t, s, err)
		if want := upnRef(s); (err == nil) != want {
			t.Fatalf("CheckUPN accepted=%v, reference says %v (err %v)", err == nil, want, err)
		}
		n := NormaliseUPN(s)
		if NormaliseUPN(n) != n {
			t.Fatalf("NormaliseUPN is not idempotent")
		}
		if err == nil && n != s {
			t.Fatalf("accepted UPN is not in normal form")
		}
		_ = IsTemporaryUPN(s)
	})
}

func FuzzCheckULN(f *testing.F) {
	for _, s := range []string{"1000000043", "9999999999", "1000000042", "1000000063", "0123456789", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckULN(s)
		fuzzCommon(t, s, err)
		if want := ulnRef(s) || s == "9999999999"; (err == nil) != want {
			t.Fatalf("CheckULN accepted=%v, reference says %v (err %v)", err == nil, want, err)
		}
		if IsPlaceholderULN(s) && err != nil {
			t.Fatalf("placeholder rejected: %v", err)
		}
	})
}

func TestReferenceAgreesOnDomainVectors(t *testing.T) {
	// Guard the references themselves with the DOMAIN.md vectors.
	for s, want := range map[string]bool{"9434765919": true, "4010232137": true, "9990000018": true,
		"9990000026": true, "9434765918": false, "1234567890": false, "9876544321": false} {
		if nhsRef(s) != want {
			t.Errorf("nhsRef(%s) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"B801200005001": true, "P207000016049": true,
		"K80120001501A": true, "A801200005001": false, "Q207000016049": false} {
		if upnRef(s) != want {
			t.Errorf("upnRef(%s) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"1000000043": true, "1000000042": false, "1000000063": false} {
		if ulnRef(s) != want {
			t.Errorf("ulnRef(%s) = %v", s, !want)
		}
	}
}
