package client

import (
	"context"
	"testing"
)

// TestDisabledMemberSignedOut: when the admin disables a member, her app
// is signed out (Revoked), and her coworker's app shows her as departed,
// in the member list and in their 1:1 room, which closes.
func TestDisabledMemberSignedOut(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	aliceUser, bobUser := w.env.NewUser(ws.ID, "Alice"), w.env.NewUser(ws.ID, "Bob")
	alice, bob := w.device(t, aliceUser), w.device(t, bobUser)
	waitFor(t, bob, "synced", func(s State) bool { return synced(s) && len(s.Members) == 1 })
	room, err := bob.OpenDirectRoom(ctx, aliceUser.ID())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, bob, "room synced", synced)
	waitFor(t, alice, "online", online)

	if _, _, err := w.env.Service.DisableMember(ctx, ws.ID, aliceUser.Email); err != nil {
		t.Fatal(err)
	}
	waitFor(t, alice, "signed out", func(s State) bool { return s.Revoked && !s.Conn.Online })
	st := waitFor(t, bob, "Alice departed", func(s State) bool {
		return len(s.Members) == 1 && s.Members[0].Departed && len(s.Rooms) == 1 && s.Rooms[0].Closed
	})
	if st.Rooms[0].ID != room || !st.Rooms[0].Members[0].Departed && !st.Rooms[0].Members[1].Departed {
		t.Errorf("room %+v, want the 1:1 room with Alice shown departed", st.Rooms[0])
	}
}
