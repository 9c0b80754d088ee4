package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestConsentWithdrawnEndsWhatRestedOnIt: a child with consent C. Organisation X is involved on C
// only, Y on C with a statutory duty recorded, Z on C while another consent in force also covers
// it. Withdrawing C ends X's involvement on that day, so X can no longer read the child; Y keeps
// access on its duty; Z keeps access but is flagged for review until a practitioner settles it.
// Each decision is audited with why, and announced.
func TestConsentWithdrawnEndsWhatRestedOnIt(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		today := mtgDay(0)
		org := func(name, typ string) (id, key string) {
			o := e.do(http.MethodPost, "/v1/organisations", e.admin, map[string]any{"name": name, "type": typ, "locality": "South"})
			if o.status != http.StatusCreated {
				t.Fatalf("organisation: %d %s", o.status, o.body)
			}
			id = o.json(t)["id"].(string)
			r := e.do(http.MethodPost, "/v1/api-keys", e.admin, map[string]any{"organisation_id": id, "role": "practitioner", "name": name})
			if r.status != http.StatusCreated {
				t.Fatalf("key: %d %s", r.status, r.body)
			}
			return id, r.json(t)["key"].(string)
		}
		x, xKey := org("Xylo Family Support", "vcs")
		y, yKey := org("Yew Tree School", "school_primary")
		z, zKey := org("Zinnia Therapy", "vcs")
		child := e.mustDo(http.MethodPost, "/v1/young-people", map[string]any{"given_name": "Consent", "family_name": "Child",
			"date_of_birth": "2016-05-01", "locality": "South"}, http.StatusCreated)["id"].(string)
		yp := "/v1/young-people/" + child
		consent := func(body map[string]any) string {
			body["given_by"], body["relationship"], body["given_on"] = "Parent", "parent", today
			return e.mustDo(http.MethodPost, yp+"/consents", body, http.StatusCreated)["id"].(string)
		}
		involve := func(body map[string]any) map[string]any {
			body["role"] = "team_member"
			return e.mustDo(http.MethodPost, yp+"/involvements", body, http.StatusCreated)
		}
		c := consent(map[string]any{"scope": "all_involved"})
		xi := involve(map[string]any{"organisation_id": x})
		// A lawful basis must name its duty, and a duty its basis.
		if p := e.do(http.MethodPost, yp+"/involvements", e.officer, map[string]any{"organisation_id": y, "role": "team_member",
			"lawful_basis": "legal_obligation"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/statutory_duty") {
			t.Fatalf("a basis without its duty: pointers %v", pointers(p))
		}
		yi := involve(map[string]any{"organisation_id": y, "lawful_basis": "legal_obligation",
			"statutory_duty": "CFA 2014 s.43: the school named in the EHC plan must admit the child"})
		zi := involve(map[string]any{"organisation_id": z})
		for name, i := range map[string]map[string]any{"X": xi, "Y": yi, "Z": zi} {
			if i["consent_id"] != c {
				t.Fatalf("%s rests on %v, want consent %s", name, i["consent_id"], c)
			}
		}
		if yi["lawful_basis"] != "legal_obligation" || !strings.HasPrefix(yi["statutory_duty"].(string), "CFA 2014 s.43") {
			t.Fatalf("Y's basis: %v", yi)
		}
		consent(map[string]any{"scope": "organisations", "organisation_ids": []string{z}})
		for name, key := range map[string]string{"X": xKey, "Y": yKey, "Z": zKey} {
			if r := e.do(http.MethodGet, yp, key, nil); r.status != http.StatusOK {
				t.Fatalf("%s reads the child before the withdrawal: %d", name, r.status)
			}
		}

		w := e.mustDo(http.MethodPost, yp+"/consents/"+c+"/withdraw", map[string]any{"reason": "The family no longer agree."}, http.StatusOK)
		if w["in_force"] != false || w["withdrawn_on"] != today {
			t.Fatalf("withdrawn: %v", w)
		}

		// X rested only on C: ended today, and X sees nothing of the child.
		e.do(http.MethodGet, yp, xKey, nil).problem(t, http.StatusNotFound)
		inv := func(id string) map[string]any {
			t.Helper()
			for _, it := range e.mustDo(http.MethodGet, yp+"/involvements?limit=200", nil, http.StatusOK)["items"].([]any) {
				if it.(map[string]any)["id"] == id {
					return it.(map[string]any)
				}
			}
			t.Fatalf("no involvement %s", id)
			return nil
		}
		if got := inv(xi["id"].(string)); got["ended_on"] != today || got["current"] != false || got["review_needed"] != nil {
			t.Fatalf("X after the withdrawal: %v", got)
		}
		// Y continues on its statutory duty.
		if r := e.do(http.MethodGet, yp, yKey, nil); r.status != http.StatusOK {
			t.Fatalf("Y reads the child after the withdrawal: %d", r.status)
		}
		if got := inv(yi["id"].(string)); got["ended_on"] != nil || got["current"] != true || got["review_needed"] != nil {
			t.Fatalf("Y after the withdrawal: %v", got)
		}
		// Z is covered by the other consent: flagged for review, access kept meanwhile.
		zGot := inv(zi["id"].(string))
		if zGot["ended_on"] != nil || zGot["current"] != true || !strings.Contains(zGot["review_needed"].(string), "another consent") {
			t.Fatalf("Z after the withdrawal: %v", zGot)
		}
		if r := e.do(http.MethodGet, yp, zKey, nil); r.status != http.StatusOK {
			t.Fatalf("Z reads the child while under review: %d", r.status)
		}

		// Each decision is audited, naming why; the changes are announced.
		purpose := func(id, action string) string {
			t.Helper()
			evs := items(t, e.do(http.MethodGet, "/v1/audit-events?record_id="+id+"&action="+action, e.admin, nil))
			for _, ev := range evs {
				if p, _ := ev.(map[string]any)["purpose"].(string); strings.HasPrefix(p, "consent withdrawn: ") {
					return p
				}
			}
			t.Fatalf("no %s audit naming the withdrawal for %s: %v", action, id, evs)
			return ""
		}
		if p := purpose(xi["id"].(string), "update"); !strings.Contains(p, "rested only on this consent") {
			t.Errorf("X's audit: %q", p)
		}
		if p := purpose(zi["id"].(string), "update"); !strings.Contains(p, "another consent") {
			t.Errorf("Z's audit: %q", p)
		}
		if p := purpose(yi["id"].(string), "review"); !strings.Contains(p, "statutory duty") {
			t.Errorf("Y's audit: %q", p)
		}
		for id, want := range map[string]string{xi["id"].(string): "involvement.ended", zi["id"].(string): "involvement.review_needed"} {
			events, err := outboxOf(e, id)
			if err != nil {
				t.Fatal(err)
			}
			if !events[want] {
				t.Errorf("%s: no %s event: %v", id, want, events)
			}
		}

		// A note does not settle the review; a lawful basis with its duty does.
		zPath := yp + "/involvements/" + zi["id"].(string)
		if got := e.mustDo(http.MethodPatch, zPath, map[string]any{"notes": "Called the family."}, http.StatusOK); got["review_needed"] == nil {
			t.Fatalf("a note settled the review: %v", got)
		}
		e.do(http.MethodPatch, zPath, e.officer, map[string]any{"lawful_basis": "public_task"}).problem(t, http.StatusBadRequest)
		settled := e.mustDo(http.MethodPatch, zPath, map[string]any{"lawful_basis": "public_task",
			"statutory_duty": "Children Act 1989 s.17: services for a child in need"}, http.StatusOK)
		if settled["review_needed"] != nil || settled["lawful_basis"] != "public_task" || settled["current"] != true {
			t.Fatalf("settled: %v", settled)
		}
		// Withdrawing again is a conflict.
		e.do(http.MethodPost, yp+"/consents/"+c+"/withdraw", e.officer, map[string]any{"reason": "Again."}).problem(t, http.StatusConflict)

		// What the withdrawal ended is not reopened by clearing its end date with no basis in
		// force (by any caller who may edit the team), nor on a reason that says nothing.
		xPath := yp + "/involvements/" + xi["id"].(string)
		for _, key := range []string{e.officer, zKey} {
			p := e.do(http.MethodPatch, xPath, key, map[string]any{"ended_on": nil}).problem(t, http.StatusUnprocessableEntity)
			if !hasPointer(p, "/safeguarding_reason") || !hasPointer(p, "/lawful_basis") {
				t.Errorf("X reopened without a basis: %v", pointers(p))
			}
		}
		for _, blank := range []string{"   ", "\u200b", "\t\n"} {
			body := `{"ended_on": null, "safeguarding_reason": "` + blank + `"}`
			p := e.do(http.MethodPatch, xPath, e.officer, body).problem(t, http.StatusBadRequest)
			if !hasPointer(p, "/safeguarding_reason") {
				t.Errorf("X reopened on a blank reason %q: %v", blank, pointers(p))
			}
			body = `{"organisation_id": "` + x + `", "role": "team_member", "lawful_basis": "public_task", "statutory_duty": "` + blank + `"}`
			if p := e.do(http.MethodPost, yp+"/involvements", e.officer, body).problem(t, http.StatusBadRequest); !hasPointer(p, "/statutory_duty") {
				t.Errorf("X involved on a blank duty %q: %v", blank, pointers(p))
			}
		}
		e.do(http.MethodGet, yp, xKey, nil).problem(t, http.StatusNotFound)
		if got := inv(xi["id"].(string)); got["ended_on"] != today || got["current"] != false {
			t.Fatalf("X after the refused reopenings: %v", got)
		}
		// A role OnePlan records itself is not given by a change.
		if p := e.do(http.MethodPatch, zPath, e.officer, map[string]any{"role": "recorded_by"}).problem(t, http.StatusBadRequest); !hasPointer(p, "/role") {
			t.Errorf("Z made the recording organisation: %v", pointers(p))
		}
		// With a reason that says why, it reopens, and X reads the child again.
		reopened := e.mustDo(http.MethodPatch, xPath, map[string]any{"ended_on": nil,
			"safeguarding_reason": "Section 47 enquiry: the service must see the record."}, http.StatusOK)
		if reopened["current"] != true || reopened["consent_id"] != nil {
			t.Fatalf("X reopened for safeguarding: %v", reopened)
		}
		if r := e.do(http.MethodGet, yp, xKey, nil); r.status != http.StatusOK {
			t.Fatalf("X reads the child on its safeguarding reason: %d", r.status)
		}
	})
}
