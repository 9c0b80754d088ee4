package client_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/oneplan-send/oneplan/pkg/client"
)

// newClient is a client for the OnePlan server at baseURL that sends apiKey as a bearer token on
// every call.
func newClient(baseURL, apiKey string) *client.ClientWithResponses {
	c, err := client.NewClientWithResponses(baseURL,
		client.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
		client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+apiKey)
			return nil
		}))
	if err != nil {
		panic(err)
	}
	return c
}

// Record a child and refer them to the pathway, as a council's SEND officer. A created record
// answers 201 with the record in JSON201 and its address in the Location header.
func Example_createReferral() {
	baseURL, apiKey, stop := demoServer() // your server's URL and an API key
	defer stop()
	ctx := context.Background()
	c := newClient(baseURL, apiKey)

	// The referrer: any practitioner in the directory (here the first one listed).
	practitioners, err := c.ListPractitionersWithResponse(ctx, &client.ListPractitionersParams{Limit: ptr(client.Limit(1))})
	if err != nil || practitioners.JSON200 == nil {
		fmt.Println("list practitioners:", err, practitioners.StatusCode())
		return
	}
	referrer := practitioners.JSON200.Items[0].ID

	child, err := c.CreateYoungPersonWithResponse(ctx, nil, client.YoungPersonInput{
		GivenName: "Maya", FamilyName: "Example", DateOfBirth: openapi_types.Date{Time: time.Now().AddDate(-8, 0, 0)},
		NHSNumber: ptr("9434765919"), Locality: ptr("South"),
	})
	if err != nil || child.JSON201 == nil {
		fmt.Println("create young person:", err, child.StatusCode(), string(child.Body))
		return
	}

	// An Idempotency-Key makes a retry after a lost answer safe: it replays the first answer.
	ref, err := c.CreateReferralWithResponse(ctx, &client.CreateReferralParams{IdempotencyKey: ptr(client.IdempotencyKey("example-referral-1"))},
		client.ReferralInput{
			YoungPersonID:          child.JSON201.ID,
			ReferrerPractitionerID: referrer,
			Reasons:                []client.ReferralReason{"sen", "speech_language"},
			ServicesInvolved:       []client.ServiceType{"school", "camhs"},
		})
	if err != nil || ref.JSON201 == nil {
		fmt.Println("create referral:", err, ref.StatusCode(), string(ref.Body))
		return
	}
	fmt.Println(ref.StatusCode(), ref.JSON201.Status, referenceFormat.MatchString(ref.JSON201.Reference))
	fmt.Println(ref.HTTPResponse.Header.Get("Location") == "/v1/referrals/"+ref.JSON201.ID.String())
	fmt.Println("eligible:", ref.JSON201.Eligibility.Eligible)
	// Output:
	// 201 received true
	// true
	// eligible: true
}

// List referrals a page at a time: pass each page's next_cursor back as cursor until a page has
// none.
func Example_listReferrals() {
	baseURL, apiKey, stop := demoServer()
	defer stop()
	ctx := context.Background()
	c := newClient(baseURL, apiKey)

	params := &client.ListReferralsParams{Limit: ptr(client.Limit(20))}
	pages, referrals := 0, 0
	for {
		page, err := c.ListReferralsWithResponse(ctx, params)
		if err != nil || page.JSON200 == nil {
			fmt.Println("list referrals:", err, page.StatusCode())
			return
		}
		pages++
		referrals += len(page.JSON200.Items)
		if page.JSON200.NextCursor == nil {
			break
		}
		params.Cursor = page.JSON200.NextCursor
	}
	fmt.Printf("%d referrals in %d pages\n", referrals, pages)
	// Output: 50 referrals in 3 pages
}

// Every refusal is an RFC 9457 problem (application/problem+json). For a 400 the client decodes
// it into ApplicationProblemJSON400, whose errors name each bad field by a JSON pointer.
func Example_problem() {
	baseURL, apiKey, stop := demoServer()
	defer stop()
	ctx := context.Background()
	c := newClient(baseURL, apiKey)

	res, err := c.CreateYoungPersonWithResponse(ctx, nil, client.YoungPersonInput{
		GivenName: "Maya", FamilyName: "Example", DateOfBirth: openapi_types.Date{Time: time.Now().AddDate(-8, 0, 0)},
		NHSNumber: ptr("9434765918"), // a wrong check digit
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	switch {
	case res.JSON201 != nil:
		fmt.Println("created", res.JSON201.ID)
	case res.ApplicationProblemJSON400 != nil:
		p := res.ApplicationProblemJSON400
		fmt.Println(res.StatusCode(), res.HTTPResponse.Header.Get("Content-Type"))
		fmt.Println(p.Title)
		for _, fe := range *p.Errors {
			fmt.Println(fe.Pointer)
		}
	default: // another status: the body is still a problem, in the matching field or in Body
		fmt.Println(res.StatusCode(), string(res.Body))
	}
	// Output:
	// 400 application/problem+json
	// Invalid request
	// /nhs_number
}

var referenceFormat = regexp.MustCompile(`^REF-\d{4}-\d{6}$`)

func ptr[T any](v T) *T { return &v }
