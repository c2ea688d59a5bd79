package storetest

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func testWorkspaces(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	newSettings := protocol.WorkspaceSettings{ExternalChat: false, PictureEditable: true,
		Fields: []protocol.FieldDef{{Key: "phone", Label: "Phone", Kind: protocol.FieldPhone, Visible: false, MaxLen: 24}}}
	write(t, s, func(tx service.Tx) error {
		return tx.UpdateWorkspaceSettings(ctx, f.wsB, newSettings)
	})
	read(t, s, func(tx service.Tx) error {
		w, err := tx.Workspace(ctx, f.wsB)
		if err != nil {
			t.Fatalf("Workspace(%s) = %v", f.wsB, err)
		}
		want := service.WorkspaceRow{ID: f.wsB, Name: "Workspace " + f.wsB, Settings: newSettings, CreatedAt: at(1)}
		if !reflect.DeepEqual(w, want) {
			t.Errorf("Workspace(%s) = %+v, want %+v", f.wsB, w, want)
		}
		_, err = tx.Workspace(ctx, "ws-missing")
		wantNoRow(t, "Workspace(missing)", err)

		all, err := tx.Workspaces(ctx)
		if err != nil {
			t.Fatalf("Workspaces = %v", err)
		}
		var ids []string
		for _, w := range all {
			ids = append(ids, w.ID)
		}
		if want := []string{f.wsA, f.wsB}; !slices.Equal(ids, want) {
			t.Errorf("Workspaces ids = %v, want %v (created_at order)", ids, want)
		}
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error {
		return tx.UpdateWorkspaceSettings(ctx, "ws-missing", newSettings)
	})
	wantNoRow(t, "UpdateWorkspaceSettings(missing)", err)
	err = s.Write(ctx, func(tx service.Tx) error {
		return tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: f.wsA, Name: "again", CreatedAt: at(9)})
	})
	if err == nil {
		t.Errorf("InsertWorkspace(duplicate id) = nil, want an error")
	}
}

func testMembers(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	read(t, s, func(tx service.Tx) error {
		m, err := tx.Member(ctx, f.alice)
		if err != nil {
			t.Fatalf("Member(alice) = %v", err)
		}
		if want := f.members[f.alice]; !reflect.DeepEqual(m, want) {
			t.Errorf("Member(alice) = %+v, want %+v", m, want)
		}
		// Nil fields come back as an empty map.
		m, err = tx.Member(ctx, f.bob)
		if err != nil {
			t.Fatalf("Member(bob) = %v", err)
		}
		if m.Fields == nil || len(m.Fields) != 0 {
			t.Errorf("Member(bob).Fields = %#v, want an empty map", m.Fields)
		}
		_, err = tx.Member(ctx, "m-missing")
		wantNoRow(t, "Member(missing)", err)

		got, err := tx.Members(ctx, []string{f.carol, "m-missing", f.alice})
		if err != nil {
			t.Fatalf("Members = %v", err)
		}
		if ids := sortedIDs(got); !slices.Equal(ids, []string{f.alice, f.carol}) {
			t.Errorf("Members(carol, missing, alice) ids = %v, want [%s %s] in any order", ids, f.alice, f.carol)
		}
		got, err = tx.Members(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Members(nil) = %v, %v; want none, nil", got, err)
		}
		return nil
	})

	// Many ids at once: stores may chunk the query but must return them all.
	var many []string
	write(t, s, func(tx service.Tx) error {
		for i := range 1200 {
			id := "m-many-" + strconv.Itoa(i)
			many = append(many, id)
			if err := tx.InsertMember(ctx, service.MemberRow{ID: id, WorkspaceID: f.wsA, Email: id + "@a.example", Name: id, Version: 1, CreatedAt: at(10)}); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Members(ctx, many)
		if err != nil {
			t.Fatalf("Members(1200 ids) = %v", err)
		}
		if len(got) != len(many) {
			t.Errorf("Members(1200 ids) returned %d rows, want %d", len(got), len(many))
		}
		return nil
	})

	// Update saves name, fields, picture and version, nothing else.
	upd := f.members[f.alice]
	upd.Name, upd.Fields, upd.PictureID, upd.Version = "Alice Kim", map[string]string{"title": "Lead", "phone": "+82 10"}, "pic-1", 2
	upd.Email, upd.Admin = "changed@a.example", true // not saved by UpdateMember
	write(t, s, func(tx service.Tx) error { return tx.UpdateMember(ctx, upd) })
	read(t, s, func(tx service.Tx) error {
		m, err := tx.Member(ctx, f.alice)
		if err != nil {
			t.Fatalf("Member(alice) = %v", err)
		}
		want := f.members[f.alice]
		want.Name, want.Fields, want.PictureID, want.Version = upd.Name, upd.Fields, upd.PictureID, upd.Version
		if !reflect.DeepEqual(m, want) {
			t.Errorf("Member(alice) after UpdateMember = %+v, want %+v", m, want)
		}
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error {
		return tx.UpdateMember(ctx, service.MemberRow{ID: "m-missing", Name: "x"})
	})
	wantNoRow(t, "UpdateMember(missing)", err)

	tests := []struct {
		name    string
		row     service.MemberRow
		wantErr bool
	}{
		{"same e-mail other workspace", service.MemberRow{ID: "m-alice-b", WorkspaceID: f.wsB, Email: "alice@a.example", Name: "Alice B", CreatedAt: at(20)}, false},
		{"same e-mail same workspace", service.MemberRow{ID: "m-alice-2", WorkspaceID: f.wsA, Email: "alice@a.example", Name: "Alice 2", CreatedAt: at(21)}, true},
		{"duplicate id", service.MemberRow{ID: f.bob, WorkspaceID: f.wsB, Email: "new@b.example", Name: "Bob 2", CreatedAt: at(22)}, true},
		{"unknown workspace", service.MemberRow{ID: "m-orphan", WorkspaceID: "ws-missing", Email: "o@x.example", Name: "O", CreatedAt: at(23)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Write(ctx, func(tx service.Tx) error { return tx.InsertMember(ctx, tt.row) })
			if (err != nil) != tt.wantErr {
				t.Errorf("InsertMember = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	read(t, s, func(tx service.Tx) error {
		got, err := tx.MembersByEmail(ctx, "alice@a.example")
		if err != nil {
			t.Fatalf("MembersByEmail = %v", err)
		}
		if ids, want := idsInOrder(got), []string{f.alice, "m-alice-b"}; !slices.Equal(ids, want) {
			t.Errorf("MembersByEmail(alice) = %v, want %v (created_at order)", ids, want)
		}
		got, err = tx.MembersByEmail(ctx, "nobody@x.example")
		if err != nil || len(got) != 0 {
			t.Errorf("MembersByEmail(nobody) = %v, %v; want none, nil", got, err)
		}
		return nil
	})
}

// testMemberOrder checks WorkspaceMembers sorts by name then id, bytewise
// (upper case before lower case, Hangul after Latin), whatever the locale.
func testMemberOrder(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	names := []struct{ id, name string }{
		{"m-3", "bob"}, {"m-2", "Bob"}, {"m-1", "Bob"}, {"m-4", "김민준"}, {"m-5", "Zed"}, {"m-6", "alice"},
	}
	write(t, s, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "ws-c", Name: "C", CreatedAt: at(0)}); err != nil {
			return err
		}
		for i, n := range names {
			if err := tx.InsertMember(ctx, service.MemberRow{ID: n.id, WorkspaceID: "ws-c", Email: n.id + "@c.example", Name: n.name, Version: 1, CreatedAt: at(30 - i)}); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		got, err := tx.WorkspaceMembers(ctx, "ws-c")
		if err != nil {
			t.Fatalf("WorkspaceMembers = %v", err)
		}
		if ids, want := idsInOrder(got), []string{"m-1", "m-2", "m-5", "m-6", "m-3", "m-4"}; !slices.Equal(ids, want) {
			t.Errorf("WorkspaceMembers order = %v, want %v (name, then id, bytewise)", ids, want)
		}
		var paged []service.MemberRow
		for name, id := "", ""; ; {
			page, err := tx.WorkspaceMembersAfter(ctx, "ws-c", name, id, 4)
			if err != nil {
				t.Fatalf("WorkspaceMembersAfter = %v", err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			name, id = page[len(page)-1].Name, page[len(page)-1].ID
		}
		if ids, want := idsInOrder(paged), []string{"m-1", "m-2", "m-5", "m-6", "m-3", "m-4"}; !slices.Equal(ids, want) {
			t.Errorf("WorkspaceMembersAfter pages of 4 = %v, want %v", ids, want)
		}
		got, err = tx.WorkspaceMembers(ctx, f.wsA)
		if err != nil {
			t.Fatalf("WorkspaceMembers(wsA) = %v", err)
		}
		if ids, want := idsInOrder(got), []string{f.alice, f.bob}; !slices.Equal(ids, want) {
			t.Errorf("WorkspaceMembers(wsA) = %v, want %v", ids, want)
		}
		got, err = tx.WorkspaceMembers(ctx, "ws-missing")
		if err != nil || len(got) != 0 {
			t.Errorf("WorkspaceMembers(missing) = %v, %v; want none, nil", got, err)
		}
		return nil
	})
}

func testPictures(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	img := []byte("\x89PNG\r\n\x1a\n\x00\x00binary\xff")
	thumb := []byte("small")
	write(t, s, func(tx service.Tx) error {
		if err := tx.PutPicture(ctx, "pic-1", img, thumb); err != nil {
			return err
		}
		if err := tx.PutPicture(ctx, "pic-old", img, nil); err != nil { // stored before thumbnails
			return err
		}
		for _, id := range []string{f.alice, f.carol} {
			m := f.members[id]
			m.PictureID = "pic-1"
			if err := tx.UpdateMember(ctx, m); err != nil {
				return err
			}
		}
		return tx.PutPicture(ctx, "pic-1", img, thumb) // content-addressed: a second put is a no-op
	})
	read(t, s, func(tx service.Tx) error {
		b, err := tx.Picture(ctx, "pic-1", false)
		if err != nil || !bytes.Equal(b, img) {
			t.Errorf("Picture(pic-1) = %q, %v; want %q, nil", b, err, img)
		}
		b, err = tx.Picture(ctx, "pic-1", true)
		if err != nil || !bytes.Equal(b, thumb) {
			t.Errorf("Picture(pic-1, thumb) = %q, %v; want %q, nil", b, err, thumb)
		}
		b, err = tx.Picture(ctx, "pic-old", true)
		if err != nil || !bytes.Equal(b, img) {
			t.Errorf("Picture(pic-old, thumb) = %q, %v; want the picture itself", b, err)
		}
		_, err = tx.Picture(ctx, "pic-missing", false)
		wantNoRow(t, "Picture(missing)", err)
		owners, err := tx.PictureOwners(ctx, "pic-1")
		if want := []string{f.alice, f.carol}; err != nil || !slices.Equal(owners, want) {
			t.Errorf("PictureOwners(pic-1) = %v, %v; want %v", owners, err, want)
		}
		owners, err = tx.PictureOwners(ctx, "pic-old")
		if err != nil || len(owners) != 0 {
			t.Errorf("PictureOwners(pic-old) = %v, %v; want none", owners, err)
		}
		return nil
	})
}

// memberIDs returns the ids sorted, for results in no set order.
func sortedIDs(ms []service.MemberRow) []string {
	ids := idsInOrder(ms)
	slices.Sort(ids)
	return ids
}

// memberIDs2 returns the ids in result order.
func idsInOrder(ms []service.MemberRow) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}
