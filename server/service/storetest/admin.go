package storetest

import (
	"context"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// testOffboarding covers what disabling a member takes: the mark, every
// session and every link revoked at once, and a new password.
func testOffboarding(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	write(t, s, func(tx service.Tx) error {
		for i, id := range []string{"s-1", "s-2", "s-3"} {
			if err := tx.InsertSession(ctx, service.SessionRow{ID: id, TokenHash: "th-" + id, MemberID: f.alice, CreatedAt: at(i)}); err != nil {
				return err
			}
		}
		if err := tx.InsertSession(ctx, service.SessionRow{ID: "s-bob", TokenHash: "th-s-bob", MemberID: f.bob, CreatedAt: at(0)}); err != nil {
			return err
		}
		if err := tx.RevokeSession(ctx, "s-3", at(5)); err != nil {
			return err
		}
		for _, l := range []service.LinkRow{
			{ID: "l-1", TokenHash: "lh-1", MemberID: f.alice, Kind: protocol.LinkOnce, ExpiresAt: at(3600), CreatedAt: at(0)},
			{ID: "l-2", TokenHash: "lh-2", MemberID: f.alice, Kind: protocol.LinkQR, Sealed: []byte("x"), CreatedAt: at(1)},
			{ID: "l-3", TokenHash: "lh-3", MemberID: f.bob, Kind: protocol.LinkQR, Sealed: []byte("y"), CreatedAt: at(1)},
		} {
			if err := tx.InsertLink(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	var revoked []string
	write(t, s, func(tx service.Tx) error {
		var err error
		if revoked, err = tx.RevokeMemberSessions(ctx, f.alice, at(10)); err != nil {
			return err
		}
		if err := tx.RevokeMemberLinks(ctx, f.alice, at(10)); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, f.bob, "new-hash"); err != nil {
			return err
		}
		return tx.SetMemberDisabled(ctx, f.alice, at(10))
	})
	slices.Sort(revoked)
	if !slices.Equal(revoked, []string{"s-1", "s-2"}) {
		t.Errorf("RevokeMemberSessions = %v, want the active s-1 and s-2", revoked)
	}
	read(t, s, func(tx service.Tx) error {
		for _, c := range []struct {
			hash    string
			revoked bool
		}{{"th-s-1", true}, {"th-s-2", true}, {"th-s-bob", false}} {
			got, err := tx.SessionByTokenHash(ctx, c.hash)
			if err != nil || got.RevokedAt.IsZero() == c.revoked {
				t.Errorf("session %s = %+v, %v; want revoked %v", c.hash, got, err, c.revoked)
			}
		}
		if got, err := tx.SessionByTokenHash(ctx, "th-s-3"); err != nil || !got.RevokedAt.Equal(at(5)) {
			t.Errorf("session revoked before = %+v, %v; want its first revocation kept", got, err)
		}
		for _, c := range []struct {
			hash    string
			revoked bool
		}{{"lh-1", true}, {"lh-2", true}, {"lh-3", false}} {
			got, err := tx.LinkByTokenHash(ctx, c.hash)
			if err != nil || got.RevokedAt.IsZero() == c.revoked || (c.revoked && got.Sealed != nil) {
				t.Errorf("link %s = %+v, %v; want revoked %v (and its sealed token gone)", c.hash, got, err, c.revoked)
			}
		}
		if _, err := tx.ActiveQRLink(ctx, f.alice); err == nil {
			t.Errorf("ActiveQRLink after revoking every link = found, want ErrNoRow")
		}
		a, err := tx.Member(ctx, f.alice)
		if err != nil || !a.DisabledAt.Equal(at(10)) {
			t.Errorf("disabled member = %v, %v; want DisabledAt %v", a.DisabledAt, err, at(10))
		}
		b, err := tx.Member(ctx, f.bob)
		if err != nil || b.PasswordHash != "new-hash" || !b.DisabledAt.IsZero() {
			t.Errorf("bob = %+v, %v; want the new hash and still active", b, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.SetMemberDisabled(ctx, f.alice, time0) })
	read(t, s, func(tx service.Tx) error {
		ms, err := tx.WorkspaceMembers(ctx, f.wsA)
		for _, m := range ms {
			if !m.DisabledAt.IsZero() {
				t.Errorf("member %s still disabled after enabling: %v", m.ID, m.DisabledAt)
			}
		}
		return err
	})
	err := s.Write(ctx, func(tx service.Tx) error { return tx.SetMemberDisabled(ctx, "m-missing", at(1)) })
	wantNoRow(t, "SetMemberDisabled(missing)", err)
}

func testActivations(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	a := service.ActivationRow{TokenHash: "ah-1", MemberID: f.alice, CreatedAt: at(0), ExpiresAt: at(7 * 86400)}
	write(t, s, func(tx service.Tx) error { return tx.InsertActivation(ctx, a) })
	read(t, s, func(tx service.Tx) error {
		got, err := tx.ActivationByTokenHash(ctx, "ah-1")
		if err != nil || got != a {
			t.Errorf("ActivationByTokenHash = %+v, %v; want %+v", got, err, a)
		}
		_, err = tx.ActivationByTokenHash(ctx, "ah-missing")
		wantNoRow(t, "ActivationByTokenHash(missing)", err)
		return nil
	})
	var first, second bool
	write(t, s, func(tx service.Tx) error {
		var err error
		if first, err = tx.UseActivation(ctx, "ah-1", at(5)); err != nil {
			return err
		}
		second, err = tx.UseActivation(ctx, "ah-1", at(6))
		return err
	})
	if !first || second {
		t.Errorf("UseActivation twice = %v, %v; want true, false", first, second)
	}
	read(t, s, func(tx service.Tx) error {
		got, err := tx.ActivationByTokenHash(ctx, "ah-1")
		if err != nil || !got.UsedAt.Equal(at(5)) {
			t.Errorf("used activation = %+v, %v; want used at %v", got, err, at(5))
		}
		return nil
	})
	if err := s.Write(ctx, func(tx service.Tx) error { return tx.InsertActivation(ctx, a) }); err == nil {
		t.Errorf("InsertActivation(same token hash) = nil, want an error")
	}
}

func testAudit(t *testing.T, s service.Store) {
	ctx := context.Background()
	rows := []service.AuditRow{
		{At: at(1), Actor: "kim@host", Action: "member.disable", WorkspaceID: "ws-a", Target: "lee@a.example", Detail: "2 sessions"},
		{At: at(2), Actor: "kim@host", Action: "workspace.update", WorkspaceID: "ws-b", Target: "B"},
		{At: at(3), Actor: "박@host", Action: "member.enable", WorkspaceID: "ws-a", Target: "lee@a.example"},
	}
	write(t, s, func(tx service.Tx) error {
		for _, r := range rows {
			if err := tx.InsertAudit(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		all, err := tx.AuditLog(ctx, "", 0, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("AuditLog(all) = %d rows, %v; want 3", len(all), err)
		}
		for i, got := range all {
			want := rows[2-i]
			want.Seq = got.Seq
			if got != want || (i > 0 && got.Seq >= all[i-1].Seq) {
				t.Errorf("AuditLog[%d] = %+v, want %+v, newest first", i, got, want)
			}
		}
		a, err := tx.AuditLog(ctx, "ws-a", 0, 10)
		if err != nil || len(a) != 2 || a[0].Action != "member.enable" || a[1].Action != "member.disable" {
			t.Errorf("AuditLog(ws-a) = %+v, %v; want enable then disable", a, err)
		}
		page, err := tx.AuditLog(ctx, "", all[0].Seq, 1)
		if err != nil || len(page) != 1 || page[0].Seq != all[1].Seq {
			t.Errorf("AuditLog(before %d, 1) = %+v, %v; want the second newest", all[0].Seq, page, err)
		}
		return nil
	})
}
