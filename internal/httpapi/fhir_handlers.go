package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/fhir"
	"github.com/oneplan-send/oneplan/internal/paging"
	"github.com/oneplan-send/oneplan/internal/person"
	"github.com/oneplan-send/oneplan/internal/referral"
	"github.com/oneplan-send/oneplan/internal/statutory"
)

// The FHIR R4 facade (/fhir/R4): its contract is the CapabilityStatement at /fhir/R4/metadata,
// built from the same table as the routes, so the two cannot disagree. It answers from the same
// services as /v1, so need-to-know and audit are the same; errors are OperationOutcomes.
const fhirBase = "/fhir/R4"

// fhirResource is one resource type the facade serves: its read, and its search with the
// parameters it understands (any other parameter is refused, never silently ignored).
type fhirResource struct {
	kind   fm.ResourceType
	doc    string
	read   func(s *Server, c echo.Context, id string) (any, error)
	search func(s *Server, c echo.Context, q url.Values, pg paging.Page) (items []any, ids []string, next string, err error)
	params []fhirParam
	// create, when set, accepts POST of this resource type.
	create func(s *Server, c echo.Context) error
}

type fhirParam struct {
	name string
	typ  fm.SearchParamType
	doc  string
}

// fhirCommon are the search parameters every search takes.
var fhirCommon = []string{"_count", "_cursor", "_format"}

func fhirResources() []fhirResource {
	return []fhirResource{
		{kind: fm.ResourceTypePatient, doc: "A young person on OnePlan. Read needs people:read and need-to-know.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				yp, err := s.app.People.YoungPerson(c.Request().Context(), id)
				return fhir.Patient(yp), err
			},
			search: searchPatients,
			params: []fhirParam{
				{"identifier", fm.SearchParamTypeToken, "NHS number: " + fhir.NHSNumberSystem + "|9434765919"},
				{"name", fm.SearchParamTypeString, "part of the given, family or preferred name"},
				{"birthdate", fm.SearchParamTypeDate, "the date of birth, YYYY-MM-DD (eq only)"},
			}},
		{kind: fm.ResourceTypeOrganization, doc: "An organisation in the directory.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				o, err := s.app.Organisations.Organisation(c.Request().Context(), id)
				return fhir.Organisation(o), err
			}},
		{kind: fm.ResourceTypePractitioner, doc: "A practitioner in the directory.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				p, err := s.app.Organisations.Practitioner(c.Request().Context(), id)
				return fhir.Practitioner(p), err
			}},
		{kind: fm.ResourceTypePractitionerRole, doc: "A practitioner's role and organisation (same id as the Practitioner).",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				p, err := s.app.Organisations.Practitioner(c.Request().Context(), id)
				return fhir.PractitionerRole(p), err
			}},
		{kind: fm.ResourceTypeServiceRequest, doc: "A referral into the SEND pathway.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				r, err := s.app.Referrals.Referral(c.Request().Context(), id)
				return fhir.ServiceRequest(r), err
			},
			search: searchServiceRequests,
			create: (*Server).fhirCreateReferral,
			params: []fhirParam{
				{"patient", fm.SearchParamTypeReference, "Patient/<id>, or the id alone"},
				{"status", fm.SearchParamTypeToken, "active, completed or revoked"},
				{"authored", fm.SearchParamTypeDate, "the day received: YYYY-MM-DD with eq (default), ge, gt, le or lt; give it twice for a range"},
			}},
		{kind: fm.ResourceTypeCarePlan, doc: "An EHC plan: status, period, outcomes (section E) as contained goals, health provision (section G) as activities; the other sections are at /v1/ehc-plans/{id}.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				pl, err := s.app.Plans.EHCPlan(c.Request().Context(), id)
				if err != nil {
					return nil, err
				}
				return fhir.CarePlan(pl, s.today())
			},
			search: searchCarePlans,
			params: []fhirParam{{"patient", fm.SearchParamTypeReference, "Patient/<id>, or the id alone"}}},
		{kind: fm.ResourceTypeQuestionnaire, doc: "A survey template's current question set (likert_5 as a choice of 1-5, yes_no as boolean).",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				t, err := s.app.Surveys.SurveyTemplate(c.Request().Context(), id)
				if err != nil {
					return nil, err
				}
				return fhir.Questionnaire(requestBase(c)+fhirBase, t, t.Versions[len(t.Versions)-1])
			}},
		{kind: fm.ResourceTypeQuestionnaireResponse, doc: "A survey response. Create: a respondent answers an invitation, its token in identifier (no other credentials), once.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				r, err := s.app.Surveys.SurveyResponse(c.Request().Context(), id)
				return fhir.QuestionnaireResponse(requestBase(c)+fhirBase, r), err
			},
			create: (*Server).fhirAnswerInvitation},
		{kind: fm.ResourceTypeTask, doc: "Where a referral is on the pathway (same id as its ServiceRequest): businessStatus is OnePlan's status.",
			read: func(s *Server, c echo.Context, id string) (any, error) {
				r, err := s.app.Referrals.Referral(c.Request().Context(), id)
				return fhir.Task(r), err
			}},
	}
}

// fhirRoutes registers the facade.
func (s *Server) fhirRoutes(e *echo.Echo) {
	g := e.Group(fhirBase)
	g.GET("/metadata", func(c echo.Context) error { return fhirJSON(c, http.StatusOK, capabilityStatement(c)) })
	for _, r := range fhirResources() {
		g.GET("/"+r.kind.Code()+"/:id", func(c echo.Context) error {
			if err := fhirOnly(c.QueryParams(), nil); err != nil {
				return err
			}
			// Every resource's id here is a UUID as the API writes it (lower case; FHIR ids are
			// case-sensitive): anything else names nothing, and a byte the database cannot take
			// must not reach it as a 500.
			if !canonicalUUID(c.Param("id")) {
				return &fault.Error{Kind: fault.NotFound, Detail: "No " + r.kind.Code() + " has this id."}
			}
			res, err := r.read(s, c, c.Param("id"))
			if err != nil {
				return err
			}
			return fhirJSON(c, http.StatusOK, res)
		})
		if r.search != nil {
			g.GET("/"+r.kind.Code(), func(c echo.Context) error { return s.fhirSearch(c, r) })
		}
		if r.create != nil {
			g.POST("/"+r.kind.Code(), func(c echo.Context) error { return r.create(s, c) })
		}
		if r.kind == fm.ResourceTypeQuestionnaireResponse {
			// The invitation's token is the credential, as for /v1/survey-links/{token}.
			s.public[http.MethodPost+" "+fhirBase+"/"+r.kind.Code()] = true
		}
	}
	// Anything else under the base is a resource or interaction the facade does not offer.
	g.Any("/*", func(c echo.Context) error {
		return &fault.Error{Kind: fault.NotFound, Detail: "This FHIR interaction is not supported here; GET " + fhirBase + "/metadata lists what is."}
	})
}

func (s *Server) fhirSearch(c echo.Context, r fhirResource) error {
	q := c.QueryParams()
	if err := fhirOnly(q, r.params); err != nil {
		return err
	}
	pg := paging.Page{Cursor: q.Get("_cursor")}
	if v := q.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fault.Field(fault.Invalid, "_count", "must be a whole number from 1 to "+strconv.Itoa(paging.Max))
		}
		pg.Limit = min(n, paging.Max)
	}
	items, ids, next, err := r.search(s, c, q, pg)
	if err != nil {
		return err
	}
	base := requestBase(c) + fhirBase
	self := base + "/" + r.kind.Code() + "?" + q.Encode()
	nextURL := ""
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("_cursor", next)
		nq.Set("_count", strconv.Itoa(pg.Size()))
		nextURL = base + "/" + r.kind.Code() + "?" + nq.Encode()
	}
	i := 0
	b, err := fhir.Searchset(s.app.Clock.Now(), base, r.kind.Code(), self, nextURL, items, func(any) string { i++; return ids[i-1] })
	if err != nil {
		return err
	}
	return fhirJSON(c, http.StatusOK, b)
}

// patientOf is the young person a search's patient parameter names ("Patient/<id>" or the id
// alone; "" when not given). ok is false when it names no UUID as ids are written (see the read): no record is that child's, and
// PostgreSQL would refuse the comparison (a 500) rather than find nothing.
func patientOf(q url.Values) (id string, ok bool) {
	v := q.Get("patient")
	if v == "" {
		return "", true
	}
	id = strings.TrimPrefix(v, "Patient/")
	return id, canonicalUUID(id)
}

// fhirOnly refuses a search parameter the resource does not support: a FHIR client that meant to
// narrow a search must not get everything back instead.
func fhirOnly(q url.Values, params []fhirParam) error {
	var fields []fault.FieldError
	for k := range q {
		known := false
		for _, c := range fhirCommon {
			known = known || k == c
		}
		for _, p := range params {
			known = known || k == p.name
		}
		if !known {
			fields = append(fields, fault.FieldError{Pointer: k, Detail: "this search parameter is not supported (see the CapabilityStatement)"})
			continue
		}
		// As the JSON API refuses them (strictInput): such a value matches nothing the service
		// stores, and an empty searchset would say there is nothing to find.
		for _, v := range q[k] {
			if why := textFault(v, "%00"); why != "" {
				fields = append(fields, fault.FieldError{Pointer: k, Detail: why})
				break
			}
		}
	}
	if f := q.Get("_format"); f != "" && f != "json" && f != fhir.MediaType && f != "application/json" {
		fields = append(fields, fault.FieldError{Pointer: "_format", Detail: "only JSON is served"})
	}
	if len(fields) > 0 {
		return &fault.Error{Kind: fault.Invalid, Detail: "The search has parameters this server does not support, or values it cannot read.", Fields: fields}
	}
	return nil
}

func searchPatients(s *Server, c echo.Context, q url.Values, pg paging.Page) ([]any, []string, string, error) {
	f := person.Filter{Query: q.Get("name")}
	if v := q.Get("identifier"); v != "" {
		system, value, ok := strings.Cut(v, "|")
		if !ok || system != fhir.NHSNumberSystem || value == "" {
			return nil, nil, "", fault.Field(fault.Invalid, "identifier", "search by NHS number as "+fhir.NHSNumberSystem+"|<10 digits>")
		}
		f.NHSNumber = value
	}
	if v := q.Get("birthdate"); v != "" {
		d, err := statutory.ParseDate(strings.TrimPrefix(v, "eq"))
		if err != nil {
			return nil, nil, "", fault.Field(fault.Invalid, "birthdate", "must be a date YYYY-MM-DD from 1900-01-01, optionally prefixed eq")
		}
		f.DateOfBirth = &d
	}
	people, next, err := s.app.People.YoungPeople(c.Request().Context(), f, pg)
	items, ids := make([]any, len(people)), make([]string, len(people))
	for i, yp := range people {
		items[i], ids[i] = fhir.Patient(yp), yp.ID
	}
	return items, ids, next, err
}

func searchServiceRequests(s *Server, c echo.Context, q url.Values, pg paging.Page) ([]any, []string, string, error) {
	patient, ok := patientOf(q)
	if !ok {
		return nil, nil, "", nil
	}
	f := referral.Filter{YoungPersonID: patient}
	if v := q.Get("status"); v != "" {
		st, ok := fhir.RequestStatuses(v)
		if !ok {
			return nil, nil, "", fault.Field(fault.Invalid, "status", "must be active, completed or revoked")
		}
		f.AnyStatus = st
	}
	for _, v := range q["authored"] {
		if err := authored(&f, v); err != nil {
			return nil, nil, "", err
		}
	}
	rs, next, err := s.app.Referrals.Referrals(c.Request().Context(), f, pg)
	items, ids := make([]any, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		items[i], ids[i] = fhir.ServiceRequest(r), r.ID
	}
	return items, ids, next, err
}

// fhirReferralPaths names, as FHIRPaths, the referral fields the service may refuse.
var fhirReferralPaths = map[string]string{
	"/young_person_id": "ServiceRequest.subject", "/referrer_practitioner_id": "ServiceRequest.requester",
	"/reasons": "ServiceRequest.reasonCode", "/main_reason": "ServiceRequest.reasonCode", "/summary": "ServiceRequest.note",
}

// fhirCreateReferral turns a health system's ServiceRequest into a OnePlan referral: the same
// service, permission and rules as POST /v1/referrals; a safeguarding flag takes it down the
// safeguarding route as it would there.
func (s *Server) fhirCreateReferral(c echo.Context) error {
	var cond *externalid.ID
	if h := c.Request().Header.Get("If-None-Exist"); h != "" {
		text, ok := strings.CutPrefix(h, "identifier=")
		if !ok {
			return fault.Field(fault.Invalid, "If-None-Exist", "search by the sender's identifier: identifier=<system>|<value>")
		}
		id, err := s.app.People.ParseExternalID("If-None-Exist", text)
		if err != nil {
			return err
		}
		cond = &id
	}
	body, err := fhirBody(c, "ServiceRequest")
	if err != nil {
		return err
	}
	sr, err := fm.UnmarshalServiceRequest(body)
	if err != nil {
		return fault.Field(fault.Invalid, "ServiceRequest", "not a FHIR R4 ServiceRequest: "+jsonProblem(err))
	}
	in, errs := fhir.FromServiceRequest(sr)
	if len(errs) > 0 {
		return &fault.Error{Kind: fault.Invalid, Detail: "The ServiceRequest cannot be taken as a referral; see each issue.", Fields: errs}
	}
	ctx := c.Request().Context()
	if in.NHSNo != "" {
		people, _, err := s.app.People.YoungPeople(ctx, person.Filter{NHSNumber: in.NHSNo}, paging.Page{Limit: 2})
		if err != nil {
			return err
		}
		if len(people) != 1 {
			return fault.Field(fault.Unprocessable, "ServiceRequest.subject", "no child with this NHS number is known to you; create the Patient's record through /v1/young-people first")
		}
		in.PatientID = people[0].ID
	}
	in.Referral.YoungPersonID = in.PatientID
	r, created, err := in.Referral, true, error(nil)
	if cond != nil {
		r, created, err = s.app.Referrals.CreateReferralIfNoneExist(ctx, in.Referral, *cond)
	} else {
		r, err = s.app.Referrals.CreateReferral(ctx, in.Referral)
	}
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			for i, f := range fe.Fields {
				if p, ok := fhirReferralPaths[f.Pointer]; ok {
					fe.Fields[i].Pointer = p
				}
			}
		}
		return err
	}
	c.Response().Header().Set("Location", requestBase(c)+fhirBase+"/ServiceRequest/"+r.ID)
	c.Response().Header().Set("ETag", etagOf(r.Version))
	if !created {
		// A resend: the referral it made the first time, nothing new.
		return fhirJSON(c, http.StatusOK, fhir.ServiceRequest(r))
	}
	return fhirJSON(c, http.StatusCreated, fhir.ServiceRequest(r))
}

// fhirBody reads a FHIR resource of the given type from the request: JSON in UTF-8 with no
// repeated member, and the right resourceType.
func fhirBody(c echo.Context, resourceType string) ([]byte, error) {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != fhir.MediaType && mt != "application/json" {
		return nil, &fault.Error{Kind: fault.UnsupportedMedia, Detail: "Send the " + resourceType + " as application/fhir+json."}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, err
	}
	if err := strictJSON(body); err != nil {
		return nil, err
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	_ = json.Unmarshal(body, &head)
	if head.ResourceType != resourceType {
		return nil, fault.Field(fault.Invalid, "resourceType", "must be "+resourceType)
	}
	return body, nil
}

var answerPointer = regexp.MustCompile(`^/answers/(\d+)(/value)?$`)

// fhirAnswerInvitation records a respondent's answers to a survey invitation through FHIR.
func (s *Server) fhirAnswerInvitation(c echo.Context) error {
	body, err := fhirBody(c, "QuestionnaireResponse")
	if err != nil {
		return err
	}
	qr, err := fm.UnmarshalQuestionnaireResponse(body)
	if err != nil {
		return fault.Field(fault.Invalid, "QuestionnaireResponse", "not a FHIR R4 QuestionnaireResponse: "+jsonProblem(err))
	}
	token, answers, errs := fhir.FromQuestionnaireResponse(qr)
	if len(errs) > 0 {
		return &fault.Error{Kind: fault.Invalid, Detail: "The QuestionnaireResponse cannot be taken; see each issue.", Fields: errs}
	}
	r, err := s.app.Surveys.AnswerSurveyLink(c.Request().Context(), token, answers)
	if err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			for i, f := range fe.Fields {
				if m := answerPointer.FindStringSubmatch(f.Pointer); m != nil {
					fe.Fields[i].Pointer = "QuestionnaireResponse.item[" + m[1] + "]"
				}
			}
		}
		return err
	}
	c.Response().Header().Set("Location", requestBase(c)+fhirBase+"/QuestionnaireResponse/"+r.ID)
	return fhirJSON(c, http.StatusCreated, fhir.QuestionnaireResponse(requestBase(c)+fhirBase, r))
}

// jsonProblem says what a decoding error found, without echoing the body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "the member " + te.Field + " has the wrong type"
	}
	return "it is not well-formed"
}

func searchCarePlans(s *Server, c echo.Context, q url.Values, pg paging.Page) ([]any, []string, string, error) {
	patient, ok := patientOf(q)
	if !ok {
		return nil, nil, "", nil
	}
	f := ehcplan.Filter{YoungPersonID: patient, Today: s.today()}
	plans, next, err := s.app.Plans.EHCPlans(c.Request().Context(), f, pg)
	if err != nil {
		return nil, nil, "", err
	}
	items, ids := make([]any, len(plans)), make([]string, len(plans))
	for i, pl := range plans {
		cp, err := fhir.CarePlan(pl, f.Today)
		if err != nil {
			return nil, nil, "", err
		}
		items[i], ids[i] = cp, pl.ID
	}
	return items, ids, next, nil
}

// authored narrows f by a FHIR date search on the day received: eq (or no prefix) a day, ge/gt
// from, le/lt to.
func authored(f *referral.Filter, v string) error {
	prefix, day := "eq", v
	if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, day = v[:2], v[2:]
	}
	d, err := statutory.ParseDate(day)
	if err != nil {
		return fault.Field(fault.Invalid, "authored", "must be a date YYYY-MM-DD from 1900-01-01, optionally prefixed eq, ge, gt, le or lt")
	}
	switch prefix {
	case "eq":
		f.ReceivedFrom, f.ReceivedTo = &d, &d
	case "ge":
		f.ReceivedFrom = &d
	case "gt":
		next := d.AddDate(0, 0, 1)
		f.ReceivedFrom = &next
	case "le":
		f.ReceivedTo = &d
	case "lt":
		prev := d.AddDate(0, 0, -1)
		f.ReceivedTo = &prev
	default:
		return fault.Field(fault.Invalid, "authored", "the prefix must be eq, ge, gt, le or lt")
	}
	return nil
}

// capabilityStatement describes exactly what fhirRoutes serves.
func capabilityStatement(c echo.Context) fm.CapabilityStatement {
	cs := fm.CapabilityStatement{Status: fm.PublicationStatusActive, Date: "2026-12-03", Kind: fm.CapabilityStatementKindInstance,
		FhirVersion: fm.FHIRVersion4_0_1, Format: []string{"json"},
		Publisher:      ptrTo("OnePlan"),
		Implementation: &fm.CapabilityStatementImplementation{Description: "OnePlan SEND pathway FHIR R4 facade", Url: ptrTo(requestBase(c) + fhirBase)},
		Software:       &fm.CapabilityStatementSoftware{Name: "OnePlan"},
	}
	rest := fm.CapabilityStatementRest{Mode: fm.RestfulCapabilityModeServer,
		Documentation: ptrTo("Same credentials as /v1 (Authorization: Bearer); need-to-know by organisation and role; every read of a person's record is audited."),
		Security:      &fm.CapabilityStatementRestSecurity{Description: ptrTo("Bearer API keys or the council's OIDC tokens, as for /v1.")}}
	for _, r := range fhirResources() {
		res := fm.CapabilityStatementRestResource{Type: r.kind, Documentation: ptrTo(r.doc),
			Interaction: []fm.CapabilityStatementRestResourceInteraction{{Code: fm.TypeRestfulInteractionRead}}}
		if r.create != nil {
			res.Interaction = append(res.Interaction, fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionCreate})
		}
		if r.kind == fm.ResourceTypeServiceRequest {
			res.ConditionalCreate = ptrTo(true) // If-None-Exist: identifier=<system>|<value>
		}
		if r.search != nil {
			res.Interaction = append(res.Interaction, fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionSearchType})
			for _, p := range r.params {
				res.SearchParam = append(res.SearchParam, fm.CapabilityStatementRestResourceSearchParam{Name: p.name, Type: p.typ, Documentation: ptrTo(p.doc)})
			}
		}
		rest.Resource = append(rest.Resource, res)
	}
	cs.Rest = []fm.CapabilityStatementRest{rest}
	return cs
}

func ptrTo[T any](v T) *T { return &v }

// requestBase is the scheme and host the caller used.
func requestBase(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

func fhirJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode FHIR resource: %w", err)
	}
	return c.Blob(status, fhir.MediaType+"; charset=utf-8", body)
}

// fhirIssueTypes maps an HTTP status to the OperationOutcome issue type.
var fhirIssueTypes = map[int]fm.IssueType{
	http.StatusBadRequest: fm.IssueTypeInvalid, http.StatusUnauthorized: fm.IssueTypeLogin,
	http.StatusForbidden: fm.IssueTypeForbidden, http.StatusNotFound: fm.IssueTypeNotFound,
	http.StatusConflict: fm.IssueTypeConflict, http.StatusPreconditionFailed: fm.IssueTypeConflict,
	http.StatusUnprocessableEntity: fm.IssueTypeBusinessRule, http.StatusTooManyRequests: fm.IssueTypeThrottled,
	http.StatusServiceUnavailable: fm.IssueTypeTransient, http.StatusGone: fm.IssueTypeExpired, http.StatusMethodNotAllowed: fm.IssueTypeNotSupported,
}

// writeOperationOutcome answers a problem under /fhir as an OperationOutcome with the same status.
func writeOperationOutcome(c echo.Context, status int, detail string, fields []fault.FieldError) {
	code, ok := fhirIssueTypes[status]
	if !ok {
		code = fm.IssueTypeException
	}
	var issues []fhir.Issue
	for _, f := range fields {
		issues = append(issues, fhir.Issue{Code: code, Diagnostic: f.Detail, Expression: f.Pointer})
	}
	if len(issues) == 0 {
		issues = []fhir.Issue{{Code: code, Diagnostic: detail}}
	}
	body, _ := json.Marshal(fhir.OperationOutcome(issues...))
	c.Response().Header().Set(echo.HeaderContentType, fhir.MediaType+"; charset=utf-8")
	c.Response().WriteHeader(status)
	_, _ = c.Response().Write(body)
}

func isFHIR(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, fhirBase+"/") }

// fhirFields returns the fields a fault names, for the OperationOutcome's expressions.
func fhirFields(err error) []fault.FieldError {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Fields
	}
	return nil
}
