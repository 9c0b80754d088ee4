package identifier

import "testing"

func TestCheckUPN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means valid; otherwise a substring of the error
	}{
		// DOMAIN.md section 6.
		{"domain valid", "B801200005001", ""},
		{"domain valid 2", "P207000016049", ""},
		{"domain temporary", "K80120001501A", ""},
		{"domain wrong check letter", "A801200005001", "check letter does not match"},
		{"vendor example letter Q", "Q207000016049", "check letter does not match"},

		// Computed locally (Python and by hand) and cross-checked by upnRef.
		{"computed sum 40", "U201000011001", ""},
		{"computed sum 511", "F938123424999", ""},
		{"computed temporary Z", "X35200011100Z", ""},
		{"computed temporary H", "H21300002503H", ""},
		{"computed all zeros temporary A", "A00000000000A", ""},
		{"temporary wrong letter", "K80120001501B", "check letter does not match"},
		{"transposed digits", "B810200005001", "check letter does not match"},

		// Format.
		{"empty", "", "is required"},
		{"lower case check letter", "b801200005001", "upper case"},
		{"lower case temporary letter", "K80120001501a", "upper case"},
		{"too short", "B80120000500", "exactly 13 characters"},
		{"too long", "B8012000050011", "exactly 13 characters"},
		{"surrounding space", " B801200005001", "exactly 13 characters"},
		{"check letter I", "I801200005001", "must start with a check letter"},
		{"check letter O", "O801200005001", "must start with a check letter"},
		{"check letter S", "S801200005001", "must start with a check letter"},
		{"check digit not letter", "1801200005001", "must start with a check letter"},
		{"letter in LA code", "B8A1200005001", "characters 2 to 12 must be digits"},
		{"letter in serial", "X80120000A001", "characters 2 to 12 must be digits"},
		{"space inside", "B801 00005001", "characters 2 to 12 must be digits"},
		{"temporary letter I", "K80120001501I", "must end with a digit"},
		{"temporary letter O", "K80120001501O", "must end with a digit"},
		{"temporary letter S", "K80120001501S", "must end with a digit"},
		{"trailing punctuation", "B80120000500.", "must end with a digit"},
		{"non-ASCII", "Ä80120000500", "must start with a check letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkResult(t, tt.in, CheckUPN(tt.in), tt.want)
		})
	}
}

func TestCheckUPNVendorSum(t *testing.T) {
	// One vendor's worked example gives Q for ...207000016049; the weighted
	// sum is 266 and 266 mod 23 = 13, which is P.
	sum := 0
	for i, c := range "207000016049" {
		sum += (i + 2) * int(c-'0')
	}
	if sum != 266 || upnAlphabet[sum%23] != 'P' {
		t.Fatalf("sum %d letter %c, want 266 and P", sum, upnAlphabet[sum%23])
	}
}

func TestUPNAlphabet(t *testing.T) {
	// DOMAIN.md: A=0 ... H=7, J=8 ... N=12, P=13, Q=14, R=15, T=16 ... Z=22.
	want := map[byte]int{'A': 0, 'H': 7, 'J': 8, 'N': 12, 'P': 13, 'Q': 14, 'R': 15, 'T': 16, 'Z': 22}
	for c, v := range want {
		if got := upnLetterValue(c); got != v {
			t.Errorf("value of %c = %d, want %d", c, got, v)
		}
	}
	for _, c := range []byte("IOSa0 ") {
		if got := upnLetterValue(c); got != -1 {
			t.Errorf("value of %q = %d, want -1", c, got)
		}
	}
	if len(upnAlphabet) != 23 {
		t.Errorf("alphabet has %d letters, want 23", len(upnAlphabet))
	}
}

func TestCheckUPNExactlyOneCheckLetter(t *testing.T) {
	for _, rest := range []string{"801200005001", "207000016049", "80120001501A", "000000000000", "999999999999"} {
		n := 0
		for i := 0; i < len(upnAlphabet); i++ {
			if CheckUPN(string(upnAlphabet[i])+rest) == nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d check letters accepted, want 1", rest, n)
		}
	}
}

func TestNormaliseUPN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"B801200005001", "B801200005001"},
		{"b801200005001", "B801200005001"},
		{"  k80120001501a\n", "K80120001501A"},
		{"\tb801200005001 ", "B801200005001"},
		{"", ""},
		{"b801 200005001", "B801 200005001"}, // inner spaces are kept
		{"ä", "ä"},                           // non-ASCII is left for CheckUPN to reject
	}
	for _, tt := range tests {
		if got := NormaliseUPN(tt.in); got != tt.want {
			t.Errorf("NormaliseUPN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := CheckUPN(NormaliseUPN(" k80120001501a ")); err != nil {
		t.Errorf("normalised UPN rejected: %v", err)
	}
}

func TestIsTemporaryUPN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"K80120001501A", true},
		{"k80120001501a", true},
		{"X35200011100Z", true},
		{"B801200005001", false},
		{"K80120001501I", false}, // I is not a UPN letter
		{"K8012000150A", false},  // wrong length
		{"", false},
	}
	for _, tt := range tests {
		if got := IsTemporaryUPN(tt.in); got != tt.want {
			t.Errorf("IsTemporaryUPN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
