package service

import (
	"context"
	"errors"
	"strings"

	"worktalk.dev/worktalk/protocol"
)

// Audited admin actions (AuditRow.Action).
const (
	AuditWorkspaceCreate = "workspace.create"
	AuditWorkspaceUpdate = "workspace.update"
	AuditMemberCreate    = "member.create"
	AuditMemberImport    = "member.import"
	AuditMemberUpdate    = "member.update"
	AuditMemberDisable   = "member.disable"
	AuditMemberEnable    = "member.enable"
)

type actorKey struct{}

// WithActor names who makes the admin changes done with ctx, for the audit
// log: e.g. the account and host an admin command runs as. Without one
// they are logged as "unknown".
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

func actorOf(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && strings.TrimSpace(a) != "" {
		return a
	}
	return "unknown"
}

// audit records an admin change in the transaction that makes it.
func (w *wtx) audit(ctx context.Context, action, workspaceID, target, detail string) error {
	return w.InsertAudit(ctx, AuditRow{At: w.now, Actor: actorOf(ctx), Action: action, WorkspaceID: workspaceID, Target: target, Detail: detail})
}

// MaxAuditPage is the most entries one AuditLog call returns.
const MaxAuditPage = 1000

// AuditLog returns the admin changes of a workspace ("": of all), newest
// first, those with seq < before (0: from the newest), at most limit
// (capped at MaxAuditPage). Errors: ENotFound for an unknown workspace.
func (s *Service) AuditLog(ctx context.Context, workspaceID string, before int64, limit int) ([]AuditRow, error) {
	if limit <= 0 || limit > MaxAuditPage {
		limit = MaxAuditPage
	}
	var rows []AuditRow
	err := s.read(ctx, func(tx Tx) error {
		if workspaceID != "" {
			if _, err := tx.Workspace(ctx, workspaceID); errors.Is(err, ErrNoRow) {
				return protocol.Errorf(protocol.ENotFound, "no such workspace").Because(protocol.RNoWorkspace)
			} else if err != nil {
				return err
			}
		}
		var err error
		rows, err = tx.AuditLog(ctx, workspaceID, before, limit)
		return err
	})
	return rows, s.clientError("audit log", err)
}
