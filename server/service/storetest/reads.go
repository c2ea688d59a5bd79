package storetest

import (
	"context"
	"maps"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func testReadMarks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	msgs := []protocol.Message{
		{ID: "m-1", RoomID: "r-1", SenderID: f.carol, Kind: protocol.MessageText, Text: "안녕하세요"},
		{ID: "m-2", RoomID: "r-1", SenderID: f.alice, Kind: protocol.MessageText, Text: "hi"},
		{ID: "m-3", RoomID: "r-1", Kind: protocol.MessageSystem, Text: "Alice added you", ActorID: f.alice},
		{ID: "m-4", RoomID: "r-1", SenderID: f.carol, Kind: protocol.MessageText, Text: "still there?"},
	}
	var seqs []int64
	write(t, s, func(tx service.Tx) error {
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r-1", Kind: protocol.RoomDirect, CreatedAt: at(0)}, []string{f.alice, f.carol}); err != nil {
			return err
		}
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r-2", Kind: protocol.RoomSelf, CreatedAt: at(0)}, []string{f.alice}); err != nil {
			return err
		}
		for _, m := range msgs {
			seq, err := tx.InsertMessage(ctx, m)
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return tx.SetReadMark(ctx, f.alice, "r-1", seqs[0])
	})
	write(t, s, func(tx service.Tx) error {
		return tx.SetReadMark(ctx, f.alice, "r-1", seqs[1]) // replaces
	})
	read(t, s, func(tx service.Tx) error {
		if got, err := tx.ReadMark(ctx, f.alice, "r-1"); err != nil || got != seqs[1] {
			t.Errorf("ReadMark(alice, r-1) = %d, %v; want %d", got, err, seqs[1])
		}
		if got, err := tx.ReadMark(ctx, f.carol, "r-1"); err != nil || got != 0 {
			t.Errorf("ReadMark(carol, r-1) = %d, %v; want 0 (none)", got, err)
		}
		if got, err := tx.ReadMarks(ctx, f.alice); err != nil || !maps.Equal(got, map[string]int64{"r-1": seqs[1]}) {
			t.Errorf("ReadMarks(alice) = %v, %v; want r-1 only", got, err)
		}
		if got, err := tx.ReadMarks(ctx, f.bob); err != nil || len(got) != 0 {
			t.Errorf("ReadMarks(bob) = %v, %v; want none", got, err)
		}
		for _, c := range []struct {
			member string
			after  int64
			want   int
		}{
			{f.alice, 0, 2},       // carol's two; alice's text and her system message do not count
			{f.alice, seqs[1], 1}, // after m-2: m-4
			{f.carol, 0, 2},       // alice's text and the system message alice acted in
			{f.carol, seqs[3], 0},
		} {
			if got, err := tx.CountUnread(ctx, "r-1", c.after, c.member); err != nil || got != c.want {
				t.Errorf("CountUnread(r-1, after %d, %s) = %d, %v; want %d", c.after, c.member, got, err, c.want)
			}
		}
		if got, err := tx.LastMessageSeq(ctx, "r-1"); err != nil || got != seqs[3] {
			t.Errorf("LastMessageSeq(r-1) = %d, %v; want %d", got, err, seqs[3])
		}
		if got, err := tx.LastMessageSeq(ctx, "r-2"); err != nil || got != 0 {
			t.Errorf("LastMessageSeq(empty room) = %d, %v; want 0", got, err)
		}
		return nil
	})

	// What a member I block sent does not count for me; a block by
	// someone else, or of me, changes nothing for me.
	write(t, s, func(tx service.Tx) error {
		if err := tx.InsertBlock(ctx, f.bob, f.alice, at(5)); err != nil {
			return err
		}
		return tx.InsertBlock(ctx, f.alice, f.carol, at(5))
	})
	read(t, s, func(tx service.Tx) error {
		for _, c := range []struct {
			member string
			want   int
		}{
			{f.alice, 0}, // carol's two, and alice blocks carol
			{f.carol, 2}, // alice's text and her system message: carol blocks nobody
		} {
			if got, err := tx.CountUnread(ctx, "r-1", 0, c.member); err != nil || got != c.want {
				t.Errorf("after the blocks, CountUnread(r-1, after 0, %s) = %d, %v; want %d", c.member, got, err, c.want)
			}
		}
		return nil
	})
}
