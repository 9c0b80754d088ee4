package httpapi_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/app"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/httpapi"
	"github.com/oneplan-send/oneplan/internal/store"
)

func items(t *testing.T, r reply) []any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	return r.json(t)["items"].([]any)
}

func dateOf(d time.Time) string { return d.Format("2006-01-02") }

// TestConsentGovernsSharing: an organisation joins the team around the child only with consent
// that covers it, or for safeguarding with the reason kept; withdrawal stops new sharing.
func TestConsentGovernsSharing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		kid := e.youngPerson(e.officer, child(6))
		path := "/v1/young-people/" + kid
		involveOther := func(extra map[string]any) reply {
			body := map[string]any{"organisation_id": e.other, "role": "team_member"}
			for k, v := range extra {
				body[k] = v
			}
			return e.do(http.MethodPost, path+"/involvements", e.officer, body)
		}
		p := involveOther(nil).problem(t, http.StatusUnprocessableEntity)
		if !hasPointer(p, "/safeguarding_reason") {
			t.Fatalf("pointers %v", pointers(p))
		}
		// Consent for health services does not reach a nursery.
		c := e.do(http.MethodPost, path+"/consents", e.officer, map[string]any{"given_by": "Mum", "relationship": "parent",
			"scope": "organisation_types", "organisation_types": []string{"health_trust"}, "given_on": dateOf(time.Now())})
		if c.status != http.StatusCreated || c.json(t)["in_force"] != true {
			t.Fatalf("consent: %d %s", c.status, c.body)
		}
		involveOther(nil).problem(t, http.StatusUnprocessableEntity)
		health := e.do(http.MethodPost, path+"/involvements", e.officer, map[string]any{"organisation_id": e.health, "role": "team_member"})
		if health.status != http.StatusCreated || health.json(t)["consent_id"] != c.json(t)["id"] {
			t.Fatalf("covered involvement should cite the consent: %d %s", health.status, health.body)
		}
		// Safeguarding: shared without consent, reason kept.
		sg := involveOther(map[string]any{"safeguarding_reason": "Disclosure at nursery; strategy discussion."})
		if sg.status != http.StatusCreated || sg.json(t)["safeguarding_reason"] == nil || sg.json(t)["consent_id"] != nil {
			t.Fatalf("safeguarding involvement: %d %s", sg.status, sg.body)
		}
		// A safeguarding concern recorded on an open referral is itself the lawful basis, and is named.
		sgKid := e.youngPerson(e.officer, func() clientYP { c := child(9); c.NHSNumber, c.UPN = nil, nil; return c }())
		sgRef := referralFor(sgKid, e.schoolSENCO)
		sgRef.SafeguardingConcern = ptr(true)
		made := e.referral(e.officer, sgRef)
		auto := e.do(http.MethodPost, "/v1/young-people/"+sgKid+"/involvements", e.officer, map[string]any{"organisation_id": e.other, "role": "team_member"})
		if auto.status != http.StatusCreated || !strings.Contains(auto.json(t)["safeguarding_reason"].(string), made.Reference) {
			t.Fatalf("involvement under a recorded safeguarding concern: %d %s", auto.status, auto.body)
		}
		// Withdrawn consent no longer covers new sharing.
		cid := c.json(t)["id"].(string)
		w := e.do(http.MethodPost, path+"/consents/"+cid+"/withdraw", e.officer, map[string]any{"reason": "Family asked."})
		if w.status != http.StatusOK || w.json(t)["in_force"] != false {
			t.Fatalf("withdraw: %d %s", w.status, w.body)
		}
		e.do(http.MethodPost, path+"/consents/"+cid+"/withdraw", e.officer, map[string]any{"reason": "again"}).problem(t, http.StatusConflict)
		e.do(http.MethodPost, path+"/involvements", e.officer, map[string]any{"organisation_id": e.health, "role": "team_member", "notes": "second"}).problem(t, http.StatusUnprocessableEntity)
		// OnePlan's own roles cannot be claimed through the API.
		e.do(http.MethodPost, path+"/involvements", e.officer, map[string]any{"organisation_id": e.health, "role": "referrer"}).problem(t, http.StatusBadRequest)
		// Consent given on a referral form is recorded as consent to share.
		e.referral(e.officer, func() clientReferral {
			r := referralFor(kid, e.schoolSENCO)
			r.Consent = &consentOnForm
			return r
		}())
		cs := items(t, e.do(http.MethodGet, path+"/consents", e.officer, nil))
		if len(cs) != 2 || cs[0].(map[string]any)["scope"] != "all_involved" {
			t.Fatalf("consents: %v", cs)
		}
	})
}

// TestTeamDrivesAccess: a partner sees a child while part of the team, and not after.
func TestTeamDrivesAccess(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		path := "/v1/young-people/" + f.child
		if r := e.do(http.MethodGet, path, e.leadKey, nil); r.status != http.StatusOK {
			t.Fatalf("engagement lead should see the child: %d", r.status)
		}
		// The lead's involvement ends: access ends with it.
		started := time.Now().AddDate(0, 0, -10)
		patch := e.do(http.MethodPatch, path+"/involvements/"+f.involvement, e.officer, map[string]any{"ended_on": dateOf(time.Now().AddDate(0, 0, -1))})
		patch.problem(t, http.StatusBadRequest) // it started today: it cannot end yesterday
		old := e.do(http.MethodPost, path+"/involvements", e.officer, map[string]any{"organisation_id": e.other, "practitioner_id": e.otherWorker,
			"role": "team_member", "started_on": dateOf(started)})
		if old.status != http.StatusCreated {
			t.Fatalf("backdated involvement: %d %s", old.status, old.body)
		}
		if r := e.do(http.MethodGet, path, e.outsider, nil); r.status != http.StatusOK {
			t.Fatalf("the nursery is now in the team: %d", r.status)
		}
		end := e.do(http.MethodPatch, path+"/involvements/"+old.json(t)["id"].(string), e.officer,
			map[string]any{"ended_on": dateOf(time.Now())}, "If-Match", `"1"`)
		if end.status != http.StatusOK || end.json(t)["current"] != false {
			t.Fatalf("end involvement: %d %s", end.status, end.body)
		}
		e.do(http.MethodGet, path, e.outsider, nil).problem(t, http.StatusNotFound)
		if n := len(items(t, e.do(http.MethodGet, "/v1/referrals?young_person_id="+f.child, e.outsider, nil))); n != 0 {
			t.Fatalf("a former team member still lists %d referrals", n)
		}
		// Moving school moves access: the old school loses it, the new one gains it.
		move := e.do(http.MethodPatch, path, e.officer, map[string]any{"education_setting_id": e.other})
		if move.status != http.StatusOK {
			t.Fatalf("move: %d %s", move.status, move.body)
		}
		current := items(t, e.do(http.MethodGet, path+"/involvements?current=true", e.officer, nil))
		roles := map[string]string{}
		for _, i := range current {
			m := i.(map[string]any)
			roles[m["organisation_id"].(string)+"/"+m["role"].(string)] = "yes"
		}
		if roles[e.other+"/education_setting"] == "" || roles[e.school+"/education_setting"] != "" {
			t.Fatalf("current team after the move: %v", roles)
		}
		// The school still referred the child, so it keeps its referrer involvement.
		if roles[e.school+"/referrer"] == "" {
			t.Fatalf("referrer involvement lost: %v", roles)
		}
		// An uninvolved partner finds nothing by listing or searching.
		lonely := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": "Lonely Lane Clinic", "type": "gp_practice", "locality": "North"})
		if lonely.status != http.StatusCreated {
			t.Fatalf("organisation: %d %s", lonely.status, lonely.body)
		}
		stranger := e.idp.token(t, auth.RolePractitioner, lonely.json(t)["id"].(string), nil) // an organisation in no child's team
		for _, q := range []string{"/v1/young-people?q=amelia", "/v1/young-people", "/v1/referrals", "/v1/referrals?q=okonkwo"} {
			if n := len(items(t, e.do(http.MethodGet, q, "", nil, "Authorization", "Bearer "+stranger))); n != 0 {
				t.Fatalf("%s as an uninvolved practitioner: %d results", q, n)
			}
		}
		// A sign-in token is held to the directory as a key is when issued: an organisation it
		// does not hold (here with a council-wide role, which read every child), or another
		// organisation's practitioner, is no caller.
		for name, tok := range map[string]string{
			"no such organisation":                e.idp.token(t, auth.RoleSENDOfficer, unknownID, nil),
			"another organisation's practitioner": e.idp.token(t, auth.RolePractitioner, e.school, map[string]any{"oneplan_practitioner": e.otherWorker}),
			"no such practitioner":                e.idp.token(t, auth.RolePractitioner, e.other, map[string]any{"oneplan_practitioner": unknownID}),
		} {
			if r := e.do(http.MethodGet, "/v1/young-people", "", nil, "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized {
				t.Errorf("a token naming %s: %d %s", name, r.status, r.body)
			}
		}
		worker := e.idp.token(t, auth.RolePractitioner, e.other, map[string]any{"oneplan_practitioner": e.otherWorker})
		if r := e.do(http.MethodGet, "/v1/young-people", "", nil, "Authorization", "Bearer "+worker); r.status != http.StatusOK {
			t.Fatalf("a practitioner of the organisation the token names: %d %s", r.status, r.body)
		}
		// Another process on the same database remembers the sign-in it checked (while it hears
		// every replica's changes); a practitioner made inactive on this one loses access there
		// when the change commits, not when the 30 seconds it is remembered for run out.
		var second *app.App
		if e.st.Dialect() == store.Postgres {
			second = app.New(e.st, app.Options{})
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			live := e.st.Listen(ctx, store.KeysChannel, second.Keys.Forget)
			second.Keys.Invalidation(live)
			waitFor(t, "the second process hearing changes", 10*time.Second, live)
			signIn := auth.Principal{Role: auth.RolePractitioner, OrganisationID: e.other, PractitionerID: e.otherWorker}
			if err := second.Keys.SignedIn(context.Background(), signIn); err != nil {
				t.Fatalf("the second process: %v", err)
			}
			defer func() {
				waitFor(t, "the second process refusing the inactive practitioner", 10*time.Second, func() bool {
					return second.Keys.SignedIn(context.Background(), signIn) != nil
				})
			}()
		}
		pr := e.do(http.MethodGet, "/v1/practitioners/"+e.otherWorker, e.admin, nil)
		if r := e.do(http.MethodPatch, "/v1/practitioners/"+e.otherWorker, e.admin, map[string]any{"active": false},
			"Content-Type", "application/merge-patch+json", "If-Match", pr.header.Get("ETag")); r.status != http.StatusOK {
			t.Fatalf("make the practitioner inactive: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/young-people", "", nil, "Authorization", "Bearer "+worker).problem(t, http.StatusUnauthorized)
	})
}

// TestKeysRevokeAndRotateAtOnce: a revoked key fails on its very next use; a rotated key is
// replaced by a working one.
func TestKeysRevokeAndRotateAtOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		issued := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.school, "role": "practitioner", "name": "school MIS"})
		if issued.status != http.StatusCreated {
			t.Fatalf("issue: %d %s", issued.status, issued.body)
		}
		key := issued.json(t)["key"].(string)
		id := issued.json(t)["api_key"].(map[string]any)["id"].(string)
		if r := e.do(http.MethodGet, "/v1/young-people", key, nil); r.status != http.StatusOK {
			t.Fatalf("new key: %d", r.status)
		}
		list := items(t, e.do(http.MethodGet, "/v1/api-keys?organisation_id="+e.school, e.admin, nil))
		for _, k := range list {
			if strings.Contains(string(mustJSON(k)), key) {
				t.Fatal("a key list must never contain a key")
			}
		}
		rot := e.do(http.MethodPost, "/v1/api-keys/"+id+"/rotate", e.admin, nil)
		if rot.status != http.StatusCreated {
			t.Fatalf("rotate: %d %s", rot.status, rot.body)
		}
		e.do(http.MethodGet, "/v1/young-people", key, nil).problem(t, http.StatusUnauthorized)
		fresh := rot.json(t)["key"].(string)
		if r := e.do(http.MethodGet, "/v1/young-people", fresh, nil); r.status != http.StatusOK {
			t.Fatalf("rotated key: %d", r.status)
		}
		freshID := rot.json(t)["api_key"].(map[string]any)["id"].(string)
		if r := e.do(http.MethodPost, "/v1/api-keys/"+freshID+"/revoke", e.admin, nil); r.status != http.StatusOK || r.json(t)["revoked_at"] == nil {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/young-people", fresh, nil).problem(t, http.StatusUnauthorized)
		e.do(http.MethodPost, "/v1/api-keys/"+freshID+"/revoke", e.admin, nil).problem(t, http.StatusConflict)
		e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": e.school, "role": "engagement_lead", "name": "x",
			"practitioner_id": e.lead}).problem(t, http.StatusUnprocessableEntity)
	})
}

// TestFamilyEndToEnd: a parent signs in with a token naming their child, reads the record, sees
// who has looked at it and why, and exports everything held; nothing else is visible.
func TestFamilyEndToEnd(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		other := e.fixture()
		e.do(http.MethodGet, "/v1/young-people/"+f.child, e.leadKey, nil, "X-Purpose", "preparing the MAM")
		parent := "Bearer " + e.idp.token(t, auth.RoleFamily, e.council, map[string]any{"sub": "parent-123", "oneplan_young_people": []string{f.child}})
		asParent := func(method, path string, body ...any) reply {
			var b any
			if len(body) > 0 {
				b = body[0]
			}
			return e.do(method, path, "", b, "Authorization", parent)
		}
		if r := asParent(http.MethodGet, "/v1/young-people/"+f.child); r.status != http.StatusOK {
			t.Fatalf("own child: %d %s", r.status, r.body)
		}
		asParent(http.MethodGet, "/v1/young-people/"+other.child).problem(t, http.StatusNotFound)
		if got := items(t, asParent(http.MethodGet, "/v1/young-people")); len(got) != 1 {
			t.Fatalf("family list: %d young people", len(got))
		}
		if got := items(t, asParent(http.MethodGet, "/v1/referrals")); len(got) != 1 {
			t.Fatalf("family referrals: %d", len(got))
		}
		asParent(http.MethodPatch, "/v1/young-people/"+f.child, map[string]any{"preferred_name": "X"}).problem(t, http.StatusForbidden)
		asParent(http.MethodGet, "/v1/organisations").problem(t, http.StatusForbidden)

		log := items(t, asParent(http.MethodGet, "/v1/young-people/"+f.child+"/access-log"))
		sawLead := false
		for _, ev := range log {
			m := ev.(map[string]any)
			actor := m["actor"].(map[string]any)
			if actor["role"] == "engagement_lead" && m["action"] == "read" && m["purpose"] == "preparing the MAM" && actor["practitioner_id"] == e.lead {
				sawLead = true
			}
			if m["young_person_id"] != f.child || m["young_person_ids"] != nil || m["record_ids"] != nil {
				t.Fatalf("the access log shows only this child's events, and no other child's ids: %v", m)
			}
			if m["ip"] != nil || actor["api_key_id"] != nil || actor["subject"] != nil || m["request_id"] != nil {
				t.Fatalf("staff members' own data must be redacted for the family: %v", m)
			}
		}
		if !sawLead {
			t.Fatalf("the family should see the engagement lead's read and its purpose: %v", log)
		}
		x := asParent(http.MethodGet, "/v1/young-people/"+f.child+"/export")
		if x.status != http.StatusOK {
			t.Fatalf("export: %d %s", x.status, x.body)
		}
		doc := x.json(t)
		if len(doc["referrals"].([]any)) != 1 || len(doc["consents"].([]any)) != 1 || len(doc["involvements"].([]any)) < 3 || len(doc["access_log"].([]any)) == 0 ||
			doc["meetings"] == nil || doc["family_assessments"] == nil || doc["pathway_feedback"] == nil || doc["allocations"] == nil {
			t.Fatalf("export is missing records: %s", x.body)
		}
		// The family's own reads are on the record too, under their subject.
		events := items(t, e.do(http.MethodGet, "/v1/audit-events?young_person_id="+f.child+"&action=export", e.admin, nil))
		if len(events) != 1 || events[0].(map[string]any)["actor"].(map[string]any)["subject"] != "parent-123" {
			t.Fatalf("export audit: %v", events)
		}
	})
}

// TestOneAuditEventPerRead: each read of a child's record writes exactly one audit event, and a
// list writes one per record returned.
func TestOneAuditEventPerRead(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		f := e.fixture()
		count := func(action string) int {
			return len(items(t, e.do(http.MethodGet, "/v1/audit-events?limit=200&young_person_id="+f.child+"&action="+action, e.admin, nil)))
		}
		reads, lists := count("read"), count("list")
		e.do(http.MethodGet, "/v1/young-people/"+f.child, e.officer, nil)
		e.do(http.MethodGet, "/v1/referrals/"+f.referral, e.officer, nil)
		if got := count("read"); got != reads+2 {
			t.Fatalf("two reads wrote %d events", got-reads)
		}
		e.do(http.MethodGet, "/v1/referrals?young_person_id="+f.child, e.practitioner, nil)
		if got := count("list"); got != lists+1 {
			t.Fatalf("a one-item list wrote %d events", got-lists)
		}
		// Refused reads write nothing.
		e.do(http.MethodGet, "/v1/young-people/"+f.child, e.outsider, nil)
		if got := count("read"); got != reads+2 {
			t.Fatal("a refused read must not be recorded as a read")
		}
	})
}

func TestRateLimit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for i := range 2 {
			if r := e.do(http.MethodGet, "/v1/organisations", e.analyst, nil); r.status != http.StatusOK {
				t.Fatalf("request %d within the burst: %d", i, r.status)
			}
		}
		r := e.do(http.MethodGet, "/v1/organisations", e.analyst, nil)
		r.problem(t, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
		// Limits are per key: another caller is unaffected.
		if r := e.do(http.MethodGet, "/v1/organisations", e.officer, nil); r.status != http.StatusOK {
			t.Fatalf("another key: %d", r.status)
		}
	}, func(o *httpapi.Options, _ *app.Options) { o.RateLimit, o.RateBurst = 0.5, 2 })
}

func TestRetentionAndErasure(t *testing.T) {
	base, n, dir := t.TempDir(), 0, ""
	each(t, func(t *testing.T, e *env) {
		f := e.fixture() // aged 8: past a 5-year retention
		in := child(3)
		in.NHSNumber, in.UPN = nil, nil
		young := e.youngPerson(e.officer, in) // aged 3: not yet
		due := items(t, e.do(http.MethodGet, "/v1/retention/due", e.admin, nil))
		if len(due) != 1 || due[0].(map[string]any)["young_person_id"] != f.child {
			t.Fatalf("due: %v", due)
		}
		if strings.Contains(string(mustJSON(due)), "Amelia") {
			t.Fatal("the retention list holds ids and dates only")
		}
		// Records hanging off the child (an EHC request, its plan with versions, the plan's annual
		// review) are exported and erased with them.
		plan := f
		withIssuedPlan(e, &plan)
		// So is a document on the plan, bytes and all.
		if r := e.upload(e.officer, "ehc_plan", plan.feedback, testPDF, "application/octet-stream"); r.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		// And a meeting, with the practitioner who took part in it.
		e.mustDo(http.MethodPost, "/v1/meetings", map[string]any{"referral_id": f.referral, "type": "taf", "held_on": dateOf(time.Now()),
			"attendees": []any{map[string]any{"kind": "practitioner", "practitioner_id": e.lead, "took_part": true}}}, http.StatusCreated)
		x := e.mustDo(http.MethodGet, "/v1/young-people/"+f.child+"/export", nil, http.StatusOK)
		if len(x["ehc_needs_assessments"].([]any)) != 1 || len(x["ehc_plans"].([]any)) != 1 || len(x["annual_reviews"].([]any)) != 1 ||
			len(x["documents"].([]any)) != 1 {
			t.Fatalf("export lacks EHC records: %v %v %v %v", x["ehc_needs_assessments"], x["ehc_plans"], x["annual_reviews"], x["documents"])
		}
		if len(files(t, dir)) != 1 {
			t.Fatalf("document files: %v", files(t, dir))
		}
		e.do(http.MethodPost, "/v1/retention/due/"+young+"/erase", e.admin, nil).problem(t, http.StatusConflict)
		if r := e.do(http.MethodPost, "/v1/retention/due/"+f.child+"/erase", e.admin, nil); r.status != http.StatusNoContent {
			t.Fatalf("erase: %d %s", r.status, r.body)
		}
		e.do(http.MethodGet, "/v1/young-people/"+f.child, e.officer, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/referrals/"+f.referral, e.officer, nil).problem(t, http.StatusNotFound)
		e.do(http.MethodGet, "/v1/ehc-plans/"+plan.feedback, e.officer, nil).problem(t, http.StatusNotFound)
		if fs := files(t, dir); len(fs) != 0 {
			t.Errorf("document files outlive the erasure: %v", fs)
		}
		tomb := items(t, e.do(http.MethodGet, "/v1/audit-events?action=delete&record_id="+f.child, e.admin, nil))
		if len(tomb) != 1 {
			t.Fatalf("tombstone: %v", tomb)
		}
	}, func(o *httpapi.Options, c *app.Options) {
		c.RetentionYears = 5
		if c.Blobs == nil {
			n++
			dir = filepath.Join(base, strconv.Itoa(n))
			docStore(dir)(o, c)
		}
	})
}

// TestCORSNamedOriginsOnly: browsers may call the API only from the configured front ends.
func TestCORSNamedOriginsOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		pre := func(origin string) reply {
			return e.do(http.MethodOptions, "/v1/young-people", "", nil, "Origin", origin, "Access-Control-Request-Method", "GET",
				"Access-Control-Request-Headers", "authorization")
		}
		if got := pre("https://caseworker.council.example").header.Get("Access-Control-Allow-Origin"); got != "https://caseworker.council.example" {
			t.Fatalf("allowed origin: %q", got)
		}
		if got := pre("https://evil.example").header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("other origin allowed: %q", got)
		}
	}, func(o *httpapi.Options, _ *app.Options) {
		o.CORSOrigins = []string{"https://caseworker.council.example"}
	})
}
