package httpapi

import (
	"context"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
)

func toAPIKey(k auth.APIKey) api.APIKey {
	return api.APIKey{ID: mustUUID(k.ID), Name: k.Name, OrganisationID: mustUUID(k.OrganisationID), Role: api.Role(k.Role),
		PractitionerID: uuidPtr(k.PractitionerID), Prefix: "op_" + k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

func (h *keyHandlers) ListAPIKeys(ctx context.Context, req api.ListAPIKeysRequestObject) (api.ListAPIKeysResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.APIKeys(ctx, auth.KeyFilter{OrganisationID: uuidStr(q.OrganisationID), Role: string(ptrVal(q.Role)),
		IncludeRevoked: ptrVal(q.IncludeRevoked)}, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListAPIKeys200JSONResponse{Items: make([]api.APIKey, len(items)), NextCursor: nextCursor(next)}
	for i, k := range items {
		out.Items[i] = toAPIKey(k)
	}
	return out, nil
}

func (h *keyHandlers) CreateAPIKey(ctx context.Context, req api.CreateAPIKeyRequestObject) (api.CreateAPIKeyResponseObject, error) {
	b := req.Body
	key, k, err := h.svc.CreateAPIKey(ctx, auth.APIKey{Name: b.Name, OrganisationID: b.OrganisationID.String(), Role: auth.Role(b.Role), PractitionerID: uuidStr(b.PractitionerID)})
	if err != nil {
		return nil, err
	}
	return api.CreateAPIKey201JSONResponse{Body: api.APIKeyIssued{APIKey: toAPIKey(k), Key: key},
		Headers: api.CreateAPIKey201ResponseHeaders{Location: location("/v1/api-keys", k.ID)}}, nil
}

func (h *keyHandlers) GetAPIKey(ctx context.Context, req api.GetAPIKeyRequestObject) (api.GetAPIKeyResponseObject, error) {
	k, err := h.svc.APIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetAPIKey200JSONResponse(toAPIKey(k)), nil
}

func (h *keyHandlers) RevokeAPIKey(ctx context.Context, req api.RevokeAPIKeyRequestObject) (api.RevokeAPIKeyResponseObject, error) {
	k, err := h.svc.RevokeAPIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.RevokeAPIKey200JSONResponse(toAPIKey(k)), nil
}

func (h *keyHandlers) RotateAPIKey(ctx context.Context, req api.RotateAPIKeyRequestObject) (api.RotateAPIKeyResponseObject, error) {
	key, k, err := h.svc.RotateAPIKey(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.RotateAPIKey201JSONResponse{Body: api.APIKeyIssued{APIKey: toAPIKey(k), Key: key},
		Headers: api.RotateAPIKey201ResponseHeaders{Location: location("/v1/api-keys", k.ID)}}, nil
}
