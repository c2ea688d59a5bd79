// Package storetest is one suite of service.Store behaviour tests that every
// store runs (server/sqlite, server/postgres), so all stores behave alike:
// the same rows back, the same ErrNoRow, the same order, the same atomicity.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// Run runs the suite. open returns a new, empty store that lives until the
// test that asked for it ends (open registers its own cleanup).
func Run(t *testing.T, open func(t *testing.T) service.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, service.Store)
	}{
		{"Workspaces", testWorkspaces},
		{"Members", testMembers},
		{"MemberOrder", testMemberOrder},
		{"Pictures", testPictures},
		{"Sessions", testSessions},
		{"Links", testLinks},
		{"LiveLinks", testLiveLinks},
		{"ServerKeys", testServerKeys},
		{"SealedValues", testSealedValues},
		{"Externals", testExternals},
		{"Blocks", testBlocks},
		{"Rooms", testRooms},
		{"Messages", testMessages},
		{"ReadMarks", testReadMarks},
		{"Events", testEvents},
		{"PruneEvents", testPruneEvents},
		{"RoomEvents", testRoomEvents},
		{"WorkspaceEvents", testWorkspaceEvents},
		{"Mutations", testMutations},
		{"Offboarding", testOffboarding},
		{"Activations", testActivations},
		{"Audit", testAudit},
		{"WriteRollsBack", testWriteRollsBack},
		{"ReadSeesOneSnapshot", testReadSeesOneSnapshot},
		{"ReadCannotWrite", testReadCannotWrite},
		{"UseLinkOnceConcurrently", func(t *testing.T, s service.Store) { testUseLinkOnce(t, s, s) }},
		{"WritesSerialized", func(t *testing.T, s service.Store) { testWritesSerialized(t, s, s) }},
		{"FeedVisibleInSeqOrder", func(t *testing.T, s service.Store) { testFeedVisibleInOrder(t, s, s) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// RunShared runs the tests that need two handles on one database, as two
// worktalkd nodes (or processes) have. open returns two stores over the same
// new, empty database.
func RunShared(t *testing.T, open func(t *testing.T) (a, b service.Store)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b service.Store)
	}{
		{"UseLinkOnceAcrossStores", testUseLinkOnce},
		{"WritesSerializedAcrossStores", testWritesSerialized},
		{"FeedVisibleInSeqOrderAcrossStores", testFeedVisibleInOrder},
		{"WriteVisibleToOtherStore", testWriteVisibleToOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := open(t)
			tt.fn(t, a, b)
		})
	}
}

// base is a fixed instant with whole milliseconds, the precision stores keep.
var base = time.UnixMilli(1_767_225_600_000)

func at(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }

// time0 is the zero time, which stores keep as "not set".
var time0 time.Time

func write(t *testing.T, s service.Store, fn func(service.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func read(t *testing.T, s service.Store, fn func(service.Tx) error) {
	t.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

// wantNoRow fails unless err is service.ErrNoRow.
func wantNoRow(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, service.ErrNoRow) {
		t.Errorf("%s err = %v, want ErrNoRow", what, err)
	}
}

// fixture is two workspaces with two members each.
type fixture struct {
	wsA, wsB    string
	alice, bob  string // in wsA
	carol, dave string // in wsB
	members     map[string]service.MemberRow
}

func seed(t *testing.T, s service.Store) fixture {
	t.Helper()
	f := fixture{wsA: "ws-a", wsB: "ws-b", alice: "m-alice", bob: "m-bob", carol: "m-carol", dave: "m-dave",
		members: map[string]service.MemberRow{}}
	settings := protocol.WorkspaceSettings{ExternalChat: true, NameEditable: true,
		Fields: []protocol.FieldDef{{Key: "title", Label: "Title", LabelKo: "직함", Kind: protocol.FieldText, Visible: true, Editable: true}}}
	rows := []service.MemberRow{
		{ID: f.alice, WorkspaceID: f.wsA, Email: "alice@a.example", Name: "Alice", Fields: map[string]string{"title": "Engineer"}, CreatedAt: at(1)},
		{ID: f.bob, WorkspaceID: f.wsA, Email: "bob@a.example", Name: "Bob", CreatedAt: at(2)},
		{ID: f.carol, WorkspaceID: f.wsB, Email: "carol@b.example", Name: "김철수", CreatedAt: at(3)},
		{ID: f.dave, WorkspaceID: f.wsB, Email: "dave@b.example", Name: "Dave", CreatedAt: at(4)},
	}
	write(t, s, func(tx service.Tx) error {
		ctx := context.Background()
		for i, id := range []string{f.wsA, f.wsB} {
			if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: id, Name: "Workspace " + id, Settings: settings, CreatedAt: at(i)}); err != nil {
				return err
			}
		}
		for _, m := range rows {
			m.PasswordHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"
			m.Version = 1
			if err := tx.InsertMember(ctx, m); err != nil {
				return err
			}
			f.members[m.ID] = m
		}
		return nil
	})
	return f
}
