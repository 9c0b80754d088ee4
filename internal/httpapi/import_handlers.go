package httpapi

import (
	"context"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/casework/importjobs"
	"github.com/oneplan-send/oneplan/internal/imports"
)

// Converters and handlers for import jobs (POST /v1/imports, issue 18).

type importHandlers struct {
	s   *Server
	svc *importjobs.Service
}

func toImportJob(j imports.Job, retention time.Duration) api.ImportJob {
	path := "/v1/imports/" + j.ID
	out := api.ImportJob{ID: mustUUID(j.ID), Kind: j.Kind, Status: api.ImportJobStatus(j.Status), DryRun: j.DryRun, ContinueOnError: j.ContinueOnError,
		FileSizeBytes: int(j.FileSize), Counts: api.ImportCounts{RowsRead: j.Counts.Rows, Created: j.Counts.Created, Unchanged: j.Counts.Unchanged,
			Rejected: j.Counts.Rejected}, ErrorCount: j.ErrorCount, ErrorsPath: path + "/errors", Attempts: j.Attempts,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Version: j.Version}
	if j.RejectsKey != "" {
		out.RejectsPath = ptr(path + "/rejects")
		out.RejectsExpiresAt = j.RejectsExpireAt(retention)
		out.RejectsDeletedAt = j.FilesDeletedAt
	}
	if j.FileName != "" {
		out.FileName = ptr(j.FileName)
	}
	if j.Failure != "" {
		out.Failure = ptr(j.Failure)
	}
	return out
}

func (h *importHandlers) SubmitImport(ctx context.Context, req api.SubmitImportRequestObject) (api.SubmitImportResponseObject, error) {
	q := req.Params
	j, err := h.svc.Submit(ctx, importjobs.Request{Kind: q.Kind, DryRun: q.DryRun != nil && *q.DryRun,
		ContinueOnError: q.ContinueOnError != nil && *q.ContinueOnError, FileName: str(q.FileName)}, req.Body)
	if err != nil {
		return nil, err
	}
	return api.SubmitImport202JSONResponse{Body: toImportJob(j, h.svc.FilesRetention()), Headers: api.SubmitImport202ResponseHeaders{Location: location("/v1/imports", j.ID)}}, nil
}

func (h *importHandlers) ListImports(ctx context.Context, req api.ListImportsRequestObject) (api.ListImportsResponseObject, error) {
	q := req.Params
	items, next, err := h.svc.Jobs(ctx, page(q.Limit, q.Cursor, q.UpdatedSince))
	if err != nil {
		return nil, err
	}
	out := api.ListImports200JSONResponse{Items: make([]api.ImportJob, len(items)), NextCursor: nextCursor(next)}
	for i, j := range items {
		out.Items[i] = toImportJob(j, h.svc.FilesRetention())
	}
	return out, nil
}

func (h *importHandlers) GetImport(ctx context.Context, req api.GetImportRequestObject) (api.GetImportResponseObject, error) {
	j, err := h.svc.Job(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetImport200JSONResponse(toImportJob(j, h.svc.FilesRetention())), nil
}

func (h *importHandlers) ListImportErrors(ctx context.Context, req api.ListImportErrorsRequestObject) (api.ListImportErrorsResponseObject, error) {
	q := req.Params
	limit, cursor := 50, ""
	if q.Limit != nil {
		limit = *q.Limit
	}
	if q.Cursor != nil {
		cursor = *q.Cursor
	}
	items, next, err := h.svc.Errors(ctx, req.ID.String(), cursor, limit)
	if err != nil {
		return nil, err
	}
	out := api.ListImportErrors200JSONResponse{Items: make([]api.ImportRowError, len(items)), NextCursor: nextCursor(next)}
	for i, e := range items {
		out.Items[i] = api.ImportRowError{Row: e.Row, Message: e.Message}
		if e.Column != "" {
			out.Items[i].Column = ptr(e.Column)
		}
		if e.Redacted {
			out.Items[i].Redacted = ptr(true)
		}
	}
	return out, nil
}

func (h *importHandlers) GetImportRejects(ctx context.Context, req api.GetImportRejectsRequestObject) (api.GetImportRejectsResponseObject, error) {
	r, err := h.svc.Rejects(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.GetImportRejects200TextCsvResponse{Body: r}, nil
}

func (h *importHandlers) CancelImport(ctx context.Context, req api.CancelImportRequestObject) (api.CancelImportResponseObject, error) {
	j, err := h.svc.Cancel(ctx, req.ID.String())
	if err != nil {
		return nil, err
	}
	return api.CancelImport200JSONResponse(toImportJob(j, h.svc.FilesRetention())), nil
}
