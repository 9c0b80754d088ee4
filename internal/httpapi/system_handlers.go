package httpapi

import (
	"bytes"
	"context"

	"github.com/oneplan-send/oneplan/api"
)

func (h *systemHandlers) Healthz(context.Context, api.HealthzRequestObject) (api.HealthzResponseObject, error) {
	return api.Healthz200JSONResponse{Status: api.Ok}, nil
}

func (h *systemHandlers) Readyz(ctx context.Context, _ api.ReadyzRequestObject) (api.ReadyzResponseObject, error) {
	db := h.app.Dialect()
	if err := h.app.Ready(ctx); err != nil {
		return nil, err
	}
	return api.Readyz200JSONResponse{Status: api.Ok, Database: &db}, nil
}

func (h *systemHandlers) OpenapiSpec(context.Context, api.OpenapiSpecRequestObject) (api.OpenapiSpecResponseObject, error) {
	return api.OpenapiSpec200ApplicationYamlResponse{Body: bytes.NewReader(h.s.raw), ContentLength: int64(len(h.s.raw))}, nil
}
