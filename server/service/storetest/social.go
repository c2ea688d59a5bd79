package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"worktalk.dev/worktalk/server/service"
)

func testExternals(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	write(t, s, func(tx service.Tx) error {
		for _, e := range []struct {
			owner, member string
			sec           int
		}{
			{f.alice, f.dave, 1}, {f.alice, f.carol, 2}, {f.bob, f.carol, 3},
			{f.alice, f.dave, 9}, // again: a no-op that keeps the first time
		} {
			if err := tx.InsertExternal(ctx, e.owner, e.member, at(e.sec)); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Externals(ctx, f.alice)
		if want := []string{f.dave, f.carol}; err != nil || !slices.Equal(got, want) {
			t.Errorf("Externals(alice) = %v, %v; want %v (created_at order)", got, err, want)
		}
		got, err = tx.ExternalOwners(ctx, f.carol)
		if want := []string{f.alice, f.bob}; err != nil || !slices.Equal(got, want) {
			t.Errorf("ExternalOwners(carol) = %v, %v; want %v", got, err, want)
		}
		got, err = tx.Externals(ctx, f.dave)
		if err != nil || len(got) != 0 {
			t.Errorf("Externals(dave) = %v, %v; want none", got, err)
		}
		for _, c := range []struct {
			owner, member string
			want          bool
		}{{f.alice, f.dave, true}, {f.dave, f.alice, false}, {f.bob, f.dave, false}} {
			has, err := tx.HasExternal(ctx, c.owner, c.member)
			if err != nil || has != c.want {
				t.Errorf("HasExternal(%s, %s) = %v, %v; want %v", c.owner, c.member, has, err, c.want)
			}
		}
		return nil
	})
	var first, second bool
	write(t, s, func(tx service.Tx) error {
		var err error
		if first, err = tx.DeleteExternal(ctx, f.alice, f.dave); err != nil {
			return err
		}
		second, err = tx.DeleteExternal(ctx, f.alice, f.dave)
		return err
	})
	if !first || second {
		t.Errorf("DeleteExternal twice = %v, %v; want true, false", first, second)
	}
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Externals(ctx, f.alice)
		if want := []string{f.carol}; err != nil || !slices.Equal(got, want) {
			t.Errorf("Externals(alice) after delete = %v, %v; want %v", got, err, want)
		}
		return nil
	})
}

func testBlocks(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	write(t, s, func(tx service.Tx) error {
		for _, b := range []service.BlockRow{
			{Blocker: f.alice, Blocked: f.dave, CreatedAt: at(2)},
			{Blocker: f.alice, Blocked: f.carol, CreatedAt: at(1)},
			{Blocker: f.alice, Blocked: f.dave, CreatedAt: at(9)}, // again: a no-op
		} {
			if err := tx.InsertBlock(ctx, b.Blocker, b.Blocked, b.CreatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		got, err := tx.Block(ctx, f.alice, f.dave)
		if want := (service.BlockRow{Blocker: f.alice, Blocked: f.dave, CreatedAt: at(2)}); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Block(alice, dave) = %+v, %v; want %+v", got, err, want)
		}
		_, err = tx.Block(ctx, f.dave, f.alice)
		wantNoRow(t, "Block(dave, alice)", err)
		list, err := tx.Blocks(ctx, f.alice)
		want := []service.BlockRow{
			{Blocker: f.alice, Blocked: f.carol, CreatedAt: at(1)},
			{Blocker: f.alice, Blocked: f.dave, CreatedAt: at(2)},
		}
		if err != nil || !reflect.DeepEqual(list, want) {
			t.Errorf("Blocks(alice) = %+v, %v; want %+v", list, err, want)
		}
		list, err = tx.Blocks(ctx, f.bob)
		if err != nil || len(list) != 0 {
			t.Errorf("Blocks(bob) = %v, %v; want none", list, err)
		}
		for _, c := range []struct {
			ids  []string
			want bool
		}{
			{[]string{f.bob, f.dave, f.alice}, true},  // alice blocked dave
			{[]string{f.dave, f.bob, f.carol}, false}, // no blocker among them
			{[]string{f.alice, f.bob}, false},
			{[]string{f.alice}, false},
			{nil, false},
		} {
			if got, err := tx.BlockAmong(ctx, c.ids); err != nil || got != c.want {
				t.Errorf("BlockAmong(%v) = %v, %v; want %v", c.ids, got, err, c.want)
			}
		}
		return nil
	})
	var first, second bool
	write(t, s, func(tx service.Tx) error {
		var err error
		if first, err = tx.DeleteBlock(ctx, f.alice, f.dave); err != nil {
			return err
		}
		second, err = tx.DeleteBlock(ctx, f.alice, f.dave)
		return err
	})
	if !first || second {
		t.Errorf("DeleteBlock twice = %v, %v; want true, false", first, second)
	}
	read(t, s, func(tx service.Tx) error {
		_, err := tx.Block(ctx, f.alice, f.dave)
		wantNoRow(t, "Block(alice, dave) after delete", err)
		return nil
	})
}
