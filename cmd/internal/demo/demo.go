// Package demo fills an empty Worktalk server with two demo workspaces, for
// `worktalkd serve --demo` and the desktop app's --demo. It goes through the
// service like any admin tool, so the demo data follows every rule.
package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// Password is the password of every demo account.
const Password = "worktalk-demo"

// Account is one demo member.
type Account struct {
	Email     string
	Name      string
	Workspace string
	Admin     bool
}

// Info says how to sign in to the demo data.
type Info struct {
	Created  bool // false: the database already had workspaces and was left alone
	Password string
	Accounts []Account
}

type demoMember struct {
	email, name              string
	title, department, phone string
	employeeNo               string
	admin                    bool
}

type demoWorkspace struct {
	name    string
	members []demoMember
	room    string   // a group room of everyone
	chat    []string // its messages, sent by the members in turn
}

// demoData: two companies; Alex Kim consults for both under one e-mail, so
// signing in shows the workspace choice.
var demoData = []demoWorkspace{
	{
		name: "Acme Corp",
		members: []demoMember{
			{"emma@acme.example", "Emma Wilson", "CEO", "Management", "+1 415-555-0101", "A-0001", true},
			{"minjun@acme.example", "김민준", "Software Engineer", "Engineering", "+82 10-2345-6789", "A-0107", false},
			{"liam@acme.example", "Liam Park", "Product Manager", "Product", "+1 415-555-0142", "A-0112", false},
			{"seoyeon@acme.example", "이서연", "Designer", "Design", "+82 10-3456-7890", "A-0131", false},
			{"alex@consult.example", "Alex Kim", "Consultant", "Partners", "+1 415-555-0199", "A-0900", false},
		},
		room: "Acme general",
		chat: []string{"Welcome to Worktalk, everyone!", "안녕하세요! 잘 부탁드립니다.", "The launch review is at 3 pm.", "디자인 시안 공유드릴게요."},
	},
	{
		name: "한빛소프트",
		members: []demoMember{
			{"jihoon@hanbit.example", "박지훈", "대표이사", "경영지원팀", "+82 2-555-0100", "H-0001", true},
			{"yuna@hanbit.example", "최유나", "개발팀장", "개발팀", "+82 10-4567-8901", "H-0023", false},
			{"daniel@hanbit.example", "Daniel Lee", "Sales Manager", "영업팀", "+82 10-5678-9012", "H-0045", false},
			{"haeun@hanbit.example", "정하은", "마케터", "마케팅팀", "+82 10-6789-0123", "H-0051", false},
			{"alex@consult.example", "Alex Kim", "컨설턴트", "외부 협력", "+1 415-555-0199", "H-0900", false},
		},
		room: "한빛 전체방",
		chat: []string{"이번 주 금요일 회식 있습니다.", "Sounds good!", "새 버전 배포 완료했습니다.", "수고하셨습니다 👏"},
	},
}

// Seed fills an empty database with two demo workspaces (members with
// Korean and English names, one admin each, external chat allowed, a group
// room with messages). A database that has any workspace is left alone
// (Info.Created is false); the accounts listed are the demo ones either way.
func Seed(ctx context.Context, store service.Store, svc *service.Service) (Info, error) {
	info := Info{Password: Password, Accounts: Accounts()}
	var existing []service.WorkspaceRow
	err := store.Read(ctx, func(tx service.Tx) error {
		var err error
		existing, err = tx.Workspaces(ctx)
		return err
	})
	if err != nil {
		return Info{}, fmt.Errorf("list workspaces: %w", err)
	}
	if len(existing) > 0 {
		return info, nil
	}
	for _, dw := range demoData {
		if err := seedWorkspace(ctx, svc, dw); err != nil {
			return Info{}, fmt.Errorf("%s: %w", dw.name, err)
		}
	}
	info.Created = true
	return info, nil
}

// Accounts lists the demo members, the first workspace's admin first.
func Accounts() []Account {
	var out []Account
	for _, dw := range demoData {
		for _, m := range dw.members {
			out = append(out, Account{Email: m.email, Name: m.name, Workspace: dw.name, Admin: m.admin})
		}
	}
	return out
}

// seedWorkspace creates dw with its members, then the first member opens
// the group room and the members take turns writing its messages.
func seedWorkspace(ctx context.Context, svc *service.Service, dw demoWorkspace) error {
	ws, err := svc.CreateWorkspace(ctx, dw.name, service.DefaultSettings())
	if err != nil {
		return err
	}
	var members []service.Caller
	for _, m := range dw.members {
		p, err := svc.CreateMember(ctx, service.NewMember{
			WorkspaceID: ws.ID, Email: m.email, Password: Password, Name: m.name, Admin: m.admin,
			Fields: map[string]string{"title": m.title, "department": m.department, "phone": m.phone, "employee_no": m.employeeNo},
		})
		if err != nil {
			return err
		}
		members = append(members, service.Caller{MemberID: p.ID, WorkspaceID: ws.ID})
	}
	roomID := protocol.NewID()
	var others []string
	for _, c := range members[1:] {
		others = append(others, c.MemberID)
	}
	if err := do(ctx, svc, members[0], roomID, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: dw.room, Members: others}); err != nil {
		return fmt.Errorf("create room: %w", err)
	}
	for i, text := range dw.chat {
		if err := do(ctx, svc, members[i%len(members)], protocol.NewID(), protocol.OpMessageSend, protocol.SendMessage{RoomID: roomID, Text: text}); err != nil {
			return fmt.Errorf("send message: %w", err)
		}
	}
	return nil
}

// do runs one request as member c, as the sync endpoint would.
func do(ctx context.Context, svc *service.Service, c service.Caller, reqID, op string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	_, err = svc.Do(ctx, c, reqID, op, b)
	return err
}
