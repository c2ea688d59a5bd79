package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"worktalk.dev/worktalk/server/service"
)

// memberSetDeparted runs "member disable" and "member enable".
func (m *Main) memberSetDeparted(ctx context.Context, workspaceID, who string, disable bool) error {
	if workspaceID == "" || who == "" {
		return errors.New("--workspace and --member are required")
	}
	set, cmd, verb, already := m.Service.EnableMember, "member enable", "enabled", "is not disabled"
	if disable {
		set, cmd, verb, already = m.Service.DisableMember, "member disable", "disabled", "is already disabled"
	}
	p, changed, err := set(ctx, workspaceID, who)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if !changed {
		fmt.Fprintf(m.Stdout, "member %s %q %s: nothing changed\n", p.ID, p.Name, already)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s member %s %q\n", verb, p.ID, p.Name)
	return nil
}

// memberStatus is what member list says of a member's state.
func memberStatus(r service.MemberRow) string {
	switch {
	case !r.DisabledAt.IsZero():
		return "disabled " + r.DisabledAt.Local().Format(time.DateOnly)
	case r.PasswordHash == "":
		return "not activated"
	}
	return ""
}
