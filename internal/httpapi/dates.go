package httpapi

import (
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

func optDate(t *time.Time) *openapi_types.Date {
	if t == nil {
		return nil
	}
	d := date(*t)
	return &d
}

func fromOptDate(d *openapi_types.Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time
	return &t
}
