package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/service/storetest"
	"worktalk.dev/worktalk/server/sqlite"
)

func openDB(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func write(tb testing.TB, db *sqlite.DB, fn func(service.Tx) error) {
	tb.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		tb.Fatalf("write: %v", err)
	}
}

var t0 = time.UnixMilli(1_770_000_000_000)

// seed makes a workspace with two members, m1 and m2.
func seed(tb testing.TB, db *sqlite.DB) {
	tb.Helper()
	ctx := context.Background()
	write(tb, db, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "w1", Name: "Acme", Settings: service.DefaultSettings(), CreatedAt: t0}); err != nil {
			return err
		}
		for _, id := range []string{"m1", "m2"} {
			m := service.MemberRow{ID: id, WorkspaceID: "w1", Email: id + "@acme.test", PasswordHash: "h", Name: id,
				Fields: map[string]string{"title": "T"}, Version: 1, CreatedAt: t0}
			if err := tx.InsertMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, path) // migrations run again: nothing to do, data kept
	err = db.Read(context.Background(), func(tx service.Tx) error {
		m, err := tx.Member(context.Background(), "m1")
		if err != nil {
			return err
		}
		if m.Fields["title"] != "T" || m.Email != "m1@acme.test" {
			t.Errorf("member = %+v", m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db := openDB(t, path)
	write(t, db, func(tx service.Tx) error { return nil })
	db.Close()
	// Bump the version past what this build knows.
	if err := sqlite.SetUserVersion(path, sqlite.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(path); err == nil {
		t.Fatal("open of a newer schema succeeded, want an error")
	}
}

func TestNotFound(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	ctx := context.Background()
	err := db.Read(ctx, func(tx service.Tx) error {
		if _, err := tx.Member(ctx, "x"); !errors.Is(err, service.ErrNoRow) {
			t.Errorf("Member err = %v, want ErrNoRow", err)
		}
		if _, err := tx.Workspace(ctx, "x"); !errors.Is(err, service.ErrNoRow) {
			t.Errorf("Workspace err = %v, want ErrNoRow", err)
		}
		if _, err := tx.LinkByTokenHash(ctx, "x"); !errors.Is(err, service.ErrNoRow) {
			t.Errorf("LinkByTokenHash err = %v, want ErrNoRow", err)
		}
		if _, err := tx.Mutation(ctx, "m", "x"); !errors.Is(err, service.ErrNoRow) {
			t.Errorf("Mutation err = %v, want ErrNoRow", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteRollsBack(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "w1", Name: "A", CreatedAt: t0}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	db.Read(ctx, func(tx service.Tx) error {
		if ws, _ := tx.Workspaces(ctx); len(ws) != 0 {
			t.Fatalf("workspaces after rollback = %d, want 0", len(ws))
		}
		return nil
	})
}

func TestReadCannotWrite(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	ctx := context.Background()
	err := db.Read(ctx, func(tx service.Tx) error {
		return tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "w1", Name: "A", CreatedAt: t0})
	})
	if err == nil {
		t.Fatal("write in a read transaction succeeded")
	}
}

// TestUseLinkOnce: concurrent UseLink calls on one link, exactly one true.
func TestUseLinkOnce(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	ctx := context.Background()
	write(t, db, func(tx service.Tx) error {
		return tx.InsertLink(ctx, service.LinkRow{ID: "l1", TokenHash: "h1", MemberID: "m1", Kind: protocol.LinkOnce, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0})
	})
	var mu sync.Mutex
	wins := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			db.Write(ctx, func(tx service.Tx) error {
				ok, err := tx.UseLink(ctx, "l1", t0)
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
				return err
			})
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("wins = %d, want 1", wins)
	}
}

func TestFeedAndPrune(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	ctx := context.Background()
	write(t, db, func(tx service.Tx) error {
		for i := range 5 {
			rcpt := []string{"m1"}
			if i%2 == 0 {
				rcpt = append(rcpt, "m2", "m2")
			}
			if _, err := tx.AppendEvent(ctx, "op", []byte(`{}`), rcpt, t0.Add(time.Duration(i)*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	write(t, db, func(tx service.Tx) error {
		evs, err := tx.FeedSince(ctx, "m2", 0, 10)
		if err != nil {
			return err
		}
		if len(evs) != 3 || evs[0].Seq != 1 || evs[1].Seq != 3 || evs[2].Seq != 5 {
			t.Errorf("m2 feed = %+v, want seqs 1 3 5", evs)
		}
		if n, _ := tx.FeedCount(ctx, "m1", 1, 2); n != 2 {
			t.Errorf("FeedCount capped = %d, want 2", n)
		}
		if err := tx.PruneEvents(ctx, t0.Add(150*time.Minute)); err != nil { // drops seqs 1-3
			return err
		}
		if p, _ := tx.PrunedThrough(ctx); p != 3 {
			t.Errorf("PrunedThrough = %d, want 3", p)
		}
		if last, _ := tx.LastSeq(ctx); last != 5 {
			t.Errorf("LastSeq = %d, want 5", last)
		}
		evs, err = tx.FeedSince(ctx, "m1", 0, 10)
		if len(evs) != 2 || evs[0].Seq != 4 {
			t.Errorf("m1 feed after prune = %+v, want seqs 4 5", evs)
		}
		return err
	})
}

func TestMessagesPaging(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	ctx := context.Background()
	write(t, db, func(tx service.Tx) error {
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r1", Kind: protocol.RoomGroup, CreatedAt: t0}, []string{"m1", "m2"}); err != nil {
			return err
		}
		for i := range 10 {
			m := protocol.Message{ID: string(rune('a' + i)), RoomID: "r1", SenderID: "m1", Kind: protocol.MessageText, Text: "x", SentAt: 1}
			if i == 9 {
				m.Action = &protocol.Action{Kind: protocol.ActionViewProfile, MemberID: "m1"}
			}
			if _, err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	db.Read(ctx, func(tx service.Tx) error {
		newest, err := tx.Messages(ctx, "r1", 0, 3)
		if err != nil || len(newest) != 3 || newest[0].ID != "h" || newest[2].ID != "j" || newest[2].Action == nil {
			t.Errorf("newest = %+v, %v, want h i j with an action on j", newest, err)
		}
		older, _ := tx.Messages(ctx, "r1", newest[0].Seq, 100)
		if len(older) != 7 || older[0].ID != "a" {
			t.Errorf("older = %d messages from %q, want 7 from a", len(older), older[0].ID)
		}
		return nil
	})
}

func TestMembersManyIDs(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	ids := make([]string, 1200) // over one chunk of bound parameters
	for i := range ids {
		ids[i] = "nobody"
	}
	ids[0], ids[1100] = "m1", "m2"
	db.Read(context.Background(), func(tx service.Tx) error {
		ms, err := tx.Members(context.Background(), ids)
		if err != nil || len(ms) != 2 {
			t.Errorf("members = %d, %v, want 2", len(ms), err)
		}
		return nil
	})
}

// TestRoomEvents: an event stored for a room reaches its members, in seq
// order with their own feed rows, and nobody else.
func TestRoomEvents(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	ctx := context.Background()
	write(t, db, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "w2", Name: "B", CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, service.MemberRow{ID: "m3", WorkspaceID: "w2", Email: "m3@b.test", Name: "m3", Version: 1, CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r1", Kind: protocol.RoomGroup, CreatedAt: t0}, []string{"m1", "m2"}); err != nil {
			return err
		}
		rf := tx.(service.RoomFeeder)
		for i, step := range []string{"feed", "room", "feed", "room", "room"} {
			var err error
			if step == "room" {
				_, err = rf.AppendRoomEvent(ctx, "room", []byte(`{}`), "r1", t0.Add(time.Duration(i)))
			} else {
				_, err = tx.AppendEvent(ctx, "feed", []byte(`{}`), []string{"m1", "m3"}, t0.Add(time.Duration(i)))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	db.Read(ctx, func(tx service.Tx) error {
		for _, tc := range []struct {
			member string
			after  int64
			limit  int
			want   []int64
		}{
			{"m1", 0, 10, []int64{1, 2, 3, 4, 5}},
			{"m1", 2, 2, []int64{3, 4}},
			{"m2", 0, 10, []int64{2, 4, 5}},
			{"m3", 0, 10, []int64{1, 3}},
		} {
			evs, err := tx.FeedSince(ctx, tc.member, tc.after, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, e := range evs {
				got = append(got, e.Seq)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("FeedSince(%s, %d, %d) = %v, want %v", tc.member, tc.after, tc.limit, got, tc.want)
			}
			n, err := tx.FeedCount(ctx, tc.member, tc.after, 100)
			if err != nil || n != len(tc.want) && tc.limit >= 10 {
				t.Errorf("FeedCount(%s, %d) = %d, %v, want %d", tc.member, tc.after, n, err, len(tc.want))
			}
		}
		if n, _ := tx.FeedCount(ctx, "m1", 0, 3); n != 3 {
			t.Errorf("FeedCount capped at 3 = %d", n)
		}
		return nil
	})
}

// TestEventsSinceTooFarBehind: a client more than service.MaxReplay events
// behind gets a snapshot instead of a replay.
func TestEventsSinceTooFarBehind(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	svc := service.New(service.Config{Store: db, Argon: argon2id.TestParams})
	c := service.Caller{MemberID: "m1", WorkspaceID: "w1"}
	if err := db.BulkFeed("m1", service.MaxReplay); err != nil {
		t.Fatal(err)
	}
	if evs, err := svc.EventsSince(context.Background(), c, 0, 10); err != nil || len(evs) != 10 {
		t.Fatalf("at MaxReplay behind: %d events, %v, want 10, nil", len(evs), err)
	}
	if err := db.BulkFeed("m1", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EventsSince(context.Background(), c, 0, 10); !errors.Is(err, service.ErrSnapshotNeeded) {
		t.Fatalf("past MaxReplay: err = %v, want ErrSnapshotNeeded", err)
	}
	if evs, err := svc.EventsSince(context.Background(), c, 1, 10); err != nil || len(evs) != 10 {
		t.Fatalf("from seq 1: %d events, %v, want 10, nil", len(evs), err)
	}
}

// TestMigrateWorkspaceEvents: per-member feed rows of workspace-wide events
// written before schema 3 become one workspace event each, and every
// member's feed reads the same as before.
func TestMigrateWorkspaceEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	old, err := sqlite.CreateAtVersion(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	o := storetest.FeedsBeforeWorkspaceEvents
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, w := range o.Workspaces {
		exec(`INSERT INTO workspaces (id, name, settings, created_at) VALUES (?, ?, '{}', 0)`, w, w)
	}
	for _, m := range o.Members {
		exec(`INSERT INTO members (id, workspace_id, email, password_hash, name, fields, created_at) VALUES (?, ?, ?, '', ?, '{}', ?)`,
			m.ID, m.Workspace, m.ID+"@x.example", m.ID, m.Created)
	}
	for _, e := range o.Events {
		exec(`INSERT INTO events (seq, op, data, created_at) VALUES (?, ?, ?, ?)`, e.Seq, e.Op, []byte(e.Data), e.Created)
		for _, m := range e.Feed {
			exec(`INSERT INTO feed (member_id, seq) VALUES (?, ?)`, m, e.Seq)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, path)
	o.Check(t, db, []int64{1, 3})
	var rows int
	raw, err := sqlite.CreateAtVersion(path, sqlite.SchemaVersion)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow(`SELECT count(*) FROM feed`).Scan(&rows); err != nil || rows != 6 {
		t.Errorf("feed rows after migrating = %d, %v; want 6 (x1's of event 1, and events 2, 4, 5 as they were)", rows, err)
	}
}

// TestWALStaysBounded: with readers always in the middle of a transaction,
// SQLite's own checkpoints cannot restart the WAL; the write that takes it
// past its limit truncates it.
func TestWALStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db := openDB(t, path)
	const limit = 1 << 20
	db.SetWALLimit(limit)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 { // two readers whose transactions overlap
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = db.Read(ctx, func(tx service.Tx) error {
					_, err := tx.LastSeq(ctx)
					time.Sleep(time.Millisecond) // a reader in the middle of its work
					return err
				})
			}
		})
	}
	pic := make([]byte, 64<<10)
	var peak int64
	for i := range 200 {
		pic[0], pic[1] = byte(i), byte(i>>8)
		write(t, db, func(tx service.Tx) error { return tx.PutPicture(ctx, fmt.Sprintf("p%d", i), pic, nil) })
		if fi, err := os.Stat(path + "-wal"); err == nil {
			peak = max(peak, fi.Size())
		}
	}
	close(stop)
	wg.Wait()
	// A write adds one picture's pages (and their index) to a WAL below the limit.
	if want := int64(limit + 256<<10); peak > want {
		t.Errorf("the WAL grew to %d bytes over 12.5 MiB of writes, want at most %d", peak, want)
	}
}
