package dispute

import (
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

var d = testkit.Day

var (
	today = d(2026, 4, 1)
	dob   = d(2015, 6, 1) // aged 10: the parent brings disputes
)

func base(kind Kind, about string) Dispute {
	return Dispute{YoungPersonID: "yp", Kind: kind, SubjectType: SubjectEHCRequest, SubjectID: "r", About: about, BroughtBy: ByParent,
		ReceivedOn: d(2026, 3, 2), DecisionLetterOn: d(2026, 2, 10)}
}

// TestNewKindAbout: what each kind may be about (s.51(2) of the Children and Families Act 2014,
// https://www.legislation.gov.uk/ukpga/2014/6/section/51; mediation on health and social care,
// s.53-54), who may bring it, and the dates.
func TestNewKindAbout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  func(*Dispute)
		dob     time.Time
		kind    fault.Kind
		pointer string
	}{
		{"tribunal, refusal to assess", func(*Dispute) {}, dob, fault.Unknown, ""},
		{"tribunal, cease", func(x *Dispute) { x.About = AboutCease }, dob, fault.Unknown, ""},
		{"tribunal, health and social care alone", func(x *Dispute) { x.About = AboutHealthSocialCare }, dob, fault.Unprocessable, "/about"},
		{"tribunal, a service complaint", func(x *Dispute) { x.About = AboutService }, dob, fault.Unprocessable, "/about"},
		{"mediation, health and social care", func(x *Dispute) { x.Kind, x.About = Mediation, AboutHealthSocialCare }, dob, fault.Unknown, ""},
		{"mediation, refusal to issue", func(x *Dispute) { x.Kind, x.About = Mediation, AboutRefusalToIssue }, dob, fault.Unknown, ""},
		{"mediation, delay", func(x *Dispute) { x.Kind, x.About = Mediation, AboutDelay }, dob, fault.Unprocessable, "/about"},
		{"complaint, delay", func(x *Dispute) { x.Kind, x.About = Complaint, AboutDelay }, dob, fault.Unknown, ""},
		{"complaint, refusal to assess", func(x *Dispute) { x.Kind, x.About = Complaint, AboutRefusalToAssess }, dob, fault.Unprocessable, "/about"},
		{"complaint by someone else", func(x *Dispute) { x.Kind, x.About, x.BroughtBy = Complaint, AboutOther, ByOther }, dob, fault.Unknown, ""},
		{"complaint about a referral", func(x *Dispute) { x.Kind, x.About, x.SubjectType = Complaint, AboutProcess, SubjectReferral }, dob, fault.Unknown, ""},
		{"tribunal about a referral", func(x *Dispute) { x.SubjectType = SubjectReferral }, dob, fault.Unprocessable, "/subject_type"},
		{"tribunal brought by someone else", func(x *Dispute) { x.BroughtBy = ByOther }, dob, fault.Unprocessable, "/brought_by"},
		{"young person aged 17 appeals", func(x *Dispute) { x.BroughtBy = ByYoungPerson }, d(2009, 1, 1), fault.Unknown, ""},
		{"young person aged 10 appeals", func(x *Dispute) { x.BroughtBy = ByYoungPerson }, dob, fault.Unprocessable, "/brought_by"},
		{"child aged 10 complains", func(x *Dispute) { x.Kind, x.About, x.BroughtBy = Complaint, AboutService, ByYoungPerson }, dob, fault.Unknown, ""},
		{"unknown kind", func(x *Dispute) { x.Kind = "ombudsman" }, dob, fault.Invalid, "/kind"},
		{"unknown brought_by", func(x *Dispute) { x.BroughtBy = "grandparent" }, dob, fault.Invalid, "/brought_by"},
		{"received in the future", func(x *Dispute) { x.ReceivedOn = d(2026, 4, 2) }, dob, fault.Invalid, "/received_on"},
		{"no receipt date", func(x *Dispute) { x.ReceivedOn = time.Time{} }, dob, fault.Invalid, "/received_on"},
		{"letter after receipt", func(x *Dispute) { x.DecisionLetterOn = d(2026, 3, 3) }, dob, fault.Invalid, "/decision_letter_on"},
		{"letter on the day of receipt", func(x *Dispute) { x.DecisionLetterOn = x.ReceivedOn }, dob, fault.Unknown, ""},
		{"certificate on mediation", func(x *Dispute) { x.Kind, x.CertificateIssuedOn = Mediation, d(2026, 3, 5) }, dob, fault.Unknown, ""},
		{"certificate before receipt", func(x *Dispute) { x.Kind, x.CertificateIssuedOn = Mediation, d(2026, 3, 1) }, dob, fault.Invalid, "/certificate_issued_on"},
		{"certificate on a tribunal", func(x *Dispute) { x.CertificateIssuedOn = d(2026, 3, 5) }, dob, fault.Unprocessable, "/certificate_issued_on"},
		{"hearing listed ahead", func(x *Dispute) { x.HearingOn = d(2026, 9, 1) }, dob, fault.Unknown, ""},
		{"hearing before receipt", func(x *Dispute) { x.HearingOn = d(2026, 3, 1) }, dob, fault.Invalid, "/hearing_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base(Tribunal, AboutRefusalToAssess)
			tc.change(&in)
			out, err := New(in, tc.dob, today)
			ps := testkit.Pointers(err)
			if testkit.KindOf(t, err) != tc.kind || (tc.pointer != "" && (len(ps) != 1 || ps[0] != tc.pointer)) {
				t.Fatalf("err = %v (kind %v, pointers %v), want kind %v at %q", err, fault.KindOf(err), ps, tc.kind, tc.pointer)
			}
			if err == nil && (!out.Open() || out.Status() != "open") {
				t.Fatalf("new dispute = %+v, want open", out)
			}
		})
	}
}

// TestSections: the tribunal hears B, F and I; C, D, G, H1 and H2 only alongside them (the
// recommendations power, SI 2017/1306, https://www.legislation.gov.uk/uksi/2017/1306); A, E, J
// and K never.
func TestSections(t *testing.T) {
	for _, tc := range []struct {
		kind     Kind
		about    string
		sections []string
		ok       bool
	}{
		{Tribunal, AboutPlanContents, []string{"B"}, true},
		{Tribunal, AboutPlanContents, []string{"B", "F", "I"}, true},
		{Tribunal, AboutPlanContents, []string{"F", "C", "G", "H1", "H2", "D"}, true},
		{Tribunal, AboutPlanContents, nil, false},
		{Tribunal, AboutPlanContents, []string{"C"}, false},
		{Tribunal, AboutPlanContents, []string{"G", "H2"}, false},
		{Tribunal, AboutPlanContents, []string{"A"}, false},
		{Tribunal, AboutPlanContents, []string{"B", "E"}, false},
		{Tribunal, AboutPlanContents, []string{"F", "J"}, false},
		{Tribunal, AboutPlanContents, []string{"I", "K"}, false},
		{Tribunal, AboutPlanContents, []string{"B", "B"}, false},
		{Tribunal, AboutPlanContents, []string{"Z"}, false},
		{Tribunal, AboutAmendment, nil, true},
		{Tribunal, AboutAmendment, []string{"F", "H1"}, true},
		{Tribunal, AboutRefusalToAmend, []string{"D"}, false},
		{Tribunal, AboutRefusalToAssess, nil, true},
		{Tribunal, AboutRefusalToAssess, []string{"B"}, false},
		{Tribunal, AboutCease, []string{"F"}, false},
		{Mediation, AboutHealthSocialCare, []string{"C", "G"}, true},
		{Mediation, AboutPlanContents, []string{"A", "E"}, true},
		{Mediation, AboutPlanContents, []string{"A", "A"}, false},
		{Complaint, AboutDelay, []string{"J"}, true},
	} {
		got := SectionsProblem(tc.kind, tc.about, tc.sections)
		if (got == "") != tc.ok {
			t.Errorf("%s %s %v: %q, want ok=%v", tc.kind, tc.about, tc.sections, got, tc.ok)
		}
		if !tc.ok {
			in := base(tc.kind, tc.about)
			in.Sections = tc.sections
			if _, err := New(in, dob, today); fault.KindOf(err) != fault.Unprocessable || testkit.Pointers(err)[0] != "/sections" {
				t.Errorf("%s %s %v: New = %v, want 422 at /sections", tc.kind, tc.about, tc.sections, err)
			}
		}
	}
}

// TestAppealDeadline: the later of 2 months after the decision letter and 1 month after the
// mediation certificate (HESC Rules r.20(1)(c), https://www.legislation.gov.uk/uksi/2008/2699/rule/20).
func TestAppealDeadline(t *testing.T) {
	for _, tc := range []struct {
		name        string
		kind        Kind
		letter      time.Time
		certificate time.Time
		want        time.Time
	}{
		{"tribunal: letter + 2 months", Tribunal, d(2026, 2, 10), time.Time{}, d(2026, 4, 10)},
		{"mediation without certificate", Mediation, d(2026, 2, 10), time.Time{}, d(2026, 4, 10)},
		{"certificate + 1 month is later", Mediation, d(2026, 2, 10), d(2026, 3, 25), d(2026, 4, 25)},
		{"certificate + 1 month is earlier", Mediation, d(2026, 2, 10), d(2026, 3, 5), d(2026, 4, 10)},
		{"month end clamps", Tribunal, d(2025, 12, 31), time.Time{}, d(2026, 2, 28)},
		{"no letter, no deadline", Tribunal, time.Time{}, time.Time{}, time.Time{}},
		{"complaints have none", Complaint, d(2026, 2, 10), time.Time{}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := Dispute{Kind: tc.kind, DecisionLetterOn: tc.letter, CertificateIssuedOn: tc.certificate}
			if got := x.AppealDeadline(); !got.Equal(tc.want) {
				t.Fatalf("AppealDeadline = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestConclude(t *testing.T) {
	for _, tc := range []struct {
		kind    Kind
		outcome string
		on      time.Time
		err     fault.Kind
		pointer string
	}{
		{Tribunal, "upheld", d(2026, 3, 20), fault.Unknown, ""},
		{Tribunal, "partly_upheld", d(2026, 3, 20), fault.Unknown, ""},
		{Tribunal, "dismissed", d(2026, 3, 20), fault.Unknown, ""},
		{Tribunal, "withdrawn", d(2026, 3, 20), fault.Unknown, ""},
		{Tribunal, "conceded", d(2026, 3, 2), fault.Unknown, ""},
		{Tribunal, "agreed", d(2026, 3, 20), fault.Unprocessable, "/outcome"},
		{Tribunal, "not_upheld", d(2026, 3, 20), fault.Unprocessable, "/outcome"},
		{Mediation, "agreed", d(2026, 3, 20), fault.Unknown, ""},
		{Mediation, "partly_agreed", d(2026, 3, 20), fault.Unknown, ""},
		{Mediation, "not_agreed", d(2026, 3, 20), fault.Unknown, ""},
		{Mediation, "withdrawn", d(2026, 3, 20), fault.Unknown, ""},
		{Mediation, "upheld", d(2026, 3, 20), fault.Unprocessable, "/outcome"},
		{Complaint, "upheld", d(2026, 3, 20), fault.Unknown, ""},
		{Complaint, "partly_upheld", d(2026, 3, 20), fault.Unknown, ""},
		{Complaint, "not_upheld", d(2026, 3, 20), fault.Unknown, ""},
		{Complaint, "withdrawn", d(2026, 3, 20), fault.Unknown, ""},
		{Complaint, "dismissed", d(2026, 3, 20), fault.Unprocessable, "/outcome"},
		{Tribunal, "upheld", d(2026, 3, 1), fault.Invalid, "/concluded_on"},
		{Tribunal, "upheld", d(2026, 4, 2), fault.Invalid, "/concluded_on"},
		{Tribunal, "upheld", time.Time{}, fault.Invalid, "/concluded_on"},
	} {
		about := map[Kind]string{Tribunal: AboutRefusalToAssess, Mediation: AboutRefusalToAssess, Complaint: AboutDelay}[tc.kind]
		x, err := New(base(tc.kind, about), dob, today)
		if err != nil {
			t.Fatal(err)
		}
		err = x.Conclude(tc.outcome, tc.on, "", today)
		if testkit.KindOf(t, err) != tc.err || (tc.pointer != "" && testkit.Pointers(err)[0] != tc.pointer) {
			t.Errorf("%s %s on %s: %v, want %v at %q", tc.kind, tc.outcome, tc.on, err, tc.err, tc.pointer)
			continue
		}
		if err != nil {
			if !x.Open() {
				t.Errorf("%s %s: a refused conclusion changed the record", tc.kind, tc.outcome)
			}
			continue
		}
		if x.Open() || x.Status() != "concluded" || x.Outcome != tc.outcome {
			t.Errorf("%s %s: %+v", tc.kind, tc.outcome, x)
		}
		if err := x.Conclude(tc.outcome, tc.on, "", today); fault.KindOf(err) != fault.Conflict {
			t.Errorf("%s %s: concluding twice = %v, want conflict", tc.kind, tc.outcome, err)
		}
	}
}

// TestCertificateDue: 3 working days after a mediation ends (SEND Regulations 2014, Reg 42).
func TestCertificateDue(t *testing.T) {
	x, err := New(base(Mediation, AboutRefusalToAssess), dob, today)
	if err != nil {
		t.Fatal(err)
	}
	if !x.CertificateDue().IsZero() {
		t.Fatal("an open mediation has no certificate due")
	}
	if err := x.Conclude("not_agreed", d(2026, 3, 27), "", today); err != nil { // a Friday
		t.Fatal(err)
	}
	if got := x.CertificateDue(); !got.Equal(d(2026, 4, 1)) {
		t.Fatalf("CertificateDue = %s, want Wednesday 1 April", got)
	}
}

func TestChange(t *testing.T) {
	x, err := New(base(Mediation, AboutRefusalToAssess), dob, today)
	if err != nil {
		t.Fatal(err)
	}
	cert, notes := d(2026, 3, 25), "Mediation held."
	if err := x.Change(Changes{CertificateIssuedOn: &cert, Notes: &notes}, today); err != nil {
		t.Fatal(err)
	}
	if !x.AppealDeadline().Equal(d(2026, 4, 25)) || x.Notes != notes {
		t.Fatalf("after certificate: %+v", x)
	}
	late := d(2026, 3, 3)
	if err := x.Change(Changes{DecisionLetterOn: &late}, today); fault.KindOf(err) != fault.Invalid || testkit.Pointers(err)[0] != "/decision_letter_on" {
		t.Fatalf("letter after receipt: %v", err)
	}
	if !x.DecisionLetterOn.Equal(d(2026, 2, 10)) {
		t.Fatal("a refused change altered the record")
	}
	var cleared time.Time
	if err := x.Change(Changes{CertificateIssuedOn: &cleared}, today); err != nil || !x.AppealDeadline().Equal(d(2026, 4, 10)) {
		t.Fatalf("cleared certificate: %v %s", err, x.AppealDeadline())
	}

	tr, err := New(base(Tribunal, AboutRefusalToAssess), dob, today)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Change(Changes{CertificateIssuedOn: &cert}, today); fault.KindOf(err) != fault.Unprocessable {
		t.Fatalf("certificate on a tribunal: %v", err)
	}
}
