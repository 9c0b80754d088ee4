package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// browser is the path of Debian's chromium, or "" when it is absent: the test then skips, unless
// REQUIRE_BROWSER=1 (CI), where a missing browser fails.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal("REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH: the browser test of /docs is skipped (REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// TestDocsInBrowser opens /docs in headless chromium as an integrator would: the page renders the
// served contract, lists the referral operations, takes an API key under Authorize, and "Try it
// out" on GET /v1/referrals calls the real server and shows its 200 answer, with a referral made
// beforehand in it. Any Content-Security-Policy violation or script error fails the test.
func TestDocsInBrowser(t *testing.T) {
	path := browser(t)
	b := storetest.Backends(t)[0] // the page is the same on either database
	t.Run(b.Name, func(t *testing.T) {
		e := newEnv(t, b.Open(t), func(o *httpapi.Options, _ *app.Options) { o.ServerURL = selfURL })
		kid := e.youngPerson(e.officer, child(9))
		made := e.referral(e.officer, referralFor(kid, e.schoolSENCO))

		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1280, 2000),
			chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
		if os.Geteuid() == 0 {
			opts = append(opts, chromedp.NoSandbox) // chromium refuses to run as root with its sandbox
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancelAlloc()
		ctx, cancel := chromedp.NewContext(actx)
		defer cancel()
		ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
		defer cancelTimeout()

		// Every console message, script error and browser log entry the page produces (a CSP
		// violation is one), collected until the test ends.
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("start chromium: %v", err)
		}
		if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
			t.Fatalf("log.enable: %v", err)
		}
		var mu sync.Mutex
		var problems []string
		watch, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		messages := chromedp.Console(watch)
		go func() {
			for m, err := range messages {
				if err != nil {
					return
				}
				if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("%s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
					mu.Unlock()
				}
			}
		}()

		const op = "#operations-referrals-listReferrals"
		css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
		step := func(what string, a chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(ctx, a); err != nil {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("%s: %v (page messages: %v)", what, err, problems)
			}
		}
		text := func(sel string) string {
			t.Helper()
			v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
			if err != nil {
				t.Fatalf("read %s: %v", sel, err)
			}
			return v
		}
		step("open /docs", chromedp.Navigate(e.srv.URL+"/docs"))
		step("the referrals section", chromedp.WaitVisible(css("#operations-tag-referrals")))
		server, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".servers select").value`))
		if err != nil {
			t.Fatal(err)
		}

		// Authorize with the SEND officer's API key.
		step("Authorize", chromedp.Click(css("button.authorize")))
		step("the key dialogue", chromedp.WaitVisible(css(".modal-ux")))
		step("type the key", chromedp.SendKeys(css(`.modal-ux input[type="text"]`), e.officer))
		step("Authorize the key", chromedp.Click(css(".modal-ux .auth-btn-wrapper button.authorize")))
		step("authorised", chromedp.WaitVisible(css(".modal-ux button.btn-done")))
		step("close the dialogue", chromedp.Click(css(".modal-ux button.btn-done")))
		step("dialogue closed", chromedp.WaitNotPresent(css(".modal-ux")))

		// GET /v1/referrals: open it, Try it out, Execute.
		step("open the referrals tag", chromedp.Click(css("#operations-tag-referrals")))
		step("GET /v1/referrals listed", chromedp.WaitVisible(css(op+" .opblock-summary-control")))
		referralOps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[id^="operations-referrals-"]')].map(n => n.id)`))
		if err != nil {
			t.Fatal(err)
		}
		step("open GET /v1/referrals", chromedp.Click(css(op+" .opblock-summary-control")))
		step("Try it out shown", chromedp.WaitVisible(css(op+" .try-out__btn")))
		step("Try it out", chromedp.Click(css(op+" .try-out__btn")))
		step("Execute shown", chromedp.WaitVisible(css(op+" button.execute")))
		step("Execute", chromedp.Click(css(op+" button.execute")))
		step("the answer", chromedp.WaitVisible(css(op+" .live-responses-table tr.response .response-col_status")))
		status := text(op + " .live-responses-table tr.response .response-col_status")
		body := text(op + " .live-responses-table .response-col_description pre")
		stopWatch()

		for _, want := range []string{"operations-referrals-createReferral", "operations-referrals-listReferrals", "operations-referrals-getReferral"} {
			if !strings.Contains(strings.Join(referralOps, " "), want) {
				t.Errorf("the referrals section, opened, lacks %s: %v", want, referralOps)
			}
		}
		if !strings.Contains(server, e.srv.URL) {
			t.Errorf("the page offers server %q, want this test server %s", server, e.srv.URL)
		}
		if strings.TrimSpace(status) != "200" {
			t.Errorf("Try it out answered %q, want 200: %.300s", status, body)
		}
		if !strings.Contains(body, made.ID.String()) || !strings.Contains(body, made.Reference) {
			t.Errorf("the answer shown does not hold the referral %s (%s): %.300s", made.ID, made.Reference, body)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(problems) > 0 {
			t.Errorf("the page reported errors (a CSP violation shows here):\n%s", strings.Join(problems, "\n"))
		}
	})
}
