package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func testRooms(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	self := service.RoomRow{ID: "r-self", Kind: protocol.RoomSelf, CreatedAt: at(3)}
	direct := service.RoomRow{ID: "r-direct", Kind: protocol.RoomDirect, CreatedAt: at(1)}
	group := service.RoomRow{ID: "r-group", Kind: protocol.RoomGroup, Title: "설계 회의", CreatedAt: at(1)}
	write(t, s, func(tx service.Tx) error {
		if err := tx.InsertRoom(ctx, self, []string{f.alice}); err != nil {
			return err
		}
		if err := tx.InsertRoom(ctx, direct, []string{f.carol, f.alice}); err != nil {
			return err
		}
		return tx.InsertRoom(ctx, group, []string{f.bob, f.alice, f.carol, f.bob}) // a repeated member is kept once
	})
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Room(ctx, group.ID)
		if err != nil || !reflect.DeepEqual(got, group) {
			t.Errorf("Room(group) = %+v, %v; want %+v", got, err, group)
		}
		_, err = tx.Room(ctx, "r-missing")
		wantNoRow(t, "Room(missing)", err)
		members, err := tx.RoomMembers(ctx, group.ID)
		if want := []string{f.alice, f.bob, f.carol}; err != nil || !slices.Equal(members, want) {
			t.Errorf("RoomMembers(group) = %v, %v; want %v (sorted)", members, err, want)
		}
		members, err = tx.RoomMembers(ctx, "r-missing")
		if err != nil || len(members) != 0 {
			t.Errorf("RoomMembers(missing) = %v, %v; want none", members, err)
		}
		rooms, err := tx.MemberRooms(ctx, f.alice)
		var ids []string
		for _, r := range rooms {
			ids = append(ids, r.ID)
		}
		// created_at, then id: direct and group share a time.
		if want := []string{direct.ID, group.ID, self.ID}; err != nil || !slices.Equal(ids, want) {
			t.Errorf("MemberRooms(alice) = %v, %v; want %v", ids, err, want)
		}
		rooms, err = tx.MemberRooms(ctx, f.dave)
		if err != nil || len(rooms) != 0 {
			t.Errorf("MemberRooms(dave) = %v, %v; want none", rooms, err)
		}
		for _, c := range []struct {
			room, member string
			want         bool
		}{{group.ID, f.bob, true}, {direct.ID, f.bob, false}, {"r-missing", f.bob, false}} {
			in, err := tx.IsRoomMember(ctx, c.room, c.member)
			if err != nil || in != c.want {
				t.Errorf("IsRoomMember(%s, %s) = %v, %v; want %v", c.room, c.member, in, err, c.want)
			}
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.SetRoomClosed(ctx, direct.ID, true) })
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Room(ctx, direct.ID)
		if err != nil || !got.Closed {
			t.Errorf("Room(direct).Closed = %v, %v; want true", got.Closed, err)
		}
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error { return tx.SetRoomClosed(ctx, "r-missing", true) })
	wantNoRow(t, "SetRoomClosed(missing)", err)
	err = s.Write(ctx, func(tx service.Tx) error { return tx.InsertRoom(ctx, group, nil) })
	if err == nil {
		t.Errorf("InsertRoom(duplicate id) = nil, want an error")
	}
}

func testMessages(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	write(t, s, func(tx service.Tx) error {
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r-1", Kind: protocol.RoomDirect, CreatedAt: at(0)}, []string{f.alice, f.carol}); err != nil {
			return err
		}
		return tx.InsertRoom(ctx, service.RoomRow{ID: "r-2", Kind: protocol.RoomSelf, CreatedAt: at(0)}, []string{f.alice})
	})
	msgs := []protocol.Message{
		{ID: "msg-1", RoomID: "r-1", SenderID: f.alice, Kind: protocol.MessageText, Text: "안녕하세요", SentAt: base.UnixMilli()},
		{ID: "msg-2", RoomID: "r-2", SenderID: f.alice, Kind: protocol.MessageText, Text: "note to self", SentAt: base.UnixMilli() + 1},
		{ID: "msg-3", RoomID: "r-1", Kind: protocol.MessageSystem, Text: "Alice added you as an external member",
			System: protocol.SystemExternalAdded, ActorID: f.alice, ActorName: "Alice",
			Action: &protocol.Action{Kind: protocol.ActionViewProfile, MemberID: f.alice}, SentAt: base.UnixMilli() + 2},
		{ID: "msg-4", RoomID: "r-1", SenderID: f.carol, Kind: protocol.MessageText, Text: "hi\nthere", SentAt: base.UnixMilli() + 3},
	}
	var seqs []int64
	read(t, s, func(tx service.Tx) error {
		if last, err := tx.NewestMessageSeq(ctx); err != nil || last != 0 {
			t.Errorf("NewestMessageSeq with no messages = %d, %v; want 0", last, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error {
		for i := range msgs {
			seq, err := tx.InsertMessage(ctx, msgs[i])
			if err != nil {
				return err
			}
			msgs[i].Seq = seq
			seqs = append(seqs, seq)
		}
		return nil
	})
	if !growing(seqs) {
		t.Errorf("InsertMessage seqs = %v, want positive and growing across rooms", seqs)
	}
	read(t, s, func(tx service.Tx) error {
		if last, err := tx.NewestMessageSeq(ctx); err != nil || last != seqs[len(seqs)-1] {
			t.Errorf("NewestMessageSeq = %d, %v; want %d", last, err, seqs[len(seqs)-1])
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		tests := []struct {
			name   string
			room   string
			before int64
			limit  int
			want   []protocol.Message
		}{
			{"newest", "r-1", 0, 10, []protocol.Message{msgs[0], msgs[2], msgs[3]}},
			{"newest two", "r-1", 0, 2, []protocol.Message{msgs[2], msgs[3]}},
			{"before", "r-1", msgs[3].Seq, 10, []protocol.Message{msgs[0], msgs[2]}},
			{"before first", "r-1", msgs[0].Seq, 10, nil},
			{"other room", "r-2", 0, 10, []protocol.Message{msgs[1]}},
			{"unknown room", "r-missing", 0, 10, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tx.Messages(ctx, tt.room, tt.before, tt.limit)
				if err != nil || len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
					t.Errorf("Messages(%s, %d, %d) = %+v, %v; want %+v", tt.room, tt.before, tt.limit, got, err, tt.want)
				}
			})
		}
		for _, c := range []struct {
			id   string
			want bool
		}{{"msg-3", true}, {"msg-missing", false}} {
			ok, err := tx.MessageExists(ctx, c.id)
			if err != nil || ok != c.want {
				t.Errorf("MessageExists(%s) = %v, %v; want %v", c.id, ok, err, c.want)
			}
		}
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error {
		_, err := tx.InsertMessage(ctx, msgs[0])
		return err
	})
	if err == nil {
		t.Errorf("InsertMessage(duplicate id) = nil, want an error")
	}
	// A refused insert does not use up a seq.
	var next int64
	write(t, s, func(tx service.Tx) error {
		var err error
		next, err = tx.InsertMessage(ctx, protocol.Message{ID: "msg-5", RoomID: "r-2", SenderID: f.alice, Kind: protocol.MessageText, Text: "x", SentAt: 1})
		return err
	})
	if want := seqs[len(seqs)-1] + 1; next != want {
		t.Errorf("InsertMessage after a rolled-back insert: seq = %d, want %d", next, want)
	}
}

// growing reports whether seqs are positive and strictly increasing.
func growing(seqs []int64) bool {
	prev := int64(0)
	for _, s := range seqs {
		if s <= prev {
			return false
		}
		prev = s
	}
	return true
}
