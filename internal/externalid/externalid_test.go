package externalid

import (
	"strings"
	"testing"
)

func TestCheckSystem(t *testing.T) {
	s := Systems{"bridge", "capita-one"}
	for _, tc := range []struct {
		system string
		ok     bool
	}{
		{"bridge", true},
		{"capita-one", true},
		{"https://fhir.nhs.uk/Id/nhs-number", true},
		{"urn:oid:2.16.840.1.113883.2.1.4.1", true},
		{"ems", false},
		{"", false},
		{"https://", false},
		{"http://a b", false},
		{strings.Repeat("x", 201), false},
	} {
		if got := s.CheckSystem(tc.system) == ""; got != tc.ok {
			t.Errorf("CheckSystem(%q) ok = %v, want %v", tc.system, got, tc.ok)
		}
	}
}

func TestValidate(t *testing.T) {
	s := Systems{"bridge"}
	for _, tc := range []struct {
		name string
		ids  []ID
		want []string
	}{
		{"fine", []ID{{"bridge", "B-1"}, {"bridge", "B-2"}}, nil},
		{"unknown system", []ID{{"ems", "1"}}, []string{"/external_ids/0/system"}},
		{"empty value", []ID{{"bridge", " "}}, []string{"/external_ids/0/value"}},
		{"long value", []ID{{"bridge", strings.Repeat("9", MaxValue+1)}}, []string{"/external_ids/0/value"}},
		{"twice", []ID{{"bridge", "1"}, {"bridge", "1"}}, []string{"/external_ids/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := s.Validate("/external_ids", tc.ids)
			var got []string
			for _, e := range errs {
				got = append(got, e.Pointer)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("pointers %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	s := Systems{"bridge"}
	for _, tc := range []struct {
		text string
		want ID
		ok   bool
	}{
		{"bridge|B-1", ID{"bridge", "B-1"}, true},
		{"bridge|a|b", ID{"bridge", "a|b"}, true},
		{"https://ems.example/id|42", ID{"https://ems.example/id", "42"}, true},
		{"bridge", ID{}, false},
		{"bridge|", ID{}, false},
		{"nope|1", ID{}, false},
	} {
		got, err := s.Parse("external_id", tc.text)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v ok=%v", tc.text, got, err, tc.want, tc.ok)
		}
	}
	if _, err := ParseSystems("bridge, ems,capita-one"); err != nil {
		t.Error(err)
	}
	if _, err := ParseSystems("Bridge CRM"); err == nil {
		t.Error("a name with a space and capitals was accepted")
	}
}

func TestSame(t *testing.T) {
	a, b, c := ID{"bridge", "1"}, ID{"ems", "2"}, ID{"bridge", "2"}
	for _, tc := range []struct {
		x, y []ID
		want bool
	}{{nil, nil, true}, {nil, []ID{}, true}, {[]ID{a, b}, []ID{b, a}, true}, {[]ID{a}, []ID{a, b}, false},
		{[]ID{a, b}, []ID{a, c}, false}, {[]ID{a}, nil, false}} {
		if got := Same(tc.x, tc.y); got != tc.want {
			t.Errorf("Same(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}
