package reports_test

import (
	"testing"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/audit"
	cwt "github.com/oneplan-send/oneplan/internal/casework/caseworktest"
	"github.com/oneplan-send/oneplan/internal/casework/ehcrequests"
	"github.com/oneplan-send/oneplan/internal/casework/reports"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/testkit"
)

func TestMain(m *testing.M) { cwt.Main(m) }

var term = reports.ReportQuery{From: testkit.Day(2025, 9, 1), To: testkit.Day(2026, 2, 28)}

// The SEND team reads exact figures unless it asks for open output; an analyst only ever gets
// disclosure-controlled figures; a partner reads no reports.
func TestReportDisclosure(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		e.Referral(e.YoungPerson(8, nil).ID, nil)
		r, err := e.App.Reports.Report(cwt.As(e.Officer()), reports.ReportActivity, term)
		if err != nil || r.Control.Applied {
			t.Errorf("officer's report applied control %v (%v), want exact figures", r.Control.Applied, err)
		}
		open := term
		open.Disclosure = reports.DisclosureOpen
		if r, err := e.App.Reports.Report(cwt.As(e.Officer()), reports.ReportActivity, open); err != nil || !r.Control.Applied {
			t.Errorf("officer asking for open output got control %v (%v)", r.Control.Applied, err)
		}
		if r, err := e.App.Reports.Report(cwt.As(e.Analyst()), reports.ReportActivity, term); err != nil || !r.Control.Applied {
			t.Errorf("analyst's report applied control %v (%v), want it applied", r.Control.Applied, err)
		}
		exact := term
		exact.Disclosure = reports.DisclosureExact
		_, err = e.App.Reports.Report(cwt.As(e.Analyst()), reports.ReportActivity, exact)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Reports.Report(cwt.As(e.Partner()), reports.ReportActivity, term)
		testkit.AsFault(t, err, fault.Forbidden)
		backwards := reports.ReportQuery{From: term.To, To: term.From}
		_, err = e.App.Reports.Report(cwt.As(e.Officer()), reports.ReportActivity, backwards)
		testkit.WantFault(t, err, fault.Invalid, "/query/to")
		_, err = e.App.Reports.Report(cwt.As(e.Officer()), "gossip", term)
		testkit.AsFault(t, err, fault.NotFound)
		_, err = e.App.Reports.EHCTimeliness(cwt.As(e.Analyst()), term.From, term.To)
		testkit.AsFault(t, err, fault.Forbidden)
	})
}

// Open data is only what the council publishes, and always disclosure-controlled.
func TestOpenDataReport(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		_, err := e.App.Reports.OpenDataReport(cwt.Anonymous(), reports.ReportTimeliness, term)
		testkit.AsFault(t, err, fault.NotFound)
		r, err := e.App.Reports.OpenDataReport(cwt.Anonymous(), reports.ReportActivity, term)
		if err != nil || !r.Control.Applied {
			t.Errorf("open activity report: control %v (%v)", r.Control.Applied, err)
		}
		// Whole months only: two periods a day apart would give that day's exact count.
		for _, q := range []reports.ReportQuery{{From: term.From, To: testkit.Day(2026, 3, 1)}, {From: testkit.Day(2025, 9, 2), To: term.To}} {
			_, err = e.App.Reports.OpenDataReport(cwt.Anonymous(), reports.ReportActivity, q)
			testkit.AsFault(t, err, fault.Invalid)
		}
	}, func(o *app.Options) { o.OpenData = []string{reports.ReportActivity} })
}

// The SEN2 return: for the SEND team, as of a reference date not after the clock's today, and every
// child it names audited as exported.
func TestExportSEN2(t *testing.T) {
	cwt.Each(t, func(t *testing.T, e *cwt.Env) {
		yp := e.YoungPerson(8, nil)
		cwt.Must(e.App.EHCRequests.CreateEHCRequest(cwt.As(e.Officer()), ehcrequests.EHCRequestInput{YoungPersonID: yp.ID,
			RequestedBy: ehc.ByParent, ReceivedOn: testkit.Day(2025, 11, 3)}))(t) // in 2025, the period the 2026 return collects
		_, err := e.App.Reports.ExportSEN2(cwt.As(e.Analyst()), cwt.Today)
		testkit.AsFault(t, err, fault.Forbidden)
		_, err = e.App.Reports.ExportSEN2(cwt.As(e.Officer()), cwt.Today.AddDate(0, 0, 1))
		testkit.WantFault(t, err, fault.Invalid, "/query/reference_date")
		x, err := e.App.Reports.ExportSEN2(cwt.As(e.Officer()), cwt.Today)
		if err != nil {
			t.Fatal(err)
		}
		if x.People != 1 || len(x.Zip) == 0 {
			t.Fatalf("return holds %d people, %d bytes; want the child", x.People, len(x.Zip))
		}
		var exported *audit.Event
		for _, ev := range e.Events(yp.ID) {
			if ev.Action == audit.Export {
				exported = &ev
			}
		}
		if exported == nil || exported.Purpose != "SEN2 return 2026-03-02" {
			t.Errorf("export event = %+v, want one naming the return", exported)
		}
	})
}
