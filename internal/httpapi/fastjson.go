package httpapi

import (
	"bytes"
	"net/http"

	"github.com/segmentio/encoding/json"
)

// fastJSON answers 200 with a JSON body as the generated response types do (same bytes: a drop-in
// encoder with the same defaults), but several times faster: encoding lists of records was the
// largest share of the server's time on the busiest lists.
type fastJSON struct {
	body any
	etag *string
}

func (f fastJSON) write(w http.ResponseWriter) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(f.body); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if f.etag != nil {
		w.Header().Set("ETag", *f.etag)
	}
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}

// The operations answered through fastJSON.

func (f fastJSON) VisitGetReferralResponse(w http.ResponseWriter) error     { return f.write(w) }
func (f fastJSON) VisitListYoungPeopleResponse(w http.ResponseWriter) error { return f.write(w) }
func (f fastJSON) VisitGetYoungPersonResponse(w http.ResponseWriter) error  { return f.write(w) }
