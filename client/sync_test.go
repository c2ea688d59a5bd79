package client

import (
	"context"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

func ptr[T any](v T) *T { return &v }

func lastText(s State, roomID string) string {
	for _, r := range s.Rooms {
		if r.ID == roomID && r.Last != nil {
			return r.Last.Text
		}
	}
	return ""
}

func TestOfflineWorkThenSync(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.env.NewUser(ws.ID, "Bob")
	opt := w.options(t)
	acct := w.account(t, opt, alice, w.proxy)
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online", online)

	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, e, "offline", func(s State) bool { return !s.Conn.Online })

	// Offline from a cold start: everything cached is there.
	e.Close()
	e = mustOpen(t, opt, acct)
	st := e.State()
	if st.Me.Name != "Alice" || len(st.Members) != 1 || st.Conn.Online {
		t.Fatalf("cached state: Me %q, Members %v, Online %v; want Alice, [Bob], offline", st.Me.Name, st.Members, st.Conn.Online)
	}
	self := protocol.SelfRoomID(alice.ID())
	if _, err := e.SendMessage(ctx, self, "written offline"); err != nil {
		t.Fatalf("SendMessage offline: %v", err)
	}
	if err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Engineer"}}); err != nil {
		t.Fatalf("UpdateProfile offline: %v", err)
	}
	st = e.State()
	if !st.ProfilePending || st.Me.Fields["title"] != "Engineer" || lastText(st, self) != "written offline" || st.Pending != 3 {
		t.Fatalf("offline state: ProfilePending %v, title %q, last %q, Pending %d; want true, Engineer, written offline, 3 (room, message, profile)",
			st.ProfilePending, st.Me.Fields["title"], lastText(st, self), st.Pending)
	}
	ms, err := e.Messages(self, 0, 10)
	if err != nil || len(ms) != 1 || !ms[0].Pending {
		t.Fatalf("Messages offline = %+v, %v; want one pending", ms, err)
	}

	w.proxy.SetDown(false)
	w.gate.Set(true)
	st = waitFor(t, e, "synced", synced)
	if st.ProfilePending || st.Me.Fields["title"] != "Engineer" {
		t.Errorf("after sync: ProfilePending %v, title %q; want false, Engineer", st.ProfilePending, st.Me.Fields["title"])
	}
	d2 := w.device(t, alice)
	waitFor(t, d2, "the offline work on a second device", func(s State) bool {
		return s.Conn.Online && s.Me.Fields["title"] == "Engineer" && lastText(s, self) == "written offline"
	})
}

func TestProfileMergeAcrossDevices(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	bob := w.env.NewUser(ws.ID, "Bob")
	p1, p2 := w.env.NewProxy(t), w.env.NewProxy(t)
	a1 := w.deviceVia(t, alice, p1)
	a2 := w.deviceVia(t, alice, p2)
	b := w.device(t, bob)
	for _, e := range []*Engine{a1, a2, b} {
		waitFor(t, e, "online", online)
	}
	w.gate.Set(false)
	p1.SetDown(true)
	p2.SetDown(true)
	waitFor(t, a1, "device 1 offline", func(s State) bool { return !s.Conn.Online })
	waitFor(t, a2, "device 2 offline", func(s State) bool { return !s.Conn.Online })

	// Different fields on each device, and the same field on both.
	if err := a1.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Lead", "phone": "+82 10-1111-1111"}}); err != nil {
		t.Fatal(err)
	}
	if err := a2.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"department": "R&D", "phone": "+82 10-2222-2222"}}); err != nil {
		t.Fatal(err)
	}
	// Device 1 reaches the server first, device 2 second: device 2's phone wins.
	p1.SetDown(false)
	w.gate.Set(true)
	waitFor(t, a1, "device 1 synced", synced)
	p2.SetDown(false)
	want := map[string]string{"title": "Lead", "department": "R&D", "phone": "+82 10-2222-2222"}
	for name, e := range map[string]*Engine{"device 1": a1, "device 2": a2} {
		waitFor(t, e, name+" with both edits, the server's order on phone", func(s State) bool {
			return synced(s) && !s.ProfilePending && fieldsHave(s.Me.Fields, want)
		})
	}
	waitFor(t, b, "bob sees the merged profile", func(s State) bool {
		i := slices.IndexFunc(s.Members, func(p protocol.Profile) bool { return p.ID == alice.ID() })
		return i >= 0 && fieldsHave(s.Members[i].Fields, want)
	})
}

func fieldsHave(got, want map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestRefusalRollsBackNotEditable(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	e := w.device(t, alice)
	waitFor(t, e, "online", online)
	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, e, "offline", func(s State) bool { return !s.Conn.Online })
	if err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Boss"}}); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	// While the client is offline, the admin makes the title read-only.
	settings := ws.Settings
	for i := range settings.Fields {
		if settings.Fields[i].Key == "title" {
			settings.Fields[i].Editable = false
		}
	}
	if err := w.env.Service.UpdateWorkspaceSettings(ctx, ws.ID, settings); err != nil {
		t.Fatal(err)
	}
	w.proxy.SetDown(false)
	w.gate.Set(true)
	st := waitFor(t, e, "the refusal", func(s State) bool { return synced(s) && len(s.Notices) == 1 })
	n := st.Notices[0]
	want := settings.ValidateProfileUpdate(protocol.ProfileUpdate{Fields: map[string]string{"title": "Boss"}})
	if n.Code != protocol.ENotEditable || n.Op != protocol.OpProfileUpdate || n.Text != want.Message {
		t.Errorf("notice = %+v, want %s for %s saying %q", n, protocol.ENotEditable, protocol.OpProfileUpdate, want.Message)
	}
	if st.Me.Fields["title"] != "" || st.ProfilePending {
		t.Errorf("after refusal: title %q, pending %v; want rolled back", st.Me.Fields["title"], st.ProfilePending)
	}
	// Local validation now refuses at once, with the field named.
	err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Boss"}})
	var pe *protocol.Error
	if !asProtocolError(err, &pe) || pe.Code != protocol.ENotEditable || pe.Field != "title" {
		t.Errorf("UpdateProfile of a read-only field: err = %v, want %s on title", err, protocol.ENotEditable)
	}
	e.DismissNotice(n.ID)
	if got := len(e.State().Notices); got != 0 {
		t.Errorf("notices after dismiss = %d, want 0", got)
	}
}

// externals makes alice (Acme) and eve (Globex) external members of each
// other with a 1:1 room, through the engines.
func externals(t *testing.T, w *world) (alice, eve *Engine, aliceID, eveID string) {
	t.Helper()
	ctx := context.Background()
	acme := w.env.CreateWorkspace("Acme")
	globex := w.env.CreateWorkspace("Globex")
	ua := w.env.NewUser(acme.ID, "Alice")
	ue := w.env.NewUser(globex.ID, "Eve")
	alice, eve = w.device(t, ua), w.device(t, ue)
	waitFor(t, alice, "alice online", online)
	waitFor(t, eve, "eve online", online)
	link, err := eve.OneTimeLink(ctx)
	if err != nil {
		t.Fatalf("OneTimeLink: %v", err)
	}
	if _, err := alice.AddExternalByLink(ctx, link.URL); err != nil {
		t.Fatalf("AddExternalByLink: %v", err)
	}
	if err := eve.AddExternalBack(ctx, ua.ID()); err != nil {
		t.Fatalf("AddExternalBack: %v", err)
	}
	waitFor(t, eve, "alice among eve's externals", func(s State) bool { return synced(s) && len(s.Externals) == 1 })
	return alice, eve, ua.ID(), ue.ID()
}

func TestRefusalRollsBackMessageToBlocker(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	alice, eve, _, eveID := externals(t, w)
	room, err := alice.OpenDirectRoom(ctx, eveID)
	if err != nil {
		t.Fatalf("OpenDirectRoom: %v", err)
	}
	waitFor(t, alice, "room created", synced)
	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, alice, "offline", func(s State) bool { return !s.Conn.Online })
	m, err := alice.SendMessage(ctx, room, "are you there?")
	if err != nil {
		t.Fatalf("SendMessage offline: %v", err)
	}
	// eve blocks alice through the service while alice is offline.
	eveCaller := callerOf(t, w, eve)
	if _, err := w.env.Service.Do(ctx, eveCaller, protocol.NewID(), protocol.OpBlock, mustJSON(t, protocol.MemberRef{MemberID: alice.Account().MemberID})); err != nil {
		t.Fatalf("block: %v", err)
	}
	w.proxy.SetDown(false)
	w.gate.Set(true)
	st := waitFor(t, alice, "the refusal", func(s State) bool { return synced(s) && len(s.Notices) == 1 })
	// The same send straight to the service gives the words to expect.
	_, direct := w.env.Service.Do(ctx, callerOf(t, w, alice), protocol.NewID(), protocol.OpMessageSend, mustJSON(t, protocol.SendMessage{RoomID: room, Text: "again"}))
	if n := st.Notices[0]; n.Code != protocol.EBlocked || n.Op != protocol.OpMessageSend || n.Text != protocol.ErrorMessage(direct) {
		t.Errorf("notice = %+v, want %s for %s saying %q", n, protocol.EBlocked, protocol.OpMessageSend, protocol.ErrorMessage(direct))
	}
	ms, _ := alice.Messages(room, 0, 10)
	if slices.ContainsFunc(ms, func(x Message) bool { return x.ID == m.ID }) {
		t.Errorf("refused message still in the room: %+v", ms)
	}
}

func TestRedeemUsedLink(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	acme := w.env.CreateWorkspace("Acme")
	globex := w.env.CreateWorkspace("Globex")
	alice := w.device(t, w.env.NewUser(acme.ID, "Alice"))
	bob := w.device(t, w.env.NewUser(acme.ID, "Bob"))
	eve := w.device(t, w.env.NewUser(globex.ID, "Eve"))
	for _, e := range []*Engine{alice, bob, eve} {
		waitFor(t, e, "online", online)
	}
	link, err := eve.OneTimeLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := bob.AddExternalByLink(ctx, link.URL)
	if err != nil {
		t.Fatalf("first redemption: %v", err)
	}
	if st := bob.State(); len(st.Externals) != 1 || st.Externals[0].ID != p.ID {
		t.Errorf("bob's externals right after adding = %v, want [%s]", st.Externals, p.Name)
	}
	_, err = alice.AddExternalByLink(ctx, link.URL)
	var pe *protocol.Error
	if !asProtocolError(err, &pe) || pe.Code != protocol.ELinkInvalid || pe.Message == "" {
		t.Fatalf("second redemption: err = %v, want the server's %s", err, protocol.ELinkInvalid)
	}
	if st := alice.State(); len(st.Externals) != 0 || st.Pending != 0 {
		t.Errorf("after refusal: Externals %v, Pending %d; want none", st.Externals, st.Pending)
	}
}

func TestRevokedSessionStops(t *testing.T) {
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	e := w.device(t, w.env.NewUser(ws.ID, "Alice"))
	waitFor(t, e, "online", online)
	tok, err := e.secrets.Get(SecretService, secretUser(e.acct.ServerURL, e.acct.MemberID))
	if err != nil {
		t.Fatal(err)
	}
	if status := w.env.PostJSON("/api/signout", tok, protocol.Empty{}, nil, nil); status != 200 {
		t.Fatalf("signout = %d, want 200", status)
	}
	st := waitFor(t, e, "revoked", func(s State) bool { return s.Revoked })
	if st.Conn.Online {
		t.Errorf("Conn.Online = true after revocation, want false")
	}
}
