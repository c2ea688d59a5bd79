package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"time"

	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/server/service"
)

// actor is who the audit log says ran an admin command: m.Actor, else the
// OS account and host it runs as.
func (m *Main) actor() string {
	if m.Actor != "" {
		return m.Actor
	}
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + host
	}
	return name
}

func (m *Main) auditList(ctx context.Context, workspaceID string, limit int) error {
	if limit <= 0 || limit > service.MaxAuditPage {
		return fmt.Errorf("--limit must be 1 to %d", service.MaxAuditPage)
	}
	rows, err := m.Service.AuditLog(ctx, workspaceID, 0, limit)
	if err != nil {
		return fmt.Errorf("audit list: %w", err)
	}
	var tb cli.Table
	tb.Row("TIME", "ACTOR", "ACTION", "WORKSPACE", "TARGET", "DETAIL")
	for _, r := range rows {
		tb.Row(r.At.Local().Format(time.DateTime), r.Actor, r.Action, r.WorkspaceID, r.Target, r.Detail)
	}
	_, err = tb.WriteTo(m.Stdout)
	return err
}
