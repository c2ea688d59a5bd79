package loadtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// dbFile is the SQLite file in a node's data directory, as worktalkd names it.
const dbFile = "worktalk.db"

const password = "load test password"

// fixture is what seed made: members 0..n-1 of one workspace, each with a
// session, and group rooms whose members are the first Size members.
type fixture struct {
	ids    []string // member ids
	tokens []string // session token of member i
	rooms  []room
	cursor int64 // every client syncs from here: nothing to replay
}

type room struct {
	id   string
	size int
}

// seed writes a node's database in dir: a workspace of members members,
// each signed in through the service, and one group room of each size.
//
// Members and rooms are written straight into the store, in batches. The
// service would send every new member to every coworker (n² feed rows) and
// refuses groups over protocol.MaxGroupMembers; neither is what is measured
// here, and the rows are the same.
func seed(ctx context.Context, dir string, members int, sizes []int) (fixture, error) {
	var fx fixture
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		return fx, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	svc := service.New(service.Config{
		Store:  db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Argon:  argon2id.TestParams, // hashing is not what is measured
	})
	ws, err := svc.CreateWorkspace(ctx, "Load", service.DefaultSettings())
	if err != nil {
		return fx, err
	}
	first, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: email(0), Password: password, Name: "Member 0"})
	if err != nil {
		return fx, err
	}
	var tmpl service.MemberRow
	if err := db.Read(ctx, func(tx service.Tx) error {
		tmpl, err = tx.Member(ctx, first.ID)
		return err
	}); err != nil {
		return fx, err
	}
	ids := make([]string, members)
	ids[0] = first.ID
	const batch = 1000
	for start := 1; start < members; start += batch {
		err := db.Write(ctx, func(tx service.Tx) error {
			for i := start; i < min(start+batch, members); i++ {
				m := tmpl // the same password hash: the same password
				m.ID, m.Email, m.Name = protocol.NewID(), email(i), fmt.Sprintf("Member %d", i)
				if _, ok := tmpl.Fields["email"]; ok {
					m.Fields = map[string]string{"email": m.Email}
				}
				if err := tx.InsertMember(ctx, m); err != nil {
					return err
				}
				ids[i] = m.ID
			}
			return nil
		})
		if err != nil {
			return fx, fmt.Errorf("insert members: %w", err)
		}
	}
	fx.ids = ids
	fx.tokens = make([]string, members)
	for i := range members {
		res, err := svc.SignIn(ctx, protocol.SignInRequest{Email: email(i), Password: password, WorkspaceID: ws.ID, Device: "load"},
			fmt.Sprintf("load:%d", i)) // an address each: the per-address limit is not what is measured
		if err != nil {
			return fx, fmt.Errorf("sign in member %d: %w", i, err)
		}
		fx.tokens[i] = res.Session.Token
	}
	now := time.Now()
	for _, size := range sizes {
		r := service.RoomRow{ID: protocol.NewID(), Kind: protocol.RoomGroup, Title: fmt.Sprintf("%d members", size), CreatedAt: now}
		if err := db.Write(ctx, func(tx service.Tx) error { return tx.InsertRoom(ctx, r, ids[:size]) }); err != nil {
			return fx, fmt.Errorf("insert room of %d: %w", size, err)
		}
		fx.rooms = append(fx.rooms, room{id: r.ID, size: size})
	}
	if fx.cursor, err = db.LastSeq(ctx); err != nil {
		return fx, err
	}
	return fx, nil
}

func email(i int) string { return fmt.Sprintf("member%d@load.example", i) }
