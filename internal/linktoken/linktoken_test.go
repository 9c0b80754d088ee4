package linktoken

import "testing"

func TestTokens(t *testing.T) {
	const k Kind = "oxx_"
	tok, hash := k.New()
	if !k.LooksLike(tok) || hash != Hash(tok) || len(hash) != 64 {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	if other, _ := k.New(); other == tok {
		t.Error("two tokens alike")
	}
	for _, bad := range []string{"", tok[:len(tok)-1], tok + "A", "oyy_" + tok[4:], tok[:10] + "+" + tok[11:], tok[:len(tok)-1] + "\x00"} {
		if k.LooksLike(bad) {
			t.Errorf("%q taken as a token", bad)
		}
	}
}
